"""The live evidence gap map: counts that agree with the browse pages they link
to, gaps marked in words, drafts never counted, and the same maps as CSV."""

import csv
import io
import re
from html import unescape

import pytest

from registry.models import DesignType, EvaluationDesign, PolicyArea
from registry.selectors.gap_map import evidence_gap_map
from tests.factories import EvaluationFactory, FindingFactory


def add_record(title, *, visibility="published", methods=("rct",), area=None, outcomes=()):
    evaluation = EvaluationFactory(title=title, visibility=visibility)
    for code in methods:
        EvaluationDesign.objects.create(evaluation=evaluation, design_type=DesignType.objects.get(code=code))
    if area is not None:
        evaluation.policy_areas.add(area)
    for outcome in outcomes:
        FindingFactory(evaluation=evaluation, outcome=outcome)
    return evaluation


@pytest.fixture
def sub_area(db):
    return PolicyArea.objects.filter(parent__isnull=False).order_by("code").first()


@pytest.fixture
def records(sub_area):
    add_record("Trial in a sub-area", area=sub_area, outcomes=["School attendance", "school attendance "])
    add_record("Survey in a sub-area", methods=("surveys_process",), area=sub_area, outcomes=["School attendance"])
    for visibility in ("draft", "submitted", "withdrawn"):
        add_record(f"Secret {visibility}", visibility=visibility, methods=("bayesian",), area=sub_area,
                   outcomes=["Secret outcome"])


def row(figure, code):
    return next(r for r in figure["rows"] if r["code"] == code)


def browse_titles(client, href):
    response = client.get(href)
    assert response.status_code == 200
    return {e.title for e in response.context["page"].items}, response.context["page"].count


def test_policy_area_counts_agree_with_the_browse_pages_they_link(client, records, sub_area):
    data = evidence_gap_map("/evaluations/")
    figure = data["policy_areas"]
    column = [c["code"] for c in figure["columns"]].index(sub_area.parent.code)
    assert row(figure, "rct")["cells"][column]["count"] == 1
    # A family includes its methods: the trial counts under impact evaluation too.
    assert row(figure, "impact")["cells"][column]["count"] >= 1
    checked = 0
    for method_row in figure["rows"]:
        for cell in method_row["cells"]:
            if cell["count"]:
                assert browse_titles(client, cell["href"])[1] == cell["count"], cell["href"]
                checked += 1
    assert checked >= 3


def test_drafts_and_withdrawn_records_are_never_counted(client, records, sub_area):
    data = evidence_gap_map("/evaluations/")
    assert row(data["policy_areas"], "bayesian")["total"] == 0
    assert all(cell["count"] == 0 for cell in row(data["policy_areas"], "bayesian")["cells"])
    assert "Secret outcome" not in [c["name"] for c in data["outcomes"]["columns"]]
    html = client.get("/gap-map/").content.decode()
    assert "Secret" not in html
    assert "Secret" not in client.get("/gap-map/?format=csv").content.decode()


def test_outcomes_are_grouped_by_wording_and_linked_to_records_with_findings(client, records, registry_data_dir):
    data = evidence_gap_map("/evaluations/")
    names = [c["name"] for c in data["outcomes"]["columns"]]
    assert names.count("School attendance") == 1 and "school  attendance" not in names
    column = names.index("School attendance")
    cell = row(data["outcomes"], "rct")["cells"][column]
    assert cell["count"] == 1
    assert "outcome=School+attendance" in cell["href"] and "method=rct" in cell["href"]
    process = row(data["outcomes"], "process")["cells"][column]
    assert process["count"] == 1
    assert browse_titles(client, cell["href"]) == ({"Trial in a sub-area"}, 1)
    # Every outcome cell's count is the length of the list it links to, as for policy areas.
    checked = 0
    for method_row in data["outcomes"]["rows"]:
        for cell in method_row["cells"]:
            if cell["count"]:
                assert browse_titles(client, cell["href"])[1] == cell["count"], cell["href"]
                checked += 1
    assert checked >= 3
    # The column heading lists every record reporting the outcome, whatever its method.
    heading = data["outcomes"]["columns"][column]["href"]
    assert browse_titles(client, heading)[0] == {"Trial in a sub-area", "Survey in a sub-area"}


