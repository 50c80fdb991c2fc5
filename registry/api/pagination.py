"""Page-number pagination. Ordering always ends in the primary key (see
registry.api.views), so a record never appears on two pages or on none."""

from rest_framework.pagination import PageNumberPagination


class StablePageNumberPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    page_size_query_description = "Number of results per page (1 to 100, default 20)."
