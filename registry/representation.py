"""A record's public representation, the one shape every format says the same
thing in: the API's JSON (registry/api/serializers.py declares it as the
contract and the OpenAPI schema), its CSV and the CSV of the browse and search
pages (registry/csv_export.py), built by hand from plain rows
(`registry.selectors.record_rows` for a list, `record_row` for one record).
Neither the web pages nor the API own it."""

import calendar
from urllib.parse import urlencode

from django.urls import reverse
from rest_framework import serializers

from registry.models import Evaluation, EvaluationOrganisation, EventDate, Finding, Link
from registry.models.evaluations import EventCategory
from registry.models.findings import FINDING_VALUE_FIELDS
from registry.selectors.rows import RECORD_FIELDS


def absolute(request, path):
    return request.build_absolute_uri(path) if request is not None else path


def documents_url(slug):
    """The API's list of one record's documents (a record can link a thousand)."""
    return f"{reverse('document-list')}?{urlencode({'evaluation': slug})}"


# Field objects whose conversions the hand-built representation reuses, so
# times and decimals read exactly as the declared fields give them.
_DATETIME = serializers.DateTimeField()
_COST = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
_EFFECT = serializers.DecimalField(max_digits=14, decimal_places=4, coerce_to_string=False)
_CI_LEVEL = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)
_P_VALUE = serializers.DecimalField(max_digits=8, decimal_places=6, coerce_to_string=False)


def _text(value):
    """A CharField or ChoiceField: the stored string (a TextChoices member as its value)."""
    return None if value is None else str(value)


def _number(field, value):
    return None if value is None else field.to_representation(value)


def _time(value):
    return None if value is None else _DATETIME.to_representation(value)


# Labels of stored choices, read once: `get_FOO_display` rebuilds a dict of the
# field's choices on every call, which was a fifth of a list page's serialising.
def _labels(model, name):
    return {value: str(label) for value, label in model._meta.get_field(name).flatchoices}


_STAGES = _labels(Evaluation, "stage")
_DIRECTIONS = _labels(Finding, "direction")
_SIGNIFICANCES = _labels(Finding, "significance")
_CATEGORIES = _labels(EventDate, "category")
_ROLES = _labels(EvaluationOrganisation, "role")
_LINK_KINDS = _labels(Link, "kind")
_MONTHS = list(calendar.month_name)


def evaluation_paths(request):
    """Builders of the URLs each record carries. `reverse` once per request with a
    placeholder, then text substitution: slugs and ids need no escaping, and
    reversing six URLs per record was as costly as the rest of the record."""
    def template(name, **kwargs):
        return absolute(request, reverse(name, kwargs=kwargs))

    page = template("registry:evaluation", slug="SLUG")
    api = template("evaluation-detail", slug="SLUG")
    documents = absolute(request, reverse("document-list")) + "?evaluation="
    document_page = template("registry:document", pk=999999999)
    document_api = template("document-detail", pk=999999999)
    download = template("document-download", pk=999999999)
    return {
        "page": lambda slug: page.replace("SLUG", slug),
        "api": lambda slug: api.replace("SLUG", slug),
        "documents": lambda slug: documents + slug,
        "document_page": lambda pk: document_page.replace("999999999", str(pk)),
        "document_api": lambda pk: document_api.replace("999999999", str(pk)),
        "download": lambda pk: download.replace("999999999", str(pk)),
    }


def record_row(e):
    """A record fetched by `EvaluationQuerySet.with_detail()` as the plain
    row `registry.selectors.record_rows` reads for a list page: one shape,
    one representation."""
    lead, programme = e.lead_department, e.programme
    return {
        **{name: getattr(e, name) for name in RECORD_FIELDS},
        "documents_count": e.documents_count,
        "lead_department": {"code": lead.code, "name": lead.name} if lead is not None else None,
        "programme": {"slug": programme.slug, "name": programme.name} if programme is not None else None,
        "other_departments": [{"code": d.code, "name": d.name} for d in e.other_departments.all()],
        "places": [{"slug": p.slug, "name": p.name} for p in e.places.all()],
        "policy_areas": [
            {
                "code": a.code,
                "label": a.label,
                "parent": a.parent.code if a.parent_id else None,
                "parent_label": a.parent.label if a.parent_id else None,
            }
            for a in e.policy_areas.all()
        ],
        "designs": [
            {
                "code": d.design_type.code,
                "name": d.design_type.name,
                "parent": d.design_type.parent.code if d.design_type.parent_id else None,
                "description": d.description,
            }
            for d in e.designs.all()
        ],
        "organisations": [
            {"slug": r.organisation.slug, "name": r.organisation.name, "is_govuk": r.organisation.is_govuk,
             "role": r.role}
            for r in e.organisation_roles.all()
        ],
        "event_dates": [
            {"category": d.category, "description": d.description, "month": d.month, "year": d.year,
             "status": d.status}
            for d in e.event_dates.all()
        ],
        "links": [
            {"kind": link.kind, "url": link.url, "title": link.title, "note": link.note} for link in e.links.all()
        ],
        "findings": [
            {
                "position": f.position,
                **{name: getattr(f, name) for name in FINDING_VALUE_FIELDS},
                "source_document": None
                if f.source_document_id is None
                else {"id": f.source_document.id, "title": f.source_document.title},
            }
            for f in e.findings.all()
        ],
        "documents": [
            {"id": d.id, "title": d.title, "kind": d.kind, "year": d.year, "has_file": bool(d.file)}
            for d in e.first_documents
        ],
    }


