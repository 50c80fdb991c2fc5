"""The on-demand dump: /api/v1/dump/ answers with a manifest of the whole public
registry as CSV and JSON Lines (written then, or the last one again when
nothing public has changed: registry/dumps.py), and /api/v1/dump/<id>/<file>
serves its files."""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.api.serializers import ErrorSerializer
from registry.api.views import NoNullCharactersMixin
from registry.dumps import DUMP_FILES, dump_file, dump_for_request

# By extension; SHA256SUMS (no extension) is plain text.
MEDIA_TYPES = {"jsonl": "application/jsonl", "csv": "text/csv", "json": "application/json", "": "text/plain"}


class DumpView(NoNullCharactersMixin, APIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="The whole public registry, for download",
        description="Records, findings and documents' metadata as JSON Lines (as the API's lists give them) and "
                    "CSV, from one consistent snapshot, with each file's SHA-256. Written when the public registry "
                    "has changed since the last dump; otherwise the last one. Drafts are never in it.",
        responses={200: inline_serializer("Dump", {
            "dump_id": serializers.CharField(),
            "snapshot_at": serializers.DateTimeField(),
            "latest_change": serializers.DateTimeField(allow_null=True),
            "changes_since": serializers.DateTimeField(
                help_text="Every change before this time is in the dump: carry on with /changes/?since= it."),
            "counts": serializers.DictField(child=serializers.IntegerField()),
            "files": inline_serializer("DumpFile", {
                "name": serializers.CharField(), "items": serializers.IntegerField(),
                "bytes": serializers.IntegerField(), "sha256": serializers.CharField(), "url": serializers.URLField(),
            }, many=True),
            "checksums": serializers.URLField(),
        })},
    )
    def get(self, request):
        dump_id, manifest = dump_for_request(request.build_absolute_uri("/"))

        def url(name):
            return request.build_absolute_uri(reverse("api-dump-file", kwargs={"dump_id": dump_id, "name": name}))

        return Response({
            "dump_id": dump_id,
            **manifest,
            "files": [{**f, "url": url(f["name"])} for f in manifest["files"]],
            "checksums": url("SHA256SUMS"),
            "manifest": url("manifest.json"),
        })


class DumpFileView(NoNullCharactersMixin, APIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="One file of a dump",
        operation_id="dump_file_retrieve",
        parameters=[
            OpenApiParameter("dump_id", str, OpenApiParameter.PATH, required=True, pattern="^[0-9A-Za-z-]+$",
                             description="As /dump/ names it."),
            OpenApiParameter("name", str, OpenApiParameter.PATH, required=True, enum=list(DUMP_FILES)),
        ],
        responses={
            **{
                (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=f"A .{extension} file.")
                for extension, media_type in MEDIA_TYPES.items()
            },
            (404, "application/json"): OpenApiResponse(ErrorSerializer, description="No such dump or file "
                                                                                    "(dumps are kept a while)."),
        },
    )
    def get(self, request, dump_id, name):
        path = dump_file(dump_id, name)
        if path is None:
            raise NotFound("No such dump file. Dumps are kept a while: ask /api/v1/dump/ for the current one.")
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=MEDIA_TYPES[extension])
