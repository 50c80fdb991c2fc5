"""Reading records: shape, numbers, links, filters, ordering and pagination."""

import datetime

import pytest
from django.utils import timezone

from registry.models import Evaluation
from tests.factories import EvaluationFactory, rich_evaluation

pytestmark = pytest.mark.django_db

LIST = "/api/v1/evaluations/"


def slugs(response):
    return [row["slug"] for row in response.json()["results"]]


def test_list_shows_the_published_seed_records_with_absolute_links(client_api):
    response = client_api.get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert set(slugs(response)) == {
        "project-crewe",
        "lincolnshire-partners-in-practice",
        "achieving-for-children-partners-in-practice",
    }
    record = next(r for r in body["results"] if r["slug"] == "project-crewe")
    assert record["url"] == "http://testserver/evaluations/project-crewe/"
    assert record["api_url"] == "http://testserver/api/v1/evaluations/project-crewe/"
    assert record["version"] >= 1 and record["updated_at"]
    assert record["lead_department"]["code"] == "department-for-education"
    assert record["summary_machine_written"] is True


def test_detail_carries_findings_with_numbers_as_numbers(client_api):
    body = client_api.get(f"{LIST}lincolnshire-partners-in-practice/").json()
    future4me = next(f for f in body["findings"] if "Future4Me" in (f["intervention"] + f["statement"]))
    assert future4me["effect_size"] == -11
    assert isinstance(future4me["effect_size"], (int, float))
    assert future4me["effect_unit"] == "percentage points"
    parents = {d["code"]: d["parent"] for d in body["designs"]}
    assert parents["impact"] is None
    assert parents["interrupted"] == "quasi_experimental"
    assert body["documents"][0]["api_url"].startswith("http://testserver/api/v1/documents/")


def test_detail_links_and_dates_match_the_record(client_api):
    record = rich_evaluation(1)
    body = client_api.get(f"{LIST}{record.slug}/").json()
    assert [link["url"] for link in body["links"]] == ["https://example.org/1"]
    assert [d["year"] for d in body["event_dates"]] == [2019, 2020, 2021]
    assert body["event_dates"][0]["label"] == "Evaluation start" and body["event_dates"][0]["month"] == 3
    assert [f["effect_size"] for f in body["findings"]] == [0, 1, 2]
    assert len(body["other_departments"]) == 2
    assert body["places"] == [{"slug": "place-1", "name": "Place 1"}]


def test_unknown_slug_is_a_json_404(client_api):
    response = client_api.get(f"{LIST}no-such-record/")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "detail": "No evaluation has this slug."}


def test_withdrawn_record_answers_410_gone(client_api):
    EvaluationFactory(slug="pulled", visibility="withdrawn", withdrawn_reason="Superseded by a newer study.")
    response = client_api.get(f"{LIST}pulled/")
    assert response.status_code == 410
    assert "Superseded by a newer study." in response.json()["detail"]
    assert "pulled" not in slugs(client_api.get(LIST))


def test_method_filter_includes_the_methods_under_it(client_api):
    # Lincolnshire uses interrupted time series, which sits under quasi-experimental.
    response = client_api.get(LIST, {"method": "quasi_experimental"})
    assert response.status_code == 200
    assert slugs(response) == ["achieving-for-children-partners-in-practice", "lincolnshire-partners-in-practice"]


def test_filters_combine_and_bad_codes_get_a_message_per_field(client_api):
    assert slugs(client_api.get(LIST, {"type": "economic"})) == ["project-crewe"]
    assert slugs(client_api.get(LIST, {"type": "impact", "method": "interrupted"})) == [
        "lincolnshire-partners-in-practice"
    ]
    response = client_api.get(LIST, {"department": "ministry-of-nothing", "year_from": "abc", "stage": "someday"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["department"] == ["ministry-of-nothing is not a known department code."]
    assert set(errors) == {"department", "year_from", "stage"}


def test_year_range_and_has_findings(client_api):
    old = EvaluationFactory(title="Old study")
    old.event_dates.create(category="evaluation_start", year=1990)
    found = slugs(client_api.get(LIST, {"year_to": 1995}))
    assert found == [old.slug]
    assert old.slug not in slugs(client_api.get(LIST, {"has_findings": "true", "page_size": 100}))
    assert old.slug in slugs(client_api.get(LIST, {"has_findings": "false", "page_size": 100}))


def test_updated_since_returns_only_records_changed_after(client_api):
    record = EvaluationFactory(title="Recently touched")
    past = timezone.now() - datetime.timedelta(days=3650)
    Evaluation.objects.exclude(pk=record.pk).update(updated_at=past)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert slugs(client_api.get(LIST, {"updated_since": since})) == [record.slug]
    assert client_api.get(LIST, {"updated_since": "yesterday"}).status_code == 400


def test_pagination_is_stable_and_links_next_and_previous(client_api):
    for _ in range(7):
        EvaluationFactory(title="Same title")  # ties broken by id
    seen = []
    url = f"{LIST}?page_size=4&ordering=title"
    pages = 0
    while url:
        body = client_api.get(url).json()
        seen += [r["slug"] for r in body["results"]]
        url, pages = body["next"], pages + 1
    assert len(seen) == len(set(seen)) == Evaluation.objects.published().count()
    assert pages == 3
    second = client_api.get(LIST, {"page_size": 4, "page": 2}).json()
    assert second["previous"].endswith("page_size=4")
    assert client_api.get(LIST, {"page": 99}).status_code == 404


def test_ordering_by_updated_at_descending(client_api):
    newest = EvaluationFactory(title="Aardvark")
    body = client_api.get(LIST, {"ordering": "-updated_at"}).json()
    assert body["results"][0]["slug"] == newest.slug
    assert client_api.get(LIST, {"ordering": "summary"}).status_code == 200  # unknown fields are ignored


def test_vocabularies(client_api):
    departments = client_api.get("/api/v1/departments/").json()
    assert departments["count"] > 100
    dfe = client_api.get("/api/v1/departments/department-for-education/").json()
    assert dfe["name"].startswith("Department for Education")
    methods = client_api.get("/api/v1/methods/").json()
    by_code = {m["code"]: m for m in methods}
    assert by_code["impact"]["parent"] is None and by_code["impact"]["is_type"]
    assert "quasi_experimental" in by_code["impact"]["children"]
    assert by_code["interrupted"]["parent"] == "quasi_experimental"
    area = client_api.get("/api/v1/policy-areas/").json()["results"][0]
    assert client_api.get(f"/api/v1/policy-areas/{area['code']}/").json()["code"] == area["code"]
    assert client_api.get("/api/v1/organisations/ecorys/").status_code == 200
    assert client_api.get("/api/v1/programmes/").json()["count"] >= 1


def test_documents_metadata_text_and_download(client_api):
    listing = client_api.get("/api/v1/documents/").json()
    assert listing["count"] == 2
    assert "text" not in listing["results"][0]
    detail = client_api.get(listing["results"][0]["api_url"]).json()
    assert detail["word_count"] > 0 and len(detail["text"]) > 100
    assert detail["evaluations"] and detail["evaluations"][0]["api_url"].startswith("http://testserver/api/v1/")
    if detail["download_url"]:
        download = client_api.get(detail["download_url"])
        assert download.status_code == 200
        assert b"".join(download.streaming_content)
