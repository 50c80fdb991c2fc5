"""Event dates, links and findings written through the API, under the forms' rules."""

from decimal import Decimal

import pytest

from registry.models import Evaluation
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db
LIST = "/api/v1/evaluations/"

ROWS = {
    "title": "Tutoring evaluation",
    "event_dates": [
        {"category": "evaluation_start", "month": 9, "year": 2021, "status": "actual"},
        {"category": "evaluation_end", "year": 2023, "status": "intended"},
    ],
    "links": [{"kind": "report", "url": "https://example.org/report", "title": "Final report"}],
    "findings": [
        {
            "outcome": "Attainment",
            "direction": "increase",
            "effect_size": "0.12",
            "effect_unit": "standard deviations",
            "ci_lower": "0.02",
            "ci_upper": "0.22",
            "ci_level": "95",
            "p_value": "0.03",
            "sample_size": 1200,
            "significance": "significant",
            "statement": "Tutoring raised attainment.",
        }
    ],
}


def test_a_draft_is_created_with_its_dates_links_and_findings(user):
    response = token_client(user).post(LIST, ROWS, format="json")
    assert response.status_code == 201, response.json()
    record = Evaluation.objects.get(slug=response.json()["slug"])
    assert record.visibility == "draft" and record.owner == user
    assert [(d.category, d.month, d.year) for d in record.event_dates.all()] == [
        ("evaluation_start", 9, 2021),
        ("evaluation_end", None, 2023),
    ]
    assert record.links.get().url == "https://example.org/report"
    finding = record.findings.get()
    assert finding.effect_size == Decimal("0.12") and finding.sample_size == 1200
    # The contributor can carry on in the web journey.
    assert record.submission.step_reached


def test_a_list_given_replaces_the_rows_and_a_list_left_out_keeps_them(user):
    client = token_client(user)
    slug = client.post(LIST, ROWS, format="json").json()["slug"]
    response = client.patch(
        f"{LIST}{slug}/", {"findings": [], "links": [{"kind": "plan", "url": "http://example.org/plan"}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    record = Evaluation.objects.get(slug=slug)
    assert record.findings.count() == 0 and record.event_dates.count() == 2
    assert list(record.links.values_list("kind", flat=True)) == ["plan"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"event_dates": [{"category": "evaluation_start", "year": 1899}]}, "event_dates"),
        ({"event_dates": [{"category": "evaluation_start", "year": 2020, "month": 13}]}, "event_dates"),
        ({"event_dates": [{"category": "other", "year": 2020}]}, "event_dates"),
        (
            {
                "event_dates": [
                    {"category": "evaluation_start", "year": 2022},
                    {"category": "evaluation_end", "year": 2020},
                ]
            },
            "event_dates",
        ),
        ({"links": [{"kind": "report", "url": "javascript:alert(1)"}]}, "links"),
        ({"links": [{"kind": "report", "url": "ftp://example.org/x"}]}, "links"),
        ({"findings": [{"outcome": "x", "statement": "y", "ci_lower": "2", "ci_upper": "1"}]}, "findings"),
        ({"findings": [{"outcome": "x", "statement": "y", "p_value": "1.5"}]}, "findings"),
        ({"findings": [{"outcome": "x" * 300, "statement": "y"}]}, "findings"),
    ],
)
def test_bad_rows_are_refused_with_a_message_and_nothing_is_stored(user, change, field):
    client = token_client(user)
    slug = client.post(LIST, {"title": "Clean draft"}, format="json").json()["slug"]
    response = client.patch(f"{LIST}{slug}/", change, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    record = Evaluation.objects.get(slug=slug)
    assert (record.event_dates.count(), record.links.count(), record.findings.count()) == (0, 0, 0)


def test_link_errors_name_the_row_and_field(user):
    client = token_client(user)
    slug = client.post(LIST, {"title": "Clean draft"}, format="json").json()["slug"]
    bad = {
        "links": [{"kind": "report", "url": "https://ok.example.org"}, {"kind": "report", "url": "javascript:alert(1)"}]
    }
    errors = client.patch(f"{LIST}{slug}/", bad, format="json").json()["errors"]
    assert errors == {"links": {"1": {"url": ["Enter a web address starting with http:// or https://"]}}}
