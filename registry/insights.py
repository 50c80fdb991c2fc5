"""Figures over the published registry for the /insights/ page, its CSV
downloads and the API: stages, evaluations per year by type, and methods by
department.

Fetched in a fixed number of queries; the rest is pure Python over the
fetched values. Counts link to the browse page at the address the caller
gives, so this module builds no URLs of its own.
"""

from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Count

from registry import selectors
from registry.models import Evaluation, EvaluationDesign, EventDate
from registry.models.choices import Stage, Visibility


def registry_insights(browse_url):
    """Figures over the published registry in a fixed number of queries
    (six, whatever its size): stages, evaluations per year by type, and a
    methods-by-department matrix. Each count carries the address of the
    browse page (`browse_url`, given by the caller) filtered to list the same
    records, so the counts agree with the browse filters (a type or method
    includes the methods under it; a department counts whether it leads or joins)."""

    def browse(**params):
        return f"{browse_url}?{urlencode(params)}"

    published = Evaluation.objects.published()
    stage_counts = dict(published.order_by().values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    tree = selectors.design_tree()
    design_pairs = list(
        EvaluationDesign.objects.filter(evaluation__visibility=Visibility.PUBLISHED).values_list(
            "evaluation_id", "design_type_id"
        )
    )
    year_pairs = set(
        EventDate.objects.filter(evaluation__visibility=Visibility.PUBLISHED).values_list("evaluation_id", "year")
    )
    leads = list(
        published.filter(lead_department__isnull=False).values_list(
            "id", "lead_department__code", "lead_department__name"
        )
    )
    others = list(
        Evaluation.other_departments.through.objects.filter(evaluation__visibility=Visibility.PUBLISHED).values_list(
            "evaluation_id", "department__code", "department__name"
        )
    )
    total = sum(stage_counts.values())
    under = evaluations_under(tree, design_pairs)
    return {
        "total": total,
        "stages": _stages(stage_counts, browse),
        "by_year": _by_year(tree, under, year_pairs, total, browse),
        "matrix": _matrix(tree, under, leads + others, browse),
    }


def _stages(stage_counts, browse):
    stages = [
        {"code": code, "label": label, "count": stage_counts.get(code, 0), "href": browse(stage=code)}
        for code, label in Stage.choices
    ]
    if stage_counts.get(""):
        stages.append({"code": "", "label": "Stage not provided", "count": stage_counts[""], "href": ""})
    return stages


def evaluations_under(tree, design_pairs):
    """{node id: evaluation ids}: each node's evaluations include those of the nodes
    beneath it, as the method filter does."""
    nodes = {node.id: node for node in tree}
    under = defaultdict(set)
    for evaluation_id, design_id in design_pairs:
        node = nodes.get(design_id)
        while node is not None:
            under[node.id].add(evaluation_id)
            node = nodes.get(node.parent_id)
    return under


def _by_year(tree, under, year_pairs, total, browse):
    """Evaluations per year by type, and how many have no dates at all (so are not in it)."""
    types = [node for node in tree if node.parent_id is None]
    years = sorted({year for _, year in year_pairs})
    if years and years[-1] - years[0] < 60:
        years = list(range(years[0], years[-1] + 1))  # a continuous axis, gaps shown as zero
    evaluations_in_year = defaultdict(set)
    for evaluation_id, year in year_pairs:
        evaluations_in_year[year].add(evaluation_id)
    return {
        "years": years,
        "totals": [len(evaluations_in_year[y]) for y in years],
        "undated": total - len({evaluation_id for evaluation_id, _ in year_pairs}),
        "series": [
            {
                "code": t.code,
                "name": t.name,
                "counts": [len(evaluations_in_year[y] & under[t.id]) for y in years],
                "hrefs": [browse(year=y, type=t.code) for y in years],
            }
            for t in types
        ],
    }


def _matrix(tree, under, department_pairs, browse):
    """Methods (rows, in tree order) by department (columns, busiest first)."""
    departments, department_evaluations = {}, defaultdict(set)
    for evaluation_id, code, name in department_pairs:
        departments[code] = name
        department_evaluations[code].add(evaluation_id)
    columns = sorted(departments, key=lambda c: (-len(department_evaluations[c]), departments[c]))
    depth = {}
    for node in tree:
        depth[node.id] = 0 if node.parent_id is None else depth.get(node.parent_id, 0) + 1
    rows = [
        {
            "code": node.code,
            "name": str(node),
            "depth": depth[node.id],
            "is_type": node.parent_id is None,
            "total": len(under[node.id]),
            "href": browse(method=node.code),
            "cells": [
                {"count": len(under[node.id] & department_evaluations[c]),
                 "href": browse(department=c, method=node.code)}
                for c in columns
            ],
        }
        for node in tree_order(tree) if under[node.id]
    ]
    peak = max((cell["count"] for row in rows for cell in row["cells"]), default=0)
    for row in rows:
        for cell in row["cells"]:
            cell["shade"] = 0 if not cell["count"] else 1 + (3 * cell["count"]) // (peak + 1)
    return {
        "departments": [
            {"code": c, "name": departments[c], "total": len(department_evaluations[c]), "href": browse(department=c)}
            for c in columns
        ],
        "rows": rows,
    }


def tree_order(tree):
    """Depth-first: each type, then its methods, then their sub-methods."""
    children = defaultdict(list)
    for node in tree:
        children[node.parent_id].append(node)
    ordered = []

    def walk(parent_id):
        for node in children[parent_id]:
            ordered.append(node)
            walk(node.id)

    walk(None)
    return ordered


def insight_tables(insights):
    """The figures as plain tables (header row, then data rows) for CSV
    downloads: one per figure, keyed by the name the download uses."""
    stages = [["Stage", "Evaluations"]] + [[s["label"], s["count"]] for s in insights["stages"]]
    by_year = insights["by_year"]
    years = [["Year", "Evaluations (any type)"] + [s["name"] for s in by_year["series"]]]
    for i, year in enumerate(by_year["years"]):
        years.append([year, by_year["totals"][i]] + [s["counts"][i] for s in by_year["series"]])
    matrix = insights["matrix"]
    methods = [
        ["Type or method", "Type or method code", "All departments"] + [d["name"] for d in matrix["departments"]]
    ]
    for row in matrix["rows"]:
        methods.append([row["name"], row["code"], row["total"]] + [c["count"] for c in row["cells"]])
    return {"stages": stages, "years": years, "methods-by-department": methods}
