"""Read queries for the journey, review and history pages. Visibility and edit
rights come from registry.permissions; relations are fetched here, once."""
from django.db.models import Prefetch, Q

from registry.models import Document, Evaluation, EvaluationDesign, Finding, PolicyArea, Submission
from registry.permissions import editable_evaluations_q


def _with_relations(queryset):
    return queryset.select_related("lead_department", "programme", "owner", "submission__revision_of").prefetch_related(
        "other_departments",
        "places",
        Prefetch("policy_areas", queryset=PolicyArea.objects.select_related("parent")),
        Prefetch("designs", queryset=EvaluationDesign.objects.select_related("design_type__parent__parent")),
        "organisation_roles__organisation",
        "event_dates",
        "links",
        Prefetch("findings", queryset=Finding.objects.select_related("source_document").defer("source_document__text")),
        Prefetch("documents", queryset=Document.objects.defer("text").order_by("title")),
        "submission__co_editors",
    )


def editable_record(user, pk):
    """The record with everything the journey shows, if this user edits it; else None."""
    return _with_relations(Evaluation.objects.filter(editable_evaluations_q(user))).filter(pk=pk).first()


def record_for_review(pk):
    return _with_relations(Evaluation.objects.all()).filter(pk=pk).first()


def co_editor_ids(evaluation):
    submission = getattr(evaluation, "submission", None)
    return {u.pk for u in submission.co_editors.all()} if submission else set()


def your_evaluations(user):
    """Records the user owns or co-edits, newest change first, with their journey state."""
    co_edited = Submission.objects.filter(co_editors=user).values("evaluation_id")
    return (
        Evaluation.objects.filter(Q(owner=user) | Q(pk__in=co_edited))
        .select_related("lead_department", "submission__revision_of", "pending_revision__evaluation")
        .order_by("-updated_at", "-id")
    )


def review_queue():
    return (
        Evaluation.objects.filter(visibility="submitted")
        .select_related("lead_department", "owner", "submission__revision_of")
        .order_by("submission__submitted_at", "id")
    )
