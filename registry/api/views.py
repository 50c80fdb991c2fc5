"""API views: each translates HTTP to a selector or service call and back.

Visibility comes from registry.selectors (drafts are never in a queryset a
visitor can reach); formats, pagination, throttling and errors from settings.
"""

import hashlib

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticatedOrReadOnly
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import permissions, quality, selectors
from registry.api import filters as api_filters
from registry.api import serializers as s
from registry.api import stored
from registry.api.pagination import CursorOrPagePagination
from registry.api.permissions import CanEditEvaluation, IsContributorToCreate
from registry.api.renderers import (
    EvaluationCSVRenderer,
    FindingCSVRenderer,
    JSONLDRenderer,
    RenderedResults,
    SplicingJSONRenderer,
)
from registry.models import Department, DesignType, Evaluation, Organisation, Place, PolicyArea, Programme
from registry.models.evaluations import Visibility
from registry.search import SearchQuery
from registry.search.duplicates import likely_duplicates_of
from registry.selectors import document_rows, finding_rows, record_rows
from registry.selectors.named_values import named_in_records_seen
from registry.services import named_values, workflow
from registry.services.versions import CHANGE_NOTE_LENGTH

JSON_ERRORS = {
    (400, "application/json"): OpenApiResponse(s.ErrorSerializer, description="Invalid input: a message per field."),
    (404, "application/json"): OpenApiResponse(
        s.ErrorSerializer, description="Nothing at this address (or not visible to you)."
    ),
    (429, "application/json"): OpenApiResponse(s.ErrorSerializer, description="Too many requests; see Retry-After."),
}
WRITE_ERRORS = {
    **JSON_ERRORS,
    (401, "application/json"): OpenApiResponse(s.ErrorSerializer, description="Sign in: send a token or session."),
    (403, "application/json"): OpenApiResponse(s.ErrorSerializer, description="You may not change this record."),
}


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This evaluation has been withdrawn."
    default_code = "gone"


class NoNullCharactersMixin:
    """Query parameters with a NUL character get a 400 with a message; the
    database would otherwise fail on them (PostgreSQL refuses NUL in text)."""

    def initial(self, request, *args, **kwargs):
        bad = sorted({key for key, value in request.query_params.lists() for v in [key, *value] if "\x00" in v})
        if bad:
            raise serializers.ValidationError({key.replace("\x00", ""): ["Remove the null character."] for key in bad})
        super().initial(request, *args, **kwargs)


class ConditionalMixin(NoNullCharactersMixin):
    """ETag (a hash of the body) and Last-Modified on successful reads; 304 when
    the client already holds this representation."""

    last_modified = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # What a client sees depends on who asks and in which format.
        patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
        if request.method not in ("GET", "HEAD") or response.status_code != 200 or not isinstance(response, Response):
            return response
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["ETag"] = etag
        modified = None
        if self.last_modified is not None:
            modified = int(self.last_modified.timestamp())
            response["Last-Modified"] = http_date(modified)
        return get_conditional_response(request, etag=etag, last_modified=modified, response=response)

    def note_last_modified(self, objects):
        stamps = [obj.updated_at for obj in objects if getattr(obj, "updated_at", None)]
        self.last_modified = max(stamps) if stamps else None


class ConditionalListMixin(ConditionalMixin):
    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.note_last_modified(page if page is not None else [])
        return page


# Evaluations ---------------------------------------------------------------------


class PublishSerializer(serializers.Serializer):
    change_note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=CHANGE_NOTE_LENGTH,
        help_text="What changed, for readers of the record's versions (optional).")


class SubmitSerializer(serializers.Serializer):
    change_note = serializers.CharField(
        required=False, allow_blank=True, max_length=CHANGE_NOTE_LENGTH,
        help_text="What has changed, in a sentence: needed when the record is a revision of a published "
        "record, and published with its version.")


class IsModerator(BasePermission):
    message = "Only moderators can publish records."

    def has_permission(self, request, view):
        return permissions.can_review(request.user)


