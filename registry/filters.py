"""Filters over evaluations, shared by the browse pages and the API.

Codes that name nothing give a validation error ("not a department code"), which
the page shows as a message; they never raise.
"""

from collections import Counter, defaultdict

import django_filters
from django import forms
from django.db.models import CharField, F, Max, Q, Value
from django.db.models.functions import Lower, Trim

from registry.models import Department, DesignType, Evaluation, Organisation, Place, PolicyArea, Programme
from registry.models.evaluations import EvaluationDesign, EventDate, Stage
from registry.models.findings import Finding

SORTS = {
    "title": ("Title (A to Z)", ["title", "id"]),
    "-title": ("Title (Z to A)", ["-title", "-id"]),
    "recent": ("Recently updated", ["-updated_at", "-id"]),
    "year": ("Latest event date", None),
}


OUTCOME_LENGTH = 300


def outcome_key(expression):
    """An outcome's wording with case and surrounding spaces set aside ("School
    attendance" and "school attendance "): what the outcome filter matches and
    the gap map groups by. Lower() is the database's: ASCII only on SQLite."""
    return Lower(Trim(expression))


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
        queryset=Programme.objects.all(), to_field_name="slug", noun="programme", field_name="programme",
        label="Programme",
    )
    place = CodeChoiceFilter(
        queryset=Place.objects.all(), to_field_name="slug", noun="place", field_name="places", label="Place"
    )
    organisation = CodeChoiceFilter(
        queryset=Organisation.objects.all(), to_field_name="slug", noun="organisation", field_name="organisations",
        label="Organisation",
    )
    policy_area = CodeChoiceFilter(
        queryset=PolicyArea.objects.all(), to_field_name="code", method="filter_policy_area", noun="policy area",
        label="Policy area",
    )
    outcome = django_filters.CharFilter(
        method="filter_outcome", max_length=OUTCOME_LENGTH, label="Outcome of a structured finding",
        error_messages={"max_length": f"Outcome must be {OUTCOME_LENGTH} characters or fewer"},
    )
    has_findings = django_filters.BooleanFilter(
        method="filter_has_findings", widget=forms.NullBooleanSelect, label="Structured findings"
    )
    sort = django_filters.ChoiceFilter(
        choices=[(k, v[0]) for k, v in SORTS.items()], method="filter_sort", label="Sort by"
    )

    class Meta:
        model = Evaluation
        fields = []

    # Each filter reads the table that holds its values (the link table, the event
    # dates) through that table's own index, rather than joining every record to it
    # and testing the result: "lead OR other department" over a join cannot use an
    # index, and made a filtered API list page 66 ms at 10,000 records.

    def filter_department(self, queryset, name, value):
        lead = Evaluation.objects.filter(lead_department=value).order_by().values("id")
        others = Evaluation.other_departments.through.objects.filter(department=value).values("evaluation_id")
        return queryset.filter(id__in=lead.union(others))

    def filter_design(self, queryset, name, value):
        # A parent includes its children: "quasi-experimental" matches interrupted time series.
        codes = DesignType.objects.codes_with_descendants([value.code])
        ids = EvaluationDesign.objects.filter(design_type__code__in=codes).values("evaluation_id")
        return queryset.filter(id__in=ids)

    def filter_year(self, queryset, name, value):
        return queryset.filter(id__in=EventDate.objects.filter(year=value).values("evaluation_id"))

    def filter_year_from(self, queryset, name, value):
        return queryset.filter(id__in=EventDate.objects.filter(year__gte=value).values("evaluation_id"))

    def filter_year_to(self, queryset, name, value):
        return queryset.filter(id__in=EventDate.objects.filter(year__lte=value).values("evaluation_id"))

    def filter_policy_area(self, queryset, name, value):
        ids = Evaluation.objects.filter(Q(policy_areas=value) | Q(policy_areas__parent=value)).values("id")
        return queryset.filter(id__in=ids)

    def filter_outcome(self, queryset, name, value):
        if not value.strip():
            return queryset
        # The gap map's outcome columns group findings by this same key, computed
        # by the database both times so the cell's count is the list's length.
        findings = Finding.objects.annotate(key=outcome_key("outcome")).filter(key=outcome_key(Value(value)))
        return queryset.filter(id__in=findings.values("evaluation_id"))

    def filter_has_findings(self, queryset, name, value):
        ids = Evaluation.objects.filter(findings__isnull=False).values("id")
        return queryset.filter(id__in=ids) if value else queryset.exclude(id__in=ids)

    def filter_sort(self, queryset, name, value):
        if value == "year":
            return queryset.annotate(latest_year=Max("event_dates__year")).order_by(
                F("latest_year").desc(nulls_last=True), "title"
            )
        return queryset.order_by(*SORTS[value][1])


