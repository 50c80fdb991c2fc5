"""The journey's pages in order, each declared once as data.

A step names its form (`form_class`), how the form is filled from the draft
(`initial`), any other arguments its form needs (`form_kwargs`) and how its
answers are saved (`save`, a function of registry.services.drafts). "Add
another" pages name the rows they list (`items`) and how one is added or
removed. The one step view (journey.py) reads these entries and nothing else,
so a new question is one new entry here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from registry import selectors
from registry.forms import journey
from registry.forms.base import yes_no_initial
from registry.forms.uploads import JourneyDocumentForm
from registry.models import Document, Evaluation, PolicyArea
from registry.services import documents, drafts


def _nothing(*args: Any) -> dict:
    return {}


@dataclass(frozen=True)
class Step:
    slug: str
    heading: str
    form_class: type[forms.Form]
    initial: Callable[[Evaluation], dict] = _nothing
    save: drafts.Saver = drafts.save_nothing
    form_kwargs: Callable[[Evaluation | None, Any], dict] = _nothing
    hint: str = ""
    fields_template: str = ""  # a page laid out by hand; else each field in turn
    context: Callable[[forms.Form], dict] = _nothing  # more for the page's template
    preview: str = ""  # a field whose Markdown a "Preview" button shows
    # "Add another" pages: the kind of row added, the rows listed, how one is added and removed.
    collection: str = ""
    items: Callable[[Evaluation], Any] | None = None
    add: Callable[..., Any] | None = None
    remove: Callable[..., None] | None = None
    update: Callable[..., Any] | None = None  # change an added row in place
    row_template: str = ""  # how the list shows one added row in full

    @property
    def changeable(self) -> bool:
        """Can an added row be changed in place? (Templates call callables, so they ask this.)"""
        return self.update is not None

    @property
    def multipart(self) -> bool:
        return issubclass(self.form_class, JourneyDocumentForm)


def build_form(step: Step, evaluation: Evaluation | None, user: Any, data=None, files=None,
               editing: Any = None) -> forms.Form:
    """The step's form, bound to `data` when posted, else filled from the draft
    ("add another" forms start empty, unless they change the added row `editing`)."""
    kwargs = step.form_kwargs(evaluation, user)
    if not step.collection and evaluation is not None:
        kwargs["initial"] = step.initial(evaluation)
    form = step.form_class(data, files, **kwargs)
    if editing is not None:
        if hasattr(form, "leave_out"):
            form.leave_out(editing)  # the row being changed is not its own duplicate
        if data is None:
            form.initial = row_initial(form, editing)
    return form


# Filling each form from the draft ------------------------------------------------------


def _basics_initial(e: Evaluation) -> dict:
    initial = {"title": e.title, "lead_department": e.lead_department,
               "other_departments": list(e.other_departments.all())}
    if hasattr(e, "submission"):
        initial["co_editors"] = list(e.submission.co_editors.all())
    return initial


def _types_initial(e: Evaluation) -> dict:
    return {"types": [d.design_type for d in e.designs.all() if d.design_type.parent_id is None]}


def _methods_initial(e: Evaluation) -> dict:
    initial: dict[str, Any] = {}
    for design in e.designs.all():
        node = design.design_type
        if node.parent_id is None:
            continue
        root = node.parent if node.parent.parent_id is None else node.parent.parent
        initial.setdefault(f"methods_{root.code}", []).append(node.code)
        if node.collect_description:
            initial[f"describe_{node.code}"] = design.description
    return initial


def _methods_kwargs(e: Evaluation, user: Any) -> dict:
    designs = list(e.designs.all())
    return {"tree": selectors.design_tree(),
            "chosen_types": [d.design_type for d in designs if d.design_type.parent_id is None],
            "current": {d.design_type_id: d.description for d in designs}}


def _context_initial(e: Evaluation) -> dict:
    return {"programme": e.programme.name if e.programme else "",
            "places": "\n".join(p.name for p in e.places.all())}


def _costs_initial(e: Evaluation) -> dict:
    initial = {name: getattr(e, name) for name in (
        "grant_number", "major_project_number", "cost_amount", "cost_price_year", "cost_note")}
    initial["is_grant_funded"] = yes_no_initial(e.is_grant_funded)
    initial["is_major_project"] = yes_no_initial(e.is_major_project)
    return initial


def _fields(*names: str) -> Callable[[Evaluation], dict]:
    return lambda e: {name: getattr(e, name) for name in names}


def policy_area_groups(form: forms.Form) -> list[dict]:
    """Checkbox options of the policy-areas form grouped under their top-level area (no queries:
    one fetch of the tree)."""
    areas = list(PolicyArea.objects.only("id", "code", "label", "parent_id").order_by("label"))
    selected = {str(v) for v in (form["policy_areas"].value() or [])}
    tops = [a for a in areas if a.parent_id is None]
    children: dict[int, list] = {}
    for area in areas:
        if area.parent_id:
            children.setdefault(area.parent_id, []).append(area)
    return [{"area": top, "children": children.get(top.id, []), "selected": selected} for top in tops]


# "Add another" rows --------------------------------------------------------------------


def _row_kind(kind: str) -> dict:
    """A collection of rows that registry.services.drafts adds and removes one at a time."""
    def add(evaluation: Evaluation, form: forms.Form, *, by: Any) -> Any:
        return drafts.add_item(evaluation, kind, dict(form.cleaned_data), by=by)

    def remove(evaluation: Evaluation, pk: int, *, by: Any) -> None:
        drafts.remove_item(evaluation, kind, pk, by=by)

    def update(evaluation: Evaluation, pk: int, form: forms.Form, *, by: Any) -> Any:
        return drafts.update_item(evaluation, kind, pk, dict(form.cleaned_data), by=by)

    return {"collection": kind, "add": add, "remove": remove, "update": update,
            "row_template": f"registry/submit/rows/{kind}.html"}


def row_initial(form: forms.Form, item: Any) -> dict:
    """A "Change" form filled from the added row it changes."""
    return {name: getattr(item, name) for name in form.fields if hasattr(item, name)}


def _add_document(evaluation: Evaluation, form: JourneyDocumentForm, *, by: Any) -> Any:
    upload = form.cleaned_data["file"]
    return documents.attach_document(evaluation, form.data_bytes, upload.name, by=by, **form.document_fields())


def _remove_document(evaluation: Evaluation, pk: int, *, by: Any) -> None:
    documents.detach_document(evaluation, pk, by=by)


STEPS = [
    Step("basics", "About the evaluation", journey.BasicsForm, initial=_basics_initial, save=drafts.save_basics,
         form_kwargs=lambda e, user: {"colleagues": journey.colleagues_of(user),
                                      "department": journey.department_of(user)}),
    Step("stage", "Evaluation stage", journey.StageForm, initial=_fields("stage"), save=drafts.save_fields("stage")),
    Step("types", "Evaluation types", journey.TypesForm, initial=_types_initial, save=drafts.save_types),
    Step("methods", "Evaluation methods", journey.MethodsForm, initial=_methods_initial, save=drafts.save_methods,
         form_kwargs=_methods_kwargs, fields_template="registry/submit/methods_fields.html"),
    Step("summary", "Summary", journey.SummaryForm, initial=_fields("summary"), save=drafts.save_fields("summary"),
         preview="summary"),
    Step("dates", "Event dates", journey.EventDateForm, hint="Add the evaluation's milestones one at a time.",
         form_kwargs=lambda e, user: {"existing": e.event_dates.all()}, items=lambda e: e.event_dates.all(),
         **_row_kind("dates")),
    Step("organisations", "Organisations", journey.OrganisationRoleForm,
         hint="Who commissioned, carried out, delivered or funded the evaluation.",
         form_kwargs=lambda e, user: {"existing": e.organisation_roles.all()},
         items=lambda e: e.organisation_roles.all(), **_row_kind("organisations")),
    Step("context", "Programme and places", journey.ContextForm, initial=_context_initial,
         save=drafts.save_context),
    Step("policy-areas", "Policy areas", journey.PolicyAreasForm,
         initial=lambda e: {"policy_areas": list(e.policy_areas.all())}, save=drafts.save_policy_areas,
         fields_template="registry/submit/policy_area_fields.html",
         context=lambda form: {"policy_groups": policy_area_groups(form)}),
    Step("costs", "Grant, Major Project and cost", journey.CostsForm, initial=_costs_initial,
         save=drafts.save_fields("is_grant_funded", "grant_number", "is_major_project", "major_project_number",
                                 "cost_amount", "cost_price_year", "cost_note")),
    Step("links", "Links", journey.LinkForm,
         hint="Published reports, evaluation plans and published evaluations.",
         items=lambda e: e.links.all(), **_row_kind("links")),
    Step("uploads", "Documents", JourneyDocumentForm,
         hint="Upload reports or summaries of this evaluation. They become public when the record is published.",
         collection="documents", items=lambda e: e.documents.all(), add=_add_document, remove=_remove_document),
    Step("findings", "Findings", journey.FindingForm, hint="Add each finding one at a time.",
         form_kwargs=lambda e, user: {"documents": Document.objects.filter(evaluations=e).defer("text")},
         items=lambda e: e.findings.all(), **_row_kind("findings")),
    Step("sharing", "Permission to share", journey.SharingForm,
         initial=lambda e: {"permission_to_share": yes_no_initial(e.permission_to_share)},
         save=drafts.save_fields("permission_to_share")),
]
BY_SLUG = {step.slug: step for step in STEPS}
SLUGS = [step.slug for step in STEPS]


def next_slug(slug: str) -> str:
    index = SLUGS.index(slug)
    return SLUGS[index + 1] if index + 1 < len(SLUGS) else "check"


def previous_slug(slug: str) -> str | None:
    index = SLUGS.index(slug)
    return SLUGS[index - 1] if index > 0 else None
