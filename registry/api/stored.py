"""The API's record list served from stored bodies: each published record's JSON
rendered once and kept (registry/models/representations.py) until something it
shows changes.

Why: a list page of 20 full records cost 11 to 13 ms in one process, against 2 ms
for a bare DRF view returning 20 plain rows: reading each record's relations as
JSON (4 to 5 ms), building its representation and rendering 117 KB of JSON. A page
from stored bodies is the page's ids and its bodies, two queries, spliced into the
page's JSON as they are.

Correctness: every change to what a representation shows replaces the record's
stamp, in the transaction of the change (the receivers below, the same changes the
search index follows plus links and documents). A body is stored with the stamp's
token read before the record, so a body rendered from data a change has since
replaced carries an old token and is rendered again; it is never served.

Addresses: a body is rendered with PLACEHOLDER where the site's origin goes, which
JSON writes as `\\u0000` (no stored text can hold a NUL: forms, the API and
PostgreSQL refuse it), and the origin of each request is put in its place when
the page is served: only where it opens a JSON string, as an address does, so a
record whose own text holds the characters `\\u0000` keeps them.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

from django.db import DatabaseError, connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete
from django.utils.encoding import iri_to_uri
from rest_framework.renderers import JSONRenderer

from registry import models
from registry.models import RepresentationStamp, StoredRepresentation
from registry.selectors.rows import record_rows

PLACEHOLDER = "\x00"
ESCAPED = "\\u0000"


class _PlaceholderOrigin:
    """Stands in for the request while a body is rendered (only its addresses are asked of it)."""

    @staticmethod
    def build_absolute_uri(location):
        return PLACEHOLDER + iri_to_uri(str(location))


# -- reading ------------------------------------------------------------------


def enabled() -> bool:
    """PostgreSQL only. Storing a body is a write on a read; on SQLite (the embedded
    default) a write waits for any writer, and an import holds the lock for seconds."""
    return connection.vendor == "postgresql"


def page_bodies(ids: list[int], request) -> tuple[list[str], object]:
    """(the records' JSON bodies in the order of `ids`, the latest updated_at among
    them). One query when every body is stored and current; two more otherwise
    (the records read and rendered, and their bodies stored)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.id, coalesce(s.token, ''), r.token, r.body, r.updated_at "
            "FROM unnest(%s::bigint[]) AS i(id) "
            f"LEFT JOIN {RepresentationStamp._meta.db_table} s ON s.evaluation_id = i.id "
            f"LEFT JOIN {StoredRepresentation._meta.db_table} r ON r.evaluation_id = i.id", [list(ids)])
        read = cursor.fetchall()
    changing = _changing()  # this transaction's changes, stamped only at its COMMIT
    found = {pk: (body, updated) for pk, stamp, token, body, updated in read
             if body is not None and token == stamp and pk not in changing}
    # The stamps were read before the records are: a change committed in between
    # leaves a body stored under the old token, which is never served.
    stamps = {pk: stamp for pk, stamp, *_ in read if pk not in found}
    if stamps:
        found.update(_render(stamps, keep=set(stamps) - changing))
    origin = json.dumps(request.build_absolute_uri("/")[:-1])[1:-1]
    # An address is a whole JSON string, so its placeholder follows a quote; a
    # record's own text holding the six characters \u0000 is written \\u0000, which a
    # quote never precedes (a quote inside a string is written \").
    present = [pk for pk in ids if pk in found]  # a record deleted since its id was read is left out
    bodies = [found[pk][0].replace('"' + ESCAPED, '"' + origin) for pk in present]
    return bodies, max((found[pk][1] for pk in present), default=None)


def _render(stamps: dict[int, str], keep: set[int]) -> dict[int, tuple[str, object]]:
    """Render these records' bodies and store those of `keep` under the stamps read before."""
    from registry.api.serializers import EvaluationSerializer

    rendered, stored = {}, []
    renderer = JSONRenderer()
    context = {"request": _PlaceholderOrigin()}
    for row in record_rows(list(stamps)):
        body = renderer.render(EvaluationSerializer(row, context=context).data).decode("utf-8")
        rendered[row["id"]] = (body, row["updated_at"])
        if row["id"] in keep:
            stored.append(StoredRepresentation(evaluation_id=row["id"], token=stamps[row["id"]], body=body,
                                               updated_at=row["updated_at"]))
    _store(sorted(stored, key=lambda s: s.evaluation_id))
    return rendered


def _store(stored: list[StoredRepresentation]) -> None:
    """Keep the bodies for the next reader. Storing is an optimisation: a reader
    that cannot write (SQLite busy with a writer) serves what it rendered anyway."""
    if not stored:
        return
    try:
        with transaction.atomic():
            StoredRepresentation.objects.bulk_create(
                stored, update_conflicts=True, unique_fields=["evaluation_id"],
                update_fields=["token", "body", "updated_at"])
    except DatabaseError:
        pass


# -- changes ------------------------------------------------------------------


class _Replacement:
    """The stamps one transaction's changes replace, just before its COMMIT. Held in
    the connection's before-commit hooks, so a rollback forgets it with them."""

    def __init__(self):
        self.ids: set[int] = set()

    def __call__(self):
        ids, self.ids = self.ids, set()  # a second call (after COMMIT) finds nothing to do
        _replace(ids)


