"""The record's cross-field rules, written once.

Each rule is a plain function over values (never a form, serializer or
request) and returns the problems it finds as `{field: message}`; an empty
dict means the values pass. The journey's forms add the messages beside their
fields, the API's serializers answer them as a 400 under the same field names,
and the models' `clean()` calls the rules that need no other rows, so a save
from anywhere else (the seeds, the admin, a future import) is held to them too.

Where the journey and the API used to disagree, the journey's rule is the one
kept: a date without a month is compared on its year alone, so "end 2021"
after "start June 2021" is accepted by both.

Messages follow the GOV.UK pattern: they say what to do, in the user's words.
tests/test_rules.py and tests/submit/test_one_write_path.py post each rule's
failing answers through the journey and through the API and expect the same
message from both.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

Problems = dict[str, str]

# An end may not come before its start: {end category: start category}.
DATE_PAIRS = {
    "evaluation_end": "evaluation_start",
    "intervention_end": "intervention_start",
}
OTHER_EVENT = "other"


def lead_not_also_other(lead: Any, others: Iterable[Any]) -> Problems:
    """The lead department is named once, as the lead."""
    if lead is not None and lead in list(others or ()):
        return {"other_departments": "Do not list the lead department as an other department"}
    return {}


def other_event_described(category: str | None, description: str | None) -> Problems:
    """An event of category Other says what the event was."""
    if category == OTHER_EVENT and not (description or "").strip():
        return {"description": "Describe the event when its category is Other"}
    return {}


def date_in_order(category: str | None, year: int | None, month: int | None,
                  others: Iterable[Any]) -> Problems:
    """An end date not before its start, nor a start after its end.

    `others` are the record's other dates (rows or mappings with category, year
    and month). A date without a month compares on its year alone: "2021" is
    not before "June 2021", nor after it.
    """
    if not category or not year:
        return {}
    new = (year, month)
    for other in others:
        other_category, other_year, other_month = _date_values(other)
        if not other_category or other_year is None:
            continue  # a row without a category or year is refused on its own; it orders nothing
        old = (other_year, other_month)
        if DATE_PAIRS.get(category) == other_category and _before(new, old):
            return {"year": f"The {_event_name(category)} date must not be before the "
                            f"{_event_name(other_category)} date ({_when(other_year, other_month)})"}
        if DATE_PAIRS.get(other_category) == category and _before(old, new):
            return {"year": f"The {_event_name(category)} date must not be after the "
                            f"{_event_name(other_category)} date ({_when(other_year, other_month)})"}
    return {}


def dates_in_order(rows: list[Mapping[str, Any]]) -> dict[int, Problems]:
    """A list of dates given at once (the API), checked as the journey checks
    them when they are added one at a time in that order: {row index: problems}."""
    found = {}
    for index, row in enumerate(rows):
        problems = date_in_order(row.get("category"), row.get("year"), row.get("month"), rows[:index])
        if problems:
            found[index] = problems
    return found


def number_only_when_yes(values: Mapping[str, Any]) -> Problems:
    """A grant or Major Project number only when the answer to its question is yes."""
    problems = {}
    for flag, number in (("is_grant_funded", "grant_number"), ("is_major_project", "major_project_number")):
        if values.get(flag) is not True and (values.get(number) or "").strip():
            problems[number] = "Leave the number blank unless you answered yes"
    return problems


def unit_needs_effect_size(effect_size: Decimal | None, effect_unit: str | None) -> Problems:
    """A unit on its own says nothing: it needs the effect size it measures."""
    if (effect_unit or "").strip() and effect_size is None:
        return {"effect_size": "Enter the effect size, or leave the unit blank"}
    return {}


def interval_in_order(ci_lower: Decimal | None, ci_upper: Decimal | None) -> Problems:
    """A confidence interval's upper end is not below its lower end."""
    if ci_lower is not None and ci_upper is not None and ci_lower > ci_upper:
        return {"ci_upper": "The upper end of the confidence interval must not be below the lower end"}
    return {}


def organisation_role_once(organisation_id: int | None, role: str | None,
                           others: Iterable[tuple[int, str]]) -> Problems:
    """An organisation is listed once in each role (`others`: (organisation id, role) pairs)."""
    if organisation_id is not None and (organisation_id, role) in set(others):
        return {"organisation": "This organisation is already listed with this role"}
    return {}


def other_method_described(collect_description: bool, description: str | None) -> Problems:
    """An "Other" method says what the method was."""
    if collect_description and not (description or "").strip():
        return {"description": "Describe the other method you used"}
    return {}


def finding_problems(values: Mapping[str, Any]) -> Problems:
    """Every rule on one finding's values."""
    return {
        **unit_needs_effect_size(values.get("effect_size"), values.get("effect_unit")),
        **interval_in_order(values.get("ci_lower"), values.get("ci_upper")),
    }


def missing_answers(evaluation: Any) -> list[tuple[str, str]]:
    """What must be answered before a record can be submitted: (journey step, message)."""
    missing = []
    if not evaluation.lead_department_id:
        missing.append(("basics", "Select the lead department"))
    if not evaluation.stage:
        missing.append(("stage", "Select the evaluation stage"))
    if not evaluation.designs.exists():
        missing.append(("types", "Select at least one evaluation type"))
    if not (evaluation.summary or "").strip():
        missing.append(("summary", "Enter a summary"))
    if evaluation.permission_to_share is None:
        missing.append(("sharing", "Say whether you have permission to share"))
    return missing


def enforce(problems: Problems) -> None:
    """For model `clean()` and services: the problems as Django's ValidationError."""
    if problems:
        raise ValidationError({field: [message] for field, message in problems.items()})


def _date_values(other: Any) -> tuple[str | None, int | None, int | None]:
    if isinstance(other, Mapping):
        return other.get("category"), other.get("year"), other.get("month")
    return other.category, other.year, other.month


def _before(a: tuple[int, int | None], b: tuple[int, int | None]) -> bool:
    """Is (year, month) a strictly before b? A missing month compares on the year alone."""
    if a[0] != b[0] or a[1] is None or b[1] is None:
        return a[0] < b[0]
    return a[1] < b[1]


def _event_name(category: str) -> str:
    """ "evaluation end", "intervention start" (the choice's label without a trailing "date")."""
    from registry.models.evaluations import EventCategory

    return EventCategory(category).label.lower().removesuffix(" date")


def _when(year: int, month: int | None) -> str:
    return f"{calendar.month_name[month]} {year}" if month else str(year)