def test_the_outcome_filter_is_named_as_a_tag_and_refuses_what_it_cannot_hold(client, records):
    response = client.get("/evaluations/", {"outcome": "  SCHOOL attendance"})
    html = response.content.decode()
    assert response.status_code == 200 and "Outcome" in html and "SCHOOL attendance" in html
    assert {e.title for e in response.context["page"].items} == {"Trial in a sub-area", "Survey in a sub-area"}
    assert "Secret draft" not in html  # the draft that reports "Secret outcome" is never listed
    assert client.get("/evaluations/", {"outcome": "Secret outcome"}).context["page"].count == 0
    too_long = client.get("/evaluations/", {"outcome": "x" * 301})
    assert too_long.status_code == 200
    assert "Outcome must be 300 characters or fewer" in too_long.content.decode()
    api = client.get("/api/v1/evaluations/", {"outcome": "school attendance"}).json()
    assert {r["title"] for r in api["results"]} == {"Trial in a sub-area", "Survey in a sub-area"}


def test_page_is_an_accessible_table_with_gaps_in_words(client, records, sub_area, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/gap-map/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<caption class="govuk-table__caption govuk-table__caption--s" id="policy-areas-caption">' in html
    assert '<caption class="govuk-table__caption govuk-table__caption--s" id="outcomes-caption">' in html
    assert html.count('<th scope="col"') > 20 and '<th scope="row"' in html
    assert '<span class="registry-compare__empty">Gap</span>' in html
    # A count is its own visible text, a link to its records; colour only repeats it.
    links = re.findall(r'registry-heat-(\d)"><a class="govuk-link" href="([^"]+)">(\d+)</a>', html)
    assert links and all(shade != "0" for shade, _, _ in links)
    href = unescape(links[0][1])
    assert browse_titles(client, href)[1] == int(links[0][2])


def test_query_count_does_not_grow_with_the_registry(client, sub_area, django_assert_max_num_queries):
    for n in range(30):
        add_record(f"Bulk {n}", methods=("rct", "propensity"), area=sub_area, outcomes=[f"Outcome {n % 25}"])
    with django_assert_max_num_queries(8):
        response = client.get("/gap-map/")
    figure = response.context["gap_map"]["outcomes"]
    assert len(figure["columns"]) == 20 and figure["total"] >= 25
    assert "the CSV holds them all" in response.content.decode()


def test_csv_holds_both_maps_and_every_outcome(client, records):
    rows = list(csv.reader(io.StringIO(client.get("/gap-map/?format=csv&map=policy-areas").content.decode())))
    assert rows[0][:3] == ["Type or method", "Type or method code", "Evaluations (any policy area)"]
    assert len(rows[0]) == 3 + PolicyArea.objects.filter(parent__isnull=True).count()
    assert "other_impact" not in [r[1] for r in rows]
    rct = next(r for r in rows if r[1] == "rct")
    assert sum(int(v) for v in rct[3:]) >= 1
    outcomes = list(csv.reader(io.StringIO(client.get("/gap-map/?format=csv&map=outcomes").content.decode())))
    assert "School attendance" in outcomes[0]
    long = list(csv.reader(io.StringIO(client.get("/gap-map/?format=csv").content.decode())))
    assert long[0] == ["Map", "Type or method", "Type or method code", "Column", "Evaluations"]
    assert any(r[0] == "Methods by outcome" and r[2:] == ["rct", "School attendance", "1"] for r in long)
    assert any(r[0] == "Methods by policy area" and r[2] == "rct" for r in long)


def test_a_bad_map_name_gets_a_message(client, db):
    response = client.get("/gap-map/?format=csv&map=telepathy")
    assert response.status_code == 400
    assert "There is no map called “telepathy”." in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_page_passes_axe_and_fits_320_px_in_chromium(seeded_live_server, page, axe):
    area = PolicyArea.objects.filter(parent__isnull=False).order_by("code").first()
    add_record("Trial for the browser", area=area, outcomes=["School attendance"])
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(seeded_live_server.url + "/gap-map/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe(page, f"gap-map-{width}")
        for box in page.locator(".registry-scroll").all():
            assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-labelledby")
    table = page.get_by_role("table", name="Published evaluations by method and policy area")
    table.get_by_role("link", name="1", exact=True).first.click()
    page.wait_for_url("**policy_area=**")
    assert "Trial for the browser" in page.locator("main").inner_text()
