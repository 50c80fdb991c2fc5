"""The benchmark's urlconf (see registry.api.bench_settings): every production
route, plus `/api/v1/bench/bare/`, the baseline the list is measured against."""

from django.conf import settings
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import selectors


class BareEvaluationList(APIView):
    """The same page of records as `/api/v1/evaluations/?page=N` (visible records,
    title then id), as plain dicts of the record's own columns from `.values()`:
    no serializer, no relations, no count. What is left is DRF's request cycle,
    one query and JSON rendering, so the list's time above this is its own."""

    def get(self, request):
        size = settings.REST_FRAMEWORK["PAGE_SIZE"]
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            page = 1
        rows = selectors.visible_evaluations(request.user).order_by("title", "id").values()
        return Response(list(rows[(page - 1) * size : page * size]))


urlpatterns = [
    path("api/v1/bench/bare/", BareEvaluationList.as_view(), name="bench-bare"),
    path("", include("registry.urls")),
]
