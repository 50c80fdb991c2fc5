"""Writing an imported spreadsheet, all in one transaction: new records a batch at a
time (registry/services/batches.py, which checks what the drafts service checks), and
records already in the registry, or a batch something refused, one row at a time
through the drafts service (registry/services/drafts.py via named_values), whose
messages name the row and the field.

A row the service refuses is noted and the rest are still tried, so the report
lists every problem at once; then, if any row was refused (or this is a trial
run for the validation report), the whole transaction is rolled back: nothing
of the file is saved. The search index hears of the records once, when the
transaction commits (registry/search/signals.py gathers the ids until then).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registry import rules
from registry.models import Evaluation
from registry.models.choices import Visibility
from registry.services import batches, named_values, workflow
from registry.services.base import User

PUBLISH_NOTE = "Imported from a spreadsheet"
# The journey step of an answer rules.missing_answers asks for -> the record's field.
STEP_FIELDS = {"basics": "lead_department", "stage": "stage", "types": "evaluation_types", "summary": "summary",
               "sharing": "permission_to_share"}


@dataclass
class ImportRow:
    """One record's values as the drafts service takes them, from spreadsheet row `row`."""

    row: int
    external_id: str
    data: Mapping[str, Any]


@dataclass
class Written:
    created: list[Evaluation] = field(default_factory=list)
    updated: list[Evaluation] = field(default_factory=list)
    published: int = 0
    # (row, field name the service named or "", message)
    refused: list[tuple[int, str, str]] = field(default_factory=list)


class Refused(Exception):
    """Rolls the import's transaction back; carries what was written or refused."""

    def __init__(self, written: Written):
        super().__init__("import rolled back")
        self.written = written


BATCH = 250  # new records written together (services/batches.py)


@transaction.atomic
def _write(rows: Iterable[ImportRow], *, by: User, publish: bool, trial: bool,
           progress: Callable[[int], None] | None) -> Written:
    rows = list(rows)
    existing = Evaluation.objects.in_bulk([r.external_id for r in rows], field_name="slug")
    written = Written()
    # Places, programmes and organisations named by many rows are looked up once.
    made: named_values.Made = {}
    done = 0
    # New records a batch at a time; a batch something refuses is written again one
    # row at a time, which names each refused row and field.
    new = [row for row in rows if row.external_id not in existing]
    for start in range(0, len(new), BATCH):
        batch = new[start:start + BATCH]
        try:
            created = batches.create_records([(row.external_id, row.data) for row in batch], by=by,
                                             publish=publish, made=made, note=PUBLISH_NOTE)
        except (ValidationError, IntegrityError):
            _forget_rolled_back(made)
            for row in batch:
                _write_row(row, None, written, by=by, publish=publish, made=made)
        else:
            written.created.extend(created)
            written.published += len(created) if publish else 0
        done += len(batch)
        if progress is not None:
            progress(done)
    # Records already in the registry (a file imported again): one at a time.
    for row in rows:
        if row.external_id in existing:
            _write_row(row, existing[row.external_id], written, by=by, publish=publish, made=made)
            done += 1
            if progress is not None:
                progress(done)
    if written.refused or trial:
        raise Refused(written)
    return written


def _write_row(row: ImportRow, evaluation: Evaluation | None, written: Written, *, by: User, publish: bool,
               made: named_values.Made) -> None:
    # The quality checks run when the record is submitted and published; a draft
    # import reports only what the services refuse, so the checks are not run twice more.
    # A refused row's partial writes are rolled back with the whole import.
    try:
        if evaluation is None:
            evaluation = named_values.create_record({**row.data, "slug": row.external_id}, by=by, made=made,
                                                    checks=False)
            written.created.append(evaluation)
        else:
            evaluation = named_values.update_record(evaluation, row.data, by=by, made=made, checks=False)
            written.updated.append(evaluation)
        if publish and evaluation.visibility != Visibility.PUBLISHED:
            _publish(evaluation, by=by)
            written.published += 1
    except ValidationError as error:
        written.refused.extend((row.row, name, message) for name, message in _messages(error))


def _forget_rolled_back(made: named_values.Made) -> None:
    """Places, programmes and organisations the rolled-back batch added are gone with it."""
    for key, value in list(made.items()):
        if not type(value)._default_manager.filter(pk=value.pk).exists():
            del made[key]


def import_rows(rows: Iterable[ImportRow], *, by: User, publish: bool = False, trial: bool = False,
                progress: Callable[[int], None] | None = None) -> Written:
    """Create or update (by external id) and, with `publish`, publish every row's record, or
    nothing: `written.refused` lists each row the service refused, and then nothing is saved.
    A `trial` is rolled back whatever happens (the validation report before an import)."""
    try:
        return _write(rows, by=by, publish=publish, trial=trial, progress=progress)
    except Refused as refused:
        return refused.written


def _publish(evaluation: Evaluation, *, by: User) -> None:
    # What submit would refuse, named by the answer missing, so the report can point at a column.
    missing = rules.missing_answers(evaluation)
    if missing:
        raise ValidationError({STEP_FIELDS.get(step, step): [message] for step, message in missing})
    if evaluation.visibility in (Visibility.DRAFT, Visibility.RETURNED):
        workflow.submit(evaluation, by=by)
    workflow.publish(evaluation, by=by, note=PUBLISH_NOTE)


def _messages(error: ValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [(name, message) for name, messages in error.message_dict.items() for message in messages]
    return [("", message) for message in error.messages]
