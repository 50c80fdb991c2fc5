"""Filters over evaluations, shared by the browse pages and the API.

Codes that name nothing give a validation error ("not a department code"), which
the page shows as a message; they never raise.
"""

import django_filters
from django import forms
from django.db.models import F, Max, Q

from registry.models import Department, DesignType, Evaluation, Organisation, Place, PolicyArea, Programme
from registry.models.evaluations import Stage

SORTS = {
    "title": ("Title (A to Z)", ["title", "id"]),
    "-title": ("Title (Z to A)", ["-title", "-id"]),
    "recent": ("Recently updated", ["-updated_at", "-id"]),
    "year": ("Latest event date", None),
}


class CodeChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice by code, with a message that names the bad code."""

    def __init__(self, *args, noun="code", **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": f"%(value)s is not a known {noun}."})
        super().__init__(*args, **kwargs)


class EvaluationFilter(django_filters.FilterSet):
    department = CodeChoiceFilter(
        queryset=Department.objects.all(),
        to_field_name="code",
        method="filter_department",
        noun="department code",
        label="Department",
    )
    lead_department = CodeChoiceFilter(
        queryset=Department.objects.all(),
        to_field_name="code",
        field_name="lead_department",
        noun="department code",
        label="Lead department",
    )
    type = CodeChoiceFilter(
        queryset=DesignType.objects.types(),
        to_field_name="code",
        method="filter_design",
        noun="evaluation type",
        label="Evaluation type",
    )
    method = CodeChoiceFilter(
        queryset=DesignType.objects.all(),
        to_field_name="code",
        method="filter_design",
        noun="method code",
        label="Method (a type or method includes those under it)",
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label="Evaluation stage")
    year = django_filters.NumberFilter(
        method="filter_year", label="Year of any event date", min_value=1900, max_value=2100
    )
    year_from = django_filters.NumberFilter(
        method="filter_year_from", min_value=1900, max_value=2100, label="From year"
    )
    year_to = django_filters.NumberFilter(method="filter_year_to", min_value=1900, max_value=2100, label="To year")
    programme = CodeChoiceFilter(
        queryset=Programme.objects.all(), to_field_name="slug", noun="programme", field_name="programme"
    )
    place = CodeChoiceFilter(queryset=Place.objects.all(), to_field_name="slug", noun="place", field_name="places")
    organisation = CodeChoiceFilter(
        queryset=Organisation.objects.all(), to_field_name="slug", noun="organisation", field_name="organisations"
    )
    policy_area = CodeChoiceFilter(
        queryset=PolicyArea.objects.all(), to_field_name="code", method="filter_policy_area", noun="policy area"
    )
    has_findings = django_filters.BooleanFilter(method="filter_has_findings", widget=forms.NullBooleanSelect)
    sort = django_filters.ChoiceFilter(
        choices=[(k, v[0]) for k, v in SORTS.items()], method="filter_sort", label="Sort by"
    )

    class Meta:
        model = Evaluation
        fields = []

    def filter_department(self, queryset, name, value):
        ids = Evaluation.objects.filter(Q(lead_department=value) | Q(other_departments=value)).values("id")
        return queryset.filter(id__in=ids)

    def filter_design(self, queryset, name, value):
        # A parent includes its children: "quasi-experimental" matches interrupted time series.
        codes = DesignType.objects.codes_with_descendants([value.code])
        ids = Evaluation.objects.filter(designs__design_type__code__in=codes).values("id")
        return queryset.filter(id__in=ids)

    def filter_year(self, queryset, name, value):
        return queryset.filter(id__in=Evaluation.objects.filter(event_dates__year=value).values("id"))

    def filter_year_from(self, queryset, name, value):
        return queryset.filter(id__in=Evaluation.objects.filter(event_dates__year__gte=value).values("id"))

    def filter_year_to(self, queryset, name, value):
        return queryset.filter(id__in=Evaluation.objects.filter(event_dates__year__lte=value).values("id"))

    def filter_policy_area(self, queryset, name, value):
        ids = Evaluation.objects.filter(Q(policy_areas=value) | Q(policy_areas__parent=value)).values("id")
        return queryset.filter(id__in=ids)

    def filter_has_findings(self, queryset, name, value):
        ids = Evaluation.objects.filter(findings__isnull=False).values("id")
        return queryset.filter(id__in=ids) if value else queryset.exclude(id__in=ids)

    def filter_sort(self, queryset, name, value):
        if value == "year":
            return queryset.annotate(latest_year=Max("event_dates__year")).order_by(
                F("latest_year").desc(nulls_last=True), "title"
            )
        return queryset.order_by(*SORTS[value][1])
