"""The importer against a real database: good rows become records through the
drafts service; every kind of bad cell is named by row and column and saves
nothing (one transaction for the file)."""

import io

import pytest
from openpyxl import Workbook

from registry.imports import importer
from registry.imports.readers import MAX_BYTES
from registry.models import Evaluation, Finding, Place
from registry.models.choices import Visibility
from tests.imports.helpers import csv_bytes, findings_bytes, row

pytestmark = pytest.mark.django_db


def problems_of(report):
    return [(p.row, p.column, p.message) for p in report.problems]


def assert_nothing_saved(before_records, before_places):
    assert Evaluation.objects.count() == before_records
    assert Place.objects.count() == before_places


def test_a_good_row_becomes_a_draft_with_every_vocabulary_mapped(moderator):
    report = importer.run(csv_bytes([row()]), "catalogue.csv", by=moderator)

    assert report.ok and report.saved and report.created == 1
    record = Evaluation.objects.get(slug="dfe-2021-001")
    assert record.visibility == Visibility.DRAFT and record.owner == moderator
    assert record.lead_department.code == "department-for-education"  # "DfE"
    assert [d.code for d in record.other_departments.all()] == ["department-of-health-and-social-care"]
    # "randomized control trial": a spelling and a synonym of the method, with its type kept
    assert sorted(record.designs.values_list("design_type__code", flat=True)) == ["impact", "rct"]
    assert sorted(record.places.values_list("name", flat=True)) == ["Bradford", "Leeds"]
    assert [(d.category, d.month, d.year, d.status) for d in record.event_dates.all()] == [
        ("evaluation_start", 6, 2021, "actual"), ("evaluation_end", 3, 2023, "actual")]
    link = record.links.get()
    assert (link.kind, link.title, link.url) == (
        "report", "Final report", "https://www.gov.uk/government/publications/tutoring-pilot")
    assert str(record.cost_amount) == "12500.50" and record.cost_price_year == 2022
    assert record.permission_to_share is True and record.is_grant_funded is False
    assert [(r.organisation.name, r.role) for r in record.organisation_roles.all()] == [("Ecorys", "evaluator")]


@pytest.mark.parametrize("written", ["RCT", "Randomised controlled trial", "randomized control trial",
                                     "Randomised control trial (RCT)", "rct"])
def test_a_method_is_recognised_however_people_write_it(moderator, written):
    report = importer.check(csv_bytes([row(methods=written)]))
    assert report.ok, problems_of(report)
    assert [node.code for node in report.rows[0].data["methods"]] == ["impact", "rct"]


@pytest.mark.parametrize("written", ["Department for Education", "DfE", "department-for-education",
                                     "Department for Education (DfE)"])
def test_a_department_is_recognised_by_name_acronym_or_code(moderator, written):
    report = importer.check(csv_bytes([row(lead_department=written)]))
    assert report.ok, problems_of(report)
    assert report.rows[0].data["lead_department"].code == "department-for-education"


def test_reimporting_the_same_external_id_updates_the_same_record(moderator):
    importer.run(csv_bytes([row()]), by=moderator)
    first = Evaluation.objects.get(slug="dfe-2021-001")
    report = importer.run(csv_bytes([row(title="Evaluation of the tutoring pilot (revised)")]), by=moderator)

    assert report.ok and (report.created, report.updated) == (0, 1)
    assert Evaluation.objects.filter(slug="dfe-2021-001").count() == 1
    first.refresh_from_db()
    assert first.title == "Evaluation of the tutoring pilot (revised)"


