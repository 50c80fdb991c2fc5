"""The live evidence gap map: methods against policy areas and against the
outcomes of structured findings, as accessible tables and as CSV
(registry/selectors/gap_map.py counts)."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from registry.csv_cells import safe_cell
from registry.selectors.gap_map import MAX_OUTCOMES, evidence_gap_map, gap_map_tables

MAPS = {"policy-areas": ("policy_areas", "Methods by policy area"), "outcomes": ("outcomes", "Methods by outcome")}


def gap_map(request):
    if request.GET.get("format") == "csv":
        name = request.GET.get("map", "")
        if not name or name in MAPS:
            data = evidence_gap_map(reverse("registry:browse"), max_outcomes=None)
            return _csv(gap_map_tables(data), name)
        errors = {"__all__": [f"There is no map called “{name[:40]}”. Download one of the maps listed on this page."]}
    else:
        errors = {}
    data = evidence_gap_map(reverse("registry:browse"))
    return render(request, "registry/gap_map/gap_map.html", {
        "gap_map": data, "maps": MAPS, "errors": errors, "max_outcomes": MAX_OUTCOMES,
    }, status=400 if errors else 200)


def _csv(tables, name):
    """One map as its own table, or (with no map named) both in one long table."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evidence-gap-map-{name or "all"}.csv"'
    writer = csv.writer(response)
    if name:
        for row in tables[MAPS[name][0]]:
            writer.writerow([safe_cell(value) for value in row])
        return response
    writer.writerow(["Map", "Type or method", "Type or method code", "Column", "Evaluations"])
    for key, title in MAPS.values():
        header, *rows = tables[key]
        for row in rows:
            for column, count in zip(header[3:], row[3:], strict=True):
                writer.writerow([title, safe_cell(row[0]), row[1], safe_cell(column), count])
    return response


urlpatterns = [path("gap-map/", gap_map, name="gap-map")]
