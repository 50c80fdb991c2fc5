"""Reads for the journey, review and history pages: records not yet (or no
longer only) published. Who may open them is `EvaluationQuerySet.editable_by`;
what their pages show is `with_detail(documents="all")` and the submission."""

from registry.models import Evaluation
from registry.models.choices import Visibility


def _with_submission(queryset):
    """Everything the journey shows: the record's relations, every document it
    lists, and who owns, co-edits and revises it."""
    return (
        queryset.with_detail(documents="all")
        .select_related("owner", "submission__revision_of")
        .prefetch_related("submission__co_editors")
    )


def editable_record(user, pk):
    """The record with everything the journey shows, if this user edits it; else None."""
    return _with_submission(Evaluation.objects.editable_by(user)).filter(pk=pk).first()


def record_for_review(pk):
    return _with_submission(Evaluation.objects.all()).filter(pk=pk).first()


def co_editor_ids(evaluation):
    submission = getattr(evaluation, "submission", None)
    return {u.pk for u in submission.co_editors.all()} if submission else set()


def your_evaluations(user):
    """Records the user owns or co-edits, newest change first, with their journey state."""
    return (
        Evaluation.objects.edited_by(user)
        .select_related("lead_department", "submission__revision_of", "pending_revision__evaluation")
        .order_by("-updated_at", "-id")
    )


def review_queue():
    return (
        Evaluation.objects.filter(visibility=Visibility.SUBMITTED)
        .select_related("lead_department", "owner", "submission__revision_of")
        .order_by("submission__submitted_at", "id")
    )