BAD_CELLS = [
    ({"lead_department": "Department of Magic"}, "lead_department", "is not a department the registry lists"),
    ({"methods": "Crystal ball gazing"}, "methods", "is not a method the registry lists"),
    ({"event_dates": "Evaluation start: 13/2021"}, "event_dates", "The month must be between 1 and 12"),
    ({"event_dates": "Evaluation start: June 2022; Evaluation end: May 2021"}, "event_dates",
     "The evaluation end date must not be before the evaluation start date (June 2022)"),
    ({"report_links": "Report javascript:alert(1)"}, "report_links", "starting with http:// or https://"),
    ({"report_links": "ftp://example.org/report.pdf"}, "report_links", "starting with http:// or https://"),
    ({"cost_amount": "about ten thousand"}, "cost_amount", "Enter a number"),
    ({"cost_price_year": "last year"}, "cost_price_year", "Enter a year"),
    ({"title": ""}, "title", "Enter the evaluation's title"),
    ({"stage": "finished-ish"}, "stage", "is not a stage"),
    ({"grant_funded": "no", "grant_number": "G-1"}, "grant_number", "Leave the number blank"),
    ({"permission_to_share": "maybe"}, "permission_to_share", "Enter yes or no"),
    ({"organisations": "Ecorys"}, "organisations", "role in brackets"),
    ({"external_id": "DfE 2021/1"}, "external_id", "lowercase letters, numbers and hyphens"),
    ({"methods": "Individual interviews", "evaluation_types": "Impact; Process"}, "methods",
     "more than one method"),
]


@pytest.mark.parametrize(("cells", "column", "message"), BAD_CELLS)
def test_a_bad_cell_is_named_by_row_and_column_and_nothing_is_saved(moderator, cells, column, message):
    records, places = Evaluation.objects.count(), Place.objects.count()
    rows = [row(external_id="good-one", title="A good record"), row(**cells)]
    report = importer.run(csv_bytes(rows), by=moderator)

    assert not report.ok and not report.saved
    assert any(p.row == 3 and p.column == column and message in p.message for p in report.problems), \
        problems_of(report)
    assert all(p.row == 3 for p in report.problems), problems_of(report)  # the good row has none
    assert_nothing_saved(records, places)


def test_a_duplicated_external_id_names_both_rows(moderator):
    records = Evaluation.objects.count()
    report = importer.run(csv_bytes([row(), row(title="Another")]), by=moderator)
    assert problems_of(report) == [(3, "external_id", "The external id “dfe-2021-001” is also used in row 2. "
                                                      "Give each record its own id")]
    assert Evaluation.objects.count() == records


def test_an_end_before_its_start_uses_the_rule_book_message(moderator):
    report = importer.check(csv_bytes([row(event_dates="Evaluation end: 2019; Evaluation start: 2020")]))
    assert problems_of(report) == [
        (2, "event_dates", "The evaluation start date must not be after the evaluation end date (2019)")]


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "a.csv", "The file is empty"),
    (b"   \n", "a.csv", "The file is empty"),
    (b"external_id,title\n", "a.csv", "The file has no rows under its header"),
    (b"%PDF-1.4\x00\x01\x02 binary", "report.pdf", "must be a CSV or an Excel workbook"),
    (b"PK\x03\x04 not really a zip", "a.xlsx", "must be a CSV or an Excel workbook"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image.csv", "must be a CSV or an Excel workbook"),
])
def test_a_file_that_cannot_be_read_says_why_and_saves_nothing(moderator, data, name, message):
    records = Evaluation.objects.count()
    report = importer.run(data, name, by=moderator)
    assert not report.ok and message in report.problems[0].message, problems_of(report)
    assert Evaluation.objects.count() == records


def test_a_50_mb_file_is_refused_before_it_is_read(moderator):
    data = csv_bytes([row()]) + b"x" * (50 * 1024 * 1024)
    assert len(data) > MAX_BYTES
    report = importer.run(data, "big.csv", by=moderator)
    assert problems_of(report) == [(None, "", "The file must be smaller than 20 MB. Split it into smaller files")]


