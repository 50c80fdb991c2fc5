"""Records as schema.org JSON-LD: the API's `?format=jsonld` and the record
page's embedded `<script type="application/ld+json">` come from the same code,
which belongs to neither.

A record maps to a `Report` (a CreativeWork): evaluators are its authors,
departments and funders its funders, policy areas and methods what it is
about, and the documents it rests on are `isBasedOn`.

`record_jsonld` reads a record as the API represents it (the renderer has
nothing else); `evaluation_jsonld` gives it the same fields from a record
fetched with `with_detail`, so the record page needs nothing from the API.
tests/test_linked_data.py checks that both say the same.
"""

import json

from django.utils.safestring import mark_safe
from rest_framework.fields import DateTimeField

CONTEXT = "https://schema.org"
AUTHOR_ROLES = {"evaluator"}
FUNDER_ROLES = {"commissioner", "funder"}
# Escapes that keep JSON inert inside a <script> element (as django's json_script does).
SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _organisation(name, url=""):
    node = {"@type": "Organization", "name": name}
    if url:
        node["sameAs"] = url
    return node


def _govuk_department(department):
    return _organisation(department["name"])


def _date_published(record):
    if record.get("published_at"):
        return record["published_at"][:10]
    finals = [d for d in record["event_dates"] if d["category"] == "final_results" and d["status"] == "actual"]
    if finals:
        date = finals[-1]
        return f"{date['year']}-{date['month']:02d}" if date["month"] else str(date["year"])
    return None


def record_jsonld(record, *, context=True):
    """A serialized record (EvaluationSerializer data) as a schema.org Report."""
    organisations = record["organisations"]
    funders = [_govuk_department(record["lead_department"])] if record["lead_department"] else []
    funders += [_govuk_department(d) for d in record["other_departments"]]
    funders += [_organisation(o["name"], o["govuk_url"]) for o in organisations if o["role"] in FUNDER_ROLES]
    authors = [_organisation(o["name"], o["govuk_url"]) for o in organisations if o["role"] in AUTHOR_ROLES]
    contributors = [
        _organisation(o["name"], o["govuk_url"]) for o in organisations if o["role"] not in AUTHOR_ROLES | FUNDER_ROLES
    ]
    about = [
        {"@type": "Thing", "name": a["label"], "identifier": a["code"], "sameAs": f"https://www.gov.uk/{a['code']}"}
        for a in record["policy_areas"]
    ]
    about += [{"@type": "DefinedTerm", "name": d["name"], "termCode": d["code"]} for d in record["designs"]]
    based_on = [
        {"@type": "CreativeWork", "@id": doc["url"], "name": doc["title"], "url": doc["url"]}
        for doc in record["documents"]
    ]
    based_on += [
        {"@type": "CreativeWork", "name": link["title"] or link["url"], "url": link["url"]}
        for link in record["links"]
        if link["url"] and link["kind"] in ("report", "evaluation")
    ]
    years = [d["year"] for d in record["event_dates"]]
    node = {
        "@type": "Report",
        "@id": record["url"],
        "url": record["url"],
        "identifier": record["slug"],
        "name": record["title"],
        "abstract": record["summary"],
        "creativeWorkStatus": record["stage_label"],
        "author": authors,
        "funder": _unique(funders),
        "contributor": contributors,
        "sourceOrganization": _govuk_department(record["lead_department"]) if record["lead_department"] else None,
        "about": about,
        "keywords": [d["name"] for d in record["designs"]],
        "spatialCoverage": [{"@type": "Place", "name": p["name"]} for p in record["places"]],
        "temporalCoverage": f"{min(years)}/{max(years)}" if years else None,
        "isPartOf": {"@type": "CreativeWorkSeries", "name": record["programme"]["name"]}
        if record["programme"]
        else None,
        "isBasedOn": based_on,
        "datePublished": _date_published(record),
        "dateModified": record["updated_at"],
        "version": str(record["version"]),
        "inLanguage": "en-GB",
    }
    node = {key: value for key, value in node.items() if value not in (None, "", [])}
    return {"@context": CONTEXT, **node} if context else node


def _unique(nodes):
    seen, unique = set(), []
    for node in nodes:
        if node["name"] not in seen:
            seen.add(node["name"])
            unique.append(node)
    return unique


def records_jsonld(records, *, total=None):
    """A page of records as a schema.org ItemList."""
    return {
        "@context": CONTEXT,
        "@type": "ItemList",
        "numberOfItems": total if total is not None else len(records),
        "itemListElement": [
            {"@type": "ListItem", "position": n, "item": record_jsonld(record, context=False)}
            for n, record in enumerate(records, start=1)
        ],
    }


def _text(value):
    return None if value is None else str(value)


# Times read as the API gives them (DRF's DateTimeField: the current time zone, "Z" for UTC).
_TIME = DateTimeField()


def _linked_fields(evaluation, request):
    """The fields `record_jsonld` reads, as the API represents them, from a fetched
    record (`EvaluationQuerySet.with_detail`): no queries."""
    e = evaluation
    absolute = request.build_absolute_uri if request is not None else str
    return {
        "url": absolute(e.get_absolute_url()),
        "slug": e.slug,
        "title": e.title,
        "summary": e.summary,
        "stage_label": str(e.get_stage_display()) if e.stage else "",
        "lead_department": {"name": e.lead_department.name} if e.lead_department else None,
        "other_departments": [{"name": d.name} for d in e.other_departments.all()],
        "organisations": [
            {"name": r.organisation.name, "govuk_url": r.organisation.govuk_url, "role": _text(r.role)}
            for r in e.organisation_roles.all()
        ],
        "policy_areas": [{"code": a.code, "label": a.label} for a in e.policy_areas.all()],
        "designs": [{"code": d.design_type.code, "name": d.design_type.name} for d in e.designs.all()],
        "documents": [{"url": absolute(d.get_absolute_url()), "title": d.title} for d in e.first_documents],
        "links": [{"kind": _text(link.kind), "url": link.url, "title": link.title} for link in e.links.all()],
        "event_dates": [
            {"category": _text(d.category), "month": d.month, "year": d.year, "status": _text(d.status)}
            for d in e.event_dates.all()
        ],
        "places": [{"name": p.name} for p in e.places.all()],
        "programme": {"name": e.programme.name} if e.programme else None,
        "published_at": None if e.published_at is None else _TIME.to_representation(e.published_at),
        "updated_at": None if e.updated_at is None else _TIME.to_representation(e.updated_at),
        "version": e.version,
    }


def evaluation_jsonld(evaluation, request):
    """JSON-LD for one record fetched by `registry.selectors.evaluation_detail`
    (its prefetched relations are all this reads: no further queries)."""
    return record_jsonld(_linked_fields(evaluation, request))


def script_text(document):
    """JSON as text safe to place inside <script type="application/ld+json">."""
    return mark_safe(json.dumps(document, ensure_ascii=False).translate(SCRIPT_ESCAPES))


def evaluation_jsonld_script(evaluation, request):
    """The record's JSON-LD as text safe to place inside its page's <script> element."""
    return script_text(evaluation_jsonld(evaluation, request))