def _changing() -> set[int]:
    """Records the open transaction has changed, their stamps not yet replaced."""
    hooks = getattr(connection, "before_commit", None) or []
    return set().union(*(hook.ids for hook in hooks if isinstance(hook, _Replacement)))


def invalidate(ids: Iterable[int | None]) -> None:
    """Replace these records' stamps: their stored bodies are stale once the change commits.

    Inside a transaction the stamps are replaced just before its COMMIT
    (registry/db/postgresql/base.py), still inside it, and meanwhile this
    transaction's own reads render those records live (`_changing`). Replacing a
    stamp at once locked its row until COMMIT: two ingest writers linking reports to
    one record waited on each other for each whole batch (20 of 30 samples of
    pg_stat_activity; 200 reports at 2.3 MB/s with a core idle)."""
    ids = {int(pk) for pk in ids if pk is not None}
    if not ids or not enabled():
        return
    before_commit = getattr(connection, "before_commit", None)
    if before_commit is not None and connection.in_atomic_block:
        hook = next((h for h in before_commit if isinstance(h, _Replacement)), None)
        if hook is None:
            hook = _Replacement()
            before_commit.append(hook)
            # After COMMIT too, for a transaction whose COMMIT runs no hooks (a
            # test's, whose on_commit callbacks are run by hand).
            transaction.on_commit(hook, robust=True)
        hook.ids.update(ids)
        return
    _replace(ids)


def _replace(ids: set[int]) -> None:
    if not ids:
        return
    ids = sorted(ids)  # concurrent writers lock the rows in one order
    token = uuid.uuid4().hex
    RepresentationStamp.objects.bulk_create(
        [RepresentationStamp(evaluation_id=pk, token=token) for pk in ids],
        update_conflicts=True, unique_fields=["evaluation_id"], update_fields=["token"])


def _record_changed(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        invalidate([instance.pk])


def _forget_all(sender, **kwargs):
    """A migration may change what records show without a signal (a vocabulary's
    data, a field): every body is rendered again when next read. A deleted record's
    stamp and body go here too."""
    if getattr(sender, "name", "") != "registry":
        return
    StoredRepresentation.objects.all().delete()
    RepresentationStamp.objects.exclude(evaluation_id__in=models.Evaluation.objects.values("id")).delete()


def _row_changed(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        invalidate([instance.evaluation_id])


def _list_changed(sender, instance, action, reverse, pk_set, **kwargs):
    from registry.search.signals import evaluations_of

    if not action.startswith("post_"):
        return
    if not reverse:
        invalidate([instance.pk])
    else:
        invalidate(pk_set if pk_set else evaluations_of(instance))


def _vocabulary_changed(sender, instance, **kwargs):
    from registry.search.signals import evaluations_of

    if not kwargs.get("raw"):
        invalidate(evaluations_of(instance))


def _linked_records(document):
    """The records listing the document, and those with a finding citing it (its title is shown)."""
    linked = models.Document.evaluations.through.objects.filter(document_id=document.pk).values_list(
        "evaluation_id", flat=True)
    citing = models.Finding.objects.filter(source_document_id=document.pk).values_list("evaluation_id", flat=True)
    return {*linked, *citing}


def _document_changed(sender, instance, **kwargs):
    """A record lists its first documents and counts them."""
    if not kwargs.get("raw"):
        invalidate(_linked_records(instance))


def _document_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and isinstance(instance, models.Document):
        invalidate(_linked_records(instance))
    if not action.startswith("post_"):
        return
    if isinstance(instance, models.Document):
        invalidate(pk_set if pk_set else _linked_records(instance))
    else:
        invalidate([instance.pk])


def connect() -> None:
    uid = "stored-representation"
    post_save.connect(_record_changed, sender=models.Evaluation, dispatch_uid=f"{uid}-evaluation")
    post_migrate.connect(_forget_all, dispatch_uid=f"{uid}-migrated")
    for model in (models.EvaluationDesign, models.EvaluationOrganisation, models.EventDate, models.Finding,
                  models.Link):
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}-deleted")
    for name in ("other_departments", "places", "policy_areas"):
        m2m_changed.connect(_list_changed, sender=getattr(models.Evaluation, name).through,
                            dispatch_uid=f"{uid}-{name}")
    for model in (models.Department, models.DesignType, models.PolicyArea, models.Organisation, models.Programme,
                  models.Place):
        post_save.connect(_vocabulary_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}")
        # Deleting it removes its links in cascade, which sends no m2m_changed: before, while they say which.
        pre_delete.connect(_vocabulary_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}-deleted")
    post_save.connect(_document_changed, sender=models.Document, dispatch_uid=f"{uid}-document")
    # Before the delete: its links go with it.
    pre_delete.connect(_document_changed, sender=models.Document, dispatch_uid=f"{uid}-document-deleted")
    m2m_changed.connect(_document_links_changed, sender=models.Document.evaluations.through,
                        dispatch_uid=f"{uid}-document-links")


__all__ = ["connect", "invalidate", "page_bodies"]