def xlsx(records, findings=None, *, formula_at=None):
    book = Workbook()
    sheet = book.active
    sheet.title = "records"
    names = list(records[0])
    sheet.append(names)
    for item in records:
        sheet.append([item[name] for name in names])
    if formula_at:
        sheet[formula_at] = "=1+1"
    if findings:
        other = book.create_sheet("findings")
        other.append(list(findings[0]))
        for item in findings:
            other.append(list(item.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_workbook_with_a_findings_sheet_is_imported(moderator):
    finding = {"external_id": "dfe-2021-001", "outcome": "Attainment", "direction": "Increase",
               "effect_size": 0.12, "effect_unit": "standard deviations", "sample_size": 400,
               "significance": "significant", "statement": "Pupils tutored did better."}
    report = importer.run(xlsx([row(cost_amount=12500.5, cost_price_year=2022)], [finding]), "c.xlsx",
                          by=moderator)
    assert report.ok, problems_of(report)
    saved = Finding.objects.get(evaluation__slug="dfe-2021-001")
    assert (saved.outcome, str(saved.effect_size), saved.sample_size, saved.direction) == (
        "Attainment", "0.1200", 400, "increase")
    assert str(Evaluation.objects.get(slug="dfe-2021-001").cost_amount) == "12500.50"


def test_a_formula_cell_is_refused_with_its_cell_and_nothing_saved(moderator):
    records = Evaluation.objects.count()
    report = importer.run(xlsx([row()], formula_at="B2"), "c.xlsx", by=moderator)
    assert problems_of(report) == [
        (2, "title", "Cell B2 of the records sheet holds a formula. Replace it with the value itself")]
    assert Evaluation.objects.count() == records


def test_a_formula_in_a_csv_is_refused(moderator):
    report = importer.check(csv_bytes([row(title="=HYPERLINK(\"http://evil\")")]))
    assert problems_of(report) == [(2, "title", "Row 2, title: the cell holds a formula. Replace it with the "
                                                "value itself")]


def test_a_finding_that_breaks_a_rule_is_named_on_the_findings_sheet(moderator):
    findings = findings_bytes([{"external_id": "dfe-2021-001", "outcome": "Attainment", "ci_lower": "0.5",
                                "ci_upper": "0.1", "statement": "Better."},
                               {"external_id": "nobody", "outcome": "X", "statement": "Y", "sample_size": "many"}])
    report = importer.run(csv_bytes([row()]), "r.csv", findings, by=moderator)
    found = {(p.sheet, p.row, p.column) for p in report.problems}
    assert found == {("findings", 2, "ci_upper"), ("findings", 3, "external_id"), ("findings", 3, "sample_size")}
    assert not Evaluation.objects.filter(slug="dfe-2021-001").exists()


def test_an_unknown_column_is_reported_not_ignored(moderator):
    data = b"external_id,title,colour\nx-1,A title,blue\n"
    report = importer.check(data)
    assert problems_of(report) == [(1, "colour", "“colour” is not one of the template's columns. "
                                                 "Rename or remove it")]


def test_a_row_the_service_refuses_fails_the_whole_file(moderator):
    """A rule only the write meets (publishing needs an evaluation type) rolls every row back."""
    records = Evaluation.objects.count()
    rows = [row(external_id="fine", title="Fine"), row(evaluation_types="", methods="")]
    report = importer.run(csv_bytes(rows), by=moderator, publish=True)
    assert not report.ok and not report.saved
    assert [p.row for p in report.problems] == [3]
    assert Evaluation.objects.count() == records


def test_a_trial_checks_every_write_and_keeps_nothing(moderator):
    records = Evaluation.objects.count()
    report = importer.trial(csv_bytes([row(), row(external_id="two", title="Two")]), by=moderator)
    assert report.ok and report.created == 2 and not report.saved
    assert Evaluation.objects.count() == records


def test_a_column_the_sheet_lacks_leaves_the_records_value_alone_on_update(moderator):
    importer.run(csv_bytes([row()]), by=moderator)
    narrow = {"external_id": "dfe-2021-001", "title": "Renamed tutoring pilot"}
    report = importer.run(csv_bytes([narrow], columns=("external_id", "title")), by=moderator)
    assert report.ok and report.updated == 1
    record = Evaluation.objects.get(slug="dfe-2021-001")
    assert record.title == "Renamed tutoring pilot"
    assert record.links.count() == 1 and record.summary.startswith("A randomised trial")
    assert record.lead_department.code == "department-for-education"


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(moderator):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (210 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    report = importer.run(data, "bomb.xlsx", by=moderator)
    assert problems_of(report) == [
        (None, "", "The workbook holds more than 200 MB of data. Split it into smaller files")]
