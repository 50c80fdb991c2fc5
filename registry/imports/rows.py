"""A row's cells made into the values the drafts service takes, with a problem
for each cell that cannot be, named by row and column.

Only the cell's own form is judged here (a number, a month, a known
department, a web address); the record's rules (registry/rules.py, the models'
`clean()`) are met where every record meets them, when the service writes it,
and the few that need only the row (an end before its start, a number only when
the answer is yes) are asked of the same rule functions here too, so the report
can name the column.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from registry import rules
from registry.imports.columns import LIST_SEPARATOR
from registry.imports.vocabulary import (
    CATEGORIES,
    DIRECTIONS,
    ROLES,
    SIGNIFICANCES,
    STAGES,
    STATUSES,
    TRAILING_BRACKETS,
    Unknown,
    Vocabulary,
    choice,
    key,
)
from registry.models import Organisation, Place, Programme
from registry.models.evaluations import EventCategory, EventDate, Link, LinkKind
from registry.models.findings import Direction, Finding, Significance
from registry.services.named_values import NewName, tidy_name

MONTHS = {key(name): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({key(name): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
LINK_COLUMNS = {"report_links": LinkKind.REPORT, "plan_links": LinkKind.PLAN, "evaluation_links": LinkKind.EVALUATION}
NO_ADDRESS = "(address not given)"
EXTERNAL_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TEXT_LIMITS = {"title": 255, "grant_number": 100, "major_project_number": 100, "programme": 255}


@dataclass(frozen=True)
class Problem:
    row: int | None  # as the spreadsheet numbers it (the header is row 1); None: the file
    column: str
    message: str
    sheet: str = "records"


class RowProblems(list):
    """The problems of one row, each added with its column."""

    def __init__(self, row: int, sheet: str = "records"):
        super().__init__()
        self.row, self.sheet = row, sheet

    def add(self, column: str, message: str) -> None:
        self.append(Problem(self.row, column, message, self.sheet))


def items(text: str) -> list[str]:
    """A list cell's entries: "DfE; DHSC" (blank entries set aside)."""
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def external_id(cells: dict[str, str], problems: RowProblems) -> str:
    value = cells.get("external_id", "")
    if not value:
        problems.add("external_id", "Enter an external id for the record (lowercase letters, numbers and hyphens)")
    elif len(value) > 120 or not EXTERNAL_ID.match(value):
        suggestion = slugify(value)[:120]
        problems.add("external_id", "The external id must be lowercase letters, numbers and hyphens"
                     + (f", for example “{suggestion}”" if suggestion else ""))
    return value


# The service's value -> the columns it is read from. A column the sheet does not have
# leaves its value out, so an update keeps what the record holds (the API's CSV has no
# link columns: importing it must not remove a record's links).
VALUE_COLUMNS = {
    "methods": ("evaluation_types", "methods", "method_codes"), "links": tuple(LINK_COLUMNS),
    "is_grant_funded": ("grant_funded",), "is_major_project": ("major_project",),
}


def present(data: dict[str, Any], columns) -> dict[str, Any]:
    """`data` without the values whose columns the sheet lacks."""
    columns = set(columns)
    return {name: value for name, value in data.items()
            if name == "findings" or columns & set(VALUE_COLUMNS.get(name, (name,)))}


