"""CSV and JSON-LD, chosen by the Accept header or `?format=csv|jsonld`.

Both work from the serialized data, so every format says the same thing.
A list arrives paginated ({count, next, previous, results}); errors are always
rendered as JSON by registry.api.exceptions, never here.
"""

import csv
import io
import json

from rest_framework.renderers import BaseRenderer

from registry.csv_cells import safe_cell
from registry.linked_data import record_jsonld, records_jsonld

JOIN = "; "


def _rows(data):
    if isinstance(data, dict) and "results" in data:
        return data["results"]
    if isinstance(data, list):
        return data
    return [data]


def _join(values):
    return JOIN.join(str(v) for v in values if v not in (None, ""))


def _number(value):
    return "" if value is None else value


def _yes_no(value):
    return "" if value is None else ("yes" if value else "no")


class CSVRenderer(BaseRenderer):
    """One row per item, columns from `columns` (name, function of the item)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    columns = ()
    filename = "export.csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        # A byte-order mark so spreadsheet programs read the file as UTF-8.
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow([name for name, _ in self.columns])
        for item in _rows(data):
            writer.writerow([safe_cell(get(item)) for _, get in self.columns])
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 200:
            response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return buffer.getvalue().encode(self.charset)


def _event_dates(item):
    return _join(
        f"{d['label']}: {d['when']}" + (f" ({d['status']})" if d["status"] else "") for d in item["event_dates"]
    )


class EvaluationCSVRenderer(CSVRenderer):
    filename = "evaluations.csv"
    columns = (
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


class FindingCSVRenderer(CSVRenderer):
    filename = "findings.csv"
    columns = (
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


class JSONLDRenderer(BaseRenderer):
    """A record as a schema.org Report; a list as an ItemList of them."""

    media_type = "application/ld+json"
    format = "jsonld"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "results" in data:
            document = records_jsonld(data["results"], total=data.get("count"))
        elif isinstance(data, dict) and "slug" in data:
            document = record_jsonld(data)
        else:
            document = data
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