def _finding(f):
    return {
        "position": f["position"],
        "intervention": f["intervention"],
        "outcome": f["outcome"],
        "comparison": f["comparison"],
        "direction": _text(f["direction"]),
        "direction_label": _DIRECTIONS.get(f["direction"], f["direction"]),
        "effect_size": _number(_EFFECT, f["effect_size"]),
        "effect_unit": f["effect_unit"],
        "ci_lower": _number(_EFFECT, f["ci_lower"]),
        "ci_upper": _number(_EFFECT, f["ci_upper"]),
        "ci_level": _number(_CI_LEVEL, f["ci_level"]),
        "p_value": _number(_P_VALUE, f["p_value"]),
        "sample_size": f["sample_size"],
        "significance": _text(f["significance"]),
        "significance_label": _SIGNIFICANCES.get(f["significance"], f["significance"]),
        "statement": f["statement"],
        "source_document": f["source_document"],
    }


def _event_date(d):
    label = d["description"] if d["category"] == EventCategory.OTHER and d["description"] else None
    category_label = _CATEGORIES.get(d["category"], d["category"])
    return {
        "category": _text(d["category"]),
        "category_label": category_label,
        "label": label or category_label,
        "description": d["description"],
        "month": d["month"],
        "year": d["year"],
        "when": f"{_MONTHS[d['month']]} {d['year']}" if d["month"] else str(d["year"]),
        "status": _text(d["status"]),
    }


def _organisation(r):
    return {
        "slug": r["slug"],
        "name": r["name"],
        "role": _text(r["role"]),
        "role_label": _ROLES.get(r["role"], r["role"]),
        "govuk_url": f"https://www.gov.uk/government/organisations/{r['slug']}" if r["is_govuk"] else "",
    }


def evaluation_representation(row, request, paths=None):
    """A record as EvaluationSerializer declares it, from a row (`record_row`, or
    `registry.selectors.record_rows` for a page). No queries here."""
    paths = paths or evaluation_paths(request)
    slug = row["slug"]
    return {
        "slug": slug,
        "title": row["title"],
        "url": paths["page"](slug),
        "api_url": paths["api"](slug),
        "summary": row["summary"],
        "summary_machine_written": row["summary_machine_written"],
        "stage": _text(row["stage"]),
        "stage_label": _STAGES.get(row["stage"], row["stage"]) if row["stage"] else "",
        "visibility": _text(row["visibility"]),
        "lead_department": row["lead_department"],
        "other_departments": row["other_departments"],
        "programme": row["programme"],
        "places": row["places"],
        "policy_areas": [{**a, "parent_label": a["parent_label"] or ""} for a in row["policy_areas"]],
        "designs": [
            {"code": d["code"], "name": d["name"], "is_type": d["parent"] is None, "parent": d["parent"],
             "description": d["description"]}
            for d in row["designs"]
        ],
        "organisations": [_organisation(r) for r in row["organisations"]],
        "is_grant_funded": row["is_grant_funded"],
        "grant_number": row["grant_number"],
        "is_major_project": row["is_major_project"],
        "major_project_number": row["major_project_number"],
        "cost_amount": _number(_COST, row["cost_amount"]),
        "cost_price_year": row["cost_price_year"],
        "cost_note": row["cost_note"],
        "permission_to_share": row["permission_to_share"],
        "event_dates": [_event_date(d) for d in row["event_dates"]],
        "links": [
            {"kind": _text(link["kind"]), "kind_label": _LINK_KINDS.get(link["kind"], link["kind"]),
             "url": link["url"], "title": link["title"], "note": link["note"]}
            for link in row["links"]
        ],
        "findings": [_finding(f) for f in row["findings"]],
        "documents": [
            {
                "id": d["id"],
                "title": d["title"],
                "kind": _text(d["kind"]),
                "year": d["year"],
                "url": paths["document_page"](d["id"]),
                "api_url": paths["document_api"](d["id"]),
                "download_url": paths["download"](d["id"]) if d["has_file"] else None,
            }
            for d in row["documents"]
        ],
        "documents_count": row["documents_count"],
        "documents_url": paths["documents"](slug),
        "version": row["version"],
        "created_at": _time(row["created_at"]),
        "updated_at": _time(row["updated_at"]),
        "published_at": _time(row["published_at"]),
    }


def document_representation(document, request):
    """A document as the API's document list gives it (DocumentSerializer's fields,
    checked against it by tests/api/test_representation.py), for writers outside
    the API such as the bulk dump. `document.evaluations` should be prefetched
    with the published records only (selectors' document_rows does)."""
    download = (absolute(request, reverse("document-download", kwargs={"pk": document.pk}))
                if document.file else None)
    return {
        "id": document.pk,
        "title": document.title,
        "kind": _text(document.kind),
        "kind_label": document.get_kind_display(),
        "publisher": document.publisher,
        "month": document.month,
        "year": document.year,
        "source_url": document.source_url,
        "language": document.language,
        "media_type": document.media_type,
        "original_filename": document.original_filename,
        "word_count": document.word_count,
        "evaluations": [
            {"slug": e.slug, "title": e.title, "url": absolute(request, e.get_absolute_url()),
             "api_url": absolute(request, reverse("evaluation-detail", kwargs={"slug": e.slug}))}
            for e in document.evaluations.all()
        ],
        "url": absolute(request, document.get_absolute_url()),
        "api_url": absolute(request, reverse("document-detail", kwargs={"pk": document.pk})),
        "download_url": download,
        "created_at": _DATETIME.to_representation(document.created_at),
        "updated_at": _DATETIME.to_representation(document.updated_at),
    }
