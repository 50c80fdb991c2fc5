"""Moderators bring in a department's catalogue (/import/): upload, a validation
report (nothing saved), then import as drafts or publish. The work is in
registry/imports/; these views translate HTTP to it."""
import math
import time

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from registry import permissions
from registry.imports import export, importer, uploads
from registry.imports.forms import ImportUploadForm
from registry.imports.report import where

WARNINGS_SHOWN = 100  # rows listed on the page (the rest are counted); the command prints all
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def moderators_only(view):
    """Visitors sign in first; signed-in people who are not moderators get a 403."""
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not permissions.is_moderator(request.user):
            raise PermissionDenied("Only moderators import records.")
        return view(request, *args, **kwargs)
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@moderators_only
@require_http_methods(["GET", "POST"])
def upload(request):
    """The upload form; a valid upload is checked (every write tried, then rolled back) and reported."""
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if request.method == "POST" and form.is_valid():
        name = request.FILES["file"].name
        data, findings = form.cleaned_data["file"], form.cleaned_data["findings"]
        started = time.monotonic()
        report = importer.trial(data, name, findings, by=request.user)
        # The check writes every record and rolls it back, so it takes about as long
        # as the import will: the report page says so, rather than guess a rate.
        seconds = time.monotonic() - started
        token = uploads.save(request.user, data, name, findings) if report.ok else ""
        return _report(request, report, name, token, seconds)
    return render(request, "registry/imports/upload.html", {"form": form, "errors": form.errors},
                  status=400 if form.errors else 200)


@moderators_only
@require_POST
def confirm(request, token):
    """Import the checked upload as drafts, or import and publish."""
    stored = uploads.load(request.user, token)
    if stored is None:
        raise Http404("This upload has already been imported or has expired. Upload the file again.")
    publish = request.POST.get("action") == "publish"
    # The warnings were shown on the report page; the moderator has read them.
    report = importer.run(stored.data, stored.filename, stored.findings, by=request.user, publish=publish,
                          warn=False)
    if not report.ok:  # the registry changed since the check: report again, keep nothing
        uploads.discard(token)
        return _report(request, report, stored.filename, "")
    uploads.discard(token)
    return render(request, "registry/imports/done.html", {"report": report, "filename": stored.filename,
                                                          "publish": publish})


def _report(request, report, filename, token, seconds=None):
    problems = [{"where": where(p), "message": p.message, "anchor": f"problem-{i}"}
                for i, p in enumerate(report.problems, start=1)]
    return render(request, "registry/imports/report.html", {
        "report": report, "filename": filename, "token": token, "problems": problems,
        "estimate": _estimate(seconds), "warnings": report.warnings[:WARNINGS_SHOWN],
        "more_warnings": max(0, len(report.warnings) - WARNINGS_SHOWN),
    }, status=400 if problems else 200)


def _estimate(seconds):
    """How long the import is likely to take, in words: the check's own time, rounded up."""
    if seconds is None:
        return ""
    if seconds < 10:
        return "a few seconds"
    if seconds < 90:
        return f"about {math.ceil(seconds / 10) * 10} seconds"
    return f"about {math.ceil(seconds / 60)} minutes"


@moderators_only
def template(request, kind):
    """The empty template: records.csv, findings.csv, or one workbook with both sheets."""
    if kind == "records.csv":
        body, content_type = export.records_csv([]), "text/csv; charset=utf-8"
    elif kind == "findings.csv":
        body, content_type = export.findings_csv([]), "text/csv; charset=utf-8"
    elif kind == "template.xlsx":
        body, content_type = export.workbook([], [], guidance=True), XLSX
    else:
        raise Http404("No template has this name.")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="registry-import-{kind}"'
    return response


urlpatterns = [
    path("import/", upload, name="import"),
    path("import/templates/<str:kind>", template, name="import-template"),
    path("import/<str:token>/", confirm, name="import-confirm"),
]
