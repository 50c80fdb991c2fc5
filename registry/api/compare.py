"""Comparison and insight figures as data: the same rows the /compare/ and
/insights/ pages show, built by registry.comparison and registry.insights.

The serializers below describe the responses for the OpenAPI schema and
shape the output, so what is sent is what the schema says.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import comparison, insights, presenters, selectors
from registry.api.serializers import ErrorSerializer
from registry.models.evaluations import Stage, Visibility
from registry.models.findings import Direction, Significance

# --- Comparison ---------------------------------------------------------------


class CompareValueSerializer(serializers.Serializer):
    text = serializers.CharField()
    href = serializers.CharField(allow_blank=True, help_text="A link for the value, or blank.")


class CompareRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The row's name, as on the page.")
    differs = serializers.BooleanField(help_text="True when the compared records have different values in this row.")
    empty = serializers.CharField(help_text="What the page shows for a record with no value here.")
    cells = serializers.ListField(
        child=serializers.ListField(child=CompareValueSerializer()),
        help_text="One list of values per compared evaluation, in the order of `evaluations`.",
    )


class CompareSectionSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    rows = CompareRowSerializer(many=True)


class ComparedEvaluationSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = serializers.CharField(help_text="The record's page.")
    stage = serializers.ChoiceField(choices=Stage.choices, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices)


class ComparedFindingSerializer(serializers.Serializer):
    evaluation = serializers.SlugField(help_text="Slug of the evaluation that reports the finding.")
    intervention = serializers.CharField(allow_blank=True)
    outcome = serializers.CharField()
    comparison = serializers.CharField(allow_blank=True)
    direction = serializers.ChoiceField(choices=Direction.choices)
    effect_size = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    effect_unit = serializers.CharField(allow_blank=True)
    ci_lower = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    ci_upper = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    ci_level = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    p_value = serializers.DecimalField(max_digits=8, decimal_places=6, allow_null=True)
    sample_size = serializers.IntegerField(allow_null=True)
    significance = serializers.ChoiceField(choices=Significance.choices)
    statement = serializers.CharField()


class FindingGroupSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    evaluation_count = serializers.IntegerField(help_text="How many of the compared evaluations report this outcome.")
    findings = ComparedFindingSerializer(many=True)


class ComparisonSerializer(serializers.Serializer):
    evaluations = ComparedEvaluationSerializer(many=True)
    sections = CompareSectionSerializer(many=True)
    findings = FindingGroupSerializer(many=True, help_text="Every finding of the compared records, grouped by outcome.")


def _value(value):
    return (
        {"text": value["text"], "href": value.get("href") or ""}
        if isinstance(value, dict)
        else {"text": str(value), "href": ""}
    )


def comparison_data(result, tree, only_differences=False):
    """The comparison as plain data for the serializer. Values link to the website's pages."""
    urls = presenters.Urls(browse=reverse("registry:browse"), documents=reverse("registry:documents"))
    sections = comparison.visible_sections(
        comparison.compare_sections(result.evaluations, tree, urls), only_differences
    )
    return {
        "evaluations": [
            {
                "slug": e.slug,
                "title": e.title,
                "url": e.get_absolute_url(),
                "stage": e.stage,
                "visibility": e.visibility,
            }
            for e in result.evaluations
        ],
        "sections": [
            {
                "id": section.id,
                "title": section.title,
                "rows": [
                    {
                        "key": row.key,
                        "differs": row.differs,
                        "empty": row.empty,
                        "cells": [[_value(v) for v in cell] for cell in row.cells],
                    }
                    for row in section.rows
                ],
            }
            for section in sections
        ],
        "findings": [
            {
                "outcome": group.outcome,
                "evaluation_count": group.evaluation_count,
                "findings": [
                    dict(vars_of(finding), evaluation=evaluation.slug) for evaluation, finding in group.entries
                ],
            }
            for group in comparison.findings_by_outcome(result.evaluations)
        ],
    }


def vars_of(finding):
    return {name: getattr(finding, name) for name in ComparedFindingSerializer().fields if name != "evaluation"}


class CompareView(APIView):
    """Evaluations side by side, rows aligned by section, with their findings grouped by outcome."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="compare_evaluations",
        summary="Compare up to four evaluations",
        parameters=[
            OpenApiParameter(
                "e",
                OpenApiTypes.STR,
                many=True,
                explode=True,
                required=True,
                description=f"Slug of an evaluation to compare; repeat for each (1 to {comparison.MAX_COMPARED}).",
            ),
            OpenApiParameter(
                "show", OpenApiTypes.STR, enum=["differences"], description="`differences`: only rows that differ."
            ),
        ],
        responses={
            200: ComparisonSerializer,
            (400, "application/json"): OpenApiResponse(
                ErrorSerializer,
                description="No slugs, too many, repeated or malformed slugs, "
                "or a slug naming no published evaluation.",
            ),
        },
        tags=["compare"],
    )
    def get(self, request):
        result = comparison.compared_evaluations(request.query_params.getlist("e"), request.user)
        problems = list(result.problems)
        if not result.requested and not problems:
            problems.append(
                f"Give between 1 and {comparison.MAX_COMPARED} evaluation slugs as e parameters, "
                "for example ?e=project-crewe."
            )
        show = request.query_params.get("show")
        if problems or show not in (None, "differences"):
            errors = {"e": problems} if problems else {}
            if show not in (None, "differences"):
                errors["show"] = ["Leave show out, or give show=differences for only the rows that differ."]
            raise ValidationError(errors)
        data = comparison_data(result, selectors.design_tree(), show == "differences")
        return Response(ComparisonSerializer(data).data)


# --- Insights -----------------------------------------------------------------


class StageCountSerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True, help_text="Blank for records with no stage.")
    label = serializers.CharField()
    count = serializers.IntegerField()
    href = serializers.CharField(allow_blank=True, help_text="The browse page listing these records.")


class YearSeriesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    counts = serializers.ListField(child=serializers.IntegerField(), help_text="One count per year in `years`.")
    hrefs = serializers.ListField(child=serializers.CharField())


class ByYearSerializer(serializers.Serializer):
    years = serializers.ListField(child=serializers.IntegerField())
    totals = serializers.ListField(child=serializers.IntegerField(), help_text="Evaluations of any type, per year.")
    series = YearSeriesSerializer(many=True, help_text="A series per evaluation type.")


class MatrixCellSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    href = serializers.CharField()
    shade = serializers.IntegerField(help_text="0 (none) to 4 (most), for drawing a heat map.")


class MatrixRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    depth = serializers.IntegerField(help_text="0 for an evaluation type, 1 for its methods, 2 below.")
    is_type = serializers.BooleanField()
    total = serializers.IntegerField()
    href = serializers.CharField()
    cells = MatrixCellSerializer(many=True, help_text="One cell per department in `departments`.")


class MatrixDepartmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    href = serializers.CharField()


class MatrixSerializer(serializers.Serializer):
    departments = MatrixDepartmentSerializer(many=True)
    rows = MatrixRowSerializer(many=True)


class InsightsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Published evaluations.")
    stages = StageCountSerializer(many=True)
    by_year = ByYearSerializer(help_text="Evaluations with any event date in each year, by evaluation type.")
    matrix = MatrixSerializer(help_text="Evaluations by type or method (rows) and department (columns).")


class InsightsView(APIView):
    """Figures over the published registry, as on the /insights/ page."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="registry_insights",
        summary="Figures over the published registry",
        responses={200: InsightsSerializer},
        tags=["compare"],
    )
    def get(self, request):
        return Response(InsightsSerializer(insights.registry_insights(reverse("registry:browse"))).data)
