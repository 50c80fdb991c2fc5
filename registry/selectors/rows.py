"""Records and findings as plain rows for the API's lists: one query a page.

A list page reads its records in one query: the record's own columns, and each
relation as a JSON array built by a correlated subquery (`JSONRows`). Under load
on two cores, each round trip to the database cost more than the query itself:
twenty records prefetched as model instances took eleven queries and three
times as long in Python as in the database (a model per row, Django's prefetch
machinery cloning querysets per relation); one query per relation as `.values()`
still spent most of a request waiting on ten round trips. Each relation is
ordered as its model's Meta.ordering orders it, so a record reads the same here
as through `EvaluationQuerySet.with_detail` (tests/api/test_representation.py
compares the two, on SQLite and PostgreSQL).
"""

import functools
import json
from decimal import Decimal

from django.db import connections
from django.db.models import F, OuterRef, Subquery, TextField

from registry.models import Evaluation, Finding
from registry.models.findings import FINDING_VALUE_FIELDS
from registry.models.querysets import RECORD_DOCUMENTS, documents_count

RECORD_FIELDS = (
    "id",
    "slug",
    "title",
    "summary",
    "summary_machine_written",
    "stage",
    "visibility",
    "is_grant_funded",
    "grant_number",
    "is_major_project",
    "major_project_number",
    "cost_amount",
    "cost_price_year",
    "cost_note",
    "permission_to_share",
    "version",
    "created_at",
    "updated_at",
    "published_at",
)


class JSONRows(Subquery):
    """A correlated queryset's rows as one JSON array of arrays (text), columns in
    the order given. Numbers keep their digits (read back with `parse_float=Decimal`).
    PostgreSQL orders the aggregate explicitly; SQLite (no ORDER BY inside an
    aggregate before 3.44) aggregates the ordered subquery's rows in order."""

    def __init__(self, queryset, columns, order, limit=None):
        self.width, self.order_width = len(columns), len(order)
        expressions = {f"c{i}": F(path) for i, path in enumerate(columns)}
        expressions |= {f"s{i}": F(path) for i, path in enumerate(order)}
        queryset = queryset.order_by(*order).values(**expressions)
        super().__init__(queryset[:limit] if limit else queryset, output_field=TextField())

    def as_sql(self, compiler, connection, template=None, **extra_context):
        quote = connection.ops.quote_name
        columns = ", ".join(f"r.{quote(f'c{i}')}" for i in range(self.width))
        if connection.vendor == "postgresql":
            order = ", ".join(f"r.{quote(f's{i}')}" for i in range(self.order_width))
            aggregate = f"json_agg(json_build_array({columns}) ORDER BY {order})"
            template = f"(SELECT COALESCE({aggregate}, '[]')::text FROM (%(subquery)s) r)"
        else:
            template = f"(SELECT COALESCE(json_group_array(json_array({columns})), '[]') FROM (%(subquery)s) r)"
        return super().as_sql(compiler, connection, template=template, **extra_context)  # type: ignore[call-arg]  # Subquery.as_sql takes a template; the stubs type its base


def _rows(text, names):
    return [dict(zip(names, values, strict=True)) for values in json.loads(text, parse_float=Decimal)]


FINDING_COLUMNS = ("position", *FINDING_VALUE_FIELDS, "source_document_id", "source_document__title")


def _relations():
    """(name, JSONRows) for each relation a record shows, correlated to the outer record."""
    from registry.models import Document, EvaluationDesign, EvaluationOrganisation, EventDate, Link

    mine = {"evaluation_id": OuterRef("pk")}
    return {
        "other_departments": JSONRows(
            Evaluation.other_departments.through.objects.filter(**mine),
            ["department__code", "department__name"],
            ["department__name", "department_id"],
        ),
        "places": JSONRows(
            Evaluation.places.through.objects.filter(**mine),
            ["place__slug", "place__name"],
            ["place__name", "place_id"],
        ),
        "policy_areas": JSONRows(
            Evaluation.policy_areas.through.objects.filter(**mine),
            ["policyarea__code", "policyarea__label", "policyarea__parent__code", "policyarea__parent__label"],
            ["policyarea__label", "policyarea_id"],
        ),
        "designs": JSONRows(
            EvaluationDesign.objects.filter(**mine),
            ["design_type__code", "design_type__name", "design_type__parent__code", "description"],
            ["design_type__position", "id"],
        ),
        "organisations": JSONRows(
            EvaluationOrganisation.objects.filter(**mine),
            ["organisation__slug", "organisation__name", "organisation__is_govuk", "role"],
            ["role", "organisation__name", "id"],
        ),
        "event_dates": JSONRows(
            EventDate.objects.filter(**mine),
            ["category", "description", "month", "year", "status"],
            ["year", "month", "id"],
        ),
        "links": JSONRows(Link.objects.filter(**mine), ["kind", "url", "title", "note"], ["kind", "id"]),
        "findings": JSONRows(Finding.objects.filter(**mine), FINDING_COLUMNS, ["position", "id"]),
        # The first documents only: a record can link a thousand.
        "documents": JSONRows(
            Document.evaluations.through.objects.filter(**mine),
            ["document_id", "document__title", "document__kind", "document__year", "document__file"],
            ["document__title", "document_id"],
            limit=RECORD_DOCUMENTS,
        ),
    }


