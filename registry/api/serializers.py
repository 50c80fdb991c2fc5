"""How records and vocabularies look in the API.

Read serializers touch only the relations `registry.selectors.record_rows` (and
`registry.selectors.evaluation_detail`) fetch, so rendering a page of records
never runs a query per row. URLs are absolute so a record can be used on its own.
"""


from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registry import rules
from registry.forms.journey import MAX_PLACES
from registry.models import (
    Department,
    DesignType,
    Document,
    Evaluation,
    EvaluationDesign,
    EvaluationOrganisation,
    EventDate,
    Finding,
    Link,
    Organisation,
    Place,
    PolicyArea,
    Programme,
)
from registry.models.evaluations import OrganisationRole, Stage, http_url_validator
from registry.models.findings import FINDING_VALUE_FIELDS
from registry.representation import (  # noqa: F401  (record_row and evaluation_representation: the API's too)
    absolute,
    documents_url,
    evaluation_paths,
    evaluation_representation,
    record_row,
)
from registry.selectors.named_values import named_in_records_seen
from registry.services.named_values import NAME_MAX, NewName, same_name, tidy_name


class AbsoluteUrlsMixin(serializers.Serializer):
    """`url` (the page a person reads) and `api_url` (this resource in the API)."""

    url = serializers.SerializerMethodField(help_text="The record's page on the registry website.")
    api_url = serializers.SerializerMethodField(help_text="This resource in the API.")

    api_route = ""
    api_lookup = "pk"

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute(self.context.get("request"), obj.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, obj):
        path = reverse(self.api_route, kwargs={self.api_lookup: getattr(obj, self.api_lookup)})
        return absolute(self.context.get("request"), path)


# Vocabularies ---------------------------------------------------------------


class DepartmentSerializer(serializers.ModelSerializer):
    govuk_url = serializers.CharField(read_only=True, help_text="The department's GOV.UK page, or empty.")

    class Meta:
        model = Department
        fields = ["code", "name", "parent_group", "gov_id", "govuk_url"]


class DesignTypeSerializer(serializers.ModelSerializer):
    """A node of the type/method tree; `children` come from the tree the view loads once."""

    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    children = serializers.SerializerMethodField(help_text="Codes of the methods directly under this node.")
    is_type = serializers.BooleanField(read_only=True, help_text="True for evaluation types (roots of the tree).")

    class Meta:
        model = DesignType
        fields = [
            "code",
            "name",
            "is_type",
            "parent",
            "children",
            "collect_description",
            "position",
            "added_by_registry",
        ]

    def get_children(self, obj) -> list[str]:
        return self.context["children"].get(obj.id, [])


class PolicyAreaSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    govuk_url = serializers.CharField(read_only=True)

    class Meta:
        model = PolicyArea
        fields = ["code", "label", "display", "parent", "govuk_url"]


class OrganisationSerializer(serializers.ModelSerializer):
    govuk_url = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["slug", "name", "is_govuk", "format", "govuk_status", "govuk_url"]


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["slug", "name"]


class PlaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Place
        fields = ["slug", "name"]


# Rows of a record -------------------------------------------------------------


class DepartmentRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name"]


class PolicyAreaRefSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    parent_label = serializers.SerializerMethodField()

    class Meta:
        model = PolicyArea
        fields = ["code", "label", "parent", "parent_label"]

    def get_parent_label(self, obj) -> str:
        return obj.parent.label if obj.parent_id else ""


class DesignSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="design_type.code")
    name = serializers.CharField(source="design_type.name")
    parent = serializers.SerializerMethodField(
        help_text="Code of the type or method this one sits under; null for a type."
    )
    is_type = serializers.BooleanField(source="design_type.is_type")

    class Meta:
        model = EvaluationDesign
        fields = ["code", "name", "is_type", "parent", "description"]

    def get_parent(self, obj) -> str | None:
        return obj.design_type.parent.code if obj.design_type.parent_id else None


class OrganisationRoleSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")
    role_label = serializers.CharField(source="get_role_display")
    govuk_url = serializers.CharField(source="organisation.govuk_url")

    class Meta:
        model = EvaluationOrganisation
        fields = ["slug", "name", "role", "role_label", "govuk_url"]


class EventDateSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display")
    label = serializers.CharField(help_text="The category, or the description for Other events.")
    when = serializers.CharField(help_text="Month and year as the page shows them.")

    class Meta:
        model = EventDate
        fields = ["category", "category_label", "label", "description", "month", "year", "when", "status"]


class LinkSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Link
        fields = ["kind", "kind_label", "url", "title", "note"]


class DocumentRefSerializer(AbsoluteUrlsMixin, serializers.ModelSerializer):
    api_route = "document-detail"
    download_url = serializers.SerializerMethodField(help_text="The original file, when the registry keeps it.")

    class Meta:
        model = Document
        fields = ["id", "title", "kind", "year", "url", "api_url", "download_url"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, obj):
        if not obj.file:
            return None
        return absolute(self.context.get("request"), reverse("document-download", kwargs={"pk": obj.pk}))


class FindingSerializer(serializers.ModelSerializer):
    direction_label = serializers.CharField(source="get_direction_display")
    significance_label = serializers.CharField(source="get_significance_display")
    effect_size = serializers.DecimalField(max_digits=14, decimal_places=4, coerce_to_string=False, allow_null=True)
    ci_lower = serializers.DecimalField(max_digits=14, decimal_places=4, coerce_to_string=False, allow_null=True)
    ci_upper = serializers.DecimalField(max_digits=14, decimal_places=4, coerce_to_string=False, allow_null=True)
    ci_level = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True)
    p_value = serializers.DecimalField(max_digits=8, decimal_places=6, coerce_to_string=False, allow_null=True)
    source_document = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "position",
            "intervention",
            "outcome",
            "comparison",
            "direction",
            "direction_label",
            "effect_size",
            "effect_unit",
            "ci_lower",
            "ci_upper",
            "ci_level",
            "p_value",
            "sample_size",
            "significance",
            "significance_label",
            "statement",
            "source_document",
        ]

    @extend_schema_field(
        {"type": "object", "nullable": True, "properties": {"id": {"type": "integer"}, "title": {"type": "string"}}}
    )
    def get_source_document(self, obj):
        if obj.source_document_id is None:
            return None
        return {"id": obj.source_document.id, "title": obj.source_document.title}


class FindingRowSerializer(FindingSerializer):
    """A finding on its own (the findings endpoint): says which record it belongs to."""

    evaluation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    evaluation_title = serializers.CharField(source="evaluation.title")

    class Meta(FindingSerializer.Meta):
        fields = ["evaluation", "evaluation_title", *FindingSerializer.Meta.fields]


# Evaluations -------------------------------------------------------------------


class EvaluationSerializer(AbsoluteUrlsMixin, serializers.ModelSerializer):
    """Everything the record page shows."""

    api_route = "evaluation-detail"
    api_lookup = "slug"

    stage_label = serializers.SerializerMethodField()
    lead_department = DepartmentRefSerializer(allow_null=True)
    other_departments = DepartmentRefSerializer(many=True)
    programme = ProgrammeSerializer(allow_null=True)
    places = PlaceSerializer(many=True)
    policy_areas = PolicyAreaRefSerializer(many=True)
    designs = DesignSerializer(many=True, help_text="Evaluation types and methods, in the tree's order.")
    organisations = OrganisationRoleSerializer(many=True, source="organisation_roles")
    event_dates = EventDateSerializer(many=True)
    links = LinkSerializer(many=True)
    findings = FindingSerializer(many=True)
    documents = DocumentRefSerializer(
        many=True,
        source="first_documents",
        help_text="The record's first documents by title (at most 10); `documents_url` lists them all.",
    )
    documents_count = serializers.IntegerField(help_text="How many documents the record links.")
    documents_url = serializers.SerializerMethodField(help_text="All the record's documents, paginated.")
    cost_amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False, allow_null=True)

    class Meta:
        model = Evaluation
        fields = [
            "slug",
            "title",
            "url",
            "api_url",
            "summary",
            "summary_machine_written",
            "stage",
            "stage_label",
            "visibility",
            "lead_department",
            "other_departments",
            "programme",
            "places",
            "policy_areas",
            "designs",
            "organisations",
            "is_grant_funded",
            "grant_number",
            "is_major_project",
            "major_project_number",
            "cost_amount",
            "cost_price_year",
            "cost_note",
            "permission_to_share",
            "event_dates",
            "links",
            "findings",
            "documents",
            "documents_count",
            "documents_url",
            "version",
            "created_at",
            "updated_at",
            "published_at",
        ]

    def get_stage_label(self, obj) -> str:
        return obj.get_stage_display() if obj.stage else ""

    @extend_schema_field(OpenApiTypes.URI)
    def get_documents_url(self, obj):
        return absolute(self.context.get("request"), documents_url(obj.slug))

    def to_representation(self, instance):
        """The fields declared above, built by hand (`evaluation_representation`).

        DRF's generic path spent more time than the database on a list page: about
        360 nested field objects per record, each resolving its source through
        `getattr`, `inspect.signature` on every `get_*_display` and a deep copy of
        the nested serializers per record. The declarations stay as the
        contract (the OpenAPI schema, and `declared_representation`, which
        tests/api/test_representation.py compares this with field by field)."""
        row = instance if isinstance(instance, dict) else record_row(instance)
        request = self.context.get("request")
        # URL builders made once per response, shared by the records of a page.
        paths = self.context.get("record_paths")
        if paths is None:
            paths = self.context["record_paths"] = evaluation_paths(request)
        return evaluation_representation(row, request, paths)

    def declared_representation(self, instance):
        """DRF's own rendering of the declared fields: the reference the hand-built one must equal."""
        return super().to_representation(instance)


