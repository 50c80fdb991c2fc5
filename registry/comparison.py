"""Comparing records side by side: which records a request names, their rows
aligned by section, and their findings grouped by outcome.

The records are fetched once (`selectors.evaluations_by_slug`); everything
after the fetch is pure Python over the fetched objects, so pages, CSV
downloads and the API all build from the same rows. Rows are aligned by their
stable ids (`presenters.Row.id`), never by their wording, and link only to the
URLs the caller passes in (`presenters.Urls`).
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from registry import presenters, selectors
from registry.models.evaluations import EventCategory, LinkKind, OrganisationRole
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


def compared_evaluations(values, user):
    """The records named by `values` (the `e` parameters) that this user may
    see, in the order asked for. A slug the user may not see gets the same
    message as one that does not exist, so drafts do not reveal themselves."""
    slugs, problems = parse_slugs(values)
    found = selectors.evaluations_by_slug(slugs, user)
    for slug in slugs:
        if slug not in found:
            problems.append(
                f"No published evaluation has the address “{slug}”. It may have been withdrawn or mistyped."
            )
    return Comparison([found[s] for s in slugs if s in found], problems, slugs)


# --- The side-by-side table --------------------------------------------------


@dataclass
class CompareRow:
    id: str  # stable, as `presenters.Row.id`
    key: str  # the row's name as the page shows it
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


def _merge_ids(id_lists):
    """Union of ordered id lists keeping each list's order (new ids go after
    the last shared id), so a record's quasi-experimental methods land after
    another's impact methods."""
    order = []
    for ids in id_lists:
        position = -1
        for id in ids:
            if id in order:
                position = order.index(id)
            else:
                position += 1
                order.insert(position, id)
    return order


# The comparison's own rows (the rest are the record page's, `presenters.LABELS`).
LABELS = {
    "evaluator": "Evaluator",
    "other_organisations": "Other organisations",
    "event_years": "Years covered by event dates",
    "documents": "Documents",
    "findings_count": "Structured findings",
}


def _row(id, values, empty=presenters.NOT_PROVIDED):
    return presenters.Row(id, LABELS[id], values, empty)


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
    return [_row("evaluator", evaluators, "No evaluator listed"), _row("other_organisations", others, "None listed")]


def _event_id(event):
    """A row per kind of event; an "Other" event with a description is a row of its own."""
    if event.category == EventCategory.OTHER and event.description:
        return f"event:other:{event.description}"
    return f"event:{event.category}"


def _event_rows(evaluation):
    rows = {}
    for event in evaluation.event_dates.all():
        text = event.when + (f" ({event.get_status_display().lower()})" if event.status else "")
        rows.setdefault(_event_id(event), presenters.Row(_event_id(event), event.label)).values.append(text)
    years = [event.year for event in evaluation.event_dates.all()]
    if years:
        span = str(min(years)) if min(years) == max(years) else f"{min(years)} to {max(years)}"
        rows["event_years"] = _row("event_years", [span], "No event dates")
    return list(rows.values())


def _event_ids(rows):
    """The years covered first, then events in the vocabulary's order, events
    described as "Other" by their description, and undescribed "Other" last."""
    present = {row.id: row.key for row in rows}
    known = [f"event:{code}" for code, _ in EventCategory.choices if code != EventCategory.OTHER]
    described = sorted((id for id in present if id.startswith("event:other:")), key=present.get)
    last = [f"event:{EventCategory.OTHER}"]
    return ["event_years"] + [id for id in known + described + last if id in present]


def _document_rows(evaluation, urls):
    documents = [{"text": d.title, "href": d.get_absolute_url()} for d in evaluation.first_documents]
    if evaluation.documents_count > len(documents):
        documents.append(
            {"text": f"View all {evaluation.documents_count} documents", "href": urls.documents_of(evaluation)}
        )
    findings = len(evaluation.findings.all())
    return [
        _row("documents", documents, "No documents"),
        _row("findings_count", [str(findings)] if findings else [], "None recorded"),
    ]


def compare_sections(evaluations, tree, urls):
    """Rows aligned by section for the compared records. `tree` is
    `selectors.design_tree()`; `urls` says where values link (`presenters.Urls`).
    No queries: the records come prefetched."""
    per_record, design_ids, event_rows = [], [], []
    labels = {**presenters.LABELS, **LABELS, **{f"link:{kind.value}": kind.label for kind in LinkKind}}
    empties = {"event_years": "No event dates"}
    for evaluation in evaluations:
        sections = presenters.record_sections(evaluation, tree, urls)
        designs = presenters.design_rows(evaluation, tree)
        events = _event_rows(evaluation)
        rows = [row for group in sections.values() for row in group] + designs + _organisation_rows(evaluation)
        rows += events + _document_rows(evaluation, urls)
        labels.update({row.id: row.key for row in rows})
        empties.update({row.id: row.empty for row in rows})
        design_ids.append([row.id for row in designs])
        event_rows += events
        per_record.append({row.id: row for row in rows})

    def section(id, title, row_ids):
        rows = [
            CompareRow(
                row_id,
                labels[row_id],
                [r[row_id].values if row_id in r else [] for r in per_record],
                empties.get(row_id, presenters.NOT_PROVIDED),
            )
            for row_id in row_ids
        ]
        return CompareSection(id, title, rows)

    has_note = any("cost_note" in rows for rows in per_record)
    return [
        section("overview", "Overview", ["stage", "lead_department", "other_departments", "programme"]),
        section("organisations", "Organisations and places", ["evaluator", "other_organisations", "places"]),
        section("design", "Evaluation types and methods", _merge_ids(design_ids)),
        section("dates", "Event dates", _event_ids(event_rows)),
        section(
            "costs",
            "Cost, grant and Major Project",
            ["cost"] + (["cost_note"] * has_note) + ["grant", "major_project"],
        ),
        section("policies", "Policies", ["policy_areas"]),
        section(
            "links",
            "Links and documents",
            [f"link:{kind.value}" for kind in LinkKind] + ["permission_to_share", "documents", "findings_count"],
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
