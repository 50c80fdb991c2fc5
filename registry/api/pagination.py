"""Page-number pagination. Ordering always ends in the primary key (see
registry.api.views), so a record never appears on two pages or on none."""

from django.db.models import Count, Window
from rest_framework.pagination import PageNumberPagination


class StablePageNumberPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    page_size_query_description = "Number of results per page (1 to 100, default 20)."


class IdPagePagination(StablePageNumberPagination):
    """Pages of record ids, counted by the query that fetches them.

    `COUNT(*) OVER ()` gives the total with the page's rows, so a list costs
    one scan of the filtered records instead of a COUNT and then the page.
    Pages past the end, or bad page numbers, fall back to DRF's own handling
    (and its messages)."""

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param) or "1"
        try:
            number = int(raw)
        except ValueError:
            number = 0
        # A page number whose offset the database cannot hold (past 64 bits) is past
        # the end anyway: DRF's own handling answers it with a 404.
        if not page_size or number < 1 or number > 10**12:
            return super().paginate_queryset(queryset.values_list("id", flat=True), request, view)
        offset = (number - 1) * page_size
        rows = list(
            queryset.annotate(page_total=Window(Count("*"))).values_list("id", "page_total")[
                offset : offset + page_size
            ]
        )
        if not rows:
            return super().paginate_queryset(queryset.values_list("id", flat=True), request, view)
        self.request = request
        paginator = self.django_paginator_class(queryset, page_size)
        paginator.count = rows[0][1]  # a cached_property: set, it is never queried
        self.page = paginator.page(number)
        self.page.object_list = [pk for pk, _ in rows]
        return list(self.page.object_list)
