"""Write operations on records: the journey's drafts, review and withdrawal.

Each service runs in one transaction and records who acted (django-simple-history
reads `_history_user` and `_change_reason`). The search index follows through
registry.search.signals, which reindexes after commit, so a rolled-back change
never reaches search.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from registry.models import (
    Document,
    Evaluation,
    EvaluationDesign,
    EvaluationOrganisation,
    EventDate,
    Finding,
    Link,
    Place,
    Programme,
    Submission,
)
from registry.models.evaluations import Visibility

ITEM_MODELS = {"dates": EventDate, "links": Link, "findings": Finding, "organisations": EvaluationOrganisation}


def _stamp(instance, by, reason):
    instance._history_user = by
    instance._change_reason = reason
    return instance


def _unique_slug(title, exclude_pk=None):
    base = (slugify(title)[:100] or "evaluation").strip("-")
    slug, n = base, 1
    taken = Evaluation.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_draft(*, by, title, step="basics"):
    """A new draft owned by `by`, with its journey state."""
    evaluation = _stamp(Evaluation(title=title, slug=_unique_slug(title), owner=by), by, "Draft created")
    evaluation.full_clean()
    evaluation.save()
    Submission.objects.create(evaluation=evaluation, step_reached=step)
    return evaluation


@transaction.atomic
def start_draft(data, *, by):
    """The first question answered: the draft and its answers are saved together."""
    evaluation = create_draft(by=by, title=data["title"])
    return save_step(evaluation, "basics", data, by=by, next_step="stage")


@transaction.atomic
def save_step(evaluation, step, data, *, by, next_step=None):
    """Save one journey step's cleaned data onto the draft and remember where the user is."""
    _stamp(evaluation, by, f"Step saved: {step}")
    SAVERS[step](evaluation, data, by)
    if step == "basics" and not evaluation.published_at and not _is_revision(evaluation):
        # Until first published, the address follows the title.
        evaluation.slug = _unique_slug(evaluation.title, exclude_pk=evaluation.pk)
    evaluation.full_clean(exclude=["slug"])
    evaluation.save()
    if next_step:
        Submission.objects.filter(evaluation=evaluation).update(step_reached=next_step)
    return evaluation


def _is_revision(evaluation):
    return Submission.objects.filter(evaluation=evaluation, revision_of__isnull=False).exists()


def _save_basics(evaluation, data, by):
    evaluation.title = data["title"]
    evaluation.lead_department = data["lead_department"]
    evaluation.save()
    evaluation.other_departments.set(data["other_departments"])
    if "co_editors" in data:
        evaluation.submission.co_editors.set(data["co_editors"])


def _save_fields(*names):
    def save(evaluation, data, by):
        for name in names:
            setattr(evaluation, name, data[name])
    return save


def _save_types(evaluation, data, by):
    """Keep the chosen types; methods under a type no longer chosen go with it."""
    from registry.models import DesignType

    wanted = {t.pk for t in data["types"]}
    evaluation.designs.filter(design_type__parent__isnull=True).exclude(design_type_id__in=wanted).delete()
    keep_codes = DesignType.objects.codes_with_descendants([t.code for t in data["types"]])
    evaluation.designs.exclude(design_type__code__in=keep_codes).delete()
    existing = set(evaluation.designs.values_list("design_type_id", flat=True))
    for design_type in data["types"]:
        if design_type.pk not in existing:
            EvaluationDesign.objects.create(evaluation=evaluation, design_type=design_type)


def _save_methods(evaluation, data, by):
    """`data["methods"]`: {DesignType: description} for the chosen methods (types are kept)."""
    chosen = data["methods"]
    evaluation.designs.filter(design_type__parent__isnull=False).exclude(design_type__in=list(chosen)).delete()
    current = {d.design_type_id: d for d in evaluation.designs.filter(design_type__parent__isnull=False)}
    for design_type, description in chosen.items():
        design = current.get(design_type.pk)
        if design is None:
            EvaluationDesign.objects.create(evaluation=evaluation, design_type=design_type, description=description)
        elif design.description != description:
            design.description = description
            design.save()


def _save_context(evaluation, data, by):
    name = data["programme"]
    if name:
        programme = Programme.objects.filter(name__iexact=name).first()
        if programme is None:
            programme = Programme.objects.create(name=name, slug=_free_slug(Programme, name))
        evaluation.programme = programme
    else:
        evaluation.programme = None
    places = []
    for place_name in data["places"]:
        place = Place.objects.filter(name__iexact=place_name).first()
        if place is None:
            place = Place.objects.create(name=place_name, slug=_free_slug(Place, place_name))
        places.append(place)
    evaluation.save()
    evaluation.places.set(places)


