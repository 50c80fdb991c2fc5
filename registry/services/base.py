"""What every write service shares: who acted and why, and free addresses.

django-simple-history reads `_history_user` and `_change_reason` from the
instance it saves; `_history_published` marks the entry that is a published
version (registry.models.evaluations.HistoryEntry). Each is set on every save
a service makes, so a flag never lingers from an earlier save of the same object.
"""
from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import User
from django.db import models
from django.utils.text import slugify

from registry.models import Evaluation

# The services' actor is Django's own user model: settings.py sets no
# AUTH_USER_MODEL, and records' `owner` and history's `history_user` point to it.

M = TypeVar("M", bound=models.Model)


def stamp(instance: M, by: User | None, reason: str, *, published: bool = False) -> M:
    """Say who is changing `instance` and why, for the history entry its next save writes."""
    # Set by name: these are simple-history's (and our HistoryEntry's) hooks,
    # read off whichever model is saved, not fields any model declares.
    notes = {"_history_user": by, "_change_reason": reason, "_history_published": published}
    for name, value in notes.items():
        setattr(instance, name, value)
    return instance


def touch(evaluation: Evaluation, by: User | None, reason: str) -> None:
    """A change to a record's rows is a change to the record: its time moves and its history says why."""
    stamp(evaluation, by, reason).save(update_fields=["updated_at"])


def unique_slug(title: str, exclude_pk: int | None = None) -> str:
    base = (slugify(title)[:100] or "evaluation").strip("-")
    slug, n = base, 1
    taken = Evaluation.objects.all() if exclude_pk is None else Evaluation.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def free_slug(model: type[models.Model], name: str) -> str:
    base = slugify(name)[:180] or "item"
    slug, n = base, 1
    while model._default_manager.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
