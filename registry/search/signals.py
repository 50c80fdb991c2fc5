"""Keep the index in step with the database.

Every change that affects what is indexed marks the ids concerned; one flush per
transaction reindexes them. For an index of files (whoosh) the flush runs after
commit, so a rolled-back change never reaches it. For an index kept in the
database (PostgreSQL) it runs just before COMMIT, inside the transaction (see
registry/db/postgresql/base.py), so the record and its index rows commit together
and every app server finds the record the moment it commits. A failure to index is
logged and never reaches the user's request: check_index reports the drift and
rebuild_index repairs it.
"""
import logging
import threading
import time

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from registry import models

logger = logging.getLogger("registry.search")
_pending = threading.local()
RETRIES = 8  # about six seconds of back-off in all


def _marks():
    if not hasattr(_pending, "marks"):
        _pending.marks = {"evaluation": set(), "document": set(), "synonyms": False}
    return _pending.marks


def mark(kind, ids):
    ids = {i for i in ids if i is not None}
    if not ids:
        return
    _marks()[kind].update(ids)
    _schedule_flush()


def mark_synonyms():
    _marks()["synonyms"] = True
    _schedule_flush()


def _schedule_flush():
    from registry.search import get_backend

    # After commit (or at once outside a transaction); a flush that finds nothing
    # left to do costs nothing, so this stays even when the one below ran first.
    transaction.on_commit(flush, robust=True)
    before_commit = getattr(connection, "before_commit", None)
    if (before_commit is not None and connection.in_atomic_block and get_backend().transactional
            and flush not in before_commit):
        before_commit.append(flush)


def flush():
    """Index everything marked so far in this thread. Several calls per
    transaction are harmless: the first does the work, the rest find nothing."""
    from registry.search import get_backend

    marks = _marks()
    evaluations, documents, synonyms = set(marks["evaluation"]), set(marks["document"]), marks["synonyms"]
    marks["evaluation"].clear()
    marks["document"].clear()
    marks["synonyms"] = False
    if not (evaluations or documents or synonyms):
        return
    # Concurrent saves contend for the index writer (and, on SQLite, for the
    # database): back off and retry rather than lose the update. An index in the
    # database has no writer to wait for, and a retry inside the transaction
    # would only hold the user's COMMIT back.
    attempts = 1 if get_backend().transactional else RETRIES
    for attempt in range(attempts):
        try:
            backend = get_backend()
            if synonyms and hasattr(backend, "save_synonyms"):
                backend.save_synonyms()
                synonyms = False
            if evaluations:
                backend.index_evaluations(evaluations)
                evaluations = set()
            if documents:
                backend.index_documents(documents)
            return
        except Exception:  # noqa: BLE001 - the user's save has succeeded; the index can be repaired
            if attempt == attempts - 1:
                logger.exception("Search index update failed for evaluations %s, documents %s; "
                                 "run check_index / rebuild_index", sorted(evaluations), sorted(documents))
                return
            logger.info("Search index update deferred (attempt %s)", attempt + 1, exc_info=True)
            time.sleep(min(2.0, 0.05 * 2 ** attempt))


# -- receivers ---------------------------------------------------------------

def evaluation_saved(sender, instance, **kwargs):
    mark("evaluation", [instance.pk])


def evaluation_deleted(sender, instance, **kwargs):
    mark("evaluation", [instance.pk])


def evaluation_deleting(sender, instance, **kwargs):
    """Its documents may lose their only published record: look them up before the links go."""
    links = models.Document.evaluations.through.objects.filter(evaluation_id=instance.pk)
    mark("document", links.values_list("document_id", flat=True))


def related_row_changed(sender, instance, **kwargs):
    """A design, organisation role, event date or finding: reindex its record."""
    mark("evaluation", [instance.evaluation_id])


def evaluation_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # e.g. department.joined_evaluations.add(...)
        if pk_set:
            mark("evaluation", pk_set)
        else:
            mark("evaluation", evaluations_of(instance))
    else:
        mark("evaluation", [instance.pk])


