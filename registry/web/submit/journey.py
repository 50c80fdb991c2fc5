"""The share-an-evaluation journey: one question per page, each saved to the
draft when the user continues. Views translate HTTP to services and forms."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from registry import permissions, quality, selectors
from registry.forms.journey import ChangeNoteForm
from registry.ingest import UnreadableDocument
from registry.markdown import render_markdown
from registry.search.duplicates import likely_duplicates_of
from registry.selectors import drafts as queries
from registry.services import drafts, workflow
from registry.web.submit.answers import answer_sections
from registry.web.submit.steps import BY_SLUG, STEPS, build_form, next_slug, previous_slug


def role_required(allowed, message):
    """A view for signed-in users whom `allowed(user)` admits: others signed in get a 404
    with `message` (what they may not do is not advertised), visitors are sent to sign in."""
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allowed(request.user):
                raise Http404(message)
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


contributor_required = role_required(permissions.is_contributor, "Only contributors can share evaluations.")


def _step_url(evaluation, slug):
    if slug == "check":
        return reverse("registry:submit-check", kwargs={"pk": evaluation.pk})
    return reverse("registry:submit-step", kwargs={"pk": evaluation.pk, "step": slug})


def _editable_or_404(request, pk):
    evaluation = queries.editable_record(request.user, pk)
    if evaluation is None:
        raise Http404("No draft has this address.")
    return evaluation


def _page(request, step, form, evaluation=None, **extra):
    back = previous_slug(step.slug)
    if extra.get("editing") is not None:  # back from changing a row is back to the list
        back = step.slug
    return render(request, "registry/submit/step.html", {
        "step": step,
        "number": STEPS.index(step) + 1,
        "total": len(STEPS),
        "form": form,
        "evaluation": evaluation,
        "back_url": _step_url(evaluation, back) if evaluation and back else reverse("registry:your-evaluations"),
        "returning": request.GET.get("return") == "check",
        "likely_duplicates": _likely_duplicates(request, step, evaluation),
        **extra,
    })


# After the title is saved the next page says so when published records look like the draft.
SIMILAR = "?similar=1"


def _likely_duplicates(request, step, evaluation):
    """Published records like the draft, on the title's page and on the page after it was saved."""
    if evaluation is None or not (step.slug == "basics" or request.GET.get("similar")):
        return []
    return likely_duplicates_of(evaluation)


def _next_url(slug, evaluation, target):
    """Where a saved step goes on to; after the title, flagged when published records look like it."""
    url = _step_url(evaluation, target)
    if slug == "basics" and target != "check" and likely_duplicates_of(evaluation):
        return url + SIMILAR
    return url


