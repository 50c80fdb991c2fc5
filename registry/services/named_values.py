"""Places, programmes and organisations named by a writer rather than picked from the list.

The website takes a place or a programme as typed and finds it by name (any
letter case) or adds it, and an organisation that is not listed as a new plain
one, all through registry.services.names. The API does the same when a write
sends {"name": ...} instead of a slug: the serializer
checks the name and leaves a `NewName`, and the names become rows here, in the
same transaction as the record, so a refused record leaves no new place behind.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from registry.models import Evaluation
from registry.services import drafts
from registry.services.base import User
from registry.services.names import named, same_name, tidy_name

NAME_MAX = 255  # Place.name, Programme.name and Organisation.name


@dataclass(frozen=True)
class NewName:
    """A place or programme given by name: the one of that name, or a new one."""

    model: type[models.Model]
    name: str


Made = dict[tuple[type[models.Model], str], models.Model]


def with_named_values(data: Mapping[str, Any], made: Made | None = None) -> dict[str, Any]:
    """`data` with each NewName (the programme, a place, an organisation's) made a row;
    "Leeds" and "LEEDS" in one write are one place. `made`: the rows already made or
    found in this transaction (an import's rows share one, so each name is looked up once)."""
    data = dict(data)
    made = {} if made is None else made

    def resolved(value: Any) -> Any:
        if not isinstance(value, NewName):
            return value
        key = (value.model, value.name.casefold())
        if key not in made:
            made[key] = named(value.model, value.name)
        return made[key]

    if "programme" in data:
        data["programme"] = resolved(data["programme"])
    if "places" in data:
        places = [resolved(value) for value in data["places"]]
        data["places"] = list({place.pk: place for place in places}.values())
    if "organisations" in data:
        rows = data["organisations"]
        data["organisations"] = [{**row, "organisation": resolved(row["organisation"])} for row in rows]
    return data


@transaction.atomic
def create_record(data: Mapping[str, Any], *, by: User, made: Made | None = None,
                  checks: bool = True) -> Evaluation:
    """drafts.create_record, with places and programmes given by name."""
    return drafts.create_record(with_named_values(data, made), by=by, checks=checks)


@transaction.atomic
def update_record(evaluation: Evaluation, data: Mapping[str, Any], *, by: User, made: Made | None = None,
                  checks: bool = True) -> Evaluation:
    """drafts.update_record, with places and programmes given by name."""
    return drafts.update_record(evaluation, with_named_values(data, made), by=by, checks=checks)


__all__ = ["NAME_MAX", "NewName", "create_record", "named", "same_name", "tidy_name", "update_record",
           "with_named_values"]
