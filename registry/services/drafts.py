"""Drafts and updates: a record's answers written by the journey (a step at a
time, rows one at a time) or by the API (fields and lists at once).

Both doors end here, so a record is validated and saved the same way whichever
one it came in by: the model's `full_clean()` (which calls registry.rules for
the rules on one row) and registry.rules for the rules across rows. Neither
door changes a record's `version`; only publishing does (services/workflow.py).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from registry import quality, rules
from registry.models import (
    DesignType,
    Evaluation,
    EvaluationDesign,
    EvaluationOrganisation,
    EventDate,
    Finding,
    Link,
    Organisation,
    Place,
    Programme,
    Submission,
)
from registry.services import names
from registry.services.base import User, stamp, touch, unique_slug

# A journey step's save: the step's cleaned answers onto the (unsaved) record.
Saver = Callable[..., None]

ITEM_MODELS = {"dates": EventDate, "links": Link, "findings": Finding, "organisations": EvaluationOrganisation}
API_REASON = "Changed through the API"


@transaction.atomic
def create_draft(*, by: User, title: str, step: str = "basics", reason: str = "Draft created",
                 history: bool = True) -> Evaluation:
    """A new draft owned by `by`, with its journey state. Without `history` the first
    save writes no history entry: the caller saves the record again at once, with its
    answers, and that entry is the one worth keeping."""
    evaluation = stamp(Evaluation(title=title, slug=unique_slug(title), owner=by), by, reason)
    evaluation.full_clean()
    with _history_paused(evaluation, paused=not history):
        evaluation.save()
    Submission.objects.create(evaluation=evaluation, step_reached=step)
    return evaluation


@transaction.atomic
def start_draft(data: Mapping[str, Any], *, by: User, next_step: str = "stage") -> Evaluation:
    """The first question answered: the draft and its answers are saved together."""
    evaluation = create_draft(by=by, title=data["title"])
    return save_step(evaluation, "basics", data, by=by, save=save_basics, next_step=next_step)


@transaction.atomic
def save_step(evaluation: Evaluation, step: str, data: Mapping[str, Any], *, by: User, save: Saver,
              next_step: str | None = None) -> Evaluation:
    """Save one journey step's cleaned answers (with the step's `save`) and remember where the user is."""
    stamp(evaluation, by, f"Step saved: {step}")
    save(evaluation, data, by=by)
    evaluation.full_clean(exclude=["slug"])
    evaluation.save()
    if next_step:
        Submission.objects.filter(evaluation=evaluation).update(step_reached=next_step)
    return evaluation


# Each step's save (named by its entry in registry/web/submit/steps.py), run by
# save_step inside its transaction. A list (departments, places, policy areas)
# is set before the record is saved, so the history entry that save writes
# holds the new list.


def save_basics(evaluation: Evaluation, data: Mapping[str, Any], *, by: User) -> None:
    rules.enforce(rules.lead_not_also_other(data["lead_department"], data["other_departments"]))
    evaluation.title = data["title"]
    evaluation.lead_department = data["lead_department"]
    evaluation.other_departments.set(data["other_departments"])
    if "co_editors" in data:
        evaluation.submission.co_editors.set(data["co_editors"])
    if not evaluation.published_at and not _is_revision(evaluation):
        # Until first published, the address follows the title.
        evaluation.slug = unique_slug(evaluation.title, exclude_pk=evaluation.pk)


def save_fields(*names: str) -> Saver:
    """A step whose answers are the record's own fields of these names."""
    def save(evaluation: Evaluation, data: Mapping[str, Any], *, by: User) -> None:
        for name in names:
            setattr(evaluation, name, data[name])
    save.__name__ = f"save_{'_'.join(names)}"
    return save


def save_types(evaluation: Evaluation, data: Mapping[str, Any], *, by: User) -> None:
    """Keep the chosen types; methods under a type no longer chosen go with it."""
    wanted = {t.pk for t in data["types"]}
    evaluation.designs.filter(design_type__parent__isnull=True).exclude(design_type_id__in=wanted).delete()
    keep_codes = DesignType.objects.codes_with_descendants([t.code for t in data["types"]])
    evaluation.designs.exclude(design_type__code__in=keep_codes).delete()
    existing = set(evaluation.designs.values_list("design_type_id", flat=True))
    for design_type in data["types"]:
        if design_type.pk not in existing:
            EvaluationDesign.objects.create(evaluation=evaluation, design_type=design_type)


def save_methods(evaluation: Evaluation, data: Mapping[str, Any], *, by: User) -> None:
    """`data["methods"]`: {DesignType: description} for the chosen methods (types are kept)."""
    chosen = data["methods"]
    evaluation.designs.filter(design_type__parent__isnull=False).exclude(design_type__in=list(chosen)).delete()
    _write_designs(evaluation, chosen, evaluation.designs.filter(design_type__parent__isnull=False))


def save_context(evaluation: Evaluation, data: Mapping[str, Any], *, by: User) -> None:
    name = names.tidy_name(data["programme"] or "")
    evaluation.programme = names.named(Programme, name) if name else None
    places = [names.named(Place, place_name) for place_name in data["places"] if names.tidy_name(place_name)]
    evaluation.places.set(list({place.pk: place for place in places}.values()))