def record_values(cells: dict[str, str], vocabulary: Vocabulary, problems: RowProblems) -> dict[str, Any]:
    """The record's values for registry.services.drafts.create_record/update_record."""
    data: dict[str, Any] = {}
    data["title"] = cells.get("title", "")
    if not data["title"]:
        problems.add("title", "Enter the evaluation's title")
    for name in ("summary", "cost_note", "grant_number", "major_project_number"):
        data[name] = cells.get(name, "")
    for name, limit in TEXT_LIMITS.items():
        if len(cells.get(name, "")) > limit:
            problems.add(name, f"{name.replace('_', ' ').capitalize()} must be {limit} characters or fewer")
    data["stage"] = _cell(problems, "stage", cells, lambda text: choice(STAGES, text, "stage"), default="")
    data["lead_department"] = _cell(problems, "lead_department", cells, vocabulary.department)
    data["other_departments"] = _list(problems, "other_departments", cells, vocabulary.department)
    data["policy_areas"] = _list(problems, "policy_areas", cells, vocabulary.policy_area)
    data["methods"] = _designs(cells, vocabulary, problems)
    programme = tidy_name(cells.get("programme", ""))
    data["programme"] = NewName(Programme, programme) if programme else None
    data["places"] = [NewName(Place, tidy_name(name)) for name in items(cells.get("places", ""))]
    data["organisations"] = _list(problems, "organisations", cells, _organisation)
    data["event_dates"] = _list(problems, "event_dates", cells, _event_date)
    data["links"] = [link for column, kind in LINK_COLUMNS.items()
                     for link in _list(problems, column, cells, lambda text, kind=kind: _link(text, kind))]
    data["is_grant_funded"] = _cell(problems, "grant_funded", cells, _yes_no)
    data["is_major_project"] = _cell(problems, "major_project", cells, _yes_no)
    data["permission_to_share"] = _cell(problems, "permission_to_share", cells, _yes_no)
    data["cost_amount"] = _cell(problems, "cost_amount", cells, _amount)
    data["cost_price_year"] = _cell(problems, "cost_price_year", cells, _year)
    _row_rules(data, problems)
    return data


def _designs(cells: dict[str, str], vocabulary: Vocabulary, problems: RowProblems) -> dict[Any, str | None]:
    """{type or method: description}. The API's CSV also lists them by code (method_codes):
    its names can be shared by two methods, its codes cannot, so the codes are read."""
    if cells.get("method_codes"):
        return dict.fromkeys(_list(problems, "method_codes", cells, vocabulary.design_code))
    methods: dict[Any, str | None] = dict(_list(problems, "evaluation_types", cells, vocabulary.evaluation_type))
    types = list(methods)
    for node, description in _list(problems, "methods", cells, lambda text: vocabulary.method(text, types)):
        methods[node] = description
    return methods


def finding_values(cells: dict[str, str], problems: RowProblems) -> dict[str, Any]:
    data: dict[str, Any] = {name: cells.get(name, "") for name in
                            ("intervention", "outcome", "comparison", "effect_unit", "statement")}
    data["direction"] = _cell(problems, "direction", cells, lambda t: choice(DIRECTIONS, t, "direction"),
                              default=Direction.NOT_REPORTED)
    data["significance"] = _cell(problems, "significance", cells,
                                 lambda t: choice(SIGNIFICANCES, t, "significance"),
                                 default=Significance.NOT_REPORTED)
    for name in ("effect_size", "ci_lower", "ci_upper", "ci_level", "p_value"):
        data[name] = _cell(problems, name, cells, _decimal)
    data["sample_size"] = _cell(problems, "sample_size", cells, _whole_number)
    if not problems:
        _clean(Finding(**data), problems, exclude=["evaluation", "position", "source_document"])
    return data


# Cells ------------------------------------------------------------------------------


def _cell(problems: RowProblems, column: str, cells: dict[str, str], parse, default=None):
    text = cells.get(column, "")
    if not text:
        return default
    try:
        return parse(text)
    except (Unknown, ValidationError) as error:
        problems.add(column, _message(error))
        return default


def _list(problems: RowProblems, column: str, cells: dict[str, str], parse) -> list:
    found = []
    for text in items(cells.get(column, "")):
        try:
            found.append(parse(text))
        except (Unknown, ValidationError) as error:
            problems.add(column, _message(error))
    return found


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _yes_no(text: str) -> bool:
    answer = key(text)
    if answer in {"yes", "y", "true"}:
        return True
    if answer in {"no", "n", "false"}:
        return False
    raise Unknown(f"Enter yes or no, not “{text}”")


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("£", "").strip())
    except InvalidOperation:
        raise Unknown(f"Enter a number, like 12.5, not “{text}”") from None
    if not value.is_finite():
        raise Unknown(f"Enter a number, like 12.5, not “{text}”")
    return value


def _amount(text: str) -> Decimal:
    value = _decimal(text)
    if value < 0:
        raise Unknown("The cost must not be negative")
    if value != value.quantize(Decimal("0.01")) or value >= Decimal("1e12"):
        raise Unknown("Enter the cost in pounds with at most 2 decimal places, below £1,000,000,000,000")
    return value


def _whole_number(text: str) -> int:
    value = _decimal(text)
    if value != value.to_integral_value() or value < 0 or value > 2_000_000_000:
        raise Unknown(f"Enter a whole number, like 250, not “{text}”")
    return int(value)


