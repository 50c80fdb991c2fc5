"""The journey's pages in order, and how each page's form is built from a draft.

A step is data (slug, heading, form); the one step view handles them all, so a
new question is a new entry here, not a new view.
"""
from dataclasses import dataclass, field

from registry.forms import journey
from registry.forms.base import yes_no_initial
from registry.forms.uploads import JourneyDocumentForm
from registry.models import Document, PolicyArea


@dataclass(frozen=True)
class Step:
    slug: str
    heading: str
    caption: str = ""
    collection: str = ""  # for "add another" pages: the kind of row added
    hint: str = ""
    extra: dict = field(default_factory=dict)


STEPS = [
    Step("basics", "About the evaluation"),
    Step("stage", "Evaluation stage"),
    Step("types", "Evaluation types"),
    Step("methods", "Evaluation methods"),
    Step("summary", "Summary"),
    Step("dates", "Event dates", collection="dates", hint="Add the evaluation's milestones one at a time."),
    Step("organisations", "Organisations", collection="organisations",
         hint="Who commissioned, carried out, delivered or funded the evaluation."),
    Step("context", "Programme and places"),
    Step("policy-areas", "Policy areas"),
    Step("costs", "Grant, Major Project and cost"),
    Step("links", "Links", collection="links", hint="Published reports, evaluation plans and published evaluations."),
    Step("uploads", "Documents", collection="documents",
         hint="Upload reports or summaries into the knowledge base. They become public when the record is published."),
    Step("findings", "Findings", collection="findings", hint="Add each finding one at a time."),
    Step("sharing", "Permission to share"),
]
BY_SLUG = {step.slug: step for step in STEPS}
SLUGS = [step.slug for step in STEPS]


def next_slug(slug):
    index = SLUGS.index(slug)
    return SLUGS[index + 1] if index + 1 < len(SLUGS) else "check"


def previous_slug(slug):
    index = SLUGS.index(slug)
    return SLUGS[index - 1] if index > 0 else None


def build_form(step, evaluation, user, data=None, files=None, tree=None):
    """The step's form, bound to `data` when posted, else filled from the draft."""
    e = evaluation
    slug = step.slug
    if slug == "basics":
        initial = {}
        if e is not None:
            initial = {"title": e.title, "lead_department": e.lead_department,
                       "other_departments": list(e.other_departments.all())}
            if hasattr(e, "submission"):
                initial["co_editors"] = list(e.submission.co_editors.all())
        return journey.BasicsForm(data, initial=initial, colleagues=journey.colleagues_of(user))
    if slug == "stage":
        return journey.StageForm(data, initial={"stage": e.stage})
    if slug == "types":
        types = [d.design_type for d in e.designs.all() if d.design_type.parent_id is None]
        return journey.TypesForm(data, initial={"types": types})
    if slug == "methods":
        designs = list(e.designs.all())
        chosen_types = [d.design_type for d in designs if d.design_type.parent_id is None]
        by_type = {}
        initial = {}
        for design in designs:
            node = design.design_type
            if node.parent_id is None:
                continue
            root = node.parent if node.parent.parent_id is None else node.parent.parent
            by_type.setdefault(f"methods_{root.code}", []).append(node.code)
            if node.collect_description:
                initial[f"describe_{node.code}"] = design.description
        initial.update(by_type)
        return journey.MethodsForm(data, initial=initial, tree=tree, chosen_types=chosen_types,
                                   current={d.design_type_id: d.description for d in designs})
    if slug == "summary":
        return journey.SummaryForm(data, initial={"summary": e.summary})
    if slug == "context":
        return journey.ContextForm(data, initial={"programme": e.programme.name if e.programme else "",
                                                  "places": "\n".join(p.name for p in e.places.all())})
    if slug == "policy-areas":
        return journey.PolicyAreasForm(data, initial={"policy_areas": list(e.policy_areas.all())})
    if slug == "costs":
        initial = {name: getattr(e, name) for name in (
            "grant_number", "major_project_number", "cost_amount", "cost_price_year", "cost_note")}
        initial["is_grant_funded"] = yes_no_initial(e.is_grant_funded)
        initial["is_major_project"] = yes_no_initial(e.is_major_project)
        return journey.CostsForm(data, initial=initial)
    if slug == "sharing":
        return journey.SharingForm(data, initial={"permission_to_share": yes_no_initial(e.permission_to_share)})
    if slug == "dates":
        return journey.EventDateForm(data, existing=e.event_dates.all())
    if slug == "organisations":
        return journey.OrganisationRoleForm(data, existing=e.organisation_roles.all())
    if slug == "links":
        return journey.LinkForm(data)
    if slug == "findings":
        return journey.FindingForm(data, documents=Document.objects.filter(evaluations=e).defer("text"))
    if slug == "uploads":
        return JourneyDocumentForm(data, files)
    raise KeyError(slug)


def policy_area_groups(form):
    """Checkbox options of the policy-areas form grouped under their top-level area (no queries:
    one fetch of the tree)."""
    areas = list(PolicyArea.objects.only("id", "code", "label", "parent_id").order_by("label"))
    selected = {str(v) for v in (form["policy_areas"].value() or [])}
    tops = [a for a in areas if a.parent_id is None]
    children = {}
    for area in areas:
        if area.parent_id:
            children.setdefault(area.parent_id, []).append(area)
    return [{"area": top, "children": children.get(top.id, []), "selected": selected} for top in tops]
