"""CSV and JSON-LD, chosen by the Accept header or `?format=csv|jsonld`.

Both work from the serialized data, so every format says the same thing.
A list arrives paginated ({count, next, previous, results}); errors are always
rendered as JSON by registry.api.exceptions, never here.
"""

import json

from rest_framework import renderers
from rest_framework.renderers import BaseRenderer

from registry.csv_export import EVALUATION_COLUMNS, FINDING_COLUMNS, write_csv
from registry.linked_data import record_jsonld, records_jsonld


def _rows(data):
    if isinstance(data, dict) and "results" in data:
        return data["results"]
    if isinstance(data, list):
        return data
    return [data]


class CSVRenderer(BaseRenderer):
    """One row per item, in the layout of registry/csv_export.py."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    columns = ()
    filename = "export.csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 200:
            response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return write_csv(_rows(data), self.columns)


class EvaluationCSVRenderer(CSVRenderer):
    filename = "evaluations.csv"
    columns = EVALUATION_COLUMNS


class FindingCSVRenderer(CSVRenderer):
    filename = "findings.csv"
    columns = FINDING_COLUMNS


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


class RenderedResults(list):
    """A list page's results already rendered as JSON texts, one per record
    (registry/api/stored.py), which JSONRenderer splices in as they are."""


class SplicingJSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, and a page of RenderedResults spliced into it: the page is
    rendered with no results, then the texts are put between its brackets (a
    quote inside a JSON string is escaped, so the key's own text is found once)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, RenderedResults):
            return super().render(data, accepted_media_type, renderer_context)
        page = super().render({**data, "results": []}, accepted_media_type, renderer_context)
        spliced = b'"results":[' + ",".join(results).encode("utf-8") + b"]"
        before, found, after = page.partition(b'"results":[]')
        if not found:
            return super().render({**data, "results": [json.loads(text) for text in results]},
                                  accepted_media_type, renderer_context)
        return before + spliced + after