class QualityProblemSerializer(serializers.Serializer):
    """One finding of the checks a record passes before it is published (registry.quality),
    as "Check your answers" and the review page show them."""

    code = serializers.CharField(help_text="Which check found it: an identifier that stays when the wording changes.")
    level = serializers.ChoiceField(
        choices=["blocking", "warning"],
        help_text="blocking: the record cannot be submitted or published until this changes; "
                  "warning: worth a second look, nothing is refused.")
    field = serializers.CharField(help_text="The field whose answer to look at again.")
    message = serializers.CharField()


class LikelyDuplicateSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField(help_text="The published record's page.")
    api_url = serializers.URLField()


QUALITY_HELP = ("The checks a record passes before it is published, blocking problems first; "
                "the same list the website's “Check your answers” page shows.")


class EvaluationForEditorsSerializer(EvaluationSerializer):
    """A record as its editors get it: with what the checks before publishing found.
    Only the record's owner, co-editors and moderators get `quality_warnings`."""

    quality_warnings = QualityProblemSerializer(
        many=True, required=False, help_text=QUALITY_HELP + " Present only when you may edit the record.")

    class Meta(EvaluationSerializer.Meta):
        fields = [*EvaluationSerializer.Meta.fields, "quality_warnings"]


class EvaluationWrittenSerializer(EvaluationSerializer):
    """The answer to a write: the record as saved, what the checks before publishing
    found, and published records that look like it. Warnings, never refusals."""

    quality_warnings = QualityProblemSerializer(many=True, help_text=QUALITY_HELP)
    likely_duplicates = LikelyDuplicateSerializer(
        many=True, help_text="Published records whose title (and summary) look like this one's, closest first: "
                             "check it is not already in the registry.")

    class Meta(EvaluationSerializer.Meta):
        fields = [*EvaluationSerializer.Meta.fields, "quality_warnings", "likely_duplicates"]


class CodeField(serializers.SlugRelatedField):
    """A vocabulary value given by its code or slug. A NUL character is refused
    with a message (PostgreSQL cannot even compare such text)."""

    default_error_messages = {
        **serializers.SlugRelatedField.default_error_messages,
        "null_character": "Codes cannot contain null characters.",
    }

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("null_character")
        return super().to_internal_value(data)


def refuse(problems):
    """Problems found by registry.rules, as the API's 400 (a message per field)."""
    if problems:
        raise serializers.ValidationError({field: [message] for field, message in problems.items()})


def refuse_rows(problems_by_row):
    """{row index: problems} for a list: the errors name the row, as DRF names a bad field of a row."""
    if problems_by_row:
        raise serializers.ValidationError(
            {str(i): {field: [message] for field, message in found.items()} for i, found in problems_by_row.items()}
        )


class EventDateWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = EventDate
        fields = ["category", "description", "month", "year", "status"]

    def validate(self, attrs):
        refuse(rules.other_event_described(attrs.get("category"), attrs.get("description")))
        return attrs


class LinkWriteSerializer(serializers.ModelSerializer):
    url = serializers.CharField(
        max_length=1000, validators=[http_url_validator], help_text="A web address starting with http:// or https://."
    )

    class Meta:
        model = Link
        fields = ["kind", "url", "title", "note"]


class FindingWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = list(FINDING_VALUE_FIELDS)

    def validate(self, attrs):
        refuse(rules.finding_problems(attrs))
        return attrs


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": "A type or method code."},
            {
                "type": "object",
                "properties": {"code": {"type": "string"}, "description": {"type": "string", "maxLength": 500}},
                "required": ["code"],
            },
        ]
    }
)
class MethodField(serializers.Field):
    """A type or method: its code, or {"code", "description"} for an "Other" method,
    which must say what the method was (registry.rules.other_method_described).
    Becomes (DesignType, description or None: keep the description stored)."""

    default_error_messages = {
        "invalid": 'Give a code, or {"code": ..., "description": ...}.',
        "does_not_exist": "“{value}” is not a known type or method: see /api/v1/methods/.",
        "null_character": "Codes cannot contain null characters.",
        "too_long": "The description must be 500 characters or fewer.",
    }

    def to_internal_value(self, data):
        description = None
        if isinstance(data, dict):
            code, description = data.get("code"), data.get("description", "")
            if not isinstance(description, str):
                self.fail("invalid")
            if len(description) > 500:
                self.fail("too_long")
            description = description.strip()
        else:
            code = data
        if not isinstance(code, str):
            self.fail("invalid")
        if "\x00" in code or (description and "\x00" in description):
            self.fail("null_character")
        design_type = DesignType.objects.select_related("parent__parent").filter(code=code).first()
        if design_type is None:
            self.fail("does_not_exist", value=code)
        return design_type, description

    def to_representation(self, value):
        design_type, description = value
        return {"code": design_type.code, "description": description} if description else design_type.code


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": "The slug (or the name, in any letter case) of one already listed."},
            {
                "type": "object",
                "properties": {"name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX}},
                "required": ["name"],
                "additionalProperties": False,
                "description": "One not yet listed, by name: the one of that name (any letter case) "
                               "if it exists, otherwise a new one, as the website adds it.",
            },
        ]
    }
)
class NamedValueField(serializers.Field):
    """A place or programme: the slug of one listed, or {"name": ...} for one that
    may not be (found by name in any letter case, or added when the record is saved,
    by registry.services.named_values). Becomes the row, or a NewName."""

    default_error_messages = {
        "invalid": 'Give a slug, or {{"name": "..."}} for a {noun} not yet listed.',
        "does_not_exist": "“{value}” is not a known {noun}: see {listing}, or send "
                          '{{"name": "..."}} to add one that is not listed.',
        "blank": "Enter the {noun}'s name.",
        "too_long": "The {noun}'s name must be {max} characters or fewer.",
        "control_character": "The {noun}'s name cannot contain control characters (such as a null character).",
        "no_letters": "The {noun}'s name must contain a letter or a number.",
    }

    def __init__(self, model, *, noun, listing, only_seen=True, **kwargs):
        """`only_seen`: look slugs and names up among those registry.selectors.named_values lists to
        this user (places and programmes); organisations are all public."""
        self.model, self.noun, self.listing, self.only_seen = model, noun, listing, only_seen
        super().__init__(**kwargs)

    def fail(self, key, **kwargs):
        super().fail(key, noun=self.noun, listing=self.listing, max=NAME_MAX, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            if set(data) != {"name"} or not isinstance(data["name"], str):
                self.fail("invalid")
            return self._by_name(data["name"])
        if not isinstance(data, str):
            self.fail("invalid")
        if any(ord(c) < 32 for c in data):
            self.fail("control_character")
        # Only those this user may see are found by slug or name: whether someone else's draft
        # named a place must not be learnt by asking for it.
        request = self.context.get("request")
        listed = self.model.objects.all()
        if self.only_seen:
            listed = named_in_records_seen(listed, getattr(request, "user", None))
        found = listed.filter(slug=data).first()
        if found is None:
            found = same_name(listed, tidy_name(data))
        if found is None:
            self.fail("does_not_exist", value=data)
        return found

    def _by_name(self, text):
        if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
            self.fail("control_character")
        name = tidy_name(text)
        if not name:
            self.fail("blank")
        if len(name) > NAME_MAX:
            self.fail("too_long")
        if not any(c.isalnum() for c in name):
            self.fail("no_letters")
        found = same_name(self.model.objects.all(), name)
        return found if found is not None else NewName(self.model, name)

    def to_representation(self, value):
        return {"name": value.name} if isinstance(value, NewName) else value.slug


class OrganisationRoleWriteSerializer(serializers.Serializer):
    organisation = NamedValueField(
        Organisation, noun="organisation", listing="/api/v1/organisations/", only_seen=False,
        help_text="The organisation's slug (a GOV.UK organisation's is its GOV.UK id, as in its GOV.UK address), "
                  'or {"name": ...} for one not listed, such as an evaluator outside government: found by name '
                  "in any letter case, or added as a plain (non-GOV.UK) organisation, as the website adds it.")
    role = serializers.ChoiceField(choices=OrganisationRole.choices)


class EvaluationWriteSerializer(serializers.ModelSerializer):
    """What a signed-in user may set. Vocabulary values are given by code or slug;
    a list of event dates, links or findings, when given, replaces the record's rows."""

    stage = serializers.ChoiceField(choices=Stage.choices, allow_blank=True, required=False)
    lead_department = CodeField(
        slug_field="code",
        queryset=Department.objects.all(),
        allow_null=True,
        required=False,
        help_text="Department code, e.g. department-for-education.",
    )
    other_departments = CodeField(slug_field="code", queryset=Department.objects.all(), many=True, required=False)
    programme = NamedValueField(
        Programme, noun="programme", listing="/api/v1/programmes/", allow_null=True, required=False,
        help_text='The programme\'s slug, or {"name": ...} to name one not yet listed.')
    places = serializers.ListField(
        child=NamedValueField(Place, noun="place", listing="/api/v1/places/"), required=False,
        max_length=MAX_PLACES, error_messages={"max_length": f"List at most {MAX_PLACES} places."},
        help_text='Places by slug, or {"name": ...} for a place not yet listed (found by name in any letter '
                  "case, or added as the website adds it). Replaces the record's places.")
    policy_areas = CodeField(slug_field="code", queryset=PolicyArea.objects.all(), many=True, required=False)
    methods = serializers.ListField(
        child=MethodField(),
        required=False,
        help_text="Evaluation types and methods by code (see /api/v1/methods/); an “Other” method as "
        '{"code": ..., "description": ...}. A method brings its type, a sub-method its method, as in '
        "the web journey. Replaces the record's types and methods.",
    )
    cost_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, allow_null=True, required=False, coerce_to_string=False
    )
    cost_price_year = serializers.IntegerField(min_value=1900, max_value=2100, allow_null=True, required=False)
    event_dates = EventDateWriteSerializer(many=True, required=False, help_text="Replaces the record's event dates.")
    links = LinkWriteSerializer(many=True, required=False, help_text="Replaces the record's links.")
    findings = FindingWriteSerializer(many=True, required=False, help_text="Replaces the record's findings.")
    organisations = OrganisationRoleWriteSerializer(
        many=True, required=False, help_text="Replaces the record's organisations and their roles."
    )

    class Meta:
        model = Evaluation
        fields = [
            "title",
            "summary",
            "stage",
            "lead_department",
            "other_departments",
            "programme",
            "places",
            "policy_areas",
            "methods",
            "is_grant_funded",
            "grant_number",
            "is_major_project",
            "major_project_number",
            "cost_amount",
            "cost_price_year",
            "cost_note",
            "permission_to_share",
            "event_dates",
            "links",
            "findings",
            "organisations",
        ]
        extra_kwargs = {
            "title": {
                "max_length": 255,
                "error_messages": {
                    "blank": "Enter the evaluation's title.",
                    "required": "Enter the evaluation's title.",
                },
            }
        }

    def to_internal_value(self, data):
        """A field this endpoint does not take is an error naming it, never silently
        dropped (a client would think it was saved)."""
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({
                    name: [f"“{name}” is not a field you can set. The fields are listed at /api/v1/docs/."]
                    for name in unknown})
        return super().to_internal_value(data)

    def validate_title(self, value):
        if not value.strip():
            raise serializers.ValidationError("Enter the evaluation's title.")
        return value.strip()

    def validate_event_dates(self, rows):
        refuse_rows(rules.dates_in_order(rows))
        return rows

    def validate_organisations(self, rows):
        def key(organisation):  # a new one by its name, as it will be found or added
            return organisation.name.casefold() if isinstance(organisation, NewName) else organisation.pk

        problems = {}
        for index, row in enumerate(rows):
            earlier = [(key(r["organisation"]), r["role"]) for r in rows[:index]]
            found = rules.organisation_role_once(key(row["organisation"]), row["role"], earlier)
            if found:
                problems[index] = found
        refuse_rows(problems)
        return rows

    def validate_methods(self, methods):
        stored = {}
        if self.instance is not None:
            stored = dict(self.instance.designs.values_list("design_type_id", "description"))
        problems = {}
        for index, (design_type, description) in enumerate(methods):
            kept = stored.get(design_type.pk, "") if description is None else description
            found = rules.other_method_described(design_type.collect_description, kept)
            if found:
                problems[index] = found
        refuse_rows(problems)
        return methods

    def validate(self, attrs):
        """The rules across fields, on the record as it will be: what is sent over what is stored."""
        def value(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        if "lead_department" in attrs or "other_departments" in attrs:
            if "other_departments" in attrs or self.instance is None:
                others = attrs.get("other_departments", [])
            else:
                others = list(self.instance.other_departments.all())
            refuse(rules.lead_not_also_other(value("lead_department"), others))
        refuse(rules.number_only_when_yes({name: value(name) for name in (
            "is_grant_funded", "grant_number", "is_major_project", "major_project_number")}))
        return attrs


# Documents ------------------------------------------------------------------


class EvaluationRefSerializer(AbsoluteUrlsMixin, serializers.ModelSerializer):
    api_route = "evaluation-detail"
    api_lookup = "slug"

    class Meta:
        model = Evaluation
        fields = ["slug", "title", "url", "api_url"]


class DocumentSerializer(DocumentRefSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    evaluations = EvaluationRefSerializer(many=True, help_text="Published records this document supports.")

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "kind",
            "kind_label",
            "publisher",
            "month",
            "year",
            "source_url",
            "language",
            "media_type",
            "original_filename",
            "word_count",
            "evaluations",
            "url",
            "api_url",
            "download_url",
            "created_at",
            "updated_at",
        ]


class DocumentDetailSerializer(DocumentSerializer):
    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "text"]


