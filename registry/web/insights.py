"""An overview of the published registry: figures drawn on the server, with
their tables, and the same figures as CSV."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from registry import charts
from registry import insights as figures
from registry.csv_cells import safe_cell

FIGURES = {
    "stages": "Evaluations by stage",
    "years": "Evaluations per year by type",
    "methods-by-department": "Methods by department",
}


def insights(request):
    data = figures.registry_insights(reverse("registry:browse"))
    figure = request.GET.get("figure", "")
    if request.GET.get("format") == "csv" and (not figure or figure in FIGURES):
        return _csv(figures.insight_tables(data), figure)
    errors = []
    if request.GET.get("format") == "csv":
        errors = [f"There is no figure called “{figure[:40]}”. Download one of the figures listed on this page."]
    return render(
        request,
        "registry/insights.html",
        {
            "insights": data,
            "figures": FIGURES,
            "errors": errors,
            "stage_chart": charts.bar_chart(
                [s for s in data["stages"]],
                chart_id="chart-stages",
                title="Published evaluations by stage",
                desc="; ".join(f"{s['label']}: {s['count']}" for s in data["stages"]) + ".",
            ),
            "year_chart": charts.grouped_columns(
                data["by_year"]["years"],
                data["by_year"]["series"],
                chart_id="chart-years",
                title="Published evaluations per year by evaluation type",
                desc="A bar per evaluation type for each year in which an evaluation has any event date. "
                "The table after the chart gives every count.",
            )
            if data["by_year"]["years"]
            else "",
        },
        status=400 if errors else 200,
    )


def _csv(tables, figure):
    """One figure as its own table, or (with no figure named) all of them in one long table."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registry-insights-{figure or "all"}.csv"'
    writer = csv.writer(response)
    if figure:
        for row in tables[figure]:
            writer.writerow([safe_cell(value) for value in row])
        return response
    writer.writerow(["Figure", "Row", "Column", "Evaluations"])
    for name, (header, *rows) in tables.items():
        first_count = 2 if name == "methods-by-department" else 1  # skip the code column
        for row in rows:
            for column, value in zip(header[first_count:], row[first_count:], strict=True):
                writer.writerow([FIGURES[name], safe_cell(row[0]), safe_cell(column), value])
    return response


urlpatterns = [path("insights/", insights, name="insights")]
