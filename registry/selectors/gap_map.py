"""A live evidence gap map over the published registry: evaluation methods,
grouped by family (the design-type tree), against policy areas, and against
the outcomes of structured findings. A cell counts published evaluations; an
empty cell is a gap.

Counts agree with the browse filters the cells link to: a family or method
includes the methods under it (`method=`), and a top-level policy area
includes its sub-areas (`policy_area=`). The "Other" catch-alls hold free text
rather than a method, so they are not rows, as in the browse page's list.

Outcomes are free text: findings are grouped by their outcome with case and
surrounding spaces set aside (registry.filters.outcome_key, computed by the
database), named by their commonest wording. An outcome cell links to the
browse page's `outcome=` filter, which matches by the same key, so the list it
opens holds exactly the cell's count.

Five queries whatever the registry's size; the rest is Python over them.
"""

from collections import Counter, defaultdict
from urllib.parse import urlencode

from registry import selectors
from registry.filters import outcome_key
from registry.insights import evaluations_under, tree_order
from registry.models import Evaluation, EvaluationDesign, Finding, PolicyArea
from registry.models.choices import Visibility

MAX_OUTCOMES = 20  # outcome columns on the page; the CSV holds every outcome


def _rows(tree, under):
    """The methods in tree order, families first, with their depth; no catch-alls."""
    depth: dict[int, int] = {}
    for node in tree:
        depth[node.id] = 0 if node.parent_id is None else depth.get(node.parent_id, 0) + 1
    return [
        {"node": node, "code": node.code, "name": node.name, "depth": depth[node.id],
         "is_family": node.parent_id is None, "evaluations": under[node.id]}
        for node in tree_order(tree) if not node.collect_description
    ]


def _grid(rows, columns, browse, column_param, extra=None):
    """Each row's cells against these columns: {"count", "href"}; the shade is a colour only."""
    grid = []
    for row in rows:
        cells = []
        for column in columns:
            count = len(row["evaluations"] & column["evaluations"])
            params = {"method": row["code"], **(extra or {}), column_param: column["param"]}
            cells.append({"count": count, "href": browse(**params) if count else ""})
        grid.append({"code": row["code"], "name": row["name"], "depth": row["depth"], "is_family": row["is_family"],
                     "total": len(row["evaluations"]), "href": browse(method=row["code"]), "cells": cells})
    peak = max((cell["count"] for row in grid for cell in row["cells"]), default=0)
    for row in grid:
        for cell in row["cells"]:
            cell["shade"] = 0 if not cell["count"] else 1 + (3 * cell["count"]) // (peak + 1)
    return grid


def _policy_areas(area_pairs, tops, browse):
    by_top = defaultdict(set)
    for evaluation_id, area_id, parent_id in area_pairs:
        by_top[parent_id or area_id].add(evaluation_id)
    return [{"code": code, "name": label, "param": code, "evaluations": by_top[pk],
             "href": browse(policy_area=code)} for pk, code, label in tops]


def _outcomes(finding_rows):
    """Every outcome, the one most evaluations report first."""
    evaluations: defaultdict[str, set[int]] = defaultdict(set)
    wordings: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for evaluation_id, outcome, key in finding_rows:
        if key:
            evaluations[key].add(evaluation_id)
            wordings[key][outcome.strip()] += 1
    columns = []
    for key, ids in evaluations.items():
        name = wordings[key].most_common(1)[0][0]
        columns.append({"name": name, "evaluations": ids, "param": name})
    return sorted(columns, key=lambda c: (-len(c["evaluations"]), c["name"].casefold()))


def evidence_gap_map(browse_url, *, max_outcomes=MAX_OUTCOMES):
    """Both maps, with each cell's count and the browse page (at `browse_url`)
    that lists its records. `max_outcomes` bounds the outcome columns; None keeps all."""

    def browse(**params):
        return f"{browse_url}?{urlencode(params)}"

    published = {"evaluation__visibility": Visibility.PUBLISHED}
    tree = selectors.design_tree()
    design_pairs = EvaluationDesign.objects.filter(**published).values_list("evaluation_id", "design_type_id")
    rows = _rows(tree, evaluations_under(tree, design_pairs))
    tops = PolicyArea.objects.filter(parent__isnull=True).order_by("label").values_list("id", "code", "label")
    area_pairs = Evaluation.policy_areas.through.objects.filter(**published).values_list(
        "evaluation_id", "policyarea_id", "policyarea__parent_id")
    areas = _policy_areas(area_pairs, tops, browse)
    outcomes = _outcomes(Finding.objects.filter(**published).annotate(key=outcome_key("outcome"))
                         .values_list("evaluation_id", "outcome", "key"))
    shown = outcomes if max_outcomes is None else outcomes[:max_outcomes]
    for column in shown:
        column["href"] = browse(outcome=column["param"])
    with_area: set[int] = set().union(*(a["evaluations"] for a in areas))
    with_outcome: set[int] = set().union(*(o["evaluations"] for o in outcomes))
    return {
        "policy_areas": {"columns": areas, "rows": _grid(rows, areas, browse, "policy_area"),
                         "with_column": len(with_area)},
        "outcomes": {"columns": shown, "rows": _grid(rows, shown, browse, "outcome"),
                     "total": len(outcomes),
                     "with_column": len(with_outcome)},
        "total": Evaluation.objects.published().count(),
    }


def gap_map_tables(gap_map):
    """Both maps as plain tables (header row, then data rows) for the CSV."""
    tables = {}
    for name, label in (("policy_areas", "Policy area"), ("outcomes", "Outcome")):
        figure = gap_map[name]
        header = ["Type or method", "Type or method code", "Evaluations (any " + label.lower() + ")"]
        table = [header + [c["name"] for c in figure["columns"]]]
        for row in figure["rows"]:
            table.append([row["name"], row["code"], row["total"]] + [c["count"] for c in row["cells"]])
        tables[name] = table
    return tables