# Search and errors -------------------------------------------------------------


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["evaluation", "document"])
    id = serializers.IntegerField(source="pk")
    slug = serializers.CharField(help_text="Evaluations only; empty for documents.")
    title = serializers.CharField()
    url = serializers.URLField()
    api_url = serializers.URLField()
    score = serializers.FloatField()
    snippet = serializers.CharField(help_text="Safe HTML: escaped text with matched words in <mark>.")
    extra = serializers.DictField(help_text="Display fields stored in the index (department, stage, year, kind...).")


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SearchResultsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    suggestion = serializers.CharField(help_text="'Did you mean' text that finds something, or empty.")
    corrected_from = serializers.CharField(
        help_text="When the words as typed found nothing and these are the results for a corrected spelling: "
                  "the words as typed (ask again with correct=false for them); otherwise empty.")
    corrected_to = serializers.CharField(help_text="The corrected words the results are for, or empty.")
    relaxed = serializers.BooleanField(
        help_text="True when no hit holds all the words and the hits hold most of them (most first).")
    error = serializers.CharField(help_text="A message about the query (e.g. malformed syntax), or empty.")
    hits = SearchHitSerializer(many=True)
    facets = serializers.DictField(child=FacetValueSerializer(many=True), help_text="Facet field to counted values.")


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text="Messages per field (400 only)."
    )
