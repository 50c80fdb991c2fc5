"""The PostgreSQL backend's write path in bulk: pair hashes made with NumPy give
what the plain definition gives, and a large write (an ingest batch, a rebuild)
fills the GIN indexes through their pending lists and empties them before commit."""

import zlib

import pytest
from django.db import connection

from registry.search import SearchQuery, get_backend
from registry.search import postgres_backend as pg
from registry.services.documents import add_document
from tests.factories import EvaluationFactory

pytestmark = pytest.mark.django_db

FREQUENT = frozenset(pg.stems_of("the of and evaluation impact children school time series signs safety"))


def reference_pair_hashes(text, frequent):
    """The definition, one word at a time: adjacent stems both frequent, hashed, distinct, sorted."""
    stems = pg.stems_of(text)
    pairs = {(a, b) for a, b in zip(stems, stems[1:], strict=False) if a in frequent and b in frequent}
    return sorted(zlib.crc32(f"{a} {b}".encode()) & 0x7FFFFFFF for a, b in pairs)


@pytest.mark.parametrize("text", [
    "", "evaluation", "zzz qqq", "The impact of the evaluation of the impact",
    "Signs of Safety: signs of safety, SIGNS of safety!", "children's school-time series; time series.",
    "impact " * 500, "Évaluation of the children — the école of time",
])
def test_pair_hashes_are_those_of_the_plain_definition(text):
    assert pg.pair_hashes(text, FREQUENT) == reference_pair_hashes(text, FREQUENT)
    assert pg.pair_hashes(text, frozenset()) == []


def pending_pages_left():
    """Empties both indexes' pending lists, saying how many pages they held."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(gin_clean_pending_list(i::regclass)) FROM unnest(%s::text[]) AS i",
                       [list(pg.GIN_INDEXES)])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend needs PostgreSQL")
def test_a_large_write_fills_the_indexes_in_bulk_and_leaves_no_pending_list(settings, monkeypatch):
    settings.REGISTRY_SEARCH_BACKEND = "registry.search.postgres_backend.PostgresBackend"
    record = EvaluationFactory(title="Evaluation of family group conferences", summary="Signs of Safety in schools.")
    report = " ".join(f"Paragraph {n} on signs of safety and kinship care in Crewe." for n in range(400))
    document, _ = add_document(report.encode(), "kinship-report.md", title="Kinship care report",
                               evaluations=[record])
    backend = get_backend()
    monkeypatch.setattr(pg, "BULK_CHUNKS", 2)  # every write here counts as large
    backend.rebuild()
    assert pending_pages_left() == 0
    backend.index_documents([document.pk])
    assert pending_pages_left() == 0
    found = backend.search(SearchQuery(text='kinship "signs of safety"'))
    assert {(hit.kind, hit.title) for hit in found.hits} >= {("document", "Kinship care report")}
    assert backend.search(SearchQuery(text="conferences")).hits[0].title == record.title
