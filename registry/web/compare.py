"""The comparison basket (kept in the visitor's session) and the side-by-side page.

The basket holds slugs only, so showing its count on every page costs no
query; the compare page checks each slug against what the visitor may see.
"""

import csv
import unicodedata

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from registry import charts, comparison, presenters, selectors
from registry.csv_cells import safe_cell

NOTICE_KEY = "compare_notice"


def get_basket(request):
    slugs = request.session.get(comparison.SESSION_KEY, []) if hasattr(request, "session") else []
    return [s for s in slugs if isinstance(s, str)][: comparison.MAX_COMPARED]


def _save_basket(request, slugs, notice=""):
    request.session[comparison.SESSION_KEY] = slugs
    if notice:
        request.session[NOTICE_KEY] = notice


def _next_url(request):
    """Back to the page the form was on, if it is on this site; otherwise the compare page."""
    target = request.POST.get("next", "")
    # Control characters would break the Location header.
    if (
        target
        and not any(unicodedata.category(c)[0] == "C" for c in target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return reverse("registry:compare")


@require_POST
def add(request):
    slug = request.POST.get("slug", "").strip()
    basket = get_basket(request)
    title = selectors.evaluation_title(slug, request.user) if slug else None
    if title is None:
        _save_basket(request, basket, "That evaluation could not be added: it is not published or does not exist.")
    elif slug in basket:
        _save_basket(request, basket, f"{title} is already in your comparison.")
    elif len(basket) >= comparison.MAX_COMPARED:
        _save_basket(
            request,
            basket,
            f"You can compare up to {comparison.MAX_COMPARED} evaluations. Remove one before adding {title}.",
        )
    else:
        _save_basket(request, basket + [slug], f"Added {title} to your comparison.")
    return redirect(_next_url(request))


@require_POST
def remove(request):
    slug = request.POST.get("slug", "").strip()
    basket = get_basket(request)
    if slug in basket:
        _save_basket(request, [s for s in basket if s != slug], "Removed an evaluation from your comparison.")
    return redirect(_next_url(request))


@require_POST
def clear(request):
    _save_basket(request, [], "Your comparison is now empty.")
    return redirect(_next_url(request))


def compare(request):
    """Side by side: the records in `e` parameters (a shareable address), or the basket's."""
    values = request.GET.getlist("e")
    from_basket = not values
    result = comparison.compared_evaluations(values or get_basket(request), request.user)
    if from_basket and result.problems:
        # Records unpublished since they were added: drop them, and say so once.
        _save_basket(request, result.slugs)
    only_differences = request.GET.get("show") == "differences" and len(result.evaluations) > 1
    urls = presenters.Urls(browse=reverse("registry:browse"), documents=reverse("registry:documents"))
    sections = comparison.visible_sections(
        comparison.compare_sections(result.evaluations, selectors.design_tree(), urls), only_differences
    )
    if request.GET.get("format") == "csv":
        return _csv(result, sections)
    groups = comparison.findings_by_outcome(result.evaluations)
    return render(
        request,
        "registry/compare.html",
        {
            "comparison": result,
            "from_basket": from_basket,
            "sections": sections,
            "only_differences": only_differences,
            "finding_groups": groups,
            "effect_charts": _effect_charts(groups),
            "timeline": charts.timeline(
                comparison.timeline_lanes(result.evaluations),
                chart_id="compare-timeline",
                title="Event dates on a common timeline",
                desc="Each compared evaluation is a row; dots mark its event dates. "
                "The table's event date rows give the same dates.",
            ),
        },
        status=400 if result.problems and not result.evaluations else 200,
    )


def _effect_charts(groups):
    return [
        {
            "unit": series["unit"],
            "points": series["points"],
            "svg": charts.effect_plot(
                series["points"],
                series["unit"],
                chart_id=f"effects-{n}",
                title=f"Effect sizes in {series['unit']}",
                desc=f"{len(series['points'])} finding(s) with an effect in {series['unit']}; "
                "the table below gives the same values.",
            ),
        }
        for n, series in enumerate(comparison.effect_series(groups))
    ]


def _csv(result, sections):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="evaluation-comparison.csv"'
    writer = csv.writer(response)
    writer.writerow(["Section", "Row"] + [safe_cell(e.title) for e in result.evaluations] + ["Records differ"])
    for section in sections:
        for row in section.rows:
            writer.writerow(
                [section.title, row.key] + [safe_cell(t) for t in row.texts] + ["yes" if row.differs else "no"]
            )
    return response


urlpatterns = [
    path("compare/", compare, name="compare"),
    path("compare/add/", add, name="compare_add"),
    path("compare/remove/", remove, name="compare_remove"),
    path("compare/clear/", clear, name="compare_clear"),
]
