"""Recording a published version: called by `workflow.publish` inside its
transaction, after the record's rows say what was published, so the stored
version is exactly what the API served at that moment.

Numbering follows the AEA RCT registry: a change to what the evaluation is
(its title, methods, stage or findings) is a major version (2.0), anything
else, such as wording, a minor one (1.1). The first published version is 1.0.
"""
from __future__ import annotations

import json

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from rest_framework.renderers import JSONRenderer

from registry import permissions
from registry.models import Evaluation, PublishedVersion
from registry.models.versions import ChangeKind
from registry.representation import evaluation_representation
from registry.selectors.rows import record_rows

# What makes a change major (the API's field names).
MAJOR_FIELDS = ("title", "designs", "stage", "findings")
# Fields that change with every publication, or with the address, never by an
# editor's hand: not a difference between two versions.
BOOKKEEPING_FIELDS = (
    "url", "api_url", "documents_url", "visibility", "version", "created_at", "updated_at", "published_at",
)
CHANGE_NOTE_LENGTH = 1000


def represent(evaluation_id: int) -> dict:
    """The record as the API represents it now, as plain JSON values (numbers as
    the API's JSON writes them), with addresses relative to the site."""
    (row,) = record_rows([evaluation_id])
    return _as_json(row)


def _as_json(row) -> dict:
    return json.loads(JSONRenderer().render(evaluation_representation(row, None)))


def changed_fields(before: dict | None, after: dict) -> list[str]:
    if before is None:
        return []
    return [name for name in after if name not in BOOKKEEPING_FIELDS and before.get(name) != after[name]]


def publisher(user) -> str:
    """Who published, as visitors may read it: "a moderator of Department for
    Education". A person's name or email address is never part of a version."""
    if user is None:
        return "the registry"
    role = "a moderator" if permissions.is_moderator(user) else "a contributor"
    try:
        membership = user.registry_membership
    except (AttributeError, ObjectDoesNotExist):
        membership = None
    return f"{role} of {membership.department.name}" if membership is not None else role


def record_version(evaluation: Evaluation, *, by, note: str = "") -> PublishedVersion:
    """Store the record as just published. Must run inside the publishing
    transaction, after the record and its rows are saved."""
    note = note.strip()
    if len(note) > CHANGE_NOTE_LENGTH:
        raise ValidationError({"change_note": f"Change note must be {CHANGE_NOTE_LENGTH} characters or fewer"})
    record = represent(evaluation.pk)
    previous = PublishedVersion.objects.filter(evaluation=evaluation).order_by("-number").first()
    fields = changed_fields(previous.record if previous else None, record)
    if previous is None:
        kind, major, minor = ChangeKind.MAJOR, 1, 0
    elif any(name in MAJOR_FIELDS for name in fields):
        kind, major, minor = ChangeKind.MAJOR, previous.major + 1, 0
    else:
        kind, major, minor = ChangeKind.MINOR, previous.major, previous.minor + 1
    return PublishedVersion.objects.create(
        evaluation=evaluation,
        number=evaluation.version,
        major=major,
        minor=minor,
        kind=kind,
        published_at=evaluation.updated_at,
        published_by=publisher(by),
        change_note=note,
        changed_fields=fields,
        record=record,
    )


def record_first_versions(ids: list[int], *, by, note: str) -> list[PublishedVersion]:
    """record_version for records published for the first time together (an import's
    batch): each one's version 1.0, read in one query, stored in one statement."""
    by_user = publisher(by)
    return PublishedVersion.objects.bulk_create(
        PublishedVersion(
            evaluation_id=row["id"], number=row["version"], major=1, minor=0, kind=ChangeKind.MAJOR,
            published_at=row["updated_at"], published_by=by_user, change_note=note.strip(), changed_fields=[],
            record=_as_json(row),
        )
        for row in record_rows(ids)
    )


UNVERSIONED_NOTE = "Recorded when the registry began keeping versions; earlier versions were not kept."


@transaction.atomic
def record_unversioned(*, chunk: int = 500) -> int:
    """Store the current state of each published record that has no stored version
    (published before versions were kept, or loaded by `seed`), as the version it
    carries, noted as such. Returns how many were stored; a second run stores none."""
    unversioned = Evaluation.objects.published().filter(published_versions__isnull=True)
    ids = list(unversioned.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), chunk):
        PublishedVersion.objects.bulk_create(
            PublishedVersion(
                evaluation_id=row["id"], number=row["version"], major=1, minor=0, kind=ChangeKind.MAJOR,
                published_at=row["updated_at"], published_by="the registry", change_note=UNVERSIONED_NOTE,
                changed_fields=[], record=_as_json(row),
            )
            for row in record_rows(ids[start : start + chunk])
        )
    return len(ids)
