"""Drafts never reach the index; saves, deletes and vocabulary changes do, after commit."""
import pytest

from registry import models
from registry.search import SearchQuery
from registry.services.documents import add_document
from tests.conftest import seed_registry
from tests.factories import EvaluationFactory, FindingFactory

pytestmark = pytest.mark.django_db
PLANTED = "zorblaxiquent"


def all_text(results):
    return " ".join(h.title + h.snippet + str(h.extra) for h in results.hits)


def test_draft_word_never_appears_in_results_facets_snippets_or_suggestions(search_index,
                                                                            django_capture_on_commit_callbacks):
    waitlist = models.DesignType.objects.get(code="waitlist")
    with django_capture_on_commit_callbacks(execute=True):
        draft = EvaluationFactory(visibility="draft", title=f"Secret {PLANTED} pilot", summary=f"The {PLANTED} method.",
                                  stage="planned")
        models.EvaluationDesign.objects.create(evaluation=draft, design_type=waitlist)
        FindingFactory(evaluation=draft, statement=f"{PLANTED} works")
        add_document(f"Draft-only report about {PLANTED}.".encode(), "draft.txt", evaluations=[draft], keep_file=False)
    search_index.rebuild()  # a full rebuild must leave it out too
    for text in (PLANTED, PLANTED[:-1], f"title:{PLANTED}", "secret", ""):
        results = search_index.search(SearchQuery(text=text))
        assert PLANTED not in all_text(results)
        assert draft.pk not in [h.pk for h in results.hits if h.kind == "evaluation"]
        assert PLANTED not in results.suggestion
    everything = search_index.search(SearchQuery(text=""))
    assert "waitlist" not in {f.value for f in everything.facets["method"]}
    assert "planned" not in {f.value for f in everything.facets["stage"]}
    assert sum(f.count for f in everything.facets["stage"]) == 3
    assert search_index.search(SearchQuery(text=PLANTED)).total == 0
    assert search_index.suggest(PLANTED[:-1]) == [] or PLANTED not in search_index.suggest(PLANTED[:-1])[0]


def test_publishing_and_withdrawing_reach_the_index_with_documents(search_index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record = EvaluationFactory(visibility="draft", title="Quokkaville pilot", summary="Quokkaville outcomes.")
        add_document(b"Quokkaville final report text.", "quokka.txt", evaluations=[record], keep_file=False)
    assert search_index.search(SearchQuery(text="quokkaville")).total == 0
    with django_capture_on_commit_callbacks(execute=True):
        record.visibility = "published"
        record.save()
    kinds = sorted(h.kind for h in search_index.search(SearchQuery(text="quokkaville")).hits)
    assert kinds == ["document", "evaluation"]
    with django_capture_on_commit_callbacks(execute=True):
        record.visibility = "withdrawn"
        record.save()
    assert search_index.search(SearchQuery(text="quokkaville")).total == 0
    # The withdrawn words stay in whoosh's segment until a merge; they must not be suggested.
    assert search_index.suggest("quokaville") == []
    assert search_index.search(SearchQuery(text="quokaville")).suggestion == ""


def test_related_rows_and_deletes_reach_the_index(search_index, django_capture_on_commit_callbacks):
    crewe = models.Evaluation.objects.get(slug="project-crewe")
    with django_capture_on_commit_callbacks(execute=True):
        finding = FindingFactory(evaluation=crewe, statement="Wombatology improved markedly.")
    assert search_index.search(SearchQuery(text="wombatology")).hits[0].slug == "project-crewe"
    with django_capture_on_commit_callbacks(execute=True):
        finding.delete()
    assert search_index.search(SearchQuery(text="wombatology")).total == 0
    with django_capture_on_commit_callbacks(execute=True):
        crewe.places.add(models.Place.objects.create(slug="narnia", name="Narnia"))
    assert search_index.search(SearchQuery(text="place:narnia")).hits[0].slug == "project-crewe"
    with django_capture_on_commit_callbacks(execute=True):
        crewe.delete()
    assert "project-crewe" not in [h.slug for h in search_index.search(SearchQuery(text="")).hits]


def test_vocabulary_changes_reach_the_index(search_index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        method = models.DesignType.objects.get(code="interrupted")
        method.name = "Segmented regression of interrupted series"
        method.save()
    slugs = [h.slug for h in search_index.search(SearchQuery(text='method:"segmented regression"')).hits]
    assert slugs == ["lincolnshire-partners-in-practice"]


def test_synonyms_are_data_and_changes_apply_at_once(search_index, django_capture_on_commit_callbacks):
    assert search_index.search(SearchQuery(text="F4M")).total == 0
    with django_capture_on_commit_callbacks(execute=True):
        synonym = models.MethodSynonym.objects.create(term="F4M", expansion="Future4Me")
    assert search_index.search(SearchQuery(text="F4M")).hits[0].slug == "lincolnshire-partners-in-practice"
    with django_capture_on_commit_callbacks(execute=True):
        synonym.delete()
    assert search_index.search(SearchQuery(text="F4M")).total == 0


def test_nothing_is_indexed_when_the_transaction_rolls_back(search_index):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        EvaluationFactory(title="Rolledbackonium study")
        raise RuntimeError
    assert search_index.search(SearchQuery(text="rolledbackonium")).total == 0


def _search_from_another_connection(text):
    """What a second app server sees: a search on a connection of its own."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection as thread_connection

    def work():
        try:
            from registry.search import get_backend

            return get_backend().search(SearchQuery(text=text)).total
        finally:
            thread_connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


@pytest.mark.django_db(transaction=True)
def test_postgres_index_rows_commit_in_the_records_transaction(settings, search_data_dir):
    """With the PostgreSQL backend a record and its index rows commit together: other
    connections see neither before COMMIT, and both the moment it returns, before any
    after-commit callback has run; a rollback leaves neither."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend needs the suite to run on PostgreSQL")
    settings.REGISTRY_SEARCH_BACKEND = "registry.search.postgres_backend.PostgresBackend"
    seed_registry()  # transactional tests empty the database after each test, vocabularies too
    seen_at_commit = []
    with transaction.atomic():
        # Registered first, so it runs before the index signals' own after-commit flush.
        transaction.on_commit(lambda: seen_at_commit.append(_search_from_another_connection("quuxtopia")))
        EvaluationFactory(visibility="published", title="Quuxtopia pilot", summary="Quuxtopia outcomes.")
        assert _search_from_another_connection("quuxtopia") == 0
    assert seen_at_commit == [1]
    with pytest.raises(RuntimeError), transaction.atomic():
        EvaluationFactory(visibility="published", title="Rolledbackonium pilot")
        raise RuntimeError
    assert _search_from_another_connection("rolledbackonium") == 0
