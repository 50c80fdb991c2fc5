"""The PostgreSQL backend's facet counts from each process's arrays (facet_arrays.py):
the same counts as the statement's own aggregate, after entries are replaced, and a
copy that starts again when replaced entries would pile up."""
import pytest
from django.db import connection

from registry import models
from registry.search import SearchQuery, get_backend
from registry.search import postgres_backend as pg
from registry.search.facet_arrays import FacetArrays
from tests.factories import EvaluationFactory

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend needs PostgreSQL")]


@pytest.fixture
def backend(settings, django_capture_on_commit_callbacks):
    settings.REGISTRY_SEARCH_BACKEND = "registry.search.postgres_backend.PostgresBackend"
    departments = list(models.Department.objects.order_by("code")[:3])
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(9):
            EvaluationFactory(title=f"Kinship care evaluation {n}", summary="Family group conferences in Crewe.",
                              lead_department=departments[n % 3])
    backend = get_backend()
    backend.rebuild()
    return backend


def statement_facets(backend, query):
    """The facets as the statement's own aggregate counts them (the path before the arrays)."""
    with connection.cursor() as cursor:
        tree, tsqueries, *_ = backend._parsed(cursor, query.text, backend.synonyms())
        ctes, params, (facet_sql, facet_params, counted) = backend._matched_sql(
            tree, tsqueries, query, backend._phrase_frequent(cursor, tree))
        assert counted is None
        cursor.execute(f"WITH {ctes} SELECT {facet_sql}", params + facet_params)
        return backend._facets(pg._json(cursor.fetchone()[0]) or [])


def arrays_facets(backend, query):
    """The facets as a search counts them: from the arrays, whichever way it is decided
    (worked out in this process, or by the statement counting from the ids it returns)."""
    with connection.cursor() as cursor:
        tree, tsqueries, *_ = backend._parsed(cursor, query.text, backend.synonyms())
        *_, counted = backend._matched_sql(tree, tsqueries, query, cursor=cursor)
    assert counted is not None or (tree is not None and backend._decided_by_ids(tree, query))
    return backend.search(query).facets


def by_arrays_and_by_statement(backend, text):
    query = SearchQuery(text=text)
    return arrays_facets(backend, query), statement_facets(backend, query)


def test_counts_from_the_ids_are_the_statements_counts(backend):
    for text in ("kinship", "kinship care", '"group conferences"', "crewe OR kinship", "method:rct kinship"):
        arrays, statement = by_arrays_and_by_statement(backend, text)
        assert arrays == statement
    arrays, _ = by_arrays_and_by_statement(backend, "kinship")
    assert sum(v.count for v in arrays["department"]) == 9


def test_a_replaced_entry_is_counted_with_its_new_values(backend, django_capture_on_commit_callbacks):
    before, _ = by_arrays_and_by_statement(backend, "kinship")
    record = models.Evaluation.objects.filter(title="Kinship care evaluation 0").get()
    other = models.Department.objects.exclude(pk=record.lead_department_id).order_by("-code").first()
    with django_capture_on_commit_callbacks(execute=True):
        record.lead_department = other
        record.save()
    arrays, statement = by_arrays_and_by_statement(backend, "kinship")
    assert arrays == statement and arrays != before
    assert any(v.value == other.code for v in arrays["department"])


