"""Your evaluations: the user's drafts and submissions, each with a way back in."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from registry.selectors import drafts as queries
from registry.web.submit.steps import BY_SLUG


@login_required
def your_evaluations(request):
    rows = []
    for evaluation in queries.your_evaluations(request.user):
        submission = getattr(evaluation, "submission", None)
        step = submission.step_reached if submission and submission.step_reached else "check"
        revision = getattr(evaluation, "pending_revision", None)
        rows.append({
            "evaluation": evaluation,
            "step": step,
            "step_heading": BY_SLUG[step].heading if step in BY_SLUG else "Check your answers",
            "revision_of": submission.revision_of if submission else None,
            "pending_revision": revision.evaluation if revision else None,
        })
    return render(request, "registry/submit/your_evaluations.html", {"rows": rows})
