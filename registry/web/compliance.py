"""The publication compliance page and its CSV: which published evaluations
are past their planned final publication date with no published report, per
department (registry/selectors/compliance.py decides what counts)."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone

from registry.csv_cells import safe_cell
from registry.selectors.compliance import publication_compliance
from registry.web.pagination import paginate

PAGE_SIZE = 25  # late records listed on one page; the CSV holds them all
CSV_COLUMNS = ["Department", "Department code", "Reference", "Title", "Address", "Stage",
               "Planned final publication", "Date status", "Months late"]


def compliance(request):
    data = publication_compliance(timezone.localdate())
    code = request.GET.get("department", "")
    chosen = data.department(code) if code else None
    if code and chosen is None:
        message = (f"“{code[:80]}” is not a department with evaluations due in this list. "
                   "Choose a department from the table.")
        return _render(request, data, None, {"__all__": [message]}, status=400)
    late = chosen.late if chosen else data.late
    if request.GET.get("format") == "csv":
        return _csv(request, late, chosen)
    return _render(request, data, chosen, {}, page=paginate(request, late, per_page=PAGE_SIZE))


def _render(request, data, chosen, errors, page=None, status=200):
    return render(request, "registry/compliance/compliance.html", {
        "compliance": data, "chosen": chosen, "errors": errors, "page": page, "page_size": PAGE_SIZE,
    }, status=status)


def _csv(request, late, chosen):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"publication-compliance-{chosen.code}" if chosen else "publication-compliance"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for record in late:
        address = request.build_absolute_uri(reverse("registry:evaluation", kwargs={"slug": record.slug}))
        writer.writerow([safe_cell(value) for value in (
            record.department_name, record.department_code, record.reference, record.title, address,
            record.stage_label, record.planned, record.status_label, record.months_late,
        )])
    return response


urlpatterns = [path("compliance/", compliance, name="compliance")]
