"""CSV for spreadsheets and JSON-LD (schema.org), chosen by Accept or ?format=."""

import csv
import io
import json

import pytest
from django.template.loader import render_to_string

from registry import selectors
from registry.api.jsonld import evaluation_jsonld_script
from tests.factories import rich_evaluation

pytestmark = pytest.mark.django_db


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_evaluations_csv_has_one_row_per_record_with_joined_values(client_api):
    record = rich_evaluation(3)
    rows = read_csv(client_api.get("/api/v1/evaluations/", {"format": "csv"}))
    assert len(rows) == 4
    row = next(r for r in rows if r["slug"] == record.slug)
    assert row["methods"] == "Randomised control trial (RCT); Cluster RCT; Surveys" or ";" in row["methods"]
    assert row["evaluation_types"].split("; ") == ["Impact evaluation", "Process evaluation"]
    assert (
        row["event_dates"] == "Evaluation start: March 2019; Evaluation start: March 2020; Evaluation start: March 2021"
    )
    assert row["findings"] == "3"
    assert row["url"] == f"http://testserver/evaluations/{record.slug}/"


def test_csv_is_chosen_by_accept_header_and_alias(client_api):
    by_accept = client_api.get("/api/v1/evaluations/", HTTP_ACCEPT="text/csv")
    assert by_accept["Content-Disposition"] == 'attachment; filename="evaluations.csv"'
    assert read_csv(by_accept) == read_csv(client_api.get("/api/v1/evaluations.csv"))


def test_csv_cells_cannot_become_spreadsheet_formulas(client_api):
    record = rich_evaluation(4)
    record.title = '=HYPERLINK("http://evil.example")'
    record.save()
    row = next(r for r in read_csv(client_api.get("/api/v1/evaluations.csv")) if r["slug"] == record.slug)
    assert row["title"].startswith("'=")


def test_findings_csv_has_one_row_per_finding_with_numbers(client_api):
    rows = read_csv(client_api.get("/api/v1/findings.csv"))
    future4me = next(r for r in rows if r["intervention"] == "Future4Me")
    assert float(future4me["effect_size"]) == -11
    assert future4me["evaluation"] == "lincolnshire-partners-in-practice"
    json_rows = client_api.get("/api/v1/findings/", {"evaluation": "lincolnshire-partners-in-practice"}).json()
    assert {r["evaluation"] for r in json_rows["results"]} == {"lincolnshire-partners-in-practice"}
    assert len(rows) == client_api.get("/api/v1/findings/").json()["count"]


def test_findings_accept_the_evaluation_filters(client_api):
    body = client_api.get("/api/v1/findings/", {"method": "interrupted"}).json()
    assert body["count"] > 0 and {r["evaluation"] for r in body["results"]} == {"lincolnshire-partners-in-practice"}
    bad = client_api.get("/api/v1/findings/", {"department": "nowhere"})
    assert bad.status_code == 400 and "department" in bad.json()["errors"]


def test_jsonld_record_uses_schema_org_terms(client_api):
    response = client_api.get(
        "/api/v1/evaluations/lincolnshire-partners-in-practice/", HTTP_ACCEPT="application/ld+json"
    )
    assert response["Content-Type"].startswith("application/ld+json")
    data = response.json()
    assert data["@context"] == "https://schema.org" and data["@type"] == "Report"
    assert data["url"] == "http://testserver/evaluations/lincolnshire-partners-in-practice/"
    assert {"Organization"} == {a["@type"] for a in data["author"]}
    assert "Ecorys" in [a["name"] for a in data["author"]]
    assert any(f["name"].startswith("Department for Education") for f in data["funder"])
    assert data["isBasedOn"][0]["@type"] == "CreativeWork"
    assert any(t.get("termCode") == "interrupted" for t in data["about"])


def test_jsonld_list_is_an_item_list(client_api):
    data = client_api.get("/api/v1/evaluations/", {"format": "jsonld"}).json()
    assert data["@type"] == "ItemList" and data["numberOfItems"] == 3
    assert data["itemListElement"][0]["item"]["@type"] == "Report"


def test_errors_stay_json_whatever_format_was_asked(client_api):
    response = client_api.get("/api/v1/evaluations/", {"format": "csv", "stage": "nope"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "stage" in response.json()["errors"]


def test_record_page_partial_embeds_escaped_jsonld(rf):
    record = rich_evaluation(5)
    record.title = "Breaking </script><script>alert(1)</script> out"
    record.save()
    fetched = selectors.evaluation_detail(record.slug)
    html = render_to_string(
        "registry/partials/record_jsonld.html", {"record_jsonld": evaluation_jsonld_script(fetched, rf.get("/"))}
    )
    assert html.startswith('<script type="application/ld+json">')
    assert "</script><script>" not in html
    body = (
        html.removeprefix('<script type="application/ld+json">').removesuffix("</script>\n").removesuffix("</script>")
    )
    assert json.loads(body)["name"] == record.title
