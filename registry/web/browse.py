from django.shortcuts import render

from registry import selectors
from registry.filters import EvaluationFilter
from registry.models import Evaluation
from registry.search import SearchQuery
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
    them to those the search finds, in its order unless a sort is chosen."""
    filterset = EvaluationFilter(request.GET or None, queryset=selectors.visible_evaluations(request.user))
    if filterset.is_bound and not filterset.is_valid():
        queryset = filterset.queryset.none()
    else:
        queryset = filterset.qs if filterset.is_bound else filterset.queryset
    if not request.GET.get("sort"):
        queryset = queryset.order_by("title", "id")
    text = request.GET.get("q", "").strip()[:500]
    context = {
        "filterset": filterset,
        "errors": filterset.errors if filterset.is_bound else {},
        "q": text,
        "search_message": "",
        "departments": selectors.department_choices(),
        "design_tree": selectors.design_tree(),
    }
    if not text:
        context["page"] = paginate(request, selectors.evaluation_list(queryset))
        return render(request, "registry/browse.html", context)
    found = _search_ids(text, request.GET.get("sort"))
    if found is None:
        context.update(page=PageResult([], 1, 1, 0), browse_url=_without_words(request))
        return unavailable(request, "registry/browse.html", context)
    ranked, context["search_message"] = found
    allowed = list(queryset.values_list("id", flat=True))
    if request.GET.get("sort"):
        wanted = set(ranked)
        ids = [i for i in allowed if i in wanted]
    else:
        allowed_set = set(allowed)
        ids = [i for i in ranked if i in allowed_set]
    page = paginate(request, ids)
    rows = {e.id: e for e in selectors.evaluation_list(Evaluation.objects.filter(id__in=page.items))}
    page.items = [rows[i] for i in page.items if i in rows]
    context["page"] = page
    return render(request, "registry/browse.html", context)
