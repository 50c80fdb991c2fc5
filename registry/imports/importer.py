"""An import from end to end: a file's bytes in, a report out.

`check` reads the file and each row's cells (nothing is written), and warns of
rows that look like published records or like each other (registry/imports/
duplicates.py: warnings never block an import); `trial`
also writes every record through the services and rolls it all back, so the
report holds every problem the real import would meet; `run` writes for real,
in one transaction, or writes nothing if any row is refused.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from registry.imports import duplicates
from registry.imports.columns import EXPORT_ONLY, FINDING_NAMES, RECORD_NAMES
from registry.imports.readers import FINDINGS_SHEET, RECORDS_SHEET, FileProblem, Sheet, read_csv, read_file
from registry.imports.rows import Problem, RowProblems, external_id, finding_values, present, record_values
from registry.imports.vocabulary import Vocabulary
from registry.services.imports import ImportRow, import_rows

# The service's field names, as the template's columns call them.
FIELD_COLUMNS = {
    "is_grant_funded": "grant_funded", "is_major_project": "major_project", "year": "event_dates",
    "month": "event_dates", "category": "event_dates", "url": "report_links", "organisation": "organisations",
    "slug": "external_id", "description": "methods", "programme": "programme", "places": "places",
}


@dataclass
class Report:
    """What an import found (and, after `run`, did)."""

    problems: list[Problem] = field(default_factory=list)
    records: int = 0
    findings: int = 0
    created: int = 0
    updated: int = 0
    published: int = 0
    saved: bool = False
    # Rows that look like published records or like other rows (never blocking).
    warnings: list[duplicates.DuplicateWarning] = field(default_factory=list)
    warnings_note: str = ""  # why part of that check was skipped
    rows: list[ImportRow] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(data: bytes, filename: str = "", findings: bytes | None = None, *, warn: bool = True) -> Report:
    """The file read and every cell checked; nothing written. `warn`: look for likely
    duplicates too (before anything is written, or the new records would look like themselves)."""
    report = Report()
    try:
        sheets = read_file(data, filename)
        if findings is not None:
            sheets[FINDINGS_SHEET] = read_csv(findings, FINDINGS_SHEET)
    except FileProblem as problem:
        report.problems.append(Problem(problem.row, problem.column, problem.message))
        return report
    records = sheets[RECORDS_SHEET]
    _check_columns(records, RECORD_NAMES, report)
    if findings_sheet := sheets.get(FINDINGS_SHEET):
        _check_columns(findings_sheet, FINDING_NAMES, report)
    if report.problems:
        return report
    if not records.rows:
        report.problems.append(Problem(None, "", "The file has no rows under its header. Add one row per "
                                                 "evaluation"))
        return report
    vocabulary = Vocabulary()
    seen: dict[str, int] = {}
    for number, cells in records.rows:
        problems = RowProblems(number)
        identifier = external_id(cells, problems)
        if identifier in seen:
            problems.add("external_id", f"The external id “{identifier}” is also used in row {seen[identifier]}. "
                                        f"Give each record its own id")
        seen.setdefault(identifier, number)
        values = present(record_values(cells, vocabulary, problems), records.columns)
        report.problems.extend(problems)
        report.rows.append(ImportRow(number, identifier, values))
    report.records = len(report.rows)
    if findings_sheet:
        _add_findings(findings_sheet, report, seen)
    if warn:
        checked = duplicates.check_rows(report.rows)
        report.warnings, report.warnings_note = checked.warnings, checked.note
    return report


def trial(data: bytes, filename: str = "", findings: bytes | None = None, *, by) -> Report:
    """`check`, then every record written through the services and rolled back."""
    report = check(data, filename, findings)
    if report.ok:
        _write(report, by=by, publish=False, trial=True)
    return report


def run(data: bytes, filename: str = "", findings: bytes | None = None, *, by, publish: bool = False,
        progress: Callable[[int], None] | None = None, warn: bool = True) -> Report:
    """`check`, then the records written in one transaction (or, if any row is refused, nothing).
    `warn=False` when the warnings were already shown (the web import's confirm step)."""
    report = check(data, filename, findings, warn=warn)
    if report.ok:
        _write(report, by=by, publish=publish, trial=False, progress=progress)
    return report


def _write(report: Report, *, by, publish: bool, trial: bool, progress=None) -> None:
    written = import_rows(report.rows, by=by, publish=publish, trial=trial, progress=progress)
    for row, name, message in written.refused:
        report.problems.append(Problem(row, FIELD_COLUMNS.get(name, name if name in RECORD_NAMES else ""), message))
    report.created, report.updated, report.published = len(written.created), len(written.updated), written.published
    report.saved = not trial and not written.refused


def _check_columns(sheet: Sheet, names: tuple[str, ...], report: Report) -> None:
    for column in sheet.columns:
        if column and column not in names and column not in EXPORT_ONLY:
            report.problems.append(Problem(1, column, f"“{column}” is not one of the template's columns. "
                                                      f"Rename or remove it", sheet.name))
    for required in ("external_id", "title") if sheet.name == RECORDS_SHEET else ("external_id", "outcome"):
        if required not in sheet.columns:
            report.problems.append(Problem(1, required, f"The {sheet.name} sheet needs a column headed "
                                                        f"“{required}”", sheet.name))


def _add_findings(sheet: Sheet, report: Report, records: dict[str, int]) -> None:
    """Each record's findings (a findings sheet is the whole list for every record in the file)."""
    by_record: dict[str, list] = defaultdict(list)
    for number, cells in sheet.rows:
        problems = RowProblems(number, FINDINGS_SHEET)
        identifier = cells.get("external_id", "")
        if identifier not in records:
            problems.add("external_id", f"No row of the records sheet has the external id “{identifier}”"
                         if identifier else "Enter the external id of the finding's record")
        for name in ("outcome", "statement"):
            if not cells.get(name):
                problems.add(name, f"Enter the finding's {name}")
        values = finding_values(cells, problems)
        report.problems.extend(problems)
        by_record[identifier].append(values)
    report.findings = len(sheet.rows)
    for row in report.rows:
        row.data = {**row.data, "findings": by_record.get(row.external_id, [])}
