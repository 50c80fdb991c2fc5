"""Turn a fetched record into the rows its page shows, in the public registry's
order and wording ("No other departments listed", "Not provided").

Pure functions over already-fetched objects: no queries happen here, and no
URLs are built but those the caller passes in (`Urls`) and the models' own.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from registry.models.evaluations import LinkKind

NOT_PROVIDED = "Not provided"

# Each fixed row's id and the words a reader sees for it. Code finds rows by id
# (the comparison aligns them, "Check your answers" links them to a question);
# only this table (and the methods, links and event rows named after their
# vocabulary) says what a row is called, so a copy edit changes nothing else.
LABELS = {
    "lead_department": "Lead department",
    "stage": "Evaluation stage",
    "other_departments": "Other departments",
    "types": "Evaluation types",
    "grant": "Grant information",
    "major_project": "Government Major Project information",
    "policy_areas": "Policies",
    "programme": "Programme",
    "organisations": "Organisations",
    "places": "Places",
    "cost": "Cost",
    "cost_note": "Note",
    "permission_to_share": "Permission to share confirmed",
}


@dataclass
class Row:
    id: str  # stable: "lead_department", "methods:impact", "link:report"
    key: str  # the row's name as the page shows it
    values: list = field(default_factory=list)  # strings, or dicts with text/href
    empty: str = NOT_PROVIDED


def row(id, values, empty=NOT_PROVIDED):
    """A fixed row, named from LABELS."""
    return Row(id, LABELS[id], values, empty)


@dataclass(frozen=True)
class Urls:
    """Pages a record's values link to, given by the web or API view that shows them."""

    browse: str  # the browse page: a lead department links to it, filtered
    documents: str  # the documents list: "View all" links to it, filtered by record

    def browse_filtered(self, **params):
        return f"{self.browse}?{urlencode(params)}"

    def documents_of(self, evaluation):
        return f"{self.documents}?{urlencode({'evaluation': evaluation.slug})}"


def short_name(design_type):
    """'Randomised control trial (RCT)' -> 'RCT'; 'Impact evaluation' -> 'Impact'."""
    match = re.search(r"\(([^)]+)\)$", design_type.name)
    if match:
        return match.group(1)
    return re.sub(r"\s+(evaluation|methods?)$", "", design_type.name, flags=re.I)


def _design_label(design):
    if design.design_type.collect_description:
        return f"Other: {design.description}" if design.description else "Other"
    if design.description:
        return f"{design.design_type.name} ({design.description})"
    return design.design_type.name


def design_rows(evaluation, tree):
    """Evaluation types, then "<type> methods" for each chosen type and
    "<method> methods" for each chosen method that has sub-methods."""
    chosen = {d.design_type_id: d for d in evaluation.designs.all()}
    children = {}
    for node in tree:
        if node.parent_id:
            children.setdefault(node.parent_id, []).append(node)
    types = [node for node in tree if node.parent_id is None and node.id in chosen]
    rows = [row("types", [_design_label(chosen[t.id]) for t in types], "No evaluation types listed")]

    def methods_row(parent):
        picked = [chosen[c.id] for c in children.get(parent.id, []) if c.id in chosen]
        name = short_name(parent)
        labels = [_design_label(d) for d in picked]
        return Row(f"methods:{parent.code}", f"{name} methods", labels, "No methods listed"), picked

    for design_type in types:
        methods, picked = methods_row(design_type)
        rows.append(methods)
        for design in picked:
            if children.get(design.design_type_id):
                rows.append(methods_row(design.design_type)[0])
    return rows


def _yes_no(value, yes, no):
    if value is None:
        return []
    return [yes if value else no]


def description_rows(evaluation, tree, urls):
    e = evaluation
    lead = (
        [{"text": e.lead_department.name, "href": urls.browse_filtered(department=e.lead_department.code)}]
        if e.lead_department
        else []
    )
    rows = [
        row("lead_department", lead),
        row("stage", [e.get_stage_display()] if e.stage else []),
        row("other_departments", [d.name for d in e.other_departments.all()], "No other departments listed"),
    ]
    rows += design_rows(e, tree)
    grant = _yes_no(
        e.is_grant_funded,
        "This intervention is distributing funding via a grant",
        "This intervention is not distributing funding via a grant",
    )
    if e.is_grant_funded and e.grant_number:
        grant.append(f"Grant number: {e.grant_number}")
    major = _yes_no(
        e.is_major_project,
        "This intervention is a Government Major Project",
        "This intervention is not a major project",
    )
    if e.is_major_project and e.major_project_number:
        major.append(f"Major project number: {e.major_project_number}")
    rows += [
        row("grant", grant),
        row("major_project", major),
        row("policy_areas", [_policy_label(p) for p in e.policy_areas.all()], "No policies provided"),
    ]
    return rows


def _policy_label(area):
    return {"text": f"{area.parent.label}: {area.label}" if area.parent_id else area.label, "href": area.govuk_url}


def context_rows(evaluation):
    """Programme, organisations and places: facts the public registry page lacks."""
    e = evaluation
    programme = [{"text": e.programme.name, "href": e.programme.get_absolute_url()}] if e.programme else []
    orgs = [
        {"text": f"{r.organisation.name} ({r.get_role_display().lower()})", "href": r.organisation.govuk_url}
        for r in e.organisation_roles.all()
    ]
    return [
        row("programme", programme),
        row("organisations", orgs),
        row("places", [p.name for p in e.places.all()]),
    ]


def cost_rows(evaluation):
    e = evaluation
    if e.cost_amount is None:
        cost = []
    else:
        # Whole pounds as such; pence when the record gives them (£12,500.50, not £12,500).
        whole = e.cost_amount == e.cost_amount.to_integral_value()
        pounds = f"£{e.cost_amount:,.0f}" if whole else f"£{e.cost_amount:,.2f}"
        cost = [pounds + (f" ({e.cost_price_year} prices)" if e.cost_price_year else "")]
    rows = [row("cost", cost)]
    if e.cost_note:
        rows.append(row("cost_note", [e.cost_note]))
    return rows


def sharing_rows(evaluation):
    links = list(evaluation.links.all())
    rows = []
    for kind in LinkKind:
        values = []
        for link in (item for item in links if item.kind == kind):
            if link.url:
                values.append({"text": link.title or link.url, "href": link.url})
            else:
                values.append(f"Yes (address not provided){': ' + link.note if link.note else ''}")
        rows.append(Row(f"link:{kind.value}", kind.label, values, "No link provided"))
    rows.append(row("permission_to_share", _yes_no(evaluation.permission_to_share, "Yes", "No")))
    return rows


def record_sections(evaluation, tree, urls):
    """The record page's sections of rows. `tree` is `selectors.design_tree()`;
    `urls` says where values link (`Urls`)."""
    return {
        "description": description_rows(evaluation, tree, urls),
        "context": context_rows(evaluation),
        "costs": cost_rows(evaluation),
        "sharing": sharing_rows(evaluation),
    }
