"""The search page: records and documents together, ranked, with facets that
narrow. Routes for the moderators' document upload and file download live here
too, beside the knowledge base they feed."""
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.urls import path

from registry import selectors
from registry.models import Department, DesignType, Organisation, Place, PolicyArea, Programme
from registry.models.documents import DocumentKind
from registry.models.evaluations import Stage
from registry.search import SearchQuery, SearchUnavailable, get_backend
from registry.web import documents
from registry.web.exports import CSV_LIMIT, csv_url, evaluations_csv
from registry.web.filter_tags import search_tags, url_without_filters
from registry.web.pagination import PageResult

FACET_PARAMS = ("type", "method", "department", "stage", "year", "kind")
# Filters the search accepts that have no facet counts: they arrive from links
# (a record's programme, place, organisation or policy area) and show as tags.
LINK_PARAMS = ("programme", "place", "organisation", "policy_area")
FILTER_PARAMS = FACET_PARAMS + LINK_PARAMS
# Where each filter's codes are looked up: model, code field, label field, the noun a message uses.
VOCABULARIES = {
    "type": (DesignType, "code", "name", "evaluation type"),
    "method": (DesignType, "code", "name", "method code"),
    "department": (Department, "code", "name", "department code"),
    "programme": (Programme, "slug", "name", "programme"),
    "place": (Place, "slug", "name", "place"),
    "organisation": (Organisation, "slug", "name", "organisation"),
    "policy_area": (PolicyArea, "code", "label", "policy area"),
}
FIXED_CHOICES = {"stage": (dict(Stage.choices), "stage"), "kind": (dict(DocumentKind.choices), "document kind")}
FACET_TITLES = {
    "type": "Evaluation type", "method": "Method", "department": "Department", "stage": "Evaluation stage",
    "year": "Year", "kind": "Document kind",
}
SORTS = {"relevance": "Relevance", "newest": "Newest first", "oldest": "Oldest first"}
# Seconds a 503 asks crawlers and clients to wait before asking again.
RETRY_AFTER = "120"

logger = logging.getLogger("registry.search")


def ask_search(work):
    """`work(backend)` on the configured search backend, or None when the backend
    cannot answer: an index folder that cannot be read, a database whose search
    tables fail, a backend class that does not load. Pages that need search say so
    with a 503 and a message; a search outage must never become a 500, nor reach
    pages that do not search. The failure is logged with its traceback, because
    the visitor's message cannot say what went wrong. (A backend that reads the
    database leaves the request's transaction usable when it fails: the PostgreSQL
    backend searches in a savepoint inside a transaction.)"""
    try:
        return work(get_backend())
    except SearchUnavailable:
        logger.exception("Search backend unavailable")
    except Exception:  # noqa: BLE001
        # Backends are meant to raise SearchUnavailable, but a missing backend class
        # (ImportError) and a damaged whoosh index (OSError, whoosh's IndexError,
        # even TypeError from its varint reader) still reach here as themselves.
        logger.exception("Search backend unavailable (failed without SearchUnavailable)")
    return None