def _free_slug(model, name):
    base = slugify(name)[:180] or "item"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _save_policy_areas(evaluation, data, by):
    evaluation.save()
    evaluation.policy_areas.set(data["policy_areas"])


def _save_nothing(evaluation, data, by):
    """Steps whose rows are added one at a time (dates, links, findings) only move the user on."""


SAVERS = {
    "basics": _save_basics,
    "stage": _save_fields("stage"),
    "types": _save_types,
    "methods": _save_methods,
    "summary": _save_fields("summary"),
    "dates": _save_nothing,
    "organisations": _save_nothing,
    "uploads": _save_nothing,
    "context": _save_context,
    "policy-areas": _save_policy_areas,
    "costs": _save_fields(
        "is_grant_funded", "grant_number", "is_major_project", "major_project_number",
        "cost_amount", "cost_price_year", "cost_note",
    ),
    "links": _save_nothing,
    "findings": _save_nothing,
    "sharing": _save_fields("permission_to_share"),
}


@transaction.atomic
def add_item(evaluation, kind, data, *, by):
    """Add an event date, link, finding or organisation role (validated by the model too)."""
    model = ITEM_MODELS[kind]
    if kind == "findings":
        data = {**data, "position": evaluation.findings.count()}
    item = _stamp(model(evaluation=evaluation, **data), by, f"Added to {kind}")
    item.full_clean()
    item.save()
    _touch(evaluation, by, f"Added to {kind}")
    return item


@transaction.atomic
def remove_item(evaluation, kind, pk, *, by):
    item = ITEM_MODELS[kind].objects.filter(evaluation=evaluation, pk=pk).first()
    if item is not None:
        _stamp(item, by, f"Removed from {kind}").delete()
        _touch(evaluation, by, f"Removed from {kind}")


def _touch(evaluation, by, reason):
    _stamp(evaluation, by, reason).save(update_fields=["updated_at"])


@transaction.atomic
def attach_document(evaluation, data, filename, *, by, title="", **fields):
    """Upload a document into the knowledge base, linked to this record. It is
    public only once a record it supports is published (Document.visible)."""
    from registry.services.documents import add_document

    document, _created = add_document(data, filename, title=title, evaluations=[evaluation], **fields)
    _touch(evaluation, by, "Document added")
    return document


@transaction.atomic
def detach_document(evaluation, pk, *, by):
    document = evaluation.documents.filter(pk=pk).first()
    if document is not None:
        evaluation.documents.remove(document)
        _touch(evaluation, by, "Document removed")


def missing_answers(evaluation):
    """The questions that must be answered before a record can be submitted: (step, message)."""
    missing = []
    if not evaluation.lead_department_id:
        missing.append(("basics", "Select the lead department"))
    if not evaluation.stage:
        missing.append(("stage", "Select the evaluation stage"))
    if not evaluation.designs.exists():
        missing.append(("types", "Select at least one evaluation type"))
    if not evaluation.summary.strip():
        missing.append(("summary", "Enter a summary"))
    if evaluation.permission_to_share is None:
        missing.append(("sharing", "Say whether you have permission to share"))
    return missing


@transaction.atomic
def submit(evaluation, *, by):
    """Send a draft (or returned record, or revision) to the moderators."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.visibility not in (Visibility.DRAFT, Visibility.RETURNED):
        raise ValidationError("Only a draft or a record returned for changes can be submitted.")
    missing = missing_answers(evaluation)
    if missing:
        raise ValidationError([message for _step, message in missing])
    evaluation.visibility = Visibility.SUBMITTED
    _stamp(evaluation, by, "Submitted for review").save()
    Submission.objects.filter(evaluation=evaluation).update(submitted_at=timezone.now(), step_reached="check")
    return evaluation


@transaction.atomic
def return_for_changes(evaluation, *, by, comment):
    if not comment.strip():
        raise ValidationError({"comment": "Enter what needs to change"})
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.visibility != Visibility.SUBMITTED:
        raise ValidationError("Only a submitted record can be returned.")
    evaluation.visibility = Visibility.RETURNED
    evaluation.review_comment = comment.strip()
    _stamp(evaluation, by, "Returned for changes").save()
    Submission.objects.filter(evaluation=evaluation).update(reviewed_at=timezone.now(), reviewed_by=by)
    return evaluation


@transaction.atomic
def publish(evaluation, *, by):
    """Publish a submitted record. A revision is applied onto the record it
    revises (which keeps its address and gains a version) and then removed."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.visibility != Visibility.SUBMITTED:
        raise ValidationError("Only a submitted record can be published.")
    submission = Submission.objects.filter(evaluation=evaluation).first()
    now = timezone.now()
    if submission is not None and submission.revision_of_id:
        original = Evaluation.objects.select_for_update().get(pk=submission.revision_of_id)
        _copy_content(evaluation, original, by)
        original.version += 1
        original.review_comment = ""
        original.visibility = Visibility.PUBLISHED
        _stamp(original, by, f"Published version {original.version}").save()
        Submission.objects.filter(evaluation=original).update(reviewed_at=now, reviewed_by=by)
        evaluation.delete()
        target = original
    else:
        evaluation.visibility = Visibility.PUBLISHED
        evaluation.published_at = evaluation.published_at or now
        evaluation.review_comment = ""
        _stamp(evaluation, by, f"Published version {evaluation.version}").save()
        Submission.objects.filter(evaluation=evaluation).update(reviewed_at=now, reviewed_by=by)
        target = evaluation
    return target


