"""The filters a results page has applied, as removable tags (the GOV.UK / MOJ
"filter tag" pattern): one per value, each a link to the same page without it.
Filters that arrive from links elsewhere (`/evaluations/?programme=…` from the
home and insights pages) are named here like any other, so nothing narrows a
list without the page saying so."""

from dataclasses import dataclass
from decimal import Decimal

from registry.filters import FILTER_NAMES, HAS_FINDINGS
from registry.models.documents import DocumentKind
from registry.models.evaluations import Stage

# Parameters that are not filters: kept when a tag is removed (sort), or dropped (page, format).
NOT_FILTERS = ("sort", "page", "format")


@dataclass
class FilterTag:
    key: str
    value: str
    name: str  # what is filtered: "Programme"
    label: str  # the value in words: "Children’s Social Care Innovation Programme"
    remove_url: str
    known: bool = True  # False for a code that names nothing


def url_without(path, params, key, value=None):
    """This page with one value of `key` (or all of them) taken out, on page 1."""
    query = params.copy()
    for name in ("page", "format"):
        query.pop(name, None)
    if value is None:
        query.pop(key, None)
    else:
        query.setlist(key, [v for v in query.getlist(key) if v != value])
    return path + ("?" + query.urlencode() if query else "")


def url_without_filters(path, params, keep=("q", "sort")):
    """This page with every filter removed (the words and sort kept)."""
    query = params.copy()
    for key in list(query):
        if key not in keep:
            query.pop(key)
    return path + ("?" + query.urlencode() if query else "")


def describe(key, value):
    """A cleaned filter value in words."""
    if key == "has_findings":
        return HAS_FINDINGS[value]
    if key == "stage":
        return dict(Stage.choices).get(value, value)
    if key == "kind":
        return dict(DocumentKind.choices).get(value, value)
    if isinstance(value, (Decimal, float)):
        return f"{value:.0f}"
    return str(value)


def browse_tags(request, filterset):
    """Tags for the browse page, from its EvaluationFilter. A value the filter
    refused (an unknown code, a year that is not a number) still gets a tag,
    marked as not recognised, so it can be removed from where it is shown."""
    tags = []
    if not filterset.is_bound:
        return tags
    form = filterset.form
    cleaned = getattr(form, "cleaned_data", {})
    for key, name in FILTER_NAMES.items():
        raw = request.GET.get(key, "").strip()
        if not raw or key == "kind":
            continue
        if key == "q":
            label, known = raw, True
        elif key in form.errors:
            label, known = raw[:80], False
        elif cleaned.get(key) is None:
            continue  # e.g. has_findings=unknown: no filter
        else:
            label, known = describe(key, cleaned[key]), True
        tags.append(FilterTag(key, raw, name, label, url_without(request.path, request.GET, key), known))
    return tags


def search_tags(request, filters, labels, unknown):
    """Tags for the search page: `filters` {key: [codes]} as the query asked,
    `labels` {key: {code: label}}, `unknown` {key: [codes that name nothing]}."""
    tags = []
    for key, name in FILTER_NAMES.items():
        if key == "q":
            continue
        for code in filters.get(key, []):
            known = code not in unknown.get(key, ())
            label = labels.get(key, {}).get(code, code) if known else code[:80]
            tags.append(FilterTag(key, code, name, label, url_without(request.path, request.GET, key, code), known))
    return tags
