"""Revisions of published records: a draft copy its editors change while the
published version stays visible; publishing the copy (services/workflow.py)
applies it onto the original, which keeps its address and gains a version."""
from __future__ import annotations

from collections.abc import Sequence

from django.db import models, transaction

from registry.models import (
    Document,
    Evaluation,
    EvaluationDesign,
    EvaluationOrganisation,
    EventDate,
    Finding,
    Link,
    Submission,
)
from registry.models.evaluations import Visibility
from registry.services.base import User, stamp, unique_slug

CONTENT_FIELDS = (
    "title", "summary", "summary_machine_written", "stage", "lead_department", "programme",
    "is_grant_funded", "grant_number", "is_major_project", "major_project_number",
    "cost_amount", "cost_price_year", "cost_note", "permission_to_share",
)


@transaction.atomic
def start_revision(evaluation: Evaluation, *, by: User) -> Evaluation:
    """A draft copy of a published record for its editors to change; returns the
    existing copy when one is already open."""
    existing = Submission.objects.filter(revision_of=evaluation).select_related("evaluation").first()
    if existing is not None:
        return existing.evaluation
    copy = Evaluation(
        title=evaluation.title,
        slug=unique_slug(f"{evaluation.slug}-revision")[:120],
        owner=evaluation.owner or by,
        version=evaluation.version,
    )
    stamp(copy, by, f"Revision of {evaluation.slug} started").save()
    copy_content(evaluation, copy, by=by)
    copy.visibility = Visibility.DRAFT
    copy.save()
    original_submission = Submission.objects.filter(evaluation=evaluation).first()
    submission = Submission.objects.create(evaluation=copy, revision_of=evaluation, step_reached="check")
    if original_submission is not None:
        submission.co_editors.set(original_submission.co_editors.all())
    return copy


@transaction.atomic
def copy_content(source: Evaluation, target: Evaluation, *, by: User) -> None:
    """Make `target` say what `source` says: fields, lists and rows (saved history on each)."""
    for name in CONTENT_FIELDS:
        setattr(target, name, getattr(source, name))
    stamp(target, by, "Content replaced by revision").save()
    target.other_departments.set(source.other_departments.all())
    target.places.set(source.places.all())
    target.policy_areas.set(source.policy_areas.all())
    target.documents.set(Document.objects.filter(evaluations=source))
    _replace_rows(EvaluationDesign, source, target, by, ("design_type_id", "description"))
    _replace_rows(EvaluationOrganisation, source, target, by, ("organisation_id", "role"))
    _replace_rows(EventDate, source, target, by, ("category", "description", "month", "year", "status"))
    _replace_rows(Link, source, target, by, ("kind", "url", "title", "note"))
    _replace_rows(Finding, source, target, by, (
        "position", "intervention", "outcome", "comparison", "direction", "effect_size", "effect_unit",
        "ci_lower", "ci_upper", "ci_level", "p_value", "sample_size", "significance", "statement",
        "source_document_id",
    ))


def _replace_rows(model: type[models.Model], source: Evaluation, target: Evaluation, by: User,
                  fields: Sequence[str]) -> None:
    """Rows equal on `fields` are left alone, so history records only real changes."""
    def key(row):
        return tuple(getattr(row, f) for f in fields)

    wanted = [key(r) for r in model._default_manager.filter(evaluation=source).order_by("pk")]
    current = list(model._default_manager.filter(evaluation=target).order_by("pk"))
    remaining = list(wanted)
    for row in current:
        if key(row) in remaining:
            remaining.remove(key(row))
        else:
            stamp(row, by, "Removed by revision").delete()
    for values in remaining:
        stamp(model(evaluation=target, **dict(zip(fields, values, strict=True))), by, "Added by revision").save()