def document_saved(sender, instance, **kwargs):
    mark("document", [instance.pk])


def document_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and not isinstance(instance, models.Document):  # which, while the links say
        mark("document", models.Document.objects.filter(evaluations=instance).values_list("id", flat=True))
    if not action.startswith("post_"):
        return
    if isinstance(instance, models.Document):
        mark("document", [instance.pk])
    else:
        mark("document", pk_set or models.Document.objects.filter(evaluations=instance).values_list("id", flat=True))


def evaluations_of(vocabulary_item):
    """Ids of the records a vocabulary item appears on (published or not: the backend decides)."""
    E = models.Evaluation
    if isinstance(vocabulary_item, models.Department):
        q = Q(lead_department=vocabulary_item) | Q(other_departments=vocabulary_item)
    elif isinstance(vocabulary_item, models.DesignType):
        q = Q(designs__design_type=vocabulary_item) | Q(designs__design_type__parent=vocabulary_item) | Q(
            designs__design_type__parent__parent=vocabulary_item)
    elif isinstance(vocabulary_item, models.PolicyArea):
        q = Q(policy_areas=vocabulary_item) | Q(policy_areas__parent=vocabulary_item)
    elif isinstance(vocabulary_item, models.Organisation):
        q = Q(organisation_roles__organisation=vocabulary_item)
    elif isinstance(vocabulary_item, models.Programme):
        q = Q(programme=vocabulary_item)
    elif isinstance(vocabulary_item, models.Place):
        q = Q(places=vocabulary_item)
    else:
        return []
    return set(E.objects.filter(q).values_list("id", flat=True))


def vocabulary_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    mark("evaluation", evaluations_of(instance))


def synonyms_changed(sender, instance, **kwargs):
    mark_synonyms()


def connect():
    post_save.connect(evaluation_saved, sender=models.Evaluation, dispatch_uid="search-evaluation-saved")
    post_delete.connect(evaluation_deleted, sender=models.Evaluation, dispatch_uid="search-evaluation-deleted")
    pre_delete.connect(evaluation_deleting, sender=models.Evaluation, dispatch_uid="search-evaluation-deleting")
    for model in (models.EvaluationDesign, models.EvaluationOrganisation, models.EventDate, models.Finding):
        post_save.connect(related_row_changed, sender=model, dispatch_uid=f"search-{model.__name__}-saved")
        post_delete.connect(related_row_changed, sender=model, dispatch_uid=f"search-{model.__name__}-deleted")
    for field in ("other_departments", "places", "policy_areas"):
        m2m_changed.connect(evaluation_m2m_changed, sender=getattr(models.Evaluation, field).through,
                            dispatch_uid=f"search-evaluation-{field}")
    post_save.connect(document_saved, sender=models.Document, dispatch_uid="search-document-saved")
    post_delete.connect(document_saved, sender=models.Document, dispatch_uid="search-document-deleted")
    m2m_changed.connect(document_links_changed, sender=models.Document.evaluations.through,
                        dispatch_uid="search-document-evaluations")
    vocabularies = (models.Department, models.DesignType, models.PolicyArea, models.Organisation, models.Programme,
                    models.Place)
    for model in vocabularies:
        post_save.connect(vocabulary_changed, sender=model, dispatch_uid=f"search-{model.__name__}-vocabulary")
        # Deleting an item in use is prevented (PROTECT) or removes its links in cascade,
        # which sends no m2m_changed: its records are marked before, while the links say which.
        pre_delete.connect(vocabulary_changed, sender=model, dispatch_uid=f"search-{model.__name__}-deleting")
    post_save.connect(synonyms_changed, sender=models.MethodSynonym, dispatch_uid="search-synonym-saved")
    post_delete.connect(synonyms_changed, sender=models.MethodSynonym, dispatch_uid="search-synonym-deleted")
