"""Pagination that answers a bad page number with a message, never an error."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator


@dataclass
class PageResult:
    items: list
    number: int
    num_pages: int
    count: int
    error: str = ""
    query: dict = None

    def url_for(self, number):
        params = {k: v for k, v in (self.query or {}).items() if k != "page"}
        params["page"] = number
        return "?" + urlencode(params, doseq=True)

    @property
    def links(self):
        """Numbered links for the GOV.UK pagination component, with ellipses."""
        wanted = {1, self.num_pages, self.number - 1, self.number, self.number + 1}
        pages, last = [], 0
        for n in sorted(p for p in wanted if 1 <= p <= self.num_pages):
            if n - last > 1:
                pages.append({"ellipsis": True})
            pages.append({"number": n, "href": self.url_for(n), "current": n == self.number})
            last = n
        return pages

    @property
    def previous_url(self):
        return self.url_for(self.number - 1) if 1 < self.number <= self.num_pages else ""

    @property
    def next_url(self):
        return self.url_for(self.number + 1) if self.number < self.num_pages else ""

    @property
    def start_index(self):
        return (self.number - 1) * settings.REGISTRY_PAGE_SIZE + 1 if self.items else 0

    @property
    def end_index(self):
        return self.start_index + len(self.items) - 1 if self.items else 0


def pluralize(n):
    return "" if n == 1 else "s"


def paginate(request, queryset, per_page=None):
    per_page = per_page or settings.REGISTRY_PAGE_SIZE
    paginator = Paginator(queryset, per_page)
    raw = request.GET.get("page", "1")
    query = request.GET.copy()
    try:
        number = int(raw)
        if number < 1:
            raise ValueError
    except ValueError:
        return PageResult(
            list(paginator.page(1).object_list),
            1,
            paginator.num_pages,
            paginator.count,
            f"“{raw[:20]}” is not a page number; showing page 1.",
            query,
        )
    if number > paginator.num_pages:
        return PageResult(
            [],
            number,
            paginator.num_pages,
            paginator.count,
            f"There is no page {number}: the results have {paginator.num_pages} page{pluralize(paginator.num_pages)}.",
            query,
        )
    return PageResult(list(paginator.page(number).object_list), number, paginator.num_pages, paginator.count, "", query)