EVALUATION_FORMATS = [SplicingJSONRenderer, EvaluationCSVRenderer, JSONLDRenderer]
FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "csv", "jsonld"], description="Response format (or use the Accept header)."
)
CSV_RESPONSE = OpenApiResponse(OpenApiTypes.STR, description="CSV with a header row: one row per item.")
JSONLD_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description="schema.org JSON-LD: a Report, or an ItemList of Reports for a list."
)


def in_formats(status_code, serializer, *, csv=True, jsonld=True):
    """The same response in each format the view offers (the schema lists each media type)."""
    responses = {(status_code, "application/json"): serializer}
    if csv:
        responses[(status_code, "text/csv")] = CSV_RESPONSE
    if jsonld:
        responses[(status_code, "application/ld+json")] = JSONLD_RESPONSE
    return responses


CODE_PARAMETERS = [
    OpenApiParameter("department", str, description="Department code: records it leads or joins."),
    OpenApiParameter("type", str, description="Evaluation type code (a root of /methods/), with its methods."),
    OpenApiParameter("method", str, description="Method code; a type or method includes those under it."),
    OpenApiParameter("policy_area", str, description="Policy area code; a parent area includes its children."),
]


@extend_schema_view(
    list=extend_schema(
        summary="List evaluations",
        description="Published evaluations (and, for staff, every record), filtered and ordered. "
        "`q` searches the full text with the site's search engine; other filters narrow the results.",
        parameters=[FORMAT_PARAMETER, *CODE_PARAMETERS],
        responses={
            **in_formats(200, s.EvaluationSerializer(many=True)),
            **JSON_ERRORS,
            (503, "application/json"): OpenApiResponse(s.ErrorSerializer, description="Search (q) unavailable."),
        },
    ),
    retrieve=extend_schema(
        summary="One evaluation",
        description="The record's owner, co-editors and moderators also get `quality_warnings`: what the "
        "checks before publishing found.",
        parameters=[FORMAT_PARAMETER],
        responses={
            **in_formats(200, s.EvaluationForEditorsSerializer),
            **JSON_ERRORS,
            (410, "application/json"): OpenApiResponse(s.ErrorSerializer, description="The record was withdrawn."),
        },
    ),
    create=extend_schema(
        summary="Create a draft evaluation",
        description="Creates a draft owned by you. Drafts are not public until a moderator publishes them "
        "(submit them with `POST .../submit/`). The answer says what the checks before publishing found "
        "(`quality_warnings`) and which published records look like this one (`likely_duplicates`): "
        "warnings, never refusals.",
        request=s.EvaluationWriteSerializer,
        responses={**in_formats(201, s.EvaluationWrittenSerializer), **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace an evaluation's fields",
        description="Owners may change their records while draft or returned for changes; staff any record.",
        request=s.EvaluationWriteSerializer,
        responses={**in_formats(200, s.EvaluationWrittenSerializer), **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some of an evaluation's fields",
        request=s.EvaluationWriteSerializer,
        responses={**in_formats(200, s.EvaluationWrittenSerializer), **WRITE_ERRORS},
    ),
)
class EvaluationViewSet(
    ConditionalListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    renderer_classes = EVALUATION_FORMATS
    permission_classes = [IsAuthenticatedOrReadOnly, IsContributorToCreate, CanEditEvaluation]
    filter_backends = [api_filters.EvaluationFilterBackend, api_filters.StableOrderingFilter]
    filterset_class = api_filters.ApiEvaluationFilter
    ordering_fields = ["title", "updated_at", "created_at", "published_at"]
    ordering = ["title"]
    pagination_class = CursorOrPagePagination
    queryset = Evaluation.objects.none()  # for the schema; get_queryset decides what anyone sees

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.EvaluationWriteSerializer
        return s.EvaluationSerializer

    def get_queryset(self):
        user = self.request.user
        if self.action in ("update", "partial_update", "submit"):
            # An owner reaches their own records to change them; the permission decides if they may.
            return selectors.visible_evaluations(user) | Evaluation.objects.filter(owner_id=user.pk)
        # A list is filtered, ordered and cut into pages on the records' own rows;
        # `list` then fetches the relations of one page only.
        return selectors.visible_evaluations(user)

    def list(self, request, *args, **kwargs):
        """A page is cut on ids alone (counted in the same query), then its records
        are read as plain rows in one more query (registry.selectors.record_rows).
        At 10,000 records, sorting the whole filtered table with every column and the
        department and programme joined took 12 ms; prefetching 20 records as model
        instances took eleven round trips and three times as long in Python as in
        the database."""
        # Ordering is not a filter; a search (q) or its order (sort) is.
        self.unfiltered = not set(request.query_params) & {*self.filterset_class.base_filters, "q", "sort"}
        ids = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        if stored.enabled() and isinstance(request.accepted_renderer, SplicingJSONRenderer):
            # JSON on PostgreSQL: the records' bodies as stored (registry/api/stored.py).
            bodies, self.last_modified = stored.page_bodies(list(ids), request)
            return self.get_paginated_response(RenderedResults(bodies))
        rows = record_rows(ids)
        self.last_modified = max((row["updated_at"] for row in rows), default=None)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request, slug=None):
        """Two queries: is the record visible, then the record as a row (as a list
        page reads it). A withdrawn record its reader may not see answers 410."""
        pk = selectors.visible_evaluations(request.user).filter(slug=slug).values_list("id", flat=True).first()
        if pk is None:
            withdrawn = Evaluation.objects.filter(slug=slug, visibility=Visibility.WITHDRAWN).first()
            if withdrawn is None:
                raise NotFound("No evaluation has this slug.")
            raise Gone(f"This evaluation has been withdrawn. {withdrawn.withdrawn_reason}".strip())
        response = self._respond_with_record(pk, status.HTTP_200_OK, location=False)
        found = quality.problems_for_editor(request.user, pk)  # None unless this user edits the record
        if found is not None:
            response.data["quality_warnings"] = _problems(found)
        return response

    def _respond_with_record(self, pk, status_code, *, location=True):
        (row,) = record_rows([pk])
        self.last_modified = row["updated_at"]
        data = s.EvaluationSerializer(row, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers={"Location": data["api_url"]} if location else None)

    def _respond_to_write(self, evaluation, status_code, *, location=True):
        """The record as saved, with what the checks before publishing found and the published
        records that look like it (the same evaluation sent twice, or entered by another
        team): warnings the client can show, never refusals."""
        request = self.request
        response = self._respond_with_record(evaluation.pk, status_code, location=location)
        # The write service checked the record as it saved it; ask again only if it did not say.
        found = getattr(evaluation, "quality_problems", None)
        if found is None:
            found = quality.problems_for_editor(request.user, evaluation.pk) or []
        response.data["quality_warnings"] = _problems(found)
        response.data["likely_duplicates"] = [
            {"slug": d.slug, "title": d.title, "url": request.build_absolute_uri(d.url),
             "api_url": request.build_absolute_uri(reverse("evaluation-detail", kwargs={"slug": d.slug}))}
            for d in likely_duplicates_of(evaluation)
        ]
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation = _as_api_errors(named_values.create_record, serializer.validated_data, by=request.user)
        return self._respond_to_write(evaluation, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        evaluation = self.get_object()
        serializer = self.get_serializer(evaluation, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        evaluation = _as_api_errors(named_values.update_record, evaluation, serializer.validated_data, by=request.user)
        return self._respond_to_write(evaluation, status.HTTP_200_OK, location=False)

    @extend_schema(
        summary="Submit a draft for review",
        description="Sends a draft (or a record returned for changes) to the moderators, as “Submit for review” "
        "on the website does. Refused with a 400 naming what to change while an answer is missing or a "
        "blocking check fails (see `quality_warnings`); warnings do not stop it.",
        request=SubmitSerializer,
        responses={200: s.EvaluationForEditorsSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], renderer_classes=[JSONRenderer])
    def submit(self, request, slug=None):
        evaluation = self.get_object()  # CanEditEvaluation: its owner or co-editor (or a moderator)
        params = SubmitSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        note = params.validated_data.get("change_note")
        _as_api_errors(workflow.submit, evaluation, by=request.user, change_note=note)
        return self._respond_to_editor(evaluation.pk)

    @extend_schema(
        summary="Publish a submitted record (moderators)",
        description="Publishes a submitted record, as the review page's Publish does; a revision is applied "
        "to the record it revises, which keeps its address. Refused with a 400 while a blocking check fails.",
        request=PublishSerializer,
        responses={200: s.EvaluationForEditorsSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], renderer_classes=[JSONRenderer],
            permission_classes=[IsAuthenticatedOrReadOnly, IsModerator])
    def publish(self, request, slug=None):
        evaluation = self.get_object()
        params = PublishSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        note = params.validated_data["change_note"]
        published = _as_api_errors(workflow.publish, evaluation, by=request.user, note=note)
        return self._respond_to_editor(published.pk)

    def _respond_to_editor(self, pk):
        response = self._respond_with_record(pk, status.HTTP_200_OK, location=False)
        response.data["quality_warnings"] = _problems(quality.problems_for_editor(self.request.user, pk) or [])
        return response


def _problems(found):
    """registry.quality's problems as the API's `quality_warnings`."""
    return [{"code": p.code, "level": p.level, "field": p.field, "message": p.message} for p in found]


def _as_api_errors(service, *args, **kwargs):
    """A service's refusal (the model's or registry.rules' ValidationError) as the API's 400.
    The serializer has checked the same rules first, so this answers only what it could not see."""
    try:
        return service(*args, **kwargs)
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        raise serializers.ValidationError(detail) from error


# Findings -----------------------------------------------------------------------


def evaluation_filter_parameters():
    """The evaluation filters, described for the findings endpoint (which applies them to records)."""
    names = [name for name in api_filters.ApiEvaluationFilter.base_filters if name not in ("sort", "q")]
    return [OpenApiParameter(name, str, description=f"As on /evaluations/: {name}.") for name in names] + [
        OpenApiParameter("evaluation", str, description="Only the findings of the record with this slug."),
        OpenApiParameter("format", str, enum=["json", "csv"], description="Response format (or use Accept)."),
    ]


@extend_schema_view(
    list=extend_schema(
        summary="List findings",
        description="One item per structured finding of the published records, with numbers as numbers. "
        "Accepts the evaluation filters; `/api/v1/findings.csv` gives a spreadsheet.",
        parameters=evaluation_filter_parameters(),
        responses={**in_formats(200, s.FindingRowSerializer(many=True), jsonld=False), **JSON_ERRORS},
    )
)
class FindingViewSet(ConditionalMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    renderer_classes = [JSONRenderer, FindingCSVRenderer]
    serializer_class = s.FindingRowSerializer
    filter_backends = []

    def get_queryset(self):
        evaluations = selectors.visible_evaluations(self.request.user)
        params = self.request.query_params.copy()
        params.pop("q", None)
        slug = params.pop("evaluation", [None])[-1]
        filterset = api_filters.ApiEvaluationFilter(params, queryset=evaluations, request=self.request)
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        evaluations = filterset.qs
        if slug:
            evaluations = evaluations.filter(slug=slug)
        return finding_rows(evaluations)


# Documents ----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List documents",
        parameters=[
            OpenApiParameter(
                "evaluation", str, description="Only the documents of the record with this slug (its `documents_url`)."
            )
        ],
        responses={200: s.DocumentSerializer(many=True), **JSON_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One document, with its text", responses={200: s.DocumentDetailSerializer, **JSON_ERRORS}
    ),
)
class DocumentViewSet(ConditionalListMixin, viewsets.ReadOnlyModelViewSet):
    """Documents behind the records, visible once a record they support is published."""

    def get_queryset(self):
        slug = self.request.query_params.get("evaluation", "").strip() if self.action == "list" else ""
        if slug:
            # A record this user may not see (or no record) gives an empty list, never its documents.
            queryset = selectors.documents_of_evaluation(slug, self.request.user)
        else:
            queryset = selectors.visible_documents(self.request.user)
        return document_rows(queryset, self.request.user, with_text=self.action == "retrieve")

    def get_serializer_class(self):
        return s.DocumentDetailSerializer if self.action == "retrieve" else s.DocumentSerializer

    def retrieve(self, request, *args, **kwargs):
        document = self.get_object()
        self.last_modified = document.updated_at
        return Response(self.get_serializer(document).data)

    @extend_schema(
        summary="Download a document's original file",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **JSON_ERRORS,
        },
    )
    @action(detail=True, url_path="download", url_name="download", renderer_classes=[JSONRenderer])
    def download(self, request, pk=None):
        document = selectors.visible_documents(request.user).defer("text").filter(pk=pk).first()
        if document is None or not document.file:
            raise NotFound("This document has no file to download.")
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            raise NotFound("The file for this document is missing.") from exc
        return FileResponse(
            handle,
            as_attachment=True,
            filename=document.original_filename or document.file.name.rsplit("/", 1)[-1],
            content_type=document.media_type or "application/octet-stream",
        )


# Vocabularies -------------------------------------------------------------------


def vocabulary_viewset(model, serializer, lookup, summary, *, order, select=(), regex="[-a-zA-Z0-9_]+", paginate=True,
                       named_by_contributors=False):
    """A read-only list and detail over a vocabulary table, looked up by its code or slug.
    `named_by_contributors`: rows a write may add by name, listed as
    registry.selectors.named_values.named_in_records_seen says."""
    description = "Those named only by records you may not see (someone else's draft) are left out." \
        if named_by_contributors else None

    @extend_schema_view(
        list=extend_schema(summary=f"List {summary}", description=description,
                           responses={200: serializer(many=True), **JSON_ERRORS}),
        retrieve=extend_schema(summary=f"One of the {summary}", responses={200: serializer, **JSON_ERRORS}),
    )
    class VocabularyViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
        queryset = model.objects.select_related(*select).order_by(*order)
        serializer_class = serializer
        lookup_field = lookup
        lookup_value_regex = regex
        permission_classes = [AllowAny]

        def get_queryset(self):
            queryset = super().get_queryset()
            return named_in_records_seen(queryset, self.request.user) if named_by_contributors else queryset

    if not paginate:
        VocabularyViewSet.pagination_class = None
    VocabularyViewSet.__name__ = VocabularyViewSet.__qualname__ = f"{model.__name__}ViewSet"
    return VocabularyViewSet


DepartmentViewSet = vocabulary_viewset(Department, s.DepartmentSerializer, "code", "departments", order=("name", "id"))
PolicyAreaViewSet = vocabulary_viewset(
    PolicyArea,
    s.PolicyAreaSerializer,
    "code",
    "policy areas",
    order=("label", "id"),
    select=("parent",),
    regex="[-a-zA-Z0-9_]+(?:/[-a-zA-Z0-9_]+)?",
)
OrganisationViewSet = vocabulary_viewset(
    Organisation, s.OrganisationSerializer, "slug", "organisations", order=("name", "id")
)
ProgrammeViewSet = vocabulary_viewset(
    Programme, s.ProgrammeSerializer, "slug", "programmes", order=("name", "id"), named_by_contributors=True
)
PlaceViewSet = vocabulary_viewset(
    Place, s.PlaceSerializer, "slug", "places", order=("name", "id"), named_by_contributors=True
)
_MethodBase = vocabulary_viewset(
    DesignType,
    s.DesignTypeSerializer,
    "code",
    "evaluation types and methods",
    order=("position", "id"),
    select=("parent",),
    paginate=False,
)


class DesignTypeViewSet(_MethodBase):
    """The type/method tree: roots are evaluation types, each node names its parent and children."""

    def get_serializer_context(self):
        children = {}
        for code, parent_id in DesignType.objects.order_by("position").values_list("code", "parent_id"):
            if parent_id:
                children.setdefault(parent_id, []).append(code)
        return {**super().get_serializer_context(), "children": children}


# Search ---------------------------------------------------------------------------


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=500, default="", help_text="Words to find.")
    scope = serializers.ChoiceField(
        choices=["all", "evaluation", "document"], default="all", help_text="Which kinds of hit to return."
    )
    sort = serializers.ChoiceField(choices=["relevance", "newest", "oldest"], default="relevance")
    page = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=100, default=20)
    correct = serializers.BooleanField(
        default=True, help_text="false: search the words as typed, even when a corrected spelling would find "
                                "results and they find none.")


SEARCH_FILTERS = (
    "type",
    "method",
    "department",
    "stage",
    "year",
    "kind",
    "programme",
    "place",
    "policy_area",
    "organisation",
)


class SearchView(ConditionalMixin, APIView):
    """Ranked hits with highlighted snippets and facet counts, from the engine the website uses.
    Only published records (and documents they link) are ever in the index."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Search evaluations and documents",
        parameters=[SearchParamsSerializer]
        + [
            OpenApiParameter(name, str, many=True, description=f"Narrow by {name.replace('_', ' ')} (repeatable).")
            for name in SEARCH_FILTERS
        ],
        responses={
            200: s.SearchResultsSerializer,
            **JSON_ERRORS,
            (503, "application/json"): OpenApiResponse(s.ErrorSerializer, description="Search unavailable."),
        },
    )
    def get(self, request):
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = {}
        for name in SEARCH_FILTERS:
            values = [v.strip() for v in request.query_params.getlist(name) if v.strip()]
            if any(len(v) > 200 for v in values):
                raise serializers.ValidationError({name: ["Each value must be at most 200 characters."]})
            if values:
                filters[name] = values
        kinds = ("evaluation", "document") if data["scope"] == "all" else (data["scope"],)
        results = api_filters.search(
            SearchQuery(
                text=data["q"],
                filters=filters,
                kinds=kinds,
                sort=data["sort"],
                page=data["page"],
                page_size=data["page_size"],
                correct=data["correct"],
            )
        )
        return Response(self.present(results, data))

    def present(self, results, data):
        request = self.request

        def api_url(hit):
            if hit.kind == "evaluation":
                return request.build_absolute_uri(reverse("evaluation-detail", kwargs={"slug": hit.slug}))
            return request.build_absolute_uri(reverse("document-detail", kwargs={"pk": hit.pk}))

        return {
            "total": results.total,
            "page": data["page"],
            "page_size": data["page_size"],
            "suggestion": results.suggestion or "",
            "corrected_from": results.corrected_from or "",
            "corrected_to": results.corrected_to or "",
            "relaxed": bool(results.relaxed),
            "error": results.error or "",
            "hits": [
                {
                    "kind": hit.kind,
                    "id": hit.pk,
                    "slug": hit.slug or "",
                    "title": hit.title,
                    "url": request.build_absolute_uri(hit.url),
                    "api_url": api_url(hit),
                    "score": float(hit.score or 0),
                    "snippet": hit.snippet or "",
                    "extra": {k: v for k, v in (hit.extra or {}).items()},
                }
                for hit in results.hits
            ],
            "facets": {
                name: [{"value": str(f.value), "label": str(f.label), "count": int(f.count)} for f in values]
                for name, values in (results.facets or {}).items()
            },
        }


# Index ----------------------------------------------------------------------------


@extend_schema(
    summary="What the API offers",
    responses={
        200: inline_serializer(
            "ApiIndex",
            {
                name: serializers.URLField()
                for name in (
                    "evaluations",
                    "findings",
                    "documents",
                    "departments",
                    "methods",
                    "policy_areas",
                    "organisations",
                    "programmes",
                    "places",
                    "search",
                    "schema",
                    "docs",
                )
            },
        )
    },
)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_index(request):
    def url(name):
        return request.build_absolute_uri(reverse(name))

    return Response(
        {
            "evaluations": url("evaluation-list"),
            "findings": url("finding-list"),
            "documents": url("document-list"),
            "departments": url("department-list"),
            "methods": url("designtype-list"),
            "policy_areas": url("policyarea-list"),
            "organisations": url("organisation-list"),
            "programmes": url("programme-list"),
            "places": url("place-list"),
            "search": url("api-search"),
            "schema": url("api-schema"),
            "docs": url("api-docs"),
        }
    )
