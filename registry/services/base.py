"""What every write service shares: who acted and why, and free addresses.

django-simple-history reads `_history_user` and `_change_reason` from the
instance it saves; `_history_published` marks the entry that is a published
version (registry.models.evaluations.HistoryEntry). Each is set on every save
a service makes, so a flag never lingers from an earlier save of the same object.
"""
from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils.text import slugify

from registry.models import Evaluation

M = TypeVar("M", bound=models.Model)
User = AbstractBaseUser


def stamp(instance: M, by: User | None, reason: str, *, published: bool = False) -> M:
    """Say who is changing `instance` and why, for the history entry its next save writes."""
    instance._history_user = by
    instance._change_reason = reason
    instance._history_published = published
    return instance


def touch(evaluation: Evaluation, by: User | None, reason: str) -> None:
    """A change to a record's rows is a change to the record: its time moves and its history says why."""
    stamp(evaluation, by, reason).save(update_fields=["updated_at"])


def unique_slug(title: str, exclude_pk: int | None = None) -> str:
    base = (slugify(title)[:100] or "evaluation").strip("-")
    slug, n = base, 1
    taken = Evaluation.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def free_slug(model: type[models.Model], name: str) -> str:
    base = slugify(name)[:180] or "item"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
