"""New records written a batch at a time (registry/services/batches.py): the same
records, history and versions the one-at-a-time drafts service writes, a fixed
number of statements per batch, and a batch something refuses written again row
by row so the report names the row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.imports import importer
from registry.models import Evaluation, PublishedVersion
from registry.models.choices import Visibility
from registry.services import named_values, workflow
from registry.services.versions import represent
from tests.imports.helpers import csv_bytes, findings_bytes, row

pytestmark = pytest.mark.django_db

# What differs between two records of the same values: their ids and addresses, and times.
OWN = ("id", "slug", "url", "api_url", "documents_url", "created_at", "updated_at", "published_at")

FINDINGS = [
    {"external_id": "dfe-2021-001", "outcome": "Attainment", "statement": "Pupils gained two months.",
     "direction": "increase", "significance": "significant", "effect_size": "0.12", "effect_unit": "SD",
     "sample_size": "1,250"},
    {"external_id": "dfe-2021-001", "outcome": "Attendance", "statement": "No difference in attendance.",
     "direction": "no change", "significance": "not significant"},
]


def without_own(record):
    return {name: value for name, value in record.items() if name not in OWN}


def test_a_batch_writes_the_record_the_drafts_service_writes(moderator):
    cells = row(policy_areas="", places="Leeds; Bradford; leeds")
    report = importer.run(csv_bytes([cells]), findings=findings_bytes(FINDINGS), by=moderator, publish=True)
    assert report.ok, report.problems
    batched = Evaluation.objects.get(slug="dfe-2021-001")

    # The same values through the journey's and the API's service, submitted and published.
    values = importer.check(csv_bytes([cells]), findings=findings_bytes(FINDINGS)).rows[0].data
    single = named_values.create_record({**values, "slug": "one-at-a-time"}, by=moderator)
    workflow.submit(single, by=moderator)
    workflow.publish(single, by=moderator, note="Imported from a spreadsheet")

    assert without_own(represent(batched.pk)) == without_own(represent(single.pk))
    assert len(represent(batched.pk)["findings"]) == 2
    assert batched.visibility == Visibility.PUBLISHED and batched.published_at is not None
    assert batched.submission.reviewed_by == moderator
    version = PublishedVersion.objects.get(evaluation=batched)
    assert (version.number, version.major, version.minor) == (1, 1, 0)
    assert without_own(version.record) == without_own(PublishedVersion.objects.get(evaluation=single).record)
    assert version.change_note == "Imported from a spreadsheet"


def test_an_imported_records_history_entry_holds_its_lists(moderator):
    report = importer.run(csv_bytes([row()]), by=moderator, publish=True)
    assert report.ok, report.problems
    record = Evaluation.objects.get(slug="dfe-2021-001")
    (entry,) = record.history.all()
    assert entry.published and entry.history_user == moderator
    assert entry.history_change_reason == "Imported from a spreadsheet"
    assert sorted(link.place.name for link in entry.places.all()) == ["Bradford", "Leeds"]
    assert [link.department.code for link in entry.other_departments.all()] == [
        "department-of-health-and-social-care"]
    # The rows that hang off it have theirs too.
    assert record.event_dates.first().history.count() == 1


def statements_to_import(prefix, n, moderator):
    rows = [row(external_id=f"{prefix}-{i}", title=f"Evaluation {prefix} {i}") for i in range(n)]
    data = csv_bytes(rows)
    with CaptureQueriesContext(connection) as queries:
        report = importer.run(data, by=moderator, publish=True)
    assert report.ok, report.problems
    return len(queries)


def test_a_batch_costs_the_same_statements_whatever_its_size(moderator):
    statements_to_import("warm", 2, moderator)  # the places and programme now exist
    ten, forty = statements_to_import("ten", 10, moderator), statements_to_import("forty", 40, moderator)
    # A statement per row would add 30 or more; SQLite splits an INSERT of over 999
    # parameters in two (the history entries of 40 records), PostgreSQL does not.
    assert forty - ten <= (0 if connection.vendor == "postgresql" else 2), (ten, forty)


def test_a_refused_row_in_a_batch_is_named_and_nothing_of_the_file_is_saved(moderator):
    records = Evaluation.objects.count()
    rows = [row(external_id=f"fine-{i}", title=f"Fine {i}", places=f"New place {i}") for i in range(5)]
    rows.insert(3, row(external_id="no-summary", title="No summary", summary=""))
    report = importer.run(csv_bytes(rows), by=moderator, publish=True)
    assert [(p.row, p.column, p.message) for p in report.problems] == [(5, "summary", "Enter a summary")]
    assert not report.saved
    assert Evaluation.objects.count() == records


def test_a_draft_batch_with_a_missing_summary_is_saved_as_drafts(moderator):
    """Drafts need no summary yet, in a batch as in the journey."""
    rows = [row(external_id=f"draft-{i}", title=f"Draft {i}", summary="") for i in range(3)]
    report = importer.run(csv_bytes(rows), by=moderator)
    assert report.ok and report.created == 3
    drafts = Evaluation.objects.filter(slug__startswith="draft-")
    assert {e.visibility for e in drafts} == {Visibility.DRAFT}
    assert {e.submission.step_reached for e in drafts} == {"basics"}
    assert not PublishedVersion.objects.filter(evaluation__in=drafts).exists()


def test_a_method_description_too_long_for_its_column_is_a_problem_not_an_error(moderator):
    """Field checks on the designs too: PostgreSQL refused the 600 characters with a
    DataError (a 500 on the import page); SQLite stored them."""
    records = Evaluation.objects.count()
    rows = [row(external_id="fine", title="Fine"),
            row(external_id="long-method", title="Long method", methods="randomized control trial: " + "x" * 600)]
    report = importer.run(csv_bytes(rows), by=moderator, publish=True)
    assert not report.saved and report.problems
    assert [p.row for p in report.problems] == [3]
    assert "500" in report.problems[0].message
    assert Evaluation.objects.count() == records
