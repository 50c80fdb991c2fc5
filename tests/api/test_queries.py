"""A list request runs a fixed number of SQL queries, whatever the page size
or the number of related rows."""

import pytest

from registry import selectors
from registry.api import stored
from registry.api.jsonld import evaluation_jsonld
from tests.factories import rich_evaluation

pytestmark = pytest.mark.django_db

# The page's ids with their total (one query), then its records with every relation as
# JSON arrays (one query): registry.selectors.record_rows. One more of slack.
MAX_LIST_QUERIES = 3


@pytest.fixture
def many_records(db, django_capture_on_commit_callbacks):
    # As if committed: on PostgreSQL a transaction's own changes are listed live
    # until its COMMIT stamps them (registry/api/stored.py).
    with django_capture_on_commit_callbacks(execute=True):
        return [rich_evaluation(i) for i in range(50)]


@pytest.mark.parametrize("page_size", [5, 50, 100])
@pytest.mark.parametrize("fmt", ["json", "csv", "jsonld"])
def test_evaluation_list_queries_do_not_grow(client_api, many_records, django_assert_max_num_queries, page_size, fmt):
    for most in (first_list_queries(fmt), MAX_LIST_QUERIES):
        with django_assert_max_num_queries(most):
            response = client_api.get("/api/v1/evaluations/", {"page_size": page_size, "format": fmt})
        assert response.status_code == 200


def first_list_queries(fmt="json"):
    """On PostgreSQL a record's JSON body is rendered and stored the first time it is
    listed (registry/api/stored.py): three queries more, and a savepoint in a test."""
    return MAX_LIST_QUERIES + 4 if fmt == "json" and stored.enabled() else MAX_LIST_QUERIES


def test_filtered_list_queries_do_not_grow(client_api, many_records, django_assert_max_num_queries):
    params = {
        "page_size": 100,
        "method": "impact",
        "year_from": 2019,
        "has_findings": "true",
        "place": "place-1",
        "sort": "year",
    }
    with django_assert_max_num_queries(first_list_queries() + 6):  # filters look up their codes
        response = client_api.get("/api/v1/evaluations/", params)
    assert response.status_code == 200
    assert response.json()["count"] == 10


def test_findings_and_documents_lists_are_fixed(client_api, many_records, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client_api.get("/api/v1/findings/", {"page_size": 100}).json()["count"] >= 150
    with django_assert_max_num_queries(3):
        assert client_api.get("/api/v1/findings.csv", {"page_size": 1000}).status_code == 200
    with django_assert_max_num_queries(3):
        assert client_api.get("/api/v1/documents/").status_code == 200


def test_detail_and_methods_are_fixed(client_api, many_records, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        assert client_api.get(f"/api/v1/evaluations/{many_records[3].slug}/").status_code == 200
    with django_assert_max_num_queries(2):
        assert len(client_api.get("/api/v1/methods/").json()) > 20


def test_jsonld_of_a_fetched_record_runs_no_queries(rf, many_records, django_assert_num_queries):
    record = selectors.evaluation_detail(many_records[0].slug)
    request = rf.get("/")
    with django_assert_num_queries(0):
        data = evaluation_jsonld(record, request)
    assert data["@type"] == "Report"
    assert len(data["isBasedOn"]) == 1  # the report link
