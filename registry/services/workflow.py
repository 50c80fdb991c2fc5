"""The record's way through review: submit, return for changes, publish, withdraw.

Each locks the record's row, checks the state it is in and says in the history
why it changed. Publishing is the only change that gives a record a version,
and its history entry is flagged `published` (what visitors see of a history).
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from registry import quality
from registry.models import Evaluation, Submission
from registry.models.evaluations import Visibility
from registry.rules import missing_answers
from registry.services.base import User, stamp

__all__ = ["missing_answers", "publish", "return_for_changes", "submit", "withdraw"]


@transaction.atomic
def submit(evaluation: Evaluation, *, by: User, change_note: str | None = None) -> Evaluation:
    """Send a draft (or returned record, or revision) to the moderators.

    A revision of a published record needs a change note (what has changed, in
    a sentence): it is published with the version the revision becomes. A
    revision returned and submitted again keeps its note unless given a new one."""
    from registry.services.versions import CHANGE_NOTE_LENGTH

    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.visibility not in (Visibility.DRAFT, Visibility.RETURNED):
        raise ValidationError("Only a draft or a record returned for changes can be submitted.")
    missing = missing_answers(evaluation)
    if missing:
        raise ValidationError([message for _step, message in missing])
    _refuse_blocking(evaluation)
    submission = Submission.objects.filter(evaluation=evaluation).first()
    note = (change_note if change_note is not None else (submission.change_note if submission else "")).strip()
    if len(note) > CHANGE_NOTE_LENGTH:
        raise ValidationError({"change_note": f"What has changed must be {CHANGE_NOTE_LENGTH} characters or fewer"})
    if submission is not None and submission.revision_of_id and not note:
        raise ValidationError({"change_note": "Enter what has changed, in a sentence"})
    evaluation.visibility = Visibility.SUBMITTED
    stamp(evaluation, by, "Submitted for review").save()
    Submission.objects.filter(evaluation=evaluation).update(
        submitted_at=timezone.now(), step_reached="check", change_note=note)
    return evaluation


@transaction.atomic
def return_for_changes(evaluation: Evaluation, *, by: User, comment: str) -> Evaluation:
    if not comment.strip():
        raise ValidationError({"comment": "Enter what needs to change"})
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.visibility != Visibility.SUBMITTED:
        raise ValidationError("Only a submitted record can be returned.")
    evaluation.visibility = Visibility.RETURNED
    evaluation.review_comment = comment.strip()
    stamp(evaluation, by, "Returned for changes").save()
    Submission.objects.filter(evaluation=evaluation).update(reviewed_at=timezone.now(), reviewed_by=by)
    return evaluation


@transaction.atomic
def publish(evaluation: Evaluation, *, by: User, note: str = "") -> Evaluation:
    """Publish a submitted record. A revision is applied onto the record it
    revises (which keeps its address and gains a version) and then removed.
    The version is stored whole with `note`, the change note: the moderator's if
    given, otherwise the one its editor submitted with it (services/versions.py)."""
    from registry.services.revisions import copy_content
    from registry.services.versions import record_version

    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.visibility != Visibility.SUBMITTED:
        raise ValidationError("Only a submitted record can be published.")
    _refuse_blocking(evaluation)
    submission = Submission.objects.filter(evaluation=evaluation).first()
    now = timezone.now()
    revision_of = submission.revision_of_id if submission is not None else None
    if revision_of:
        target = Evaluation.objects.select_for_update().get(pk=revision_of)
        copy_content(evaluation, target, by=by)
        target.version += 1
    else:
        target = evaluation
        target.published_at = target.published_at or now
    target.visibility = Visibility.PUBLISHED
    target.review_comment = ""
    stamp(target, by, f"Published version {target.version}", published=True).save()
    Submission.objects.filter(evaluation=target).update(reviewed_at=now, reviewed_by=by)
    record_version(target, by=by, note=note.strip() or (submission.change_note if submission is not None else ""))
    if revision_of:
        evaluation.delete()  # the copy has been applied
    return target


def _refuse_blocking(evaluation: Evaluation) -> None:
    """A blocking quality check (registry.quality) stops a record whichever door it came through."""
    problems = quality.blocking(evaluation)
    if problems:
        raise ValidationError([problem.message for problem in problems])


@transaction.atomic
def withdraw(evaluation: Evaluation, *, by: User, reason: str) -> Evaluation:
    """Take a published record down; its address answers 410 with when and why."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the record is withdrawn"})
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.visibility != Visibility.PUBLISHED:
        raise ValidationError("Only a published record can be withdrawn.")
    evaluation.visibility = Visibility.WITHDRAWN
    evaluation.withdrawn_at = timezone.now()
    evaluation.withdrawn_reason = reason.strip()
    stamp(evaluation, by, "Withdrawn").save()
    return evaluation