@contributor_required
@require_http_methods(["GET", "POST"])
def start(request):
    """Question 1 with no draft yet: the draft is created when the user continues."""
    step = BY_SLUG["basics"]
    form = build_form(step, None, request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        evaluation = drafts.start_draft(form.cleaned_data, by=request.user, next_step=next_slug("basics"))
        return redirect(_next_url("basics", evaluation, next_slug("basics")))
    return _page(request, step, form)


@contributor_required
@require_http_methods(["GET", "POST"])
def step(request, pk, step):
    step = BY_SLUG.get(step)
    if step is None:
        raise Http404("No such question.")
    evaluation = _editable_or_404(request, pk)
    if not permissions.can_edit(request.user, evaluation, queries.co_editor_ids(evaluation)):
        return redirect(_step_url(evaluation, "check"))
    if step.collection:
        return _collection_step(request, step, evaluation)
    form = build_form(step, evaluation, request.user, request.POST if request.method == "POST" else None)
    preview = None
    if request.method == "POST" and form.is_valid():
        previewing = step.preview and "preview" in request.POST
        target = "check" if request.GET.get("return") == "check" else next_slug(step.slug)
        try:
            drafts.save_step(evaluation, step.slug, form.cleaned_data, by=request.user, save=step.save,
                             next_step=None if previewing else target)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if not previewing:
                return redirect(_next_url(step.slug, evaluation, target))
            preview = render_markdown(form.cleaned_data[step.preview])
    return _page(request, step, form, evaluation, preview=preview, **step.context(form))


def _has_input(request, form):
    """Did the user fill in the "add" form? Values left at their defaults do not count."""
    def filled(name):
        value = request.POST.get(name, "").strip()
        return value and value != str(form.fields[name].initial or "")
    return bool(request.FILES) or any(filled(name) for name in form.fields)


def _collection_step(request, step, evaluation):
    """"Add another" pages: rows are added, changed in place or removed one at a time;
    Continue moves on, saving a filled-in row first so nothing typed is lost."""
    editing = _row_being_changed(request, step, evaluation)
    posted = (request.POST or None) if request.method == "POST" else None
    form = build_form(step, evaluation, request.user, posted, request.FILES or None, editing=editing)
    if request.method == "POST":
        action = request.POST.get("action", "continue")
        if action == "remove":
            _remove(request, step, evaluation)
            return redirect(request.get_full_path())
        if action == "update" and editing is not None:
            if form.is_valid() and _change(request, step, evaluation, editing, form):
                return redirect(request.path + _keep_return(request) + f"#row-{editing.pk}")
            return _page(request, step, form, evaluation, items=step.items(evaluation), editing=editing)
        if action == "add" or _has_input(request, form):
            if form.is_valid() and _add(request, step, evaluation, form):
                if action == "add":
                    return redirect(request.get_full_path())
                action = "continue"
            else:
                return _page(request, step, form, evaluation, items=step.items(evaluation))
        if action == "continue":
            target = "check" if request.GET.get("return") == "check" else next_slug(step.slug)
            drafts.save_step(evaluation, step.slug, {}, by=request.user, save=step.save, next_step=target)
            return redirect(_step_url(evaluation, target))
        form = build_form(step, evaluation, request.user)
    return _page(request, step, form, evaluation, items=step.items(evaluation), editing=editing)


def _row_being_changed(request, step, evaluation):
    """The added row named by ?change=<id> (a "Change" link), if this step changes rows in place."""
    if step.update is None:
        return None
    try:
        pk = int(request.GET.get("change", ""))
    except ValueError:
        return None
    return next((item for item in step.items(evaluation) if item.pk == pk), None)


def _keep_return(request):
    return "?return=check" if request.GET.get("return") == "check" else ""


def _change(request, step, evaluation, item, form):
    try:
        step.update(evaluation, item.pk, form, by=request.user)
    except ValidationError as error:
        _add_errors(form, error)
        return False
    return True


def _add(request, step, evaluation, form):
    """Save the row; validation the form could not see becomes a form error."""
    try:
        step.add(evaluation, form, by=request.user)
    except UnreadableDocument as error:
        form.add_error("file", str(error))
        return False
    except ValidationError as error:
        _add_errors(form, error)
        return False
    return True


def _add_errors(form, error):
    pairs = error.message_dict.items() if hasattr(error, "error_dict") else [("__all__", error.messages)]
    for field, errors in pairs:
        form.add_error(field if field in form.fields else None, errors)


def _remove(request, step, evaluation):
    try:
        pk = int(request.POST.get("item", ""))
    except ValueError:
        return
    step.remove(evaluation, pk, by=request.user)


@contributor_required
@require_http_methods(["GET", "POST"])
def check(request, pk):
    """Check your answers, with a change link on every row; submit for review."""
    evaluation = _editable_or_404(request, pk)
    editable = permissions.can_edit(request.user, evaluation, queries.co_editor_ids(evaluation))
    submission = getattr(evaluation, "submission", None)
    revision_of = submission.revision_of if submission is not None else None
    # Changes to a published record say what changed: the note is published with the version.
    note_form = None
    if revision_of is not None and editable:
        note_form = ChangeNoteForm(request.POST if request.method == "POST" else None,
                                   initial={"change_note": submission.change_note})
    problems = []
    if request.method == "POST" and editable and (note_form is None or note_form.is_valid()):
        try:
            workflow.submit(evaluation, by=request.user,
                            change_note=note_form.cleaned_data["change_note"] if note_form else None)
        except ValidationError as error:
            problems = error.messages
        else:
            return redirect("registry:submit-done", pk=evaluation.pk)
    missing = workflow.missing_answers(evaluation) if editable else []
    found = quality.problems(evaluation) if editable else []
    return render(request, "registry/submit/check.html", {
        "evaluation": evaluation,
        "quality": found,
        "blocking": any(p.blocking for p in found),
        "has_warnings": any(not p.blocking for p in found),
        "sections": answer_sections(evaluation, selectors.design_tree(), editable=editable),
        "editable": editable,
        "missing": [(_step_url(evaluation, slug) + "?return=check", message) for slug, message in missing],
        "likely_duplicates": likely_duplicates_of(evaluation) if editable else [],
        "problems": problems,
        "note_form": note_form,
        "revision_of": revision_of,
    }, status=400 if problems or (note_form is not None and note_form.errors) else 200)


@contributor_required
def submitted(request, pk):
    """The confirmation page after submitting: a GOV.UK panel with the record's reference."""
    evaluation = _editable_or_404(request, pk)
    if evaluation.visibility != "submitted":
        return redirect(_step_url(evaluation, "check"))
    return render(request, "registry/submit/submitted.html", {"evaluation": evaluation})


def start_page(request):
    """The journey's GOV.UK start page: what you need, how long it takes, then "Start now"."""
    return render(request, "registry/submit/start_page.html", {"steps": STEPS})
