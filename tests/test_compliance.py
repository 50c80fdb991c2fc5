"""Publication compliance: records past their planned final publication date
with no published report, per lead department, on the page and in its CSV."""

import csv
import io
from datetime import date

import pytest
from django.utils import timezone

from registry.models import Department, Document, Evaluation, Link
from registry.selectors.compliance import months_after, publication_compliance
from tests.factories import EvaluationFactory, EventDateFactory


def record(title, department, *, stage="ongoing", visibility="published", finals=((2020, 3, "intended"),)):
    evaluation = EvaluationFactory(title=title, stage=stage, visibility=visibility, lead_department=department)
    for year, month, status in finals:
        EventDateFactory(evaluation=evaluation, category="final_results", year=year, month=month, status=status)
    return evaluation


def report(evaluation, n):
    document = Document.objects.create(title=f"Report {n}", kind="report", content_hash=f"hash-{n}")
    document.evaluations.add(evaluation)


@pytest.fixture
def departments(db):
    """Two departments no seed record leads, so their rows hold only this test's records."""
    seed_leads = Evaluation.objects.values("lead_department_id")
    first, second = Department.objects.exclude(id__in=seed_leads).order_by("code")[:2]
    return first, second


@pytest.fixture
def registry(departments):
    first, second = departments
    late = record("Late with a month", first)
    record("Late by year only", first, stage="complete", finals=((2021, None, ""),))
    report(record("Reported by document", first, stage="complete"), 1)
    linked = record("Reported by link", second, finals=((2019, 1, "intended"),))
    Link.objects.create(evaluation=linked, kind="report", url="https://example.org/report")
    record("Planned stage is never due", first, stage="planned")
    record("Secret draft", first, visibility="draft")
    record("Secret withdrawn", first, visibility="withdrawn")
    record("Results marked actual", first, finals=((2020, 3, "actual"),))
    record("Not yet due", first, finals=((2099, 1, "intended"),))
    record("Replanned to later", first, finals=((2020, 1, "intended"), (2099, 6, "intended")))
    record("No lead department", None, finals=((2022, 5, "intended"),))
    # A document of another kind is not a report.
    other = record("Only a summary", second)
    Document.objects.create(title="Summary", kind="summary", content_hash="hash-summary").evaluations.add(other)
    return late


def test_a_month_is_late_once_it_has_ended_and_a_year_once_it_has():
    assert months_after(2026, 3, date(2026, 3, 31)) == 0
    assert months_after(2026, 3, date(2026, 4, 1)) == 1
    assert months_after(2025, None, date(2025, 12, 31)) == 0
    assert months_after(2025, None, date(2026, 1, 1)) == 1


def test_late_records_are_those_past_their_plan_with_no_report(registry, departments):
    first, second = departments
    today = timezone.localdate()
    data = publication_compliance(today)
    row = data.department(first.code)
    assert (row.due, row.reported) == (3, 1)
    assert [r.title for r in row.late] == ["Late with a month", "Late by year only"]
    assert row.late[0].months_late == months_after(2020, 3, today)
    assert row.late[1].months_late == months_after(2021, 12, today)
    other = data.department(second.code)
    assert (other.due, other.reported, [r.title for r in other.late]) == (2, 1, ["Only a summary"])
    nobody = data.department("none")
    assert [r.title for r in nobody.late] == ["No lead department"]
    everything = {r.title for r in data.late}
    assert not everything & {"Secret draft", "Secret withdrawn", "Planned stage is never due",
                             "Results marked actual", "Not yet due", "Replanned to later", "Reported by link"}
    assert [r.months_late for r in data.late] == sorted((r.months_late for r in data.late), reverse=True)


def test_page_lists_departments_and_links_their_late_records(client, registry, departments,
                                                             django_assert_max_num_queries):
    first, _ = departments
    with django_assert_max_num_queries(4):
        response = client.get("/compliance/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Secret" not in html
    assert f'href="?department={first.code}#late-records"' in html
    assert '<th scope="row" class="govuk-table__header">No lead department stated</th>' in html
    assert "Late with a month" in html and "ER-" in html
    with django_assert_max_num_queries(4):
        response = client.get(f"/compliance/?department={first.code}")
    titles = [r.title for r in response.context["page"].items]
    assert titles == ["Late with a month", "Late by year only"]
    assert f"Late: {first.name}" in response.content.decode()


def test_query_count_does_not_grow_with_the_registry(client, departments, django_assert_max_num_queries):
    first, _ = departments
    for n in range(40):
        report(record(f"Bulk {n:02d}", first), 100 + n) if n % 4 == 0 else record(f"Bulk {n:02d}", first)
    with django_assert_max_num_queries(4):
        response = client.get("/compliance/")
    assert response.context["compliance"].department(first.code).late_count == 30
    # The list is paginated: 25 on the first page, the rest on the second.
    assert len(response.context["page"].items) == 25
    second_page = client.get("/compliance/?page=2")
    assert len(second_page.context["page"].items) == len(response.context["compliance"].late) - 25


def test_bad_department_and_page_get_messages(client, registry):
    response = client.get("/compliance/?department=ministry-of-magic")
    assert response.status_code == 400
    assert "“ministry-of-magic” is not a department with evaluations due in this list." in response.content.decode()
    response = client.get("/compliance/?page=abc")
    assert response.status_code == 200 and "“abc” is not a page number" in response.content.decode()
    response = client.get("/compliance/?department=ministry-of-magic&format=csv")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")


def test_csv_lists_every_late_record_with_how_late(client, registry, departments):
    first, _ = departments
    response = client.get(f"/compliance/?department={first.code}&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Department", "Department code", "Reference", "Title"]
    assert [row[3] for row in rows[1:]] == ["Late with a month", "Late by year only"]
    late = rows[1]
    assert late[0] == first.name and late[1] == first.code
    assert late[4] == f"http://testserver/evaluations/{registry.slug}/"
    assert late[6:] == ["March 2020", "Intended", str(months_after(2020, 3, timezone.localdate()))]
    assert rows[2][6:8] == ["2021", "Not stated"]
    everything = client.get("/compliance/?format=csv").content.decode()
    assert "Secret" not in everything and "No lead department" in everything


@pytest.mark.django_db(transaction=True)
def test_page_passes_axe_and_fits_320_px_in_chromium(seeded_live_server, page, axe):
    first = Department.objects.exclude(id__in=Evaluation.objects.values("lead_department_id")).order_by("code")[0]
    for n in range(3):
        record(f"A late evaluation with a long title, number {n}", first)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(seeded_live_server.url + "/compliance/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe(page, f"compliance-{width}")
    page.get_by_role("link", name=f"3 late for {first.name}: list them").click()
    page.wait_for_url(f"**department={first.code}**")
    assert page.get_by_role("heading", name=f"Late: {first.name}").is_visible()
    axe(page, "compliance-department-320")
