"""The CSV layout of records and findings: one layout for the API's
`?format=csv` (registry/api/renderers.py) and the browse and search pages'
downloads (registry/web/exports.py), so a spreadsheet reads the same from both.
Columns are (name, function of an item as registry/representation.py gives it)."""

import csv
import io

from registry.csv_cells import safe_cell

JOIN = "; "


def _join(values):
    return JOIN.join(str(v) for v in values if v not in (None, ""))


def _number(value):
    return "" if value is None else value


def _yes_no(value):
    return "" if value is None else ("yes" if value else "no")


def write_csv(items, columns):
    """UTF-8 CSV bytes: a header of the columns' names, then one row per item
    (a record or finding as the API represents it), every cell made safe for
    spreadsheet programs."""
    buffer = io.StringIO()
    # A byte-order mark so spreadsheet programs read the file as UTF-8.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([name for name, _ in columns])
    for item in items:
        writer.writerow([safe_cell(get(item)) for _, get in columns])
    return buffer.getvalue().encode("utf-8")


def _event_dates(item):
    return _join(
        f"{d['label']}: {d['when']}" + (f" ({d['status']})" if d["status"] else "") for d in item["event_dates"]
    )


EVALUATION_COLUMNS = (
    ("slug", lambda e: e["slug"]),
    ("title", lambda e: e["title"]),
    ("url", lambda e: e["url"]),
    ("api_url", lambda e: e["api_url"]),
    ("stage", lambda e: e["stage_label"]),
    ("lead_department", lambda e: e["lead_department"]["name"] if e["lead_department"] else ""),
    ("lead_department_code", lambda e: e["lead_department"]["code"] if e["lead_department"] else ""),
    ("other_departments", lambda e: _join(d["name"] for d in e["other_departments"])),
    ("evaluation_types", lambda e: _join(d["name"] for d in e["designs"] if d["is_type"])),
    ("methods", lambda e: _join(d["name"] for d in e["designs"] if not d["is_type"])),
    ("method_codes", lambda e: _join(d["code"] for d in e["designs"])),
    ("programme", lambda e: e["programme"]["name"] if e["programme"] else ""),
    ("organisations", lambda e: _join(f"{o['name']} ({o['role_label'].lower()})" for o in e["organisations"])),
    ("places", lambda e: _join(p["name"] for p in e["places"])),
    ("policy_areas", lambda e: _join(p["label"] for p in e["policy_areas"])),
    ("grant_funded", lambda e: _yes_no(e["is_grant_funded"])),
    ("grant_number", lambda e: e["grant_number"]),
    ("major_project", lambda e: _yes_no(e["is_major_project"])),
    ("major_project_number", lambda e: e["major_project_number"]),
    ("cost_amount", lambda e: _number(e["cost_amount"])),
    ("cost_price_year", lambda e: _number(e["cost_price_year"])),
    ("event_dates", _event_dates),
    ("links", lambda e: _join(link["url"] for link in e["links"])),
    ("findings", lambda e: len(e["findings"])),
    # The first documents' titles (as `documents` in JSON), and how many there are in all.
    ("documents", lambda e: _join(d["title"] for d in e["documents"])),
    ("documents_count", lambda e: e["documents_count"]),
    ("summary", lambda e: e["summary"]),
    ("summary_machine_written", lambda e: _yes_no(e["summary_machine_written"])),
    ("version", lambda e: e["version"]),
    ("published_at", lambda e: e["published_at"] or ""),
    ("updated_at", lambda e: e["updated_at"]),
)


FINDING_COLUMNS = (
    ("evaluation", lambda f: f["evaluation"]),
    ("evaluation_title", lambda f: f["evaluation_title"]),
    ("position", lambda f: f["position"]),
    ("intervention", lambda f: f["intervention"]),
    ("outcome", lambda f: f["outcome"]),
    ("comparison", lambda f: f["comparison"]),
    ("direction", lambda f: f["direction"]),
    ("effect_size", lambda f: _number(f["effect_size"])),
    ("effect_unit", lambda f: f["effect_unit"]),
    ("ci_lower", lambda f: _number(f["ci_lower"])),
    ("ci_upper", lambda f: _number(f["ci_upper"])),
    ("ci_level", lambda f: _number(f["ci_level"])),
    ("p_value", lambda f: _number(f["p_value"])),
    ("sample_size", lambda f: _number(f["sample_size"])),
    ("significance", lambda f: f["significance"]),
    ("statement", lambda f: f["statement"]),
    ("source_document", lambda f: f["source_document"]["title"] if f["source_document"] else ""),
)