def _record(r):
    """One row of `record_rows`' query as the record row `registry.api.serializers` represents."""
    findings = []
    for f in _rows(r["findings"], FINDING_COLUMNS):
        source, title = f.pop("source_document_id"), f.pop("source_document__title")
        findings.append({**f, "source_document": None if source is None else {"id": source, "title": title}})
    return {
        **{name: r[name] for name in RECORD_FIELDS},
        "documents_count": r["documents_count"],
        "lead_department": {"code": r["lead_department__code"], "name": r["lead_department__name"]}
        if r["lead_department__code"] is not None
        else None,
        "programme": {"slug": r["programme__slug"], "name": r["programme__name"]}
        if r["programme__slug"] is not None
        else None,
        "other_departments": _rows(r["other_departments"], ("code", "name")),
        "places": _rows(r["places"], ("slug", "name")),
        "policy_areas": _rows(r["policy_areas"], ("code", "label", "parent", "parent_label")),
        "designs": _rows(r["designs"], ("code", "name", "parent", "description")),
        "organisations": [
            {**o, "is_govuk": bool(o["is_govuk"])}
            for o in _rows(r["organisations"], ("slug", "name", "is_govuk", "role"))
        ],
        "event_dates": _rows(r["event_dates"], ("category", "description", "month", "year", "status")),
        "links": _rows(r["links"], ("kind", "url", "title", "note")),
        "findings": findings,
        "documents": [
            {"id": d["id"], "title": d["title"], "kind": d["kind"], "year": d["year"], "has_file": bool(d["file"])}
            for d in _rows(r["documents"], ("id", "title", "kind", "year", "file"))
        ],
    }


@functools.cache
def _record_query():
    """The query `record_rows` filters by id, built once per process: building its
    nine correlated subqueries took longer than running them (6 ms a page)."""
    relations = _relations()
    return (
        Evaluation.objects.order_by()
        .annotate(documents_count=documents_count(), **{f"rel_{k}": v for k, v in relations.items()})
        .values(
            *RECORD_FIELDS,
            "documents_count",
            "lead_department__code",
            "lead_department__name",
            "programme__slug",
            "programme__name",
            *[f"rel_{k}" for k in relations],
        )
    )


RELATIONS = (
    "other_departments", "places", "policy_areas", "designs", "organisations", "event_dates", "links", "findings",
    "documents",
)


@functools.lru_cache(maxsize=32)
def _compiled_record_query(alias, connection_id, n):
    """The SQL of `_record_query` for n ids, with what turns its rows into values:
    compiled once per connection and page size. Compiling the nine subqueries
    took 13 ms of a list request at 10,000 records, more than running them."""
    placeholders = list(range(-n, 0))
    queryset = _record_query().filter(id__in=placeholders)
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    # The ids are the query's last parameters (the WHERE clause); those before them are constants.
    if list(params[-n:]) != placeholders:
        raise RuntimeError("record_rows: the page's ids are not the query's last parameters")
    converters = compiler.get_converters([column for column, _, _ in compiler.select[: compiler.col_count]])
    query = queryset.query
    # As ValuesIterable names a row's columns.
    names = list(query.selected) if query.selected else [*query.values_select, *query.annotation_select]
    return sql, list(params[:-n]), compiler, converters, names


def record_rows(ids):
    """The records with these ids as plain rows (the shape `registry.api.serializers.record_row`
    gives a fetched record), in the order given, in one query."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    connection = connections[_record_query().db]
    sql, constants, compiler, converters, names = _compiled_record_query(connection.alias, id(connection), len(ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, *ids])
        rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    by_id = {}
    for values in rows:
        row = dict(zip(names, values, strict=True))
        by_id[row["id"]] = _record({**row, **{k: row[f"rel_{k}"] for k in RELATIONS}})
    return [by_id[pk] for pk in ids if pk in by_id]


def finding_rows(evaluations):
    """Findings of these records, each with its record's slug and title."""
    return (
        Finding.objects.filter(evaluation__in=evaluations.values("id"))
        .select_related("evaluation", "source_document")
        .only(
            "id",
            "position",
            *FINDING_VALUE_FIELDS,
            "evaluation__id",
            "evaluation__slug",
            "evaluation__title",
            "source_document__id",
            "source_document__title",
        )
        .order_by("evaluation__title", "evaluation_id", "position", "id")
    )
