"""A record's published versions: /api/v1/evaluations/<slug>/versions/ and
/versions/<n>/. Each version is the record exactly as the API served it when it
was published (registry/services/versions.py stores it whole), so a harvester
can cite the version it read. Drafts have no versions, whoever asks."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.api.serializers import ErrorSerializer
from registry.api.views import ConditionalMixin, Gone
from registry.models.evaluations import Visibility
from registry.selectors.versions import record_for_versions, version_and_previous, version_list

# Keys of a stored record that hold a site-relative address (made absolute when served).
ADDRESS_KEYS = ("url", "api_url", "documents_url", "download_url")

ERRORS = {
    404: OpenApiResponse(ErrorSerializer, description="No published record has this slug, or no such version."),
    410: OpenApiResponse(ErrorSerializer, description="The record was withdrawn."),
}
SLUG = OpenApiParameter("slug", str, OpenApiParameter.PATH, required=True, pattern="^[-a-zA-Z0-9_]+$")
VERSION_FIELDS = {
    "number": serializers.IntegerField(help_text="The record's version number (as in its `version`)."),
    "label": serializers.CharField(help_text='Major and minor, "2.1": title, methods, stage or findings '
                                             "changed make a major version; anything else a minor one."),
    "kind": serializers.ChoiceField(choices=["major", "minor"]),
    "published_at": serializers.DateTimeField(),
    "published_by": serializers.CharField(help_text="A role and department, never a person."),
    "change_note": serializers.CharField(),
    "changed_fields": serializers.ListField(child=serializers.CharField()),
    "api_url": serializers.URLField(),
}


def absolute(value, request):
    """A stored record with its addresses made absolute for this request's host."""
    if isinstance(value, dict):
        return {
            key: request.build_absolute_uri(item)
            if key in ADDRESS_KEYS and isinstance(item, str) and item.startswith("/")
            else absolute(item, request)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [absolute(item, request) for item in value]
    return value


def difference(previous, version):
    """Field by field, what `version` changed from `previous` (none for the first)."""
    if previous is None:
        return []
    before, after = previous.record, version.record
    return [{"field": name, "before": before.get(name), "after": after.get(name)} for name in version.changed_fields]


class VersionsMixin(ConditionalMixin):
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def evaluation_id(self, slug):
        found = record_for_versions(slug)
        if found is None:
            raise NotFound("No published evaluation has this slug.")
        pk, visibility, reason = found
        if visibility == Visibility.WITHDRAWN:
            raise Gone(f"This evaluation has been withdrawn. {reason}".strip())
        return pk

    def summary(self, version, slug):
        return {
            "number": version.number,
            "label": version.label,
            "kind": version.kind,
            "published_at": serializers.DateTimeField().to_representation(version.published_at),
            "published_by": version.published_by,
            "change_note": version.change_note,
            "changed_fields": version.changed_fields,
            "api_url": self.request.build_absolute_uri(
                reverse("evaluation-version", kwargs={"slug": slug, "number": version.number})
            ),
        }


class VersionListView(VersionsMixin, APIView):
    @extend_schema(
        summary="An evaluation's published versions",
        operation_id="evaluations_versions_list",
        parameters=[SLUG],
        description="Every published version, oldest first. Drafts and revisions in progress are never listed.",
        responses={200: inline_serializer("VersionList", {
            "slug": serializers.CharField(),
            "versions": inline_serializer("VersionSummary", VERSION_FIELDS, many=True),
        }), **ERRORS},
    )
    def get(self, request, slug):
        versions = list(version_list(self.evaluation_id(slug)))
        self.last_modified = versions[-1].published_at if versions else None
        return Response({"slug": slug, "versions": [self.summary(v, slug) for v in versions]})


class VersionDetailView(VersionsMixin, APIView):
    @extend_schema(
        summary="One published version of an evaluation",
        parameters=[SLUG, OpenApiParameter("number", int, OpenApiParameter.PATH, required=True)],
        description="The record as the API served it when this version was published, and what changed "
                    "from the version before (`changes`: field, before, after).",
        responses={200: inline_serializer("Version", {
            **VERSION_FIELDS,
            "record": serializers.JSONField(help_text="As /evaluations/<slug>/ gave it then."),
            "previous": serializers.URLField(allow_null=True),
            "changes": serializers.JSONField(),
        }), **ERRORS},
    )
    def get(self, request, slug, number):
        version, previous = version_and_previous(self.evaluation_id(slug), number)
        if version is None:
            raise NotFound(f"This evaluation has no published version {number}.")
        self.last_modified = version.published_at
        return Response({
            **self.summary(version, slug),
            "previous": self.summary(previous, slug)["api_url"] if previous else None,
            "changes": absolute(difference(previous, version), request),
            "record": absolute(version.record, request),
        })

