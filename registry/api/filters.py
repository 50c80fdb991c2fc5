"""The API's filters: the browse page's EvaluationFilter, plus `updated_since`
and `q` (full text), and an ordering that always ends in the primary key."""
import datetime

import django_filters
from django.db.models import Case, IntegerField, Value, When
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from rest_framework.exceptions import APIException
from rest_framework.filters import OrderingFilter

from registry.filters import EvaluationFilter
from registry.search import SearchQuery, get_backend

# Enough for any realistic query; the filtered queryset is intersected with these ids.
MAX_SEARCH_IDS = 1000


class SearchUnavailable(APIException):
    status_code = 503
    default_detail = "Search is not available at the moment. Try again later, or filter without q."
    default_code = "search_unavailable"


def _backend():
    try:
        return get_backend()
    except Exception as exc:  # an unconfigured engine must not take the API down
        raise SearchUnavailable() from exc


def search(query):
    """Run a query on the configured search backend; a missing backend is a 503, not a 500."""
    return _backend().search(query)


def search_ids(query, limit=MAX_SEARCH_IDS):
    return _backend().search_ids(query, limit=limit)


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """Compared in UTC: PostgreSQL refuses offsets past ±15:59 that ISO 8601 allows."""

    def filter(self, qs, value):
        if value is not None and value.utcoffset() is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError:  # before year 1 in UTC: every record is newer
                return qs
        return super().filter(qs, value)


class ApiEvaluationFilter(EvaluationFilter):
    updated_since = UtcDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Only records changed at or after this time (ISO 8601, e.g. 2025-01-31T00:00:00Z).",
    )
    q = django_filters.CharFilter(
        method="filter_q", label="Full-text search over the records (same engine as the website).", max_length=500
    )

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        ids = search_ids(SearchQuery(text=value, kinds=("evaluation",), facets=False))
        if not ids:
            return queryset.none()
        # Keep the engine's ranking unless the client asks for another order.
        rank = Case(
            *[When(id=pk, then=Value(position)) for position, pk in enumerate(ids)], output_field=IntegerField()
        )
        return queryset.filter(id__in=ids).annotate(search_rank=rank).order_by("search_rank", "id")


# The schema describes the code filters as strings (their values are codes, checked against the vocabulary).
for _name in ("department", "type", "method", "policy_area"):
    set_override(ApiEvaluationFilter.base_filters[_name], "field", OpenApiTypes.STR)


class EvaluationFilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of its filters: building
    the filter set's form (sixteen fields, some with vocabulary querysets) took
    12 ms of an unfiltered list request, to filter nothing."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class StableOrderingFilter(OrderingFilter):
    """`?ordering=` over a few fields; without it, `sort` or `q` keep their order,
    otherwise title. The primary key always breaks ties, so pages are stable."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        explicit = bool(request.query_params.get(self.ordering_param))
        ordered_by_filter = request.query_params.get("sort") or request.query_params.get("q", "").strip()
        if not explicit and ordered_by_filter and queryset.query.order_by:
            return queryset.order_by(*queryset.query.order_by, "id")
        ordering = [field for field in (ordering or []) if field.lstrip("-") != "id"]
        if not ordering:
            return queryset.order_by("id")
        last = ordering[-1]
        return queryset.order_by(*ordering, "-id" if last.startswith("-") else "id")
