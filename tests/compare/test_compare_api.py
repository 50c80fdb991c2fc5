"""/api/v1/compare/ and /api/v1/insights/: the page's data, its errors, and its schema."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from registry.wsgi import application
from tests.factories import EvaluationFactory, rich_evaluation

pytestmark = pytest.mark.django_db

SEEDS = ["project-crewe", "lincolnshire-partners-in-practice", "achieving-for-children-partners-in-practice"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(autouse=True)
def generous_throttle(settings):
    settings.REGISTRY_API_THROTTLE_RATES = {"anon": "100000/minute", "user": "100000/minute"}
    cache.clear()
    yield
    cache.clear()


def api_compare(client, *slugs, extra=""):
    return client.get("/api/v1/compare/?" + "&".join(f"e={s}" for s in slugs) + extra)


def test_compare_api_gives_aligned_rows_and_grouped_findings(client):
    response = api_compare(client, *SEEDS)
    assert response.status_code == 200
    data = response.json()
    assert [e["slug"] for e in data["evaluations"]] == SEEDS
    rows = {row["key"]: row for section in data["sections"] for row in section["rows"]}
    assert rows["Impact methods"]["cells"][0] == [{"text": "Randomised control trial (RCT)", "href": ""}]
    assert rows["Impact methods"]["differs"] is True
    assert rows["Lead department"]["differs"] is False
    reoffending = next(g for g in data["findings"] if g["outcome"].startswith("Reoffending"))
    assert reoffending["findings"][0]["effect_size"] == -11
    assert reoffending["findings"][0]["evaluation"] == "lincolnshire-partners-in-practice"
    assert data["findings"][0]["evaluation_count"] == 2


def test_compare_api_only_differences(client):
    data = api_compare(client, *SEEDS, extra="&show=differences").json()
    assert all(row["differs"] for section in data["sections"] for row in section["rows"])


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("", "e", "Give between 1 and 4 evaluation slugs"),
        ("?e=nope", "e", "No published evaluation has the address “nope”"),
        ("?e=project-crewe&e=project-crewe", "e", "listed more than once"),
        ("?e=a&e=b&e=c&e=d&e=project-crewe", "e", "up to 4"),
        ("?e=project-crewe&show=everything", "show", "show=differences"),
    ],
)
def test_compare_api_bad_input_is_a_400_with_a_message(client, query, field, message):
    response = client.get("/api/v1/compare/" + query)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert any(message in text for text in body["errors"][field])


def test_compare_api_never_shows_a_draft_to_a_visitor(client):
    EvaluationFactory(slug="api-draft", title="Draft seen by nobody", visibility="draft")
    response = api_compare(client, "project-crewe", "api-draft")
    assert response.status_code == 400
    assert "Draft seen by nobody" not in response.content.decode()


def test_insights_api_matches_the_page_figures(client):
    data = client.get("/api/v1/insights/").json()
    assert data["total"] == 3
    assert {s["code"]: s["count"] for s in data["stages"]}["complete"] == 3
    rows = {row["code"]: row for row in data["matrix"]["rows"]}
    assert rows["rct"]["cells"][0] == {
        "count": 1,
        "href": "/evaluations/?department=department-for-education&method=rct",
        "shade": rows["rct"]["cells"][0]["shade"],
    }


@pytest.mark.parametrize("records", [2, 20])
def test_api_views_run_a_fixed_number_of_queries(client, django_assert_max_num_queries, records):
    slugs = [rich_evaluation(i).slug for i in range(records)]
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/insights/").status_code == 200
    with django_assert_max_num_queries(11):
        assert api_compare(client, *slugs[:4]).status_code == 200


@pytest.fixture
def keep_test_connection():
    """Calls through the WSGI app fire request_finished, which would close the
    test transaction's connection on PostgreSQL; Django's test client avoids
    that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_compare_and_insights_conform_to_the_schema(keep_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    operations = {
        result.ok().path: result.ok()
        for result in schema.get_all_operations()
        if result.ok().path in ("/api/v1/compare/", "/api/v1/insights/")
    }
    assert len(operations) == 2
    for operation in operations.values():

        @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call()
            case.validate_response(response, checks=CHECKS)

        run()
    # Schema-valid requests that name real records must succeed too.
    for slugs in (SEEDS, SEEDS[:1]):
        case = operations["/api/v1/compare/"].Case(query={"e": slugs})
        response = case.call()
        assert response.status_code == 200
        case.validate_response(response, checks=CHECKS)