@transaction.atomic
def withdraw(evaluation, *, by, reason):
    """Take a published record down; its address answers 410 with when and why."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the record is withdrawn"})
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.visibility != Visibility.PUBLISHED:
        raise ValidationError("Only a published record can be withdrawn.")
    evaluation.visibility = Visibility.WITHDRAWN
    evaluation.withdrawn_at = timezone.now()
    evaluation.withdrawn_reason = reason.strip()
    _stamp(evaluation, by, "Withdrawn").save()
    return evaluation


@transaction.atomic
def start_revision(evaluation, *, by):
    """A draft copy of a published record for its editors to change; returns the
    existing copy when one is already open."""
    existing = Submission.objects.filter(revision_of=evaluation).select_related("evaluation").first()
    if existing is not None:
        return existing.evaluation
    copy = Evaluation(
        title=evaluation.title,
        slug=_unique_slug(f"{evaluation.slug}-revision")[:120],
        owner=evaluation.owner or by,
        version=evaluation.version,
    )
    _stamp(copy, by, f"Revision of {evaluation.slug} started").save()
    _copy_content(evaluation, copy, by)
    copy.visibility = Visibility.DRAFT
    copy.save()
    original_submission = Submission.objects.filter(evaluation=evaluation).first()
    submission = Submission.objects.create(evaluation=copy, revision_of=evaluation, step_reached="check")
    if original_submission is not None:
        submission.co_editors.set(original_submission.co_editors.all())
    return copy


CONTENT_FIELDS = (
    "title", "summary", "summary_machine_written", "stage", "lead_department", "programme",
    "is_grant_funded", "grant_number", "is_major_project", "major_project_number",
    "cost_amount", "cost_price_year", "cost_note", "permission_to_share",
)


def _copy_content(source, target, by):
    """Make `target` say what `source` says: fields, lists and rows (saved history on each)."""
    for name in CONTENT_FIELDS:
        setattr(target, name, getattr(source, name))
    _stamp(target, by, "Content replaced by revision").save()
    target.other_departments.set(source.other_departments.all())
    target.places.set(source.places.all())
    target.policy_areas.set(source.policy_areas.all())
    target.documents.set(Document.objects.filter(evaluations=source))
    _replace_rows(EvaluationDesign, source, target, by, ("design_type_id", "description"))
    _replace_rows(EvaluationOrganisation, source, target, by, ("organisation_id", "role"))
    _replace_rows(EventDate, source, target, by, ("category", "description", "month", "year", "status"))
    _replace_rows(Link, source, target, by, ("kind", "url", "title", "note"))
    _replace_rows(Finding, source, target, by, (
        "position", "intervention", "outcome", "comparison", "direction", "effect_size", "effect_unit",
        "ci_lower", "ci_upper", "ci_level", "p_value", "sample_size", "significance", "statement",
        "source_document_id",
    ))


def _replace_rows(model, source, target, by, fields):
    """Rows equal on `fields` are left alone, so history records only real changes."""
    def key(row):
        return tuple(getattr(row, f) for f in fields)

    wanted = [key(r) for r in model.objects.filter(evaluation=source).order_by("pk")]
    current = list(model.objects.filter(evaluation=target).order_by("pk"))
    remaining = list(wanted)
    for row in current:
        if key(row) in remaining:
            remaining.remove(key(row))
        else:
            _stamp(row, by, "Removed by revision").delete()
    for values in remaining:
        _stamp(model(evaluation=target, **dict(zip(fields, values, strict=True))), by, "Added by revision").save()


def set_membership(user, department):
    from registry.models import Membership

    Membership.objects.update_or_create(user=user, defaults={"department": department})