def save_policy_areas(evaluation: Evaluation, data: Mapping[str, Any], *, by: User) -> None:
    evaluation.policy_areas.set(data["policy_areas"])


def save_nothing(evaluation: Evaluation, data: Mapping[str, Any], *, by: User) -> None:
    """Steps whose rows are added one at a time (dates, links, findings) only move the user on."""


def with_ancestors(chosen: Mapping[DesignType, str | None]) -> dict[DesignType, str | None]:
    """The chosen types and methods with the nodes above them, as the journey records
    them: a method is chosen under its type, and a sub-method brings its method."""
    complete = dict(chosen)
    for design_type in chosen:
        node = design_type.parent
        while node is not None:
            complete.setdefault(node, None)
            node = node.parent
    return complete


def _is_revision(evaluation: Evaluation) -> bool:
    return Submission.objects.filter(evaluation=evaluation, revision_of__isnull=False).exists()


def _check_design(design: EvaluationDesign) -> None:
    """Its own rules and its fields' (a description longer than its column is refused,
    not left to the database)."""
    design.full_clean(exclude=["evaluation", "design_type"], validate_unique=False, validate_constraints=False)


def _write_designs(evaluation: Evaluation, chosen: Mapping[DesignType, str | None],
                   current: Iterable[EvaluationDesign]) -> None:
    """Create the chosen designs the record lacks and update changed descriptions
    (a description of None keeps the one stored)."""
    by_type = {d.design_type_id: d for d in current}
    for design_type, description in chosen.items():
        design = by_type.get(design_type.pk)
        if design is None:
            design = EvaluationDesign(evaluation=evaluation, design_type=design_type, description=description or "")
            _check_design(design)
            design.save()
        elif description is not None and design.description != description:
            design.description = description
            _check_design(design)
            design.save()


# Rows added one at a time (the journey's "add another" pages) ------------------------


@transaction.atomic
def add_item(evaluation: Evaluation, kind: str, data: Mapping[str, Any], *, by: User) -> Any:
    """Add an event date, link, finding or organisation role, under the same rules as the API's lists."""
    model = ITEM_MODELS[kind]
    data = _item_values(kind, data)
    if kind == "findings":
        data = {**data, "position": evaluation.findings.count()}
    _check_item(evaluation, kind, data, others=None)
    reason = f"Added to {kind}"
    item = stamp(model(evaluation=evaluation, **data), by, reason)
    item.full_clean()
    item.save()
    touch(evaluation, by, reason)
    return item


@transaction.atomic
def update_item(evaluation: Evaluation, kind: str, pk: int, data: Mapping[str, Any], *, by: User) -> Any:
    """Change one added row in place: it keeps its id, and so its place in the list
    (findings keep their position), under the rules a new row meets."""
    model = ITEM_MODELS[kind]
    item = model._default_manager.select_for_update().filter(evaluation=evaluation, pk=pk).first()
    if item is None:
        raise ValidationError("This row has been removed. Add it again.")
    data = _item_values(kind, data)
    data.pop("position", None)
    _check_item(evaluation, kind, data, others=model._default_manager.filter(evaluation=evaluation).exclude(pk=pk))
    for name, value in data.items():
        setattr(item, name, value)
    reason = f"Changed in {kind}"
    stamp(item, by, reason)
    item.full_clean()
    item.save()
    touch(evaluation, by, reason)
    return item