def unavailable(request, template, context):
    """A search page that could not search: the page's own template, told to show
    the "search is not working" message, with the 503 that tells crawlers and
    monitors this is an outage and not an empty result."""
    response = render(request, template, {**context, "search_unavailable": True}, status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


def search_request(params):
    """The SearchQuery a query string asks for, and a message for a bad page number."""
    filters = {key: [v[:120] for v in params.getlist(key) if v][:10] for key in FILTER_PARAMS if params.getlist(key)}
    sort = params.get("sort") if params.get("sort") in SORTS else "relevance"
    raw_page, message = params.get("page", "1"), ""
    try:
        page = int(raw_page)
        if page < 1:
            raise ValueError
    except ValueError:
        page, message = 1, f"“{raw_page[:20]}” is not a page number; showing page 1."
    # correct=0: the words as typed, even when a correction would find something ("Search instead for").
    query = SearchQuery(text=params.get("q", "").strip(), filters=filters, sort=sort, page=page,
                        page_size=settings.REGISTRY_PAGE_SIZE, correct=params.get("correct") != "0")
    return query, message


FACET_VALUES_SHOWN = 15


def facet_groups(results, params):
    """Each facet's values as links that add (or, when chosen, remove) that value."""
    groups = []
    for key in FACET_PARAMS:
        chosen = params.getlist(key)
        values = []
        for value in results.facets.get(key, [])[:FACET_VALUES_SHOWN]:  # links made only for those shown
            selected = value.value in chosen
            narrowed = params.copy()
            narrowed.pop("page", None)
            narrowed.setlist(key, [v for v in chosen if v != value.value] if selected else chosen + [value.value])
            values.append({"value": value, "selected": selected, "href": "?" + narrowed.urlencode()})
        if values:
            groups.append({"key": key, "title": FACET_TITLES[key], "values": values})
    return groups


def check_filters(filters, facets):
    """Labels for the chosen filter values, and those that name nothing.

    Returns ({key: {code: label}}, {key: [unknown codes]}). A chosen value the
    engine counted is labelled from its facet, with no query; the others (values
    that matched nothing, codes that name nothing, and the link-only filters) are
    looked up, one query per filter at most."""
    labels, unknown = {}, {}
    for key, codes in filters.items():
        counted = {value.value: value.label for value in facets.get(key, [])}
        labels[key] = {code: counted[code] for code in codes if code in counted}
        missing = [code for code in codes if code not in counted]
        if not missing:
            continue
        if key in VOCABULARIES:
            model, code_field, label_field, _ = VOCABULARIES[key]
            only_types = {"parent__isnull": True} if key == "type" else {}  # the tree's roots are the types
            rows = model.objects.filter(**{f"{code_field}__in": missing}, **only_types)
            found = dict(rows.values_list(code_field, label_field))
        elif key in FIXED_CHOICES:
            found = {code: FIXED_CHOICES[key][0][code] for code in missing if code in FIXED_CHOICES[key][0]}
        else:  # year
            found = {code: code for code in missing if code.isdigit() and 1900 <= int(code) <= 2100}
        labels[key].update(found)
        unknown[key] = [code for code in missing if code not in found]
    return labels, {key: codes for key, codes in unknown.items() if codes}


def unknown_messages(unknown):
    nouns = {key: spec[-1] for key, spec in VOCABULARIES.items()} | {
        key: spec[1] for key, spec in FIXED_CHOICES.items()} | {"year": "year"}
    return [f"“{code}” is not a known {nouns[key]}. Remove the filter to see results."
            for key, codes in unknown.items() for code in codes]


def search(request):
    query, page_message = search_request(request.GET)
    if request.GET.get("format") == "csv":
        return _search_csv(request, query)
    results = ask_search(lambda backend: backend.search(query))
    if results is None:
        return unavailable(request, "registry/search.html", {"query": query})
    # A code that names nothing matches nothing, as on the browse page; the page
    # says which code it was, and its tag removes it.
    labels, unknown = check_filters(query.filters, results.facets)
    num_pages = max(1, -(-results.total // query.page_size))
    if query.page > num_pages and results.total:
        plural = "s" if num_pages != 1 else ""
        page_message = f"There is no page {query.page}: the results have {num_pages} page{plural}."
    # Lists per key, so pagination links keep every chosen facet value.
    params = {key: request.GET.getlist(key) for key in request.GET}
    page = PageResult(results.hits, query.page, num_pages, results.total, page_message, params)
    suggestion_url = instead_url = ""
    if results.suggestion:
        suggestion_url = "?" + urlencode({"q": results.suggestion})
    if results.corrected_from:
        # The results are for a correction of words that found nothing: a way back to them.
        instead = request.GET.copy()
        instead.pop("page", None)
        instead["correct"] = "0"
        instead_url = "?" + instead.urlencode()
    asked = {key: [v[:120] for v in request.GET.getlist(key) if v][:10] for key in FILTER_PARAMS}
    tags = search_tags(request, asked, labels, unknown)
    return render(request, "registry/search.html", {
        "query": query,
        "results": results,
        "page": page,
        "facet_groups": facet_groups(results, request.GET),
        "sorts": SORTS,
        "suggestion_url": suggestion_url,
        "instead_url": instead_url,
        "filtered": bool(tags),
        "active_filters": tags,
        "filter_count": len(tags),
        "unknown_messages": unknown_messages(unknown),
        "clear_url": url_without_filters(request.path, request.GET),
        "without_filters_url": url_without_filters(request.path, request.GET),
        "csv_url": csv_url(request),
        "csv_limit": CSV_LIMIT,
    })


def _search_csv(request, query):
    """The evaluations among the results (documents have no rows in the API's
    CSV), best first, as the API's CSV. The index holds only published records;
    the ids are checked against what this visitor may see all the same, since an
    index can lag a withdrawal by a moment."""
    query = SearchQuery(text=query.text, filters=query.filters, kinds=("evaluation",), sort=query.sort, facets=False)
    ranked = ask_search(lambda backend: backend.search_ids(query, limit=CSV_LIMIT))
    if ranked is None:
        return unavailable(request, "registry/search.html", {"query": query})
    visible = set(selectors.visible_evaluations(request.user).filter(id__in=ranked).values_list("id", flat=True))
    return evaluations_csv(request, [pk for pk in ranked if pk in visible], filename="search-results.csv")


urlpatterns = [
    path("search/", search, name="search"),
    path("documents/upload/", documents.upload, name="document-upload"),
    path("documents/<int:pk>/file/", documents.download, name="document-file"),
]
