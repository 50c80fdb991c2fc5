from django.shortcuts import render

from registry import selectors
from registry.filters import EvaluationFilter
from registry.web.pagination import paginate


def browse(request):
    """The list of published records, filtered and sorted by the query string."""
    filterset = EvaluationFilter(request.GET or None, queryset=selectors.visible_evaluations(request.user))
    if filterset.is_bound and not filterset.is_valid():
        queryset = filterset.queryset.none()
    else:
        queryset = filterset.qs if filterset.is_bound else filterset.queryset
    if not request.GET.get("sort"):
        queryset = queryset.order_by("title", "id")
    page = paginate(request, selectors.evaluation_list(queryset))
    return render(request, "registry/browse.html", {
        "filterset": filterset,
        "errors": filterset.errors if filterset.is_bound else {},
        "page": page,
        "departments": selectors.department_choices(),
        "design_tree": selectors.design_tree(),
    })
