"""Page-number pagination, and cursors for the evaluations list. Ordering always ends in the primary key (see
registry.api.views), so a record never appears on two pages or on none."""

import base64
import binascii
import json
from datetime import datetime

from django.db.models import Count, F, Q, Window
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class StablePageNumberPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    page_size_query_description = "Number of results per page (1 to 100, default 20)."


class IdPagePagination(StablePageNumberPagination):
    """Pages of record ids, counted by the query that fetches them.

    `COUNT(*) OVER ()` gives the total with the page's rows, so a filtered list
    costs one scan of the filtered records instead of a COUNT and then the page.
    A view whose list is not filtered (`view.unfiltered`) counts it on its own.
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
        if getattr(view, "unfiltered", False):
            # The whole public list: its count is an index-only count, and its page
            # stops after the page's index entries (two queries, 1.2 ms at 10,000
            # records, where counting every row through the window took 3.4 ms).
            total = queryset.count()
            rows = [(pk, total) for pk in queryset.values_list("id", flat=True)[offset : offset + page_size]]
        else:
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


CURSOR_MESSAGE = (
    "This cursor was not given for this list in this order. Start again with an empty cursor "
    "(cursor=), or use the next_cursor a page gave you"
)
ORDER_MESSAGE = (
    "Cursor paging follows ordering= (title, updated_at, created_at or published_at). A search's or "
    "sort='s order can be paged by page number only"
)
CURSOR_FIELDS = {"title": str, "updated_at": datetime, "created_at": datetime, "published_at": datetime, "id": int}
NULLABLE = {"published_at"}


class CursorOrPagePagination(IdPagePagination):
    """Page numbers, or (with `?cursor=`) an opaque cursor: the next page starts
    after the last record given, by the list's own order (ending in the id).

    Page numbers over a list that changes while it is read can show a record
    twice or not at all (a record published on page 1 pushes one from page 1 to
    page 2). A cursor names where the last page ended instead, so a reader
    paging while records are added or removed never sees a record twice and
    misses none that stayed in place. A record whose sort key itself changes
    (a retitled record, in title order) can still move behind the cursor: to
    follow every change, harvest /changes/ (registry/api/changes.py).

    One query for a page's ids (one more row than the page, to know whether
    another follows); no count, which would cost a scan of the whole list."""

    cursor_query_param = "cursor"
    cursor_query_description = (
        "Page by cursor instead of page number: empty for the first page, then each page's "
        "`next_cursor`. Follows `ordering`; not with a search's or `sort`'s order."
    )

    def paginate_queryset(self, queryset, request, view=None):
        self.cursor_mode = self.cursor_query_param in request.query_params
        if not self.cursor_mode:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        keys = _cursor_keys(queryset.query.order_by)
        size = self.get_page_size(request)
        raw = request.query_params.get(self.cursor_query_param, "").strip()
        if raw:
            queryset = queryset.filter(_after(keys, _decode(raw, keys)))
        ordering = [
            (F(name).desc(nulls_last=True) if desc else F(name).asc(nulls_last=True)) if name in NULLABLE
            else ("-" if desc else "") + name
            for name, desc in keys
        ]
        rows = list(queryset.order_by(*ordering).values_list(*[name for name, _ in keys])[: size + 1])
        self.next_cursor = _encode(keys, rows[size - 1]) if len(rows) > size else None
        return [row[-1] for row in rows[:size]]

    def get_paginated_response(self, data):
        if not self.cursor_mode:
            return super().get_paginated_response(data)
        next_url = None
        if self.next_cursor:
            next_url = replace_query_param(
                self.request.build_absolute_uri(), self.cursor_query_param, self.next_cursor)
        return Response({"next": next_url, "next_cursor": self.next_cursor, "results": data})

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["required"] = ["results"]  # `count` and `previous` are given with page numbers only
        paged["properties"]["next_cursor"] = {
            "type": "string", "nullable": True,
            "description": "With ?cursor=: the cursor of the next page (null on the last page)."}
        return paged

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view), {
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": self.cursor_query_description, "schema": {"type": "string"},
        }]


def _cursor_keys(order_by):
    """The list's order as (field, descending) pairs, ending in the id, or a 400."""
    keys = []
    for item in order_by:
        name = item if isinstance(item, str) else None
        if name is None or name.lstrip("-") not in CURSOR_FIELDS:
            raise ValidationError({"cursor": [ORDER_MESSAGE]})
        if name.lstrip("-") not in {key for key, _ in keys}:  # a repeated id breaks no more ties
            keys.append((name.lstrip("-"), name.startswith("-")))
    if not keys or keys[-1][0] != "id":
        raise ValidationError({"cursor": [ORDER_MESSAGE]})
    return keys


def _encode(keys, row):
    values = [value.isoformat() if isinstance(value, datetime) else value for value in row]
    text = json.dumps([[("-" if desc else "") + name for name, desc in keys], values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(raw, keys):
    """The values a cursor holds, checked against the list's order and the fields' types."""
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        order, values = json.loads(text)
        if order != [("-" if desc else "") + name for name, desc in keys] or len(values) != len(keys):
            raise ValueError
        return [_checked(name, value) for (name, _desc), value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError({"cursor": [CURSOR_MESSAGE]}) from error


def _checked(name, value):
    """One cursor value as its field holds it, or ValueError: a forged cursor is a 400, never a 500."""
    kind = CURSOR_FIELDS[name]
    if value is None and name in NULLABLE:
        return None
    if kind is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if timezone.is_naive(moment) or not 1900 <= moment.year <= 9998:
            raise ValueError
        return moment
    if kind is int and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**62:
        return value
    if kind is str and isinstance(value, str) and len(value) <= 1000:
        return value
    raise ValueError


def _after(keys, values):
    """Rows after `values` in the order `keys` (NULLs last either way): the first key
    past its value, or equal on it and after on the next, and so on to the id."""
    condition = Q(pk__in=[])
    equal = Q()
    for (name, desc), value in zip(keys, values, strict=True):
        if value is not None:
            past = Q(**{f"{name}__{'lt' if desc else 'gt'}": value})
            if name in NULLABLE:
                past |= Q(**{f"{name}__isnull": True})
            condition |= equal & past
            equal &= Q(**{name: value})
        else:
            equal &= Q(**{f"{name}__isnull": True})  # nothing sorts after a NULL but other NULLs
    return condition
