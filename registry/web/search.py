"""The search page: records and documents together, ranked, with facets that
narrow. Routes for the moderators' document upload and file download live here
too, beside the knowledge base they feed."""
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.urls import path

from registry.search import SearchQuery, SearchUnavailable, get_backend
from registry.web import documents
from registry.web.pagination import PageResult

FACET_PARAMS = ("type", "method", "department", "stage", "year", "kind")
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
    filters = {key: [v[:120] for v in params.getlist(key) if v][:10] for key in FACET_PARAMS if params.getlist(key)}
    sort = params.get("sort") if params.get("sort") in SORTS else "relevance"
    raw_page, message = params.get("page", "1"), ""
    try:
        page = int(raw_page)
        if page < 1:
            raise ValueError
    except ValueError:
        page, message = 1, f"“{raw_page[:20]}” is not a page number; showing page 1."
    query = SearchQuery(text=params.get("q", "").strip(), filters=filters, sort=sort, page=page,
                        page_size=settings.REGISTRY_PAGE_SIZE)
    return query, message


def facet_groups(results, params):
    """Each facet's values as links that add (or, when chosen, remove) that value."""
    groups = []
    for key in FACET_PARAMS:
        chosen = params.getlist(key)
        values = []
        for value in results.facets.get(key, []):
            selected = value.value in chosen
            narrowed = params.copy()
            narrowed.pop("page", None)
            narrowed.setlist(key, [v for v in chosen if v != value.value] if selected else chosen + [value.value])
            values.append({"value": value, "selected": selected, "href": "?" + narrowed.urlencode()})
        if values:
            groups.append({"key": key, "title": FACET_TITLES[key], "values": values[:15]})
    return groups


def search(request):
    query, page_message = search_request(request.GET)
    results = ask_search(lambda backend: backend.search(query))
    if results is None:
        return unavailable(request, "registry/search.html", {"query": query})
    num_pages = max(1, -(-results.total // query.page_size))
    if query.page > num_pages and results.total:
        plural = "s" if num_pages != 1 else ""
        page_message = f"There is no page {query.page}: the results have {num_pages} page{plural}."
    # Lists per key, so pagination links keep every chosen facet value.
    params = {key: request.GET.getlist(key) for key in request.GET}
    page = PageResult(results.hits, query.page, num_pages, results.total, page_message, params)
    suggestion_url = ""
    if results.suggestion:
        suggestion_url = "?" + urlencode({"q": results.suggestion})
    return render(request, "registry/search.html", {
        "query": query,
        "results": results,
        "page": page,
        "facet_groups": facet_groups(results, request.GET),
        "sorts": SORTS,
        "suggestion_url": suggestion_url,
        "filtered": bool(query.filters),
    })


urlpatterns = [
    path("search/", search, name="search"),
    path("documents/upload/", documents.upload, name="document-upload"),
    path("documents/<int:pk>/file/", documents.download, name="document-file"),
]
