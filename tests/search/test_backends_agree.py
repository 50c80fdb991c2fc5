"""Both backends give the same first hit on every query of the shared suite.

The relevance tests already hold each backend to the expected first hit; this
asks the two backends the same queries side by side over the same records and
documents, so a query added later that they answer differently is caught too.
(They rank alike, not identically: the PostgreSQL backend counts a document's
matching passages where whoosh counts its words, so two hits that whoosh puts
within a few percent of each other can swap; "children's services" is one.)"""
import pytest
from django.db import connection

from registry import models
from registry.search import SearchQuery
from registry.search.postgres_backend import PostgresBackend
from registry.search.whoosh_backend import WhooshBackend
from registry.services.documents import add_document

pytestmark = pytest.mark.django_db

QUERIES = [
    "inverse probability weighting", "IPW", "interrupted time series", '"interrupted time series"', "reoffending",
    "solution focused", "randomized controlled trial", "RCT", "Signs of Safety", "Partners in Practice",
    '"Partners in Practice" NOT Lincolnshire', "reoffending OR Crewe", 'method:"interrupted time series"',
    "method:rct", "department:dfe", "title:crewe", "Crewe", "Lincolnshire", "Achieving for Children", "Ecorys",
    "social workers", "Future4Me", "evaluation", "wombat burrow", '"wombat quango"', "Signs of Safety reoffending",
    "department:dfe reoffending", "quasi-experimental", '"solution focused"', "peer researchers",
]


def first_hit(results):
    return (results.hits[0].kind, results.hits[0].pk) if results.hits else None


def test_whoosh_and_postgres_give_the_same_first_hit(search_data_dir):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend needs the suite to run on PostgreSQL")
    crewe = models.Evaluation.objects.get(slug="project-crewe")
    words = ["filler"] * 900
    words[299:301] = ["wombat", "quango"]
    words[610:612] = ["wombat", "burrow"]
    add_document(" ".join(words).encode(), "wombats.txt", evaluations=[crewe], keep_file=False)
    whoosh, postgres = WhooshBackend(search_data_dir), PostgresBackend(search_data_dir)
    whoosh.rebuild()
    postgres.rebuild()
    disagreements = []
    for text in QUERIES:
        for filters in ({}, {"kind": ["report", "news", "other"]}):
            query = SearchQuery(text=text, filters=filters)
            a, b = first_hit(whoosh.search(query)), first_hit(postgres.search(query))
            if a != b:
                disagreements.append((text, filters, a, b))
    assert not disagreements
