"""New records written a batch at a time: a department's catalogue of thousands of rows.

The drafts service writes one record in about 110 statements (the draft, each
list set, a history entry per step, then submit and publish each reading the
record back); 5,000 imported rows took 4 minutes on SQLite and 7 on PostgreSQL.
Here a batch of new records costs a fixed number of statements, whatever its size.

Nothing is checked less than on the one-at-a-time path:
- before writing, in memory, what drafts._apply checks: each record's fields and
  `clean()`, registry.rules across a record's rows (lead department not also another
  one, event dates in order) and every row's own fields and `clean()`;
- while writing, the database's constraints (unique addresses, check constraints),
  which the model's validators repeat;
- after writing, on the batch read back with its relations, the checks submit and
  publish apply (rules.missing_answers, quality.blocking), when publishing.

Whatever refuses a record raises; the caller rolls the batch back to its savepoint
and writes those rows one at a time through the drafts service, whose messages name
the row and the field (services/imports.py). So the drafts service stays the one
place a refusal is worded, and a batch never stores what it would refuse.

A record written here has one history entry ("Imported from a spreadsheet", flagged
published when it is), holding its lists, instead of one per journey step, and a
published record its first version (services/versions.py).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from registry import quality, rules
from registry.models import Evaluation, EvaluationDesign, EventDate, Finding, Submission
from registry.models.choices import Visibility
from registry.search import signals
from registry.services import named_values
from registry.services.base import User, stamp
from registry.services.drafts import M2M_FIELDS, ROW_LISTS, with_ancestors
from registry.services.versions import record_first_versions

REASON = "Imported from a spreadsheet"


@dataclass
class _Planned:
    """One new record, built and checked in memory, with the rows that hang off it."""

    evaluation: Evaluation
    relations: dict[str, list[Any]] = field(default_factory=dict)
    rows: dict[type, list[Any]] = field(default_factory=dict)


def create_records(rows: Sequence[tuple[str, Mapping[str, Any]]], *, by: User, publish: bool,
                   made: named_values.Made, note: str = REASON) -> list[Evaluation]:
    """Create a record for each (address, values) pair, published if `publish`, else as
    drafts, in one savepoint; raises ValidationError (or the database's IntegrityError)
    if any of them would be refused, having written nothing."""
    with transaction.atomic():
        now = timezone.now()
        planned = [_plan(slug, named_values.with_named_values(data, made), by=by, publish=publish, now=now)
                   for slug, data in rows]
        evaluations = [plan.evaluation for plan in planned]
        Evaluation.objects.bulk_create(evaluations)
        _write_rows(planned, by=by)
        through = _write_relations(planned)
        history = Evaluation.history.bulk_history_create(
            evaluations, default_user=by, default_change_reason=REASON, default_date=now,
            custom_historical_attrs={"published": publish})
        _write_relation_history(history, through)
        Submission.objects.bulk_create(
            Submission(evaluation=e, step_reached="check" if publish else "basics",
                       submitted_at=now if publish else None, reviewed_at=now if publish else None,
                       reviewed_by=by if publish else None)
            for e in evaluations)
        if publish:
            _refuse_unpublishable([e.pk for e in evaluations])
            record_first_versions([e.pk for e in evaluations], by=by, note=note)
        # One index update for the batch, when the transaction commits (search/signals.py).
        signals.mark("evaluation", [e.pk for e in evaluations])
        return evaluations


def _plan(slug: str, data: Mapping[str, Any], *, by: User, publish: bool, now) -> _Planned:
    """The record and its rows as drafts._apply would write them, checked as it checks them."""
    data = dict(data)
    data.pop("slug", None)
    relations = {name: list({item.pk: item for item in data.pop(name)}.values())
                 for name in M2M_FIELDS if name in data}
    methods = data.pop("methods", None) or {}
    lists = {name: data.pop(name) for name in ROW_LISTS if name in data}
    evaluation = stamp(Evaluation(slug=slug, owner=by), by, REASON, published=publish)
    for name, value in data.items():
        setattr(evaluation, name, value)
    if publish:
        evaluation.visibility = Visibility.PUBLISHED
        evaluation.published_at = now
    evaluation.full_clean(exclude=["slug", *_links(Evaluation)], validate_unique=False, validate_constraints=False)
    rules.enforce(rules.lead_not_also_other(evaluation.lead_department, relations.get("other_departments", [])))
    plan = _Planned(evaluation, relations)
    designs = [EvaluationDesign(evaluation=evaluation, design_type=design_type, description=text or "")
               for design_type, text in with_ancestors(dict(methods)).items()]
    for design in designs:  # field checks too: a description longer than its column is refused here
        design.full_clean(exclude=_links(EvaluationDesign), validate_unique=False, validate_constraints=False)
    plan.rows[EvaluationDesign] = designs
    for name, values in lists.items():
        model = ROW_LISTS[name]
        if model is EventDate:
            problems = rules.dates_in_order(values)
            if problems:
                rules.enforce(next(iter(problems.values())))
        instances = []
        for position, values_of_row in enumerate(values):
            extra = {"position": position} if model is Finding else {}
            instance = model(evaluation=evaluation, **extra, **values_of_row)
            # The rows' unique constraints all name the record, which has no id yet:
            # the database holds them, and the check constraints (a breach rolls the
            # batch back).
            instance.full_clean(exclude=_links(model), validate_unique=False, validate_constraints=False)
            instances.append(instance)
        plan.rows[model] = instances
    return plan


def _links(model: type[models.Model]) -> list[str]:
    """A model's foreign keys. Their values here are rows read or made in this
    transaction, so Django's check that each exists (a query per key per row) is
    left to the database's own foreign keys."""
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


def _write_rows(planned: list[_Planned], *, by: User) -> None:
    """Each kind of row in one statement, with its history entries in another."""
    by_model: dict[type, list[Any]] = {}
    for plan in planned:
        for model, instances in plan.rows.items():
            for instance in instances:
                instance.evaluation = plan.evaluation  # now with its id
            by_model.setdefault(model, []).extend(instances)
    for model, instances in by_model.items():
        if instances:
            bulk_create_with_history(instances, model, default_user=by, default_change_reason=REASON)


def _write_relations(planned: list[_Planned]) -> dict[str, list[Any]]:
    """The lists of departments, places and policy areas, as rows of their link tables."""
    through: dict[str, list[Any]] = {}
    for name in M2M_FIELDS:
        link = getattr(Evaluation, name).through
        target = getattr(Evaluation, name).field.m2m_reverse_field_name()
        links = [link(evaluation=plan.evaluation, **{target: item})
                 for plan in planned for item in plan.relations.get(name, [])]
        through[name] = link.objects.bulk_create(links)
    return through


def _write_relation_history(history: list[Any], through: dict[str, list[Any]]) -> None:
    """The lists each history entry holds, as django-simple-history's own save
    (HistoricalRecords.create_historical_record_m2ms) copies them: one row per link,
    pointing at the entry. Its models for them are in `HistoricalRecords.m2m_models`."""
    entry_of = {entry.id: entry for entry in history}  # the history model's `id` is the record's
    for name, links in through.items():
        if not links:
            continue
        model_field = Evaluation._meta.get_field(name)
        m2m_history = HistoricalRecords.m2m_models[model_field]
        names = [f.name for f in links[0]._meta.fields]
        m2m_history.objects.bulk_create(
            m2m_history(history=entry_of[link.evaluation_id], **{n: getattr(link, n) for n in names})
            for link in links)


def _refuse_unpublishable(ids: list[int]) -> None:
    """What workflow.submit and workflow.publish would refuse, on the records as written."""
    records = Evaluation.objects.filter(pk__in=ids).select_related("programme").prefetch_related(
        "designs", "organisation_roles__organisation", *quality.CHECKED_ROWS)
    for record in records:
        missing = rules.missing_answers(record)
        if missing:
            raise ValidationError([message for _step, message in missing])
        blocking = quality.blocking(record)
        if blocking:
            raise ValidationError([problem.message for problem in blocking])
