from django.shortcuts import render

from registry import selectors
from registry.filters import EvaluationFilter, design_options, vocabulary_choices
from registry.models import Evaluation
from registry.search import SearchQuery
from registry.web.exports import CSV_LIMIT, csv_url, evaluations_csv
from registry.web.filter_tags import browse_tags, url_without_filters
from registry.web.pagination import PageResult, paginate
from registry.web.search import ask_search, unavailable

SEARCH_LIMIT = 1000  # the best-ranked records a words search on the browse page considers


def _search_ids(text, sort):
    """Ranked ids of published records matching the words and a message about the
    query, or None when the search backend cannot answer."""
    sort = "newest" if sort in ("recent", "year") else "relevance"
    query = SearchQuery(text=text, kinds=("evaluation",), sort=sort, facets=False)
    return ask_search(lambda backend: (backend.search_ids(query, limit=SEARCH_LIMIT), backend.parse_message(text)))


def _without_words(request):
    """This page with the same filters and the words taken out: the way on when
    search is down, since browsing by filters reads only the database."""
    params = request.GET.copy()
    params.pop("q", None)
    params.pop("page", None)
    return request.path + ("?" + params.urlencode() if params else "")


def browse(request):
    """The list of records, filtered and sorted by the query string; `q` narrows
    them to those the search finds, in its order unless a sort is chosen.
    `format=csv` gives every matching record (up to CSV_LIMIT) in the API's CSV."""
    visible = selectors.visible_evaluations(request.user)
    filterset = EvaluationFilter(request.GET or None, queryset=visible)
    if filterset.is_bound and not filterset.is_valid():
        queryset = filterset.queryset.none()
    else:
        queryset = filterset.qs if filterset.is_bound else filterset.queryset
    if not request.GET.get("sort"):
        queryset = queryset.order_by("title", "id")
    text = request.GET.get("q", "").strip()[:500]
    wants_csv = request.GET.get("format") == "csv"
    if not text:
        if wants_csv:
            return evaluations_csv(request, queryset.values_list("id", flat=True)[:CSV_LIMIT])
        return _render(request, filterset, visible, text, paginate(request, selectors.evaluation_list(queryset)))
    found = _search_ids(text, request.GET.get("sort"))
    if found is None:
        context = {"browse_url": _without_words(request)}
        return unavailable(request, "registry/browse.html", _context(request, filterset, visible, text,
                                                                      PageResult([], 1, 1, 0), **context))
    ranked, search_message = found
    allowed = list(queryset.values_list("id", flat=True))
    if request.GET.get("sort"):
        wanted = set(ranked)
        ids = [i for i in allowed if i in wanted]
    else:
        allowed_set = set(allowed)
        ids = [i for i in ranked if i in allowed_set]
    if wants_csv:
        return evaluations_csv(request, ids)
    page = paginate(request, ids)
    rows = {e.id: e for e in selectors.evaluation_list(Evaluation.objects.filter(id__in=page.items))}
    page.items = [rows[i] for i in page.items if i in rows]
    return _render(request, filterset, visible, text, page, search_message=search_message)


def _context(request, filterset, visible, text, page, **extra):
    tags = browse_tags(request, filterset)
    vocabularies = vocabulary_choices(visible)
    for tag in tags:
        # A chosen value no visible record uses (or an unknown code) stays chosen in
        # its control, so applying another filter does not silently drop it.
        if tag.key in vocabularies and tag.value not in {code for code, _ in vocabularies[tag.key]}:
            vocabularies[tag.key].append((tag.value, tag.label if tag.known else f"{tag.label} (not recognised)"))
    return {
        "filterset": filterset,
        "errors": filterset.errors if filterset.is_bound else {},
        "q": text,
        "search_message": "",
        "page": page,
        "departments": selectors.department_choices(),
        "design_options": design_options(selectors.design_tree()),
        "vocabularies": vocabularies,
        "active_filters": tags,
        "filter_count": sum(tag.key != "q" for tag in tags),
        "without_filters_url": url_without_filters(request.path, request.GET),
        "clear_url": url_without_filters(request.path, request.GET, keep=("sort",)),
        "csv_url": csv_url(request),
        "csv_limit": CSV_LIMIT,
        **extra,
    }


def _render(request, filterset, visible, text, page, **extra):
    return render(request, "registry/browse.html", _context(request, filterset, visible, text, page, **extra))
