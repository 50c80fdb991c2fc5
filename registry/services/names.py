"""Places, programmes and organisations found by the name a writer typed, or added.

One lookup for every writer: the journey (drafts.save_context and an evaluator
typed by name), the API ({"name": ...}, services/named_values.py) and the
catalogue import. A name is tidied the same way and matched in any letter case
the same way, so "Leeds" typed on the website and "LEEDS" sent to the API are
one place.
"""
from __future__ import annotations

from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models.functions import Length

from registry.services.base import free_slug

M = TypeVar("M", bound=models.Model)


def tidy_name(text: str) -> str:
    """Spaces trimmed and runs of white space made one, so "  North   Yorkshire " is "North Yorkshire"."""
    return " ".join(text.split())


def same_name(queryset: models.QuerySet[M], name: str) -> M | None:
    """The row of `queryset` with this name in any letter case (the oldest, if an
    earlier import made two). SQLite folds the case of ASCII letters only, so a name
    with other letters ("Ynys Môn") is also compared in Python among names as long."""
    found = queryset.filter(name__iexact=name).order_by("pk").first()
    if found is None and not name.isascii():
        key = name.casefold()
        candidates = queryset.annotate(name_length=Length("name")).filter(name_length=len(name)).order_by("pk")
        found = next((row for row in candidates if row.name.casefold() == key), None)
    return found


def named(model: type[M], name: str, **new: Any) -> M:
    """The row of this name in any letter case, or a new one (with the fields `new`).
    Two writers naming the same new place at once get one row: the loser of the
    race meets the unique name and reads the winner's."""
    name = tidy_name(name)
    found = same_name(model._default_manager.all(), name)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return model._default_manager.create(name=name, slug=free_slug(model, name), **new)
    except IntegrityError:
        found = same_name(model._default_manager.all(), name)
        if found is None:
            raise
        return found
