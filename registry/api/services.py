"""Writes through the API: create a draft, update a record. Each validates
(the serializer has), saves in one transaction and bumps the record's version."""

from django.db import transaction

from registry.models import EvaluationDesign

M2M_FIELDS = ("other_departments", "places", "policy_areas")


def _apply(evaluation, data):
    relations = {name: data.pop(name) for name in (*M2M_FIELDS, "methods") if name in data}
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
