"""Moderation: the queue, publish or return, withdraw; and owners proposing
changes to a published record (a revision that goes back through review)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from registry import permissions, selectors
from registry.forms.journey import ReviewCommentForm, WithdrawForm
from registry.models import Evaluation
from registry.services import revisions, workflow
from registry.web.submit import queries
from registry.web.submit.answers import answer_sections
from registry.web.submit.journey import _step_url, role_required

moderator_required = role_required(permissions.can_review, "Only moderators review records.")


@moderator_required
def queue(request):
    return render(request, "registry/review/queue.html", {"records": queries.review_queue()})


@moderator_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    """One submitted record: publish it, or return it with comments."""
    evaluation = queries.record_for_review(pk)
    if evaluation is None:
        raise Http404("No record has this address.")
    form = ReviewCommentForm(request.POST if request.POST.get("action") == "return" else None)
    problem = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                published = workflow.publish(evaluation, by=request.user)
                messages.success(request, f"“{published.title}” is published (version {published.version})")
                return redirect("registry:review-queue")
            if request.POST.get("action") == "return" and form.is_valid():
                workflow.return_for_changes(evaluation, by=request.user, comment=form.cleaned_data["comment"])
                messages.success(request, f"“{evaluation.title}” was returned to its author")
                return redirect("registry:review-queue")
        except ValidationError as error:
            problem = " ".join(error.messages)
    return render(request, "registry/review/review.html", {
        "evaluation": evaluation,
        "sections": answer_sections(evaluation, selectors.design_tree(), editable=False),
        "form": form,
        "problem": problem,
        "revision_of": evaluation.submission.revision_of if hasattr(evaluation, "submission") else None,
    })


@moderator_required
@require_http_methods(["GET", "POST"])
def withdraw(request, slug):
    evaluation = get_object_or_404(Evaluation, slug=slug, visibility="published")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workflow.withdraw(evaluation, by=request.user, reason=form.cleaned_data["reason"])
        return redirect(evaluation.get_absolute_url())
    return render(request, "registry/review/withdraw.html", {"evaluation": evaluation, "form": form})


@login_required
@require_POST
def revise(request, slug):
    """Start (or reopen) a revision of a published record, then show its answers."""
    evaluation = Evaluation.objects.filter(slug=slug, visibility="published").select_related("submission").first()
    if evaluation is None or not permissions.can_revise(request.user, evaluation, queries.co_editor_ids(evaluation)):
        raise Http404("No record you can change has this address.")
    copy = revisions.start_revision(evaluation, by=request.user)
    return redirect(_step_url(copy, "check"))
