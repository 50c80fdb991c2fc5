"""Moderation: the queue, publish or return, withdraw; and owners proposing
changes to a published record (a revision that goes back through review)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from registry import permissions, quality, selectors
from registry.forms.journey import ReviewCommentForm, WithdrawForm
from registry.models import Evaluation
from registry.selectors import drafts as queries
from registry.services import revisions, workflow
from registry.web.submit.answers import answer_sections
from registry.web.submit.history import changes_since_returned
from registry.web.submit.journey import _step_url, role_required

moderator_required = role_required(permissions.can_review, "Only moderators review records.")


@moderator_required
def queue(request):
    return render(request, "registry/review/queue.html", {"records": queries.review_queue()})


def _record_or_404(pk):
    evaluation = queries.record_for_review(pk)
    if evaluation is None:
        raise Http404("No record has this address.")
    return evaluation


@moderator_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    """One submitted record: publish it (after the confirmation page), or return it with comments."""
    evaluation = _record_or_404(pk)
    form = ReviewCommentForm(request.POST if request.POST.get("action") == "return" else None)
    problem = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                published = workflow.publish(evaluation, by=request.user)
                messages.success(request, format_html(
                    "<a class=\"govuk-notification-banner__link\" href=\"{}\">{}</a> is published (version {})",
                    published.get_absolute_url(), published.title, published.version))
                return redirect("registry:review-queue")
            if request.POST.get("action") == "return" and form.is_valid():
                workflow.return_for_changes(evaluation, by=request.user, comment=form.cleaned_data["comment"])
                messages.success(request, f"“{evaluation.title}” was returned to its author")
                return redirect("registry:review-queue")
        except ValidationError as error:
            problem = " ".join(error.messages)
    found = quality.problems(evaluation)
    return render(request, "registry/review/review.html", {
        "evaluation": evaluation,
        "has_blocking": any(p.blocking for p in found),
        "has_warnings": any(not p.blocking for p in found),
        "sections": answer_sections(evaluation, selectors.design_tree(), editable=False),
        "form": form,
        "problem": problem,
        "quality": found,
        "changes": changes_since_returned(evaluation),
        "revision_of": evaluation.submission.revision_of if hasattr(evaluation, "submission") else None,
    }, status=400 if problem or form.errors else 200)


@moderator_required
def confirm_publish(request, pk):
    """"Are you sure?" before publishing; its button posts to the review page."""
    evaluation = _record_or_404(pk)
    found = quality.problems(evaluation)
    return render(request, "registry/review/confirm_publish.html", {
        "evaluation": evaluation, "blocking": [p for p in found if p.blocking],
        "warnings": [p for p in found if not p.blocking],
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
