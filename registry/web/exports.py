"""The browse and search pages' results as CSV: the API's rows, representation
and columns (`registry.selectors.record_rows`, `registry.representation`,
`registry.csv_export`), so a spreadsheet from a page and one from
`/api/v1/evaluations/?format=csv` read the same. There is one CSV layout."""

from django.http import HttpResponse

from registry.csv_export import EVALUATION_COLUMNS, write_csv
from registry.representation import evaluation_paths, evaluation_representation
from registry.selectors import record_rows

# The most records one download holds; a page says so when a result is longer.
CSV_LIMIT = 5000
# Ids per query: record_rows reads a list of records in one statement; chunks keep
# each statement's parameter list small (SQLite allows 32,766) and the number of
# queries fixed (at most CSV_LIMIT / CHUNK).
CHUNK = 500


def evaluations_csv(request, ids, filename="evaluations.csv"):
    """These records, in this order, as the API's CSV."""
    ids = list(ids)[:CSV_LIMIT]
    rows = []
    for start in range(0, len(ids), CHUNK):
        rows += record_rows(ids[start:start + CHUNK])
    paths = evaluation_paths(request)
    data = [evaluation_representation(row, request, paths) for row in rows]
    response = HttpResponse(write_csv(data, EVALUATION_COLUMNS), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_url(request):
    """This page's address asking for the CSV of all its results (not just this page)."""
    params = request.GET.copy()
    params.pop("page", None)
    params["format"] = "csv"
    return request.path + "?" + params.urlencode()