def _item_values(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A row's values; an organisation named but not listed becomes a plain organisation."""
    data = dict(data)
    name = (data.pop("organisation_name", "") or "").strip()
    if kind == "organisations" and data.get("organisation") is None and name:
        data["organisation"] = organisation_named(name)
    return data


def organisation_named(name: str) -> Organisation:
    """The organisation of this name (any letter case), or a new plain (non-GOV.UK) one."""
    return names.named(Organisation, name, is_govuk=False)


def _check_item(evaluation: Evaluation, kind: str, data: Mapping[str, Any], *, others) -> None:
    """The cross-row rules (registry.rules) a new or changed row meets; `others`: the record's other rows."""
    if kind == "dates":
        rows = evaluation.event_dates.all() if others is None else others
        rules.enforce(rules.date_in_order(data.get("category"), data.get("year"), data.get("month"), rows))
    if kind == "organisations" and data.get("organisation") is not None:
        rows = evaluation.organisation_roles.all() if others is None else others
        pairs = rows.values_list("organisation_id", "role")
        rules.enforce(rules.organisation_role_once(data["organisation"].pk, data.get("role"), pairs))


@transaction.atomic
def remove_item(evaluation: Evaluation, kind: str, pk: int, *, by: User) -> None:
    item = ITEM_MODELS[kind]._default_manager.filter(evaluation=evaluation, pk=pk).first()
    if item is not None:
        stamp(item, by, f"Removed from {kind}").delete()
        touch(evaluation, by, f"Removed from {kind}")


# The API: a record's fields and lists at once -----------------------------------------

M2M_FIELDS = ("other_departments", "places", "policy_areas")
# API list name -> (model, the kind the journey calls it)
ROW_LISTS = {"event_dates": EventDate, "links": Link, "findings": Finding, "organisations": EvaluationOrganisation}


@transaction.atomic
def create_record(data: Mapping[str, Any], *, by: User, checks: bool = True) -> Evaluation:
    """A new record, owned by `by`, as a draft: nobody else sees it until it is published.
    Created as the journey creates one, so the owner can carry on in "Your evaluations".
    Its history starts with one entry holding every answer (not one per list set).
    Without `checks` the quality checks are left to workflow.submit and publish (an
    import that publishes at once would otherwise run them three times a record)."""
    evaluation = create_draft(by=by, title=data.get("title", ""), reason="Draft created through the API",
                              history=False)
    return _apply(evaluation, dict(data), by=by, reason="Draft created through the API", new=True,
                  checks=checks)


@transaction.atomic
def update_record(evaluation: Evaluation, data: Mapping[str, Any], *, by: User, checks: bool = True) -> Evaluation:
    """Change a record's fields and, for each list given, replace its rows. The
    permission check has been made by the caller; the version is not changed."""
    return _apply(evaluation, dict(data), by=by, reason=API_REASON, checks=checks)


@contextmanager
def _history_paused(evaluation: Evaluation, *, paused: bool = True) -> Iterator[None]:
    """No history entry for the record's saves and list changes inside: the save that
    follows records the record with all its lists in one entry (django-simple-history
    otherwise writes one per list changed, each copying every list)."""
    if paused:
        evaluation.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if paused:
            del evaluation.skip_history_when_saving  # type: ignore[attr-defined]


def _apply(evaluation: Evaluation, data: dict[str, Any], *, by: User, reason: str, new: bool = False,
           checks: bool = True) -> Evaluation:
    relations = {name: data.pop(name) for name in M2M_FIELDS if name in data}
    methods = data.pop("methods", None)
    rows = {name: data.pop(name) for name in ROW_LISTS if name in data}
    stamp(evaluation, by, reason)
    for name, value in data.items():
        setattr(evaluation, name, value)
    with _history_paused(evaluation):
        for name, value in relations.items():
            getattr(evaluation, name).set(value)
    if "lead_department" in data or "other_departments" in relations:
        rules.enforce(rules.lead_not_also_other(evaluation.lead_department, evaluation.other_departments.all()))
    if methods is not None:
        chosen = with_ancestors(dict(methods))
        if new:  # a new record has no designs yet, and each type is chosen once
            designs = [EvaluationDesign(evaluation=evaluation, design_type=design_type, description=text or "")
                       for design_type, text in chosen.items()]
            for design in designs:
                _check_design(design)
            _create_rows(EvaluationDesign, [stamp(d, by, reason) for d in designs], by=by, reason=reason)
        else:
            evaluation.designs.exclude(design_type__in=list(chosen)).delete()
            _write_designs(evaluation, chosen, evaluation.designs.all())
    for name, values in rows.items():
        _replace_rows(evaluation, name, values, by=by, reason=reason, new=new)
    evaluation.full_clean(exclude=["slug"])
    evaluation.save()
    # The same pre-publication checks the journey shows, for the API to answer with:
    # blocking ones also stop workflow.submit and workflow.publish. An attribute of
    # this answer, not a column (declared on the model without a field).
    evaluation.quality_problems = quality.problems(evaluation) if checks else []
    return evaluation


def _replace_rows(evaluation: Evaluation, name: str, rows: list[Mapping[str, Any]], *, by: User,
                  reason: str, new: bool = False) -> None:
    """A list given replaces the record's rows of that kind (one by one, so history records each)."""
    model = ROW_LISTS[name]
    if model is EventDate:
        problems = rules.dates_in_order(rows)
        if problems:
            rules.enforce(next(iter(problems.values())))
    for old in [] if new else model._default_manager.filter(evaluation=evaluation):  # a new record has none
        stamp(old, by, reason).delete()
    instances = []
    for position, row in enumerate(rows):  # findings counted from 0, as the journey adds them
        extra = {"position": position} if model is Finding else {}
        instance = stamp(model(evaluation=evaluation, **extra, **row), by, reason)
        instance.full_clean(exclude=["evaluation"])
        if not new:
            instance.save()
        instances.append(instance)
    if new:
        _create_rows(model, instances, by=by, reason=reason)


def _create_rows(model: type[Any], instances: list[Any], *, by: User, reason: str) -> None:
    """A new record's rows, validated one by one, inserted (with their history entries) in
    one statement each; the record's own save, which follows, has the index re-read them.
    Rows a unique constraint would refuse among themselves are saved one at a time instead,
    so full_clean names the repeated row rather than the database refusing the batch."""
    unique = [constraint.fields for constraint in model._meta.total_unique_constraints]
    for fields in unique:
        keys = [tuple(getattr(instance, name) for name in fields) for instance in instances]
        if len(set(keys)) < len(keys):
            for instance in instances:
                instance.validate_unique()
                instance.save()
            return
    bulk_create_with_history(instances, model, default_user=by, default_change_reason=reason)