def test_the_copy_starts_again_when_replaced_entries_would_pile_up(backend):
    copy = FacetArrays(pg.ENTRY)
    stale = [(10 ** 9 + n, ["stage:stale"], ["place:stale"]) for n in range(3000)]  # ids of entries long gone
    copy._append(stale)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {pg.ENTRY}")
        ids = [row[0] for row in cursor.fetchall()]
        counts = dict(copy.counts(cursor, ids))
    assert "stage:stale" not in counts and len(copy.indptr) - 1 == len(ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unnest(facet_values) AS v, count(*) FROM {pg.ENTRY} GROUP BY v")
        assert counts == dict(cursor.fetchall())


def test_counts_under_filters_are_the_statements_counts(backend):
    """With filters, each facet's values are counted over the entries passing every
    other facet's filter (what ticking a value would add), from the ids and a bit per
    filter, as the statement counted them."""
    departments = list(models.Department.objects.order_by("code")[:2])
    for filters in ({"department": [departments[0].code]},
                    {"department": [departments[0].code, departments[1].code]},
                    {"department": [departments[0].code], "stage": ["complete"]},
                    {"kind": ["report"]}):
        for text in ("kinship", "", "kinship OR crewe"):
            query = SearchQuery(text=text, filters=filters)
            assert arrays_facets(backend, query) == statement_facets(backend, query), (text, filters)


def test_fields_and_filters_decided_by_ids_give_the_same_page(backend, monkeypatch):
    """A search with a field of the entries' own values (department:) or with
    filters is decided in this process from its chunks and the copy of the entries'
    values, never looking up its matches: the same hits, total and facets as the
    statement that looks each one up."""
    departments = list(models.Department.objects.order_by("code")[:2])
    keyword = departments[0].code
    cases = [(f"department:{keyword} kinship", {}), (f"kinship NOT department:{keyword}", {}),
             ("stage:complete crewe", {}), ("kinship", {"department": [departments[1].code]}),
             ("kinship", {"department": [departments[0].code], "stage": ["complete"]}),
             (f"department:{keyword} kinship", {"department": [departments[0].code, departments[1].code]})]
    with connection.cursor() as cursor:
        for text, filters in cases:
            tree, *_ = backend._parsed(cursor, text, backend.synonyms())
            assert backend._decided_by_ids(tree, SearchQuery(text=text, filters=filters)), text
    by_ids = [backend.run_search(SearchQuery(text=text, filters=filters)) for text, filters in cases]
    monkeypatch.setattr(pg.PostgresBackend, "_decided_by_ids", staticmethod(lambda tree, query: False))
    looked_up = [backend.run_search(SearchQuery(text=text, filters=filters)) for text, filters in cases]
    for (text, filters), ids, entries in zip(cases, by_ids, looked_up, strict=True):
        assert [h.pk for h in ids.hits] == [h.pk for h in entries.hits], (text, filters)
        assert (ids.total, ids.facets) == (entries.total, entries.facets), (text, filters)
    assert {r.total for r in by_ids} != {0} and len({r.total for r in by_ids}) > 1


def test_a_group_of_words_found_nowhere_does_not_weigh_in_the_ranking(backend, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    """`kinship NOT title:crewe` when no title says Crewe: the group `title:crewe` holds
    no chunk, so it has no weight, although "Crewe" is in some of the first matches'
    summaries; the same for a phrase whose words are there but not in its order."""
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            EvaluationFactory(title=f"Kinship care {n}", summary="Family group conferences in Leeds.")
    backend.rebuild()
    cases = ["kinship NOT title:crewe", 'kinship OR "conferences group"']
    here = [backend.run_search(SearchQuery(text=text)) for text in cases]
    monkeypatch.setattr(pg.PostgresBackend, "_decided_by_ids", staticmethod(lambda tree, query: False))
    looked_up = [backend.run_search(SearchQuery(text=text)) for text in cases]
    for text, results, expected in zip(cases, here, looked_up, strict=True):
        assert results.total == expected.total == 12, text
        assert [h.pk for h in results.hits] == [h.pk for h in expected.hits], text
        assert [h.score for h in results.hits] == pytest.approx([h.score for h in expected.hits]), text


def test_searches_of_one_kind_and_their_ids_are_decided_the_same_way(backend, monkeypatch):
    """A search of one kind, and the ids of a search (browse, feeds, the CSV, the API's
    filter), are worked out in this process too: the same hits, totals, facets and
    ids, in the same order, as the statements that look every match up."""
    from registry.services.documents import add_document

    record = models.Evaluation.objects.get(title="Kinship care evaluation 0")
    add_document(b"Kinship care in Crewe: family group conferences, a report.", "kinship.txt", evaluations=[record],
                 keep_file=False)
    backend.rebuild()
    cases = [("kinship", ("evaluation",)), ("kinship", ("document",)), ("kinship", ("evaluation", "document")),
             ('"group conferences" OR crewe', ("evaluation",)), ("kinship NOT stage:complete", ("document",))]
    here = [(backend.run_search(SearchQuery(text=text, kinds=kinds)),
             backend.search_ids(SearchQuery(text=text, kinds=kinds, facets=False), limit=5)) for text, kinds in cases]
    monkeypatch.setattr(pg.PostgresBackend, "_decided_by_ids", staticmethod(lambda tree, query: False))
    looked_up = [(backend.run_search(SearchQuery(text=text, kinds=kinds)),
                  backend.search_ids(SearchQuery(text=text, kinds=kinds, facets=False), limit=5))
                 for text, kinds in cases]
    for case, (results, ids), (expected, expected_ids) in zip(cases, here, looked_up, strict=True):
        assert [(h.kind, h.pk) for h in results.hits] == [(h.kind, h.pk) for h in expected.hits], case
        assert (results.total, results.facets) == (expected.total, expected.facets), case
        assert ids == expected_ids, case
    totals = {case[1]: results.total for case, (results, _) in zip(cases, here, strict=True) if case[0] == "kinship"}
    assert totals == {("evaluation",): 9, ("document",): 1, ("evaluation", "document"): 10}


def test_an_entry_newer_than_the_copy_is_read_into_it_at_once(backend, django_capture_on_commit_callbacks):
    """Fields and filters are read from this process's copy; an entry published
    since it was filled is read into it first, and passes by its own values at once."""
    department = models.Department.objects.order_by("code").first()
    filtered = SearchQuery(text="kinship", filters={"department": [department.code]})
    field = SearchQuery(text=f"department:{department.code} kinship")
    before = backend.run_search(filtered).total
    assert before == backend.run_search(field).total == 3
    with django_capture_on_commit_callbacks(execute=True):
        EvaluationFactory(title="Kinship care evaluation new", summary="Published after the copy was read.",
                          lead_department=department)
    newest = models.Evaluation.objects.get(title="Kinship care evaluation new")
    for query in (filtered, field):
        results = backend.run_search(query)
        assert results.total == before + 1 and newest.pk in [h.pk for h in results.hits]