# What the filter controls offer -----------------------------------------------------

# The filters a page shows as removable tags, in the order of its controls, with
# the name each tag gives. `sort` orders and `page` pages: neither narrows.
FILTER_NAMES = {
    "q": "Words",
    "department": "Department",
    "lead_department": "Lead department",
    "type": "Evaluation type",
    "method": "Type or method",
    "stage": "Stage",
    "year": "Year",
    "year_from": "From year",
    "year_to": "To year",
    "programme": "Programme",
    "place": "Place",
    "organisation": "Organisation",
    "policy_area": "Policy area",
    "outcome": "Outcome",
    "has_findings": "Findings",
    "kind": "Document kind",
}
HAS_FINDINGS = {True: "With structured findings", False: "Without structured findings"}


def design_options(tree):
    """The type-or-method list in the tree's own order (each type, then its methods,
    then theirs), as (code, label, depth). The "Other" catch-alls hold free text, not
    a method, so they are left out. Two methods share a name under different parents
    ("Individual interviews" under process evaluation and under generic research
    method): those carry their parent's name, so no two options read the same."""
    children = defaultdict(list)
    for node in tree:
        if not node.collect_description:
            children[node.parent_id].append(node)
    names = Counter(node.name for nodes in children.values() for node in nodes)
    by_id = {node.id: node for node in tree}
    options = []

    def walk(parent_id, depth):
        for node in sorted(children[parent_id], key=lambda n: (n.position, n.id)):
            label = node.name
            if names[label] > 1 and node.parent_id:
                label = f"{label} ({by_id[node.parent_id].name.lower()})"
            options.append((node.code, label, depth))
            walk(node.id, depth + 1)

    walk(None, 0)
    return options


def vocabulary_choices(evaluations):
    """The programmes, places, organisations and policy areas that these records
    use (a policy area's parent too, since choosing it includes its children), as
    {filter name: [(code, label)]} sorted by label. One query: a UNION of four
    small selects, so the browse page's query count does not grow with filters.
    Offering every organisation (1,171) or policy area (239) would list hundreds
    of values that match nothing."""
    ids = evaluations.order_by().values("id")
    text = CharField()

    def rows(queryset, name, code, label):
        return queryset.order_by().values_list(Value(name, output_field=text), code, label)

    parts = [
        rows(Programme.objects.filter(evaluations__in=ids), "programme", "slug", "name"),
        rows(Place.objects.filter(evaluations__in=ids), "place", "slug", "name"),
        rows(Organisation.objects.filter(evaluations__in=ids), "organisation", "slug", "name"),
        rows(PolicyArea.objects.filter(evaluations__in=ids), "policy_area", "code", "label"),
        rows(PolicyArea.objects.filter(children__evaluations__in=ids), "policy_area", "code", "label"),
    ]
    choices = {"programme": [], "place": [], "organisation": [], "policy_area": []}
    for name, code, label in parts[0].union(*parts[1:]):
        choices[name].append((code, label))
    for values in choices.values():
        values.sort(key=lambda pair: (pair[1].casefold(), pair[0]))
    return choices
