"""Writes through the API: create a draft, update a record. Each validates
(the serializer has), saves in one transaction and bumps the record's version."""

from django.db import transaction

from registry.models import EvaluationDesign, EventDate, Finding, Link

M2M_FIELDS = ("other_departments", "places", "policy_areas")


ROW_MODELS = {"event_dates": EventDate, "links": Link, "findings": Finding}


def _replace_rows(evaluation, name, rows):
    """A list given replaces the record's rows of that kind (one by one, so history records each)."""
    model = ROW_MODELS[name]
    for old in model.objects.filter(evaluation=evaluation):
        old.delete()
    for position, row in enumerate(rows, start=1):
        extra = {"position": position} if model is Finding else {}
        instance = model(evaluation=evaluation, **extra, **row)
        instance.full_clean(exclude=["evaluation"])
        instance.save()


def _apply(evaluation, data):
    relations = {name: data.pop(name) for name in (*M2M_FIELDS, "methods") if name in data}
    rows = {name: data.pop(name) for name in ROW_MODELS if name in data}
    for name, value in data.items():
        setattr(evaluation, name, value)
    evaluation.full_clean(exclude=["slug"])
    evaluation.save()
    for name in M2M_FIELDS:
        if name in relations:
            getattr(evaluation, name).set(relations[name])
    if "methods" in relations:
        wanted = {design_type.id: design_type for design_type in relations["methods"]}
        evaluation.designs.exclude(design_type_id__in=list(wanted)).delete()
        existing = set(evaluation.designs.values_list("design_type_id", flat=True))
        EvaluationDesign.objects.bulk_create(
            [EvaluationDesign(evaluation=evaluation, design_type=wanted[i]) for i in wanted if i not in existing]
        )
    for name, value in rows.items():
        _replace_rows(evaluation, name, value)
    return evaluation


@transaction.atomic
def create_draft(data, *, by):
    """A new record, owned by `by`, as a draft: nobody else sees it until it is published.
    Created as the web journey creates one, so the owner can carry on in "Your evaluations"."""
    from registry.services.records import create_draft as create_journey_draft

    data = dict(data)
    evaluation = create_journey_draft(by=by, title=data.get("title", ""))
    return _apply(evaluation, data)


@transaction.atomic
def update_evaluation(evaluation, data, *, by):
    """Change a record's fields; the permission check has already been made by the caller."""
    data = dict(data)
    evaluation.version += 1
    return _apply(evaluation, data)
