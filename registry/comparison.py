"""Read-side data for comparing records side by side and for the registry's
insight figures.

Selectors here fetch in a fixed number of queries; everything after the fetch
is pure Python over the fetched objects, so pages, CSV downloads and the API
all build from the same rows.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Prefetch
from django.urls import reverse

from registry import presenters, selectors
from registry.models import (
    Evaluation,
    EvaluationDesign,
    EvaluationOrganisation,
    EventDate,
    Finding,
    PolicyArea,
)
from registry.models.evaluations import EventCategory, LinkKind, OrganisationRole, Stage
from registry.models.findings import Significance

MAX_COMPARED = 4
SESSION_KEY = "compare"
# Longer than any slug the model allows, so a pasted URL cannot fill a message with junk.
_MAX_SLUG = 120
_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")


# --- Which records to compare ------------------------------------------------


@dataclass
class Comparison:
    """The records a request asked to compare, and what was wrong with the request."""

    evaluations: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    requested: list = field(default_factory=list)

    @property
    def slugs(self):
        return [e.slug for e in self.evaluations]

    @property
    def query_string(self):
        return urlencode([("e", slug) for slug in self.slugs])


def parse_slugs(values):
    """Clean the `e` parameters: split commas, drop blanks, duplicates and
    anything that is not an address, keep at most four.

    Returns (slugs, problems); problems are sentences for the visitor."""
    problems, slugs, seen_twice, bad = [], [], [], []
    for value in values:
        for part in str(value).split(","):
            slug = part.strip()
            if not slug:
                continue
            if len(slug) > _MAX_SLUG or not _SLUG_RE.fullmatch(slug):
                bad.append(slug[:40] + ("…" if len(slug) > 40 else ""))
            elif slug in slugs:
                if slug not in seen_twice:
                    seen_twice.append(slug)
            else:
                slugs.append(slug)
    for slug in bad:
        problems.append(f"“{slug}” is not an evaluation address. Addresses use letters, numbers and hyphens.")
    for slug in seen_twice:
        problems.append(f"“{slug}” was listed more than once. It is shown once.")
    if len(slugs) > MAX_COMPARED:
        dropped = ", ".join(f"“{s}”" for s in slugs[MAX_COMPARED:])
        problems.append(
            f"You can compare up to {MAX_COMPARED} evaluations at a time. Showing the first {MAX_COMPARED}; "
            f"not shown: {dropped}."
        )
        slugs = slugs[:MAX_COMPARED]
    return slugs, problems


def with_record_relations(queryset):
    """Everything the comparison shows, prefetched once for all compared
    records (the same relations as `selectors.evaluation_detail`)."""
    return queryset.select_related("lead_department", "programme").annotate(
        documents_count=selectors.documents_count()
    ).prefetch_related(
        "other_departments",
        "places",
        Prefetch("policy_areas", queryset=PolicyArea.objects.select_related("parent")),
        Prefetch("designs", queryset=EvaluationDesign.objects.select_related("design_type__parent")),
        Prefetch("organisation_roles", queryset=EvaluationOrganisation.objects.select_related("organisation")),
        "event_dates",
        "links",
        Prefetch("findings", queryset=Finding.objects.select_related("source_document").defer("source_document__text")),
        selectors.first_documents(),  # bounded: a record can link a thousand documents
    )


def compared_evaluations(values, user):
    """The records named by `values` (the `e` parameters) that this user may
    see, in the order asked for. A slug the user may not see gets the same
    message as one that does not exist, so drafts do not reveal themselves."""
    slugs, problems = parse_slugs(values)
    found = {}
    if slugs:
        queryset = with_record_relations(selectors.visible_evaluations(user).filter(slug__in=slugs))
        found = {e.slug: e for e in queryset}
    for slug in slugs:
        if slug not in found:
            problems.append(
                f"No published evaluation has the address “{slug}”. It may have been withdrawn or mistyped."
            )
    return Comparison([found[s] for s in slugs if s in found], problems, slugs)


# --- The side-by-side table --------------------------------------------------


@dataclass
class CompareRow:
    key: str
    cells: list  # one list of values per record; a value is a string or a dict with text/href
    empty: str = presenters.NOT_PROVIDED

    @property
    def differs(self):
        texts = {tuple(value_text(v) for v in cell) for cell in self.cells}
        return len(self.cells) > 1 and len(texts) > 1

    @property
    def texts(self):
        """One line of text per record, for CSV and the API."""
        return ["; ".join(value_text(v) for v in cell) or self.empty for cell in self.cells]


@dataclass
class CompareSection:
    id: str
    title: str
    rows: list

    @property
    def differing_rows(self):
        return [row for row in self.rows if row.differs]


def value_text(value):
    return value["text"] if isinstance(value, dict) else str(value)


def _merge_keys(key_lists):
    """Union of ordered key lists keeping each list's order (new keys go after
    the last shared key), so "Quasi-experimental methods" lands after "Impact methods"."""
    order = []
    for keys in key_lists:
        position = -1
        for key in keys:
            if key in order:
                position = order.index(key)
            else:
                position += 1
                order.insert(position, key)
    return order


def _organisation_rows(evaluation):
    roles = list(evaluation.organisation_roles.all())
    evaluators = [
        {"text": r.organisation.name, "href": r.organisation.govuk_url}
        for r in roles
        if r.role == OrganisationRole.EVALUATOR
    ]
    others = [
        {"text": f"{r.organisation.name} ({r.get_role_display().lower()})", "href": r.organisation.govuk_url}
        for r in roles
        if r.role != OrganisationRole.EVALUATOR
    ]
    return {
        "Evaluator": presenters.Row("Evaluator", evaluators, "No evaluator listed"),
        "Other organisations": presenters.Row("Other organisations", others, "None listed"),
    }


def _event_rows(evaluation):
    """One row per kind of event; an "Other" event is its own row, named by its description."""
    rows = {}
    for event in evaluation.event_dates.all():
        text = event.when + (f" ({event.get_status_display().lower()})" if event.status else "")
        rows.setdefault(event.label, presenters.Row(event.label)).values.append(text)
    years = [event.year for event in evaluation.event_dates.all()]
    if years:
        span = str(min(years)) if min(years) == max(years) else f"{min(years)} to {max(years)}"
        rows["Years covered by event dates"] = presenters.Row("Years covered by event dates", [span], "No event dates")
    return rows


def _event_keys(per_record):
    labels = dict(EventCategory.choices)
    known = [label for code, label in EventCategory.choices if code != EventCategory.OTHER]
    present = {key for rows in per_record for key in rows}
    others = sorted(present - set(known) - {"Years covered by event dates"} - {labels[EventCategory.OTHER]})
    keys = [key for key in known if key in present] + others
    if labels[EventCategory.OTHER] in present:
        keys.append(labels[EventCategory.OTHER])
    return ["Years covered by event dates"] + keys


def _document_rows(evaluation):
    documents = [{"text": d.title, "href": d.get_absolute_url()} for d in evaluation.first_documents]
    if evaluation.documents_count > len(documents):
        documents.append({"text": f"View all {evaluation.documents_count} documents",
                          "href": f"{reverse('registry:documents')}?{urlencode({'evaluation': evaluation.slug})}"})
    findings = len(evaluation.findings.all())
    return {
        "Documents": presenters.Row("Documents", documents, "No documents"),
        "Structured findings": presenters.Row(
            "Structured findings", [str(findings)] if findings else [], "None recorded"
        ),
    }


def compare_sections(evaluations, tree):
    """Rows aligned by section for the compared records. `tree` is
    `selectors.design_tree()`. No queries: the records come prefetched."""
    per_record, empties = [], {"Years covered by event dates": "No event dates"}
    design_keys, event_keys = [], []
    for evaluation in evaluations:
        sections = presenters.record_sections(evaluation, tree)
        designs = presenters.design_rows(evaluation, tree)
        events = _event_rows(evaluation)
        rows = {row.key: row for group in sections.values() for row in group}
        rows.update({row.key: row for row in designs})
        rows.update(_organisation_rows(evaluation))
        rows.update(events)
        rows.update(_document_rows(evaluation))
        empties.update({row.key: row.empty for row in rows.values()})
        design_keys.append([row.key for row in designs])
        event_keys.append(events)
        per_record.append(rows)

    def section(id, title, keys):
        rows = [
            CompareRow(
                key, [r[key].values if key in r else [] for r in per_record], empties.get(key, presenters.NOT_PROVIDED)
            )
            for key in keys
        ]
        return CompareSection(id, title, rows)

    has_note = any("Note" in rows for rows in per_record)
    return [
        section("overview", "Overview", ["Evaluation stage", "Lead department", "Other departments", "Programme"]),
        section("organisations", "Organisations and places", ["Evaluator", "Other organisations", "Places"]),
        section("design", "Evaluation types and methods", _merge_keys(design_keys)),
        section("dates", "Event dates", _event_keys(event_keys)),
        section(
            "costs",
            "Cost, grant and Major Project",
            ["Cost"] + (["Note"] * has_note) + ["Grant information", "Government Major Project information"],
        ),
        section("policies", "Policies", ["Policies"]),
        section(
            "links",
            "Links and documents",
            [kind.label for kind in LinkKind] + ["Permission to share confirmed", "Documents", "Structured findings"],
        ),
    ]


def visible_sections(sections, only_differences):
    """The sections a page shows: with only_differences, identical rows go and
    sections left empty go too."""
    if not only_differences:
        return sections
    return [CompareSection(s.id, s.title, s.differing_rows) for s in sections if s.differing_rows]


# --- Findings compared -------------------------------------------------------


@dataclass
class FindingGroup:
    outcome: str
    entries: list  # (evaluation, finding) pairs

    @property
    def evaluation_count(self):
        return len({evaluation.pk for evaluation, _ in self.entries})


def _outcome_key(outcome):
    return re.sub(r"\W+", " ", outcome.casefold()).strip()


def findings_by_outcome(evaluations):
    """Every finding of the compared records, grouped by outcome (case and
    punctuation ignored). Outcomes reported by several records come first:
    they are the ones a reader can compare."""
    groups = {}
    for evaluation in evaluations:
        for finding in evaluation.findings.all():
            key = _outcome_key(finding.outcome)
            groups.setdefault(key, FindingGroup(finding.outcome, [])).entries.append((evaluation, finding))
    ordered = list(groups.values())
    ordered.sort(key=lambda g: -g.evaluation_count)  # stable: otherwise first-seen order
    return ordered


def effect_series(groups):
    """Numeric effects grouped by unit (only like units share an axis). Each
    point: label, record title, value, interval and significance."""
    by_unit = {}
    for group in groups:
        for evaluation, finding in group.entries:
            if finding.effect_size is None or not finding.effect_unit.strip():
                continue
            lower, upper = finding.ci_lower, finding.ci_upper
            by_unit.setdefault(finding.effect_unit.strip(), []).append(
                {
                    "outcome": finding.outcome,
                    "intervention": finding.intervention,
                    "evaluation": evaluation.title,
                    "slug": evaluation.slug,
                    "value": float(finding.effect_size),
                    "lower": float(lower) if lower is not None and upper is not None else None,
                    "upper": float(upper) if lower is not None and upper is not None else None,
                    "ci_level": float(finding.ci_level) if finding.ci_level is not None else None,
                    "significance": finding.significance,
                    "significance_label": finding.get_significance_display(),
                    "significant": finding.significance == Significance.SIGNIFICANT,
                    "display": finding.effect_display,
                }
            )
    return [{"unit": unit, "points": points} for unit, points in by_unit.items()]


def timeline_lanes(evaluations):
    """Event dates of each record as (fractional year, label) points for a shared time axis."""
    lanes = []
    for evaluation in evaluations:
        points = [
            {
                "x": event.year + ((event.month or 1) - 1) / 12,
                "label": f"{event.label}: {event.when}",
                "actual": event.status == "actual",
            }
            for event in evaluation.event_dates.all()
        ]
        lanes.append({"label": evaluation.title, "points": points})
    return lanes


# --- Insights ----------------------------------------------------------------


def _browse(**params):
    return reverse("registry:browse") + "?" + urlencode(params)


def registry_insights():
    """Figures over the published registry in a fixed number of queries
    (six, whatever its size): stages, evaluations per year by type, and a
    methods-by-department matrix. Each count carries the browse URL that
    lists the same records, so the counts agree with the browse filters
    (a type or method includes the methods under it; a department counts
    whether it leads or joins)."""
    published = Evaluation.objects.published()
    stage_counts = dict(published.order_by().values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    tree = selectors.design_tree()
    design_pairs = list(
        EvaluationDesign.objects.filter(evaluation__visibility="published").values_list(
            "evaluation_id", "design_type_id"
        )
    )
    year_pairs = set(EventDate.objects.filter(evaluation__visibility="published").values_list("evaluation_id", "year"))
    leads = list(
        published.filter(lead_department__isnull=False).values_list(
            "id", "lead_department__code", "lead_department__name"
        )
    )
    others = list(
        Evaluation.other_departments.through.objects.filter(evaluation__visibility="published").values_list(
            "evaluation_id", "department__code", "department__name"
        )
    )
    total = sum(stage_counts.values())

    stages = [
        {"code": code, "label": label, "count": stage_counts.get(code, 0), "href": _browse(stage=code)}
        for code, label in Stage.choices
    ]
    if stage_counts.get(""):
        stages.append({"code": "", "label": "Stage not provided", "count": stage_counts[""], "href": ""})

    nodes = {node.id: node for node in tree}
    # Each node's evaluations include those of the nodes beneath it, as the method filter does.
    under = defaultdict(set)
    for evaluation_id, design_id in design_pairs:
        node = nodes.get(design_id)
        while node is not None:
            under[node.id].add(evaluation_id)
            node = nodes.get(node.parent_id)

    types = [node for node in tree if node.parent_id is None]
    years = sorted({year for _, year in year_pairs})
    if years and years[-1] - years[0] < 60:
        years = list(range(years[0], years[-1] + 1))  # a continuous axis, gaps shown as zero
    evaluations_in_year = defaultdict(set)
    for evaluation_id, year in year_pairs:
        evaluations_in_year[year].add(evaluation_id)
    by_year = {
        "years": years,
        "totals": [len(evaluations_in_year[y]) for y in years],
        "series": [
            {
                "code": t.code,
                "name": t.name,
                "counts": [len(evaluations_in_year[y] & under[t.id]) for y in years],
                "hrefs": [_browse(year=y, type=t.code) for y in years],
            }
            for t in types
        ],
    }

    departments, department_evaluations = {}, defaultdict(set)
    for evaluation_id, code, name in leads + others:
        departments[code] = name
        department_evaluations[code].add(evaluation_id)
    columns = sorted(departments, key=lambda c: (-len(department_evaluations[c]), departments[c]))
    depth = {}
    for node in tree:
        depth[node.id] = 0 if node.parent_id is None else depth.get(node.parent_id, 0) + 1
    matrix_rows = []
    for node in _tree_order(tree):
        if not under[node.id]:
            continue
        matrix_rows.append(
            {
                "code": node.code,
                "name": str(node),
                "depth": depth[node.id],
                "is_type": node.parent_id is None,
                "total": len(under[node.id]),
                "href": _browse(method=node.code),
                "cells": [
                    {
                        "count": len(under[node.id] & department_evaluations[c]),
                        "href": _browse(department=c, method=node.code),
                    }
                    for c in columns
                ],
            }
        )
    peak = max((cell["count"] for row in matrix_rows for cell in row["cells"]), default=0)
    for row in matrix_rows:
        for cell in row["cells"]:
            cell["shade"] = 0 if not cell["count"] else 1 + (3 * cell["count"]) // (peak + 1)
    matrix = {
        "departments": [
            {"code": c, "name": departments[c], "total": len(department_evaluations[c]), "href": _browse(department=c)}
            for c in columns
        ],
        "rows": matrix_rows,
    }
    return {"total": total, "stages": stages, "by_year": by_year, "matrix": matrix}


def _tree_order(tree):
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
