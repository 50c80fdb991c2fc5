"""The change feed, /api/v1/changes/?since=<time>, and the API root's word on
the API version and the latest change.

A harvester asks for changes since a time, then follows `next` (an opaque
cursor) until `more` is false, and later resumes from the last cursor it was
given. Ordering and the horizon that make this safe while records change are
explained in registry/selectors/changes.py."""

import base64
import binascii
import json
from datetime import UTC, datetime, time
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.api import views
from registry.api.serializers import ErrorSerializer
from registry.api.views import ConditionalMixin
from registry.models.evaluations import Visibility
from registry.representation import evaluation_paths, evaluation_representation
from registry.selectors.changes import changes_after, horizon, latest_change
from registry.selectors.rows import record_rows

API_VERSION = "1"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
_TIME = serializers.DateTimeField()

SINCE_MESSAGE = "Enter since as a date and time, for example 2026-01-31T09:00:00Z"
CURSOR_MESSAGE = "This cursor was not given by this API. Start again from since, or use the cursor a page gave you"


def encode_cursor(changed_at, pk):
    text = json.dumps([changed_at.isoformat(), pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor):
    """(updated_at, id) from a cursor this API gave, or a 400."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = json.loads(text)
        changed_at = datetime.fromisoformat(stamp)
        # Bounds the database can hold: a forged cursor is a 400, never a 500.
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk < 2**62:
            raise ValueError
        if timezone.is_naive(changed_at) or not 1900 <= changed_at.year <= 9998:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise serializers.ValidationError({"cursor": [CURSOR_MESSAGE]}) from error
    return changed_at, pk


def parse_since(value):
    """A date and time (read as UTC when it names no zone), or a date (its midnight, UTC)."""
    value = value.strip()
    try:
        moment = parse_datetime(value)
        if moment is None and parse_date(value) is not None:
            moment = datetime.combine(parse_date(value), time.min)
    except ValueError:
        moment = None
    if moment is None or not 1900 <= moment.year <= 9998:
        raise serializers.ValidationError({"since": [SINCE_MESSAGE]})
    return timezone.make_aware(moment, UTC) if timezone.is_naive(moment) else moment


class ChangesParams(serializers.Serializer):
    since = serializers.CharField(required=False, max_length=64, help_text="Changes at or after this time (ISO 8601).")
    cursor = serializers.CharField(required=False, max_length=200, help_text="From a page's `next_cursor`.")
    page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE)

    def validate(self, data):
        if "cursor" in data:
            data["position"] = decode_cursor(data["cursor"])
        elif "since" in data:
            data["position"] = (parse_since(data["since"]), 0)  # ids start at 1: `since` is inclusive
        else:
            raise serializers.ValidationError({"since": ["Enter since (a date and time), or a cursor"]})
        return data


def change_items(rows, request):
    """Rows of the feed as items: a published record in full (one query for the
    page), a withdrawn one as a tombstone."""
    paths = evaluation_paths(request)
    shown = [row["id"] for row in rows if row["visibility"] != Visibility.WITHDRAWN]
    published = {row["id"]: row for row in record_rows(shown)}
    items = []
    for row in rows:
        item = {"slug": row["slug"], "changed_at": _TIME.to_representation(row["updated_at"]),
                "api_url": paths["api"](row["slug"])}
        if row["visibility"] == Visibility.WITHDRAWN:
            item |= {"change": "withdrawn", "withdrawn_at": _TIME.to_representation(row["withdrawn_at"]),
                     "reason": row["withdrawn_reason"]}
        else:
            # Publishing a revision is the only way a published record changes, and it
            # raises the version: version 1 is the record's first publication.
            item |= {"change": "created" if row["version"] == 1 else "updated", "version": row["version"],
                     "record": evaluation_representation(published[row["id"]], request, paths)}
        items.append({"change": item.pop("change"), **item})
    return items


CHANGE_ITEM_FIELDS = {
    "change": serializers.ChoiceField(choices=["created", "updated", "withdrawn"]),
    "slug": serializers.CharField(),
    "changed_at": serializers.DateTimeField(),
    "api_url": serializers.URLField(),
    "version": serializers.IntegerField(required=False),
    "record": serializers.JSONField(required=False, help_text="Created and updated: the record as /evaluations/ "
                                                              "gives it."),
    "withdrawn_at": serializers.DateTimeField(required=False),
    "reason": serializers.CharField(required=False, help_text="Withdrawn: why."),
}


class ChangesView(ConditionalMixin, APIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Records created, updated and withdrawn since a time",
        description="In the order they last changed, oldest first; follow `next` while `more` is true, and keep "
                    "the last `next_cursor` to resume later. A record changed again moves to its new place, so "
                    "nothing is missed or repeated. Only changes older than `horizon` are served (newer ones "
                    "may still be committing); drafts never.",
        parameters=[ChangesParams],
        responses={
            200: inline_serializer("Changes", {
                "items": inline_serializer("Change", CHANGE_ITEM_FIELDS, many=True),
                "more": serializers.BooleanField(),
                "next_cursor": serializers.CharField(),
                "next": serializers.URLField(),
                "horizon": serializers.DateTimeField(),
            }),
            400: OpenApiResponse(ErrorSerializer, description="A bad since, cursor or page size."),
        },
    )
    def get(self, request):
        params = ChangesParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        size, position = params.validated_data["page_size"], params.validated_data["position"]
        until = horizon()
        rows = changes_after(position, until=until, limit=size + 1)
        more, rows = len(rows) > size, rows[:size]
        if rows:
            position = (rows[-1]["updated_at"], rows[-1]["id"])
        cursor = encode_cursor(*position)
        return Response({
            "items": change_items(rows, request),
            "more": more,
            "next_cursor": cursor,
            "next": request.build_absolute_uri(
                f"{reverse('api-changes')}?{urlencode({'cursor': cursor, 'page_size': size})}"
            ),
            "horizon": _TIME.to_representation(until),
        })


@extend_schema(
    summary="What the API offers",
    description="Links to each list, the change feed and the dump, the API's version and when a public record "
                "last changed.",
    responses={200: inline_serializer("ApiRoot", {
        "api_version": serializers.CharField(),
        "latest_change": serializers.DateTimeField(allow_null=True),
        "changes": serializers.URLField(),
        "dump": serializers.URLField(help_text="The whole public registry as CSV and JSON Lines."),
    })},
)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request):
    """The index of registry/api/views.py with the version, the latest change and the feed."""
    # The index's own function, called without its wrapper: one request, one throttle count.
    listing = views.api_index.cls.get(None, request).data
    latest = latest_change()
    return Response({
        "api_version": API_VERSION,
        "latest_change": _TIME.to_representation(latest) if latest else None,
        **listing,
        "changes": request.build_absolute_uri(reverse("api-changes")),
        "dump": request.build_absolute_uri(reverse("api-dump")),
    })
