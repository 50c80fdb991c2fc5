"""Read queries the API adds to registry.selectors: the same relations the
record page fetches, for a whole page of records at once."""

from django.db.models import Prefetch

from registry import selectors
from registry.models import Evaluation, Finding
from registry.models.findings import FINDING_VALUE_FIELDS


def evaluation_rows(queryset):
    """Records with every relation the API shows, in a fixed number of queries
    (the same set the record page fetches)."""
    return selectors.with_record_relations(queryset)


def document_rows(queryset, user, *, with_text=False):
    """Documents with the published records they support (only records this user may see)."""
    if not with_text:
        queryset = queryset.defer("text")
    evaluations = selectors.visible_evaluations(user).only("id", "slug", "title").order_by("title")
    return queryset.prefetch_related(Prefetch("evaluations", queryset=evaluations)).order_by("title", "id")


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


# Records as plain rows ------------------------------------------------------------
#
# A list page's records are read with `.values()`, one query per relation, and
# grouped by record in Python. The same twenty records fetched as model instances
# through `prefetch_related` cost three times as long in Python as in the
# database: a model per row, and Django's prefetch machinery cloning querysets per
# relation. Each query orders its rows as the model's Meta.ordering does, so a
# record reads the same here as through `registry.selectors.with_record_relations`
# (tests/api/test_representation.py compares the two).

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


def _grouped(ids, rows, shape):
    """{record id: [shape(row), ...]} for every id, in the rows' order."""
    groups = {pk: [] for pk in ids}
    for row in rows:
        groups[row[0]].append(shape(row))
    return groups


def record_rows(ids):
    """The records with these ids as dicts (see `registry.api.serializers.record_row`
    for the shape), in the order given, in a fixed number of queries."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from registry.models import (
        Document,
        EvaluationDesign,
        EvaluationOrganisation,
        EventDate,
        Link,
    )

    ids = list(ids)
    if not ids:
        return []
    records = Evaluation.objects.filter(id__in=ids).order_by().annotate(
        documents_count=selectors.documents_count()
    ).values(
        *RECORD_FIELDS,
        "documents_count",
        "lead_department__code",
        "lead_department__name",
        "programme__slug",
        "programme__name",
    )
    through = Evaluation.other_departments.through.objects.filter(evaluation_id__in=ids)
    other_departments = _grouped(
        ids,
        through.order_by("department__name", "department_id").values_list(
            "evaluation_id", "department__code", "department__name"
        ),
        lambda r: {"code": r[1], "name": r[2]},
    )
    places = _grouped(
        ids,
        Evaluation.places.through.objects.filter(evaluation_id__in=ids)
        .order_by("place__name", "place_id")
        .values_list("evaluation_id", "place__slug", "place__name"),
        lambda r: {"slug": r[1], "name": r[2]},
    )
    policy_areas = _grouped(
        ids,
        Evaluation.policy_areas.through.objects.filter(evaluation_id__in=ids)
        .order_by("policyarea__label", "policyarea_id")
        .values_list(
            "evaluation_id", "policyarea__code", "policyarea__label", "policyarea__parent__code",
            "policyarea__parent__label",
        ),
        lambda r: {"code": r[1], "label": r[2], "parent": r[3], "parent_label": r[4]},
    )
    designs = _grouped(
        ids,
        EvaluationDesign.objects.filter(evaluation_id__in=ids)
        .order_by("design_type__position", "id")
        .values_list(
            "evaluation_id", "design_type__code", "design_type__name", "design_type__parent__code", "description"
        ),
        lambda r: {"code": r[1], "name": r[2], "parent": r[3], "description": r[4]},
    )
    organisations = _grouped(
        ids,
        EvaluationOrganisation.objects.filter(evaluation_id__in=ids)
        .order_by("role", "organisation__name", "id")
        .values_list("evaluation_id", "organisation__slug", "organisation__name", "organisation__is_govuk", "role"),
        lambda r: {"slug": r[1], "name": r[2], "is_govuk": r[3], "role": r[4]},
    )
    event_dates = _grouped(
        ids,
        EventDate.objects.filter(evaluation_id__in=ids)
        .order_by("year", "month", "id")
        .values_list("evaluation_id", "category", "description", "month", "year", "status"),
        lambda r: {"category": r[1], "description": r[2], "month": r[3], "year": r[4], "status": r[5]},
    )
    links = _grouped(
        ids,
        Link.objects.filter(evaluation_id__in=ids)
        .order_by("kind", "id")
        .values_list("evaluation_id", "kind", "url", "title", "note"),
        lambda r: {"kind": r[1], "url": r[2], "title": r[3], "note": r[4]},
    )
    finding_fields = ("position", *FINDING_VALUE_FIELDS)
    findings = _grouped(
        ids,
        Finding.objects.filter(evaluation_id__in=ids)
        .order_by("position", "id")
        .values_list("evaluation_id", *finding_fields, "source_document_id", "source_document__title"),
        lambda r: {
            **dict(zip(finding_fields, r[1:-2], strict=True)),
            "source_document": None if r[-2] is None else {"id": r[-2], "title": r[-1]},
        },
    )
    first = (
        Document.evaluations.through.objects.filter(evaluation_id__in=ids)
        .annotate(
            n=Window(RowNumber(), partition_by=F("evaluation_id"), order_by=[F("document__title"), F("document_id")])
        )
        .filter(n__lte=selectors.RECORD_DOCUMENTS)
        .order_by("evaluation_id", "n")
        .values_list("evaluation_id", "document_id", "document__title", "document__kind", "document__year",
                     "document__file")
    )
    documents = _grouped(
        ids, first, lambda r: {"id": r[1], "title": r[2], "kind": r[3], "year": r[4], "has_file": bool(r[5])}
    )
    by_id = {}
    for r in records:
        pk = r["id"]
        by_id[pk] = {
            **{name: r[name] for name in RECORD_FIELDS},
            "documents_count": r["documents_count"],
            "lead_department": {"code": r["lead_department__code"], "name": r["lead_department__name"]}
            if r["lead_department__code"] is not None
            else None,
            "programme": {"slug": r["programme__slug"], "name": r["programme__name"]}
            if r["programme__slug"] is not None
            else None,
            "other_departments": other_departments[pk],
            "places": places[pk],
            "policy_areas": policy_areas[pk],
            "designs": designs[pk],
            "organisations": organisations[pk],
            "event_dates": event_dates[pk],
            "links": links[pk],
            "findings": findings[pk],
            "documents": documents[pk],
        }
    return [by_id[pk] for pk in ids if pk in by_id]
