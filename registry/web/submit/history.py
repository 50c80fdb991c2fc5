"""A record's versions and a readable difference between any two.

Visitors see the versions that were published; the record's editors and
moderators see every saved change (drafts included), with who made it.
"""
from django.http import Http404
from django.shortcuts import render

from registry import permissions
from registry.models import (
    Department,
    DesignType,
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
from registry.web.submit import queries

HIDDEN_FIELDS = ["id", "created_at", "updated_at", "slug", "owner", "review_comment", "summary_machine_written"]
M2M_LABELS = {"other_departments": (Department, "department"), "places": (Place, "place"),
              "policy_areas": (PolicyArea, "policyarea")}


def record_history(request, slug):
    evaluation = Evaluation.objects.filter(slug=slug).select_related("submission").first()
    if evaluation is None:
        raise Http404("No evaluation has this address.")
    full = permissions.can_see_history(request.user, evaluation, queries.co_editor_ids(evaluation))
    if not full and evaluation.visibility not in ("published", "withdrawn"):
        raise Http404("No evaluation has this address.")
    versions = evaluation.history.select_related("history_user").order_by("-history_date", "-history_id")
    if not full:
        versions = versions.filter(published=True)
    versions = list(versions)
    by_id = {str(v.history_id): v for v in versions}
    new = by_id.get(request.GET.get("to")) or (versions[0] if versions else None)
    old = by_id.get(request.GET.get("from")) or (versions[1] if len(versions) > 1 else None)
    if old and new and old.history_date > new.history_date:
        old, new = new, old
    changes = _differences(evaluation, old, new) if old and new and old != new else []
    return render(request, "registry/history.html", {
        "evaluation": evaluation, "versions": versions, "old": old, "new": new, "changes": changes, "full": full,
    })


def _differences(evaluation, old, new):
    """[{"label", "removed": [...], "added": [...]}] between two saved states."""
    changes = []
    delta = new.diff_against(old, excluded_fields=HIDDEN_FIELDS)
    labels = _labels()
    for change in delta.changes:
        field = Evaluation._meta.get_field(change.field)
        if change.field in M2M_LABELS:
            model, key = M2M_LABELS[change.field]
            names = labels[model]
            before = {names.get(row.get(key), "?") for row in change.old or []}
            after = {names.get(row.get(key), "?") for row in change.new or []}
            removed, added = sorted(before - after), sorted(after - before)
        else:
            removed = [_display(field, change.old, labels)] if change.old not in (None, "") else []
            added = [_display(field, change.new, labels)] if change.new not in (None, "") else []
        changes.append({"label": str(field.verbose_name).capitalize(), "removed": removed, "added": added})
    for label, model, describe in _row_kinds(labels):
        before = _rows_as_of(model, evaluation.pk, old.history_date, describe)
        after = _rows_as_of(model, evaluation.pk, new.history_date, describe)
        removed = [text for text in before if text not in after]
        added = [text for text in after if text not in before]
        if removed or added:
            changes.append({"label": label, "removed": removed, "added": added})
    return changes


def _labels():
    """Names for ids shown in a difference: one query per vocabulary, whatever the history's size."""
    return {
        Department: dict(Department.objects.values_list("id", "name")),
        Place: dict(Place.objects.values_list("id", "name")),
        PolicyArea: dict(PolicyArea.objects.values_list("id", "label")),
        Programme: dict(Programme.objects.values_list("id", "name")),
        DesignType: {d.id: str(d) for d in DesignType.objects.select_related("parent")},
        Organisation: dict(Organisation.objects.values_list("id", "name")),
    }


def _display(field, value, labels):
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.name == "lead_department":
        return labels[Department].get(value, str(value))
    if field.name == "programme":
        return labels[Programme].get(value, str(value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _row_kinds(labels):
    def organisation(row):
        return f"{labels[Organisation].get(row.organisation_id, '?')} ({row.get_role_display().lower()})"

    def finding(row):
        return f"{row.outcome}: {row.statement}" + (f" ({row.effect_display})" if row.effect_size is not None else "")

    return [
        ("Evaluation types and methods", EvaluationDesign,
         lambda d: labels[DesignType].get(d.design_type_id, "?") + (f": {d.description}" if d.description else "")),
        ("Organisations", EvaluationOrganisation, organisation),
        ("Event dates", EventDate, lambda d: f"{d.label}: {d.when}" + (f" ({d.status})" if d.status else "")),
        ("Links", Link, lambda link: f"{link.get_kind_display()}: {link.title or link.url}"),
        ("Findings", Finding, finding),
    ]


def _rows_as_of(model, evaluation_id, when, describe):
    return [describe(row) for row in model.history.as_of(when).filter(evaluation_id=evaluation_id)]
