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


def by_arrays_and_by_statement(backend, text):
    """The facets of a search counted from the ids (relevance order), and by the
    statement's aggregate (newest first: the entries are read, and counted there)."""
    assert backend._needs_no_entry(*backend._parsed(connection.cursor(), text, backend.synonyms())[:1],
                                   SearchQuery(text=text))
    arrays = backend.search(SearchQuery(text=text)).facets
    statement = backend.search(SearchQuery(text=text, sort="newest")).facets
    return arrays, statement


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
    stale = [(10 ** 9 + n, ["stage:stale"]) for n in range(3000)]  # ids of entries long gone
    copy._append(stale)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {pg.ENTRY}")
        ids = [row[0] for row in cursor.fetchall()]
        counts = dict(copy.counts(cursor, ids))
    assert "stage:stale" not in counts and len(copy.indptr) - 1 == len(ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unnest(facet_values) AS v, count(*) FROM {pg.ENTRY} GROUP BY v")
        assert counts == dict(cursor.fetchall())
