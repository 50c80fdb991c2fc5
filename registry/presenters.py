"""Turn a fetched record into the rows its page shows, in the public registry's
order and wording ("No other departments listed", "Not provided").

Pure functions over already-fetched objects: no queries happen here.
"""

import re
from dataclasses import dataclass, field

from registry.models.evaluations import LinkKind

NOT_PROVIDED = "Not provided"


@dataclass
class Row:
    key: str
    values: list = field(default_factory=list)  # strings, or dicts with text/href
    empty: str = NOT_PROVIDED


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
    rows = [Row("Evaluation types", [_design_label(chosen[t.id]) for t in types], "No evaluation types listed")]

    def methods_row(parent):
        picked = [chosen[c.id] for c in children.get(parent.id, []) if c.id in chosen]
        name = short_name(parent)
        return Row(f"{name} methods", [_design_label(d) for d in picked], f"No {name} methods listed"), picked

    for design_type in types:
        row, picked = methods_row(design_type)
        rows.append(row)
        for design in picked:
            if children.get(design.design_type_id):
                rows.append(methods_row(design.design_type)[0])
    return rows


def _yes_no(value, yes, no):
    if value is None:
        return []
    return [yes if value else no]


def description_rows(evaluation, tree):
    e = evaluation
    lead = (
        [{"text": e.lead_department.name, "href": f"/evaluations/?department={e.lead_department.code}"}]
        if e.lead_department
        else []
    )
    rows = [
        Row("Lead department", lead),
        Row("Evaluation stage", [e.get_stage_display()] if e.stage else []),
        Row("Other departments", [d.name for d in e.other_departments.all()], "No other departments listed"),
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
        Row("Grant information", grant),
        Row("Government Major Project information", major),
        Row("Policies", [_policy_label(p) for p in e.policy_areas.all()], "No policies provided"),
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
        Row("Programme", programme),
        Row("Organisations", orgs),
        Row("Places", [p.name for p in e.places.all()]),
    ]


def cost_rows(evaluation):
    e = evaluation
    if e.cost_amount is None:
        cost = []
    else:
        cost = [f"£{e.cost_amount:,.0f}" + (f" ({e.cost_price_year} prices)" if e.cost_price_year else "")]
    rows = [Row("Cost", cost)]
    if e.cost_note:
        rows.append(Row("Note", [e.cost_note]))
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
        rows.append(Row(kind.label, values, "No link provided"))
    rows.append(Row("Permission to share confirmed", _yes_no(evaluation.permission_to_share, "Yes", "No")))
    return rows


def record_sections(evaluation, tree):
    return {
        "description": description_rows(evaluation, tree),
        "context": context_rows(evaluation),
        "costs": cost_rows(evaluation),
        "sharing": sharing_rows(evaluation),
    }