def _year(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= 2100:
        raise Unknown(f"Enter a year between 1900 and 2100, like 2023, not “{text}”")
    return int(text)


def _month_year(text: str) -> tuple[int | None, int]:
    """ "June 2021", "Jun 2021", "06/2021", "2021-06" or "2021"."""
    text = text.strip()
    numeric = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{4})", text) or re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text)
    if numeric:
        first, second = numeric.groups()
        month, year = (int(first), second) if "/" in text else (int(second), first)
    else:
        words = text.rsplit(None, 1)
        if len(words) == 1:
            return None, _year(words[0])
        if key(words[0]) not in MONTHS:
            raise Unknown(f"Enter the date as a month and year, like June 2021, not “{text}”")
        month, year = MONTHS[key(words[0])], words[1]
    if not 1 <= month <= 12:
        raise Unknown(f"The month must be between 1 and 12 (in “{text}”)")
    return month, _year(year)


def _event_date(text: str) -> dict[str, Any]:
    """ "Evaluation start: June 2021 (actual)"; "Other (pilot launch): March 2022"."""
    label, colon, when = text.rpartition(":")
    if not colon:
        raise Unknown(f"Write the date as the event, a colon and the date, like Evaluation start: June 2021, "
                      f"not “{text}”")
    status = ""
    match = TRAILING_BRACKETS.match(when.strip())
    if match and key(match["inner"]) in STATUSES:
        when, status = match["name"], STATUSES[key(match["inner"])]
    description = ""
    other = TRAILING_BRACKETS.match(label.strip())
    if other and key(other["name"]) == "other":
        category, description = EventCategory.OTHER, other["inner"].strip()
    else:
        category = choice(CATEGORIES, label, "kind of event")
    month, year = _month_year(when)
    row = {"category": category, "description": description, "month": month, "year": year, "status": status}
    _clean_item(EventDate(**row), exclude=["evaluation"])
    return row


def _link(text: str, kind: str) -> dict[str, Any]:
    """ "Final report https://example.org/report.pdf": a title (optional) then the address, or
    "Final report (address not given)" where the source names a link without its address."""
    if text == NO_ADDRESS or text.endswith(" " + NO_ADDRESS):
        title, url = text.removesuffix(NO_ADDRESS).strip(), ""
    else:
        title, _, url = text.rpartition(" ")
    if url and not url.lower().startswith(("http://", "https://")):
        raise Unknown(f"Enter a web address starting with http:// or https:// (“{text}”)")
    row = {"kind": kind, "url": url, "title": title.strip()}
    _clean_item(Link(**row), exclude=["evaluation"])
    return row


def _organisation(text: str) -> dict[str, Any]:
    match = TRAILING_BRACKETS.match(text)
    if not match:
        raise Unknown(f"Give the organisation's role in brackets, like Ecorys (evaluator), not “{text}”")
    name = tidy_name(match["name"])
    if not name or len(name) > 255:
        raise Unknown(f"Enter the organisation's name, 255 characters or fewer (“{text}”)")
    return {"organisation": NewName(Organisation, name), "role": choice(ROLES, match["inner"], "role")}


# Rules on the whole row ---------------------------------------------------------------


def _row_rules(data: dict[str, Any], problems: RowProblems) -> None:
    """The record's rules that need only this row, asked of registry.rules, named by column."""
    found = rules.lead_not_also_other(data.get("lead_department"), data.get("other_departments"))
    for message in found.values():
        problems.add("other_departments", message)
    found = rules.number_only_when_yes({**data, "grant_number": data["grant_number"],
                                        "major_project_number": data["major_project_number"]})
    for field, message in found.items():
        problems.add(field, message)
    for found in rules.dates_in_order(data["event_dates"]).values():
        for message in found.values():
            problems.add("event_dates", message)


# The models' check constraints repeat their fields' validators; Django checks each
# by asking the database (a query per constraint per row), so cells are checked by
# the validators and clean() alone, and the database still holds the constraints.


def _clean_item(instance, *, exclude: list[str]) -> None:
    # The field's validators and the model's clean() (registry.rules).
    instance.full_clean(exclude=exclude, validate_constraints=False)


def _clean(instance, problems: RowProblems, *, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                problems.add(field if field != "__all__" else "statement", message)
