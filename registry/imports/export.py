"""Records written in the template's format, so the registry's own export reads
back through the importer (and the template is this with no rows).

The cells are written as the importer reads them: a method whose name is shared
(Individual interviews) with its type in brackets, an Other method or type
with its description after a colon, a link with its title before the address.
"""
from __future__ import annotations

import io
from collections import Counter

from registry.csv_export import JOIN, write_csv
from registry.imports.columns import FINDING_COLUMNS, FINDING_NAMES, RECORD_COLUMNS, RECORD_NAMES
from registry.imports.readers import FINDINGS_SHEET, RECORDS_SHEET
from registry.imports.rows import LINK_COLUMNS, NO_ADDRESS
from registry.models import DesignType, Evaluation, Finding


def template_queryset(queryset):
    return queryset.select_related("lead_department", "programme").prefetch_related(
        "other_departments", "places", "policy_areas", "designs__design_type__parent", "event_dates", "links",
        "organisation_roles__organisation",
    ).order_by("slug")


def record_cells(evaluation: Evaluation, shared_names: set[str]) -> dict[str, str]:
    designs = list(evaluation.designs.all())
    return {
        "external_id": evaluation.slug,
        "title": evaluation.title,
        "summary": evaluation.summary,
        "lead_department": evaluation.lead_department.name if evaluation.lead_department else "",
        "other_departments": JOIN.join(sorted(d.name for d in evaluation.other_departments.all())),
        "stage": evaluation.stage,
        "evaluation_types": JOIN.join(_design(d, shared_names) for d in designs if d.design_type.parent_id is None),
        "methods": JOIN.join(_design(d, shared_names) for d in designs if d.design_type.parent_id is not None),
        "programme": evaluation.programme.name if evaluation.programme else "",
        "places": JOIN.join(sorted(p.name for p in evaluation.places.all())),
        "organisations": JOIN.join(f"{r.organisation.name} ({r.get_role_display().lower()})"
                                   for r in evaluation.organisation_roles.all()),
        "policy_areas": JOIN.join(sorted(p.label for p in evaluation.policy_areas.all())),
        "event_dates": JOIN.join(_date(d) for d in evaluation.event_dates.all()),
        **{column: JOIN.join(_link(link) for link in evaluation.links.all() if link.kind == kind)
           for column, kind in LINK_COLUMNS.items()},
        "grant_funded": _yes_no(evaluation.is_grant_funded),
        "grant_number": evaluation.grant_number,
        "major_project": _yes_no(evaluation.is_major_project),
        "major_project_number": evaluation.major_project_number,
        "cost_amount": "" if evaluation.cost_amount is None else str(evaluation.cost_amount),
        "cost_price_year": "" if evaluation.cost_price_year is None else str(evaluation.cost_price_year),
        "cost_note": evaluation.cost_note,
        "permission_to_share": _yes_no(evaluation.permission_to_share),
    }


def finding_cells(finding: Finding) -> dict[str, str]:
    cells = {name: getattr(finding, name) for name in FINDING_NAMES if name != "external_id"}
    cells = {name: "" if value is None else str(value) for name, value in cells.items()}
    return {"external_id": finding.evaluation.slug, **cells}


def tables(queryset) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(record rows, finding rows) of the records in `queryset`, in the template's columns."""
    shared = _shared_method_names()
    evaluations = list(template_queryset(queryset))
    records = [record_cells(evaluation, shared) for evaluation in evaluations]
    findings = Finding.objects.filter(evaluation__in=[e.pk for e in evaluations]).select_related("evaluation")
    finding_rows = [finding_cells(f) for f in findings.order_by("evaluation__slug", "position", "id")]
    return records, finding_rows


def records_csv(rows) -> bytes:
    return write_csv(rows, [(name, lambda row, name=name: row[name]) for name in RECORD_NAMES])


def findings_csv(rows) -> bytes:
    return write_csv(rows, [(name, lambda row, name=name: row[name]) for name in FINDING_NAMES])


def workbook(records, findings, *, guidance: bool = False) -> bytes:
    """An .xlsx with a records sheet and a findings sheet (and, for the template, a guidance sheet)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    sheets = ((RECORDS_SHEET, RECORD_NAMES, records), (FINDINGS_SHEET, FINDING_NAMES, findings))
    for index, (title, names, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(list(names))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            # Text cells stay text: a cell starting with = is written as a string, never a formula.
            sheet.append([_text_cell(row[name]) for name in names])
    if guidance:
        sheet = book.create_sheet("guidance")
        sheet.append(["sheet", "column", "what to write"])
        for title, columns in ((RECORDS_SHEET, RECORD_COLUMNS), (FINDINGS_SHEET, FINDING_COLUMNS)):
            for name, help_text in columns:
                sheet.append([title, name, help_text])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_cell(value: str):
    """openpyxl stores a string starting with = as a formula: such text goes in behind the
    apostrophe the registry's CSVs use (registry/csv_cells.py), which the reader takes off."""
    return value if not value.startswith("=") else "'" + value


def _shared_method_names() -> set[str]:
    counts = Counter(DesignType.objects.filter(parent__isnull=False).values_list("name", flat=True))
    return {name for name, count in counts.items() if count > 1}


def _design(design, shared_names: set[str]) -> str:
    node = design.design_type
    if node.parent_id is None:
        name = node.name
    elif node.collect_description:
        name = f"Other ({node.parent.name})"
    elif node.name in shared_names:
        name = f"{node.name} ({node.parent.name})"
    else:
        name = node.name
    return f"{name}: {design.description}" if design.description else name


def _date(date) -> str:
    label = f"Other ({date.description})" if date.category == "other" else date.get_category_display()
    return f"{label}: {date.when}" + (f" ({date.status})" if date.status else "")


def _link(link) -> str:
    return " ".join(part for part in (link.title, link.url or NO_ADDRESS) if part)


def _yes_no(value) -> str:
    return "" if value is None else ("yes" if value else "no")
