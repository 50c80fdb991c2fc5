"""Quality checks a record passes before it is published, kept as data.

registry.rules holds the rules a single answer must meet to be saved at all;
these look at the whole record once it is written, and say what a contributor
or a moderator should look at again. Each check is one entry of CHECKS: a code
(an identifier, never the wording), a level, the journey step that changes the
answer, the record's field that holds it (as the API names it, so a client knows
what to send again), and a function of the record that returns plain messages.

- BLOCKING: the record cannot be published. workflow.submit and
  workflow.publish refuse it, whichever door (journey, review page, API) asks.
- WARNING: shown on "Check your answers" and on the review page; a person
  decides. Nothing refuses a record for a warning.

The functions read the record's prefetched rows (`.all()`), so with
`Evaluation.objects.with_detail()` the checks add no queries.
"""
from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from django.utils import timezone

BLOCKING = "blocking"
WARNING = "warning"

# An event that happens once in a record's life.
ONCE_ONLY = ("evaluation_start", "evaluation_end", "intervention_start", "intervention_end")
# Host names that never reach the public: a reader following the link gets nothing.
INTERNAL_SUFFIXES = (".local", ".localhost", ".internal", ".intranet", ".lan", ".corp", ".home.arpa")


@dataclass(frozen=True)
class Check:
    code: str
    level: str
    step: str  # the journey step whose answer to change
    field: str  # the field holding that answer, as the API names it
    find: Callable[..., Iterable[str]]


@dataclass(frozen=True)
class Problem:
    code: str
    level: str
    step: str
    field: str
    message: str

    @property
    def blocking(self) -> bool:
        return self.level == BLOCKING


def _no_permission(evaluation) -> Iterable[str]:
    if evaluation.permission_to_share is False:
        yield ("You said you do not have permission to share this evaluation, so it cannot be published. "
               "Change the answer to “Permission to share” if you now have permission")


def _direction_contradicts_effect(evaluation) -> Iterable[str]:
    for number, finding in enumerate(evaluation.findings.all(), start=1):
        size = finding.effect_size
        if size is None or size == 0:
            continue
        if (finding.direction == "decrease" and size > 0) or (finding.direction == "increase" and size < 0):
            yield (f"Finding {number} (“{finding.outcome}”) says {finding.get_direction_display().lower()} "
                   f"but its effect size is {_signed(size)}: check the direction or the sign")
        elif finding.direction == "no_change":
            yield (f"Finding {number} (“{finding.outcome}”) says no change but its effect size is "
                   f"{_signed(size)}: check the direction or the effect size")


def _actual_dates_in_future(evaluation) -> Iterable[str]:
    today = timezone.localdate()
    for date in evaluation.event_dates.all():
        if date.status != "actual":
            continue
        if date.year > today.year or (date.year == today.year and date.month and date.month > today.month):
            yield (f"{date.label} ({date.when}) is marked actual but is in the future: "
                   f"mark it intended, or correct the date")


def _repeated_events(evaluation) -> Iterable[str]:
    counts = Counter(d.category for d in evaluation.event_dates.all() if d.category in ONCE_ONLY)
    labels = {d.category: d.label for d in evaluation.event_dates.all()}
    for category in ONCE_ONLY:
        if counts[category] > 1:
            yield f"“{labels[category]}” is listed {counts[category]} times: keep one and remove the others"


def _end_before_start(evaluation) -> Iterable[str]:
    from registry import rules

    rows = [{"category": d.category, "year": d.year, "month": d.month} for d in evaluation.event_dates.all()]
    # dates_in_order compares each row with those before it both ways round (end before
    # start, start after end), so the order the rows were added in does not matter.
    for problems in rules.dates_in_order(rows).values():
        yield from problems.values()


def _internal_links(evaluation) -> Iterable[str]:
    for link in evaluation.links.all():
        if link.url and is_internal_address(link.url):
            yield (f"The link {link.url} points to a computer or network the public cannot reach: "
                   f"give its public address")


def _too_short(name: str) -> bool:
    """A name of one character ("x"), or none but punctuation: typed by mistake, not a name."""
    return sum(character.isalnum() for character in name) < 2


def _short_place_names(evaluation) -> Iterable[str]:
    for place in evaluation.places.all():
        if _too_short(place.name):
            yield f"The place “{place.name}” is too short to be a name: enter the place's full name"


def _short_programme_name(evaluation) -> Iterable[str]:
    programme = evaluation.programme
    if programme is not None and _too_short(programme.name):
        yield f"The programme “{programme.name}” is too short to be a name: enter the programme's full name"


def _short_organisation_names(evaluation) -> Iterable[str]:
    for role in evaluation.organisation_roles.all():
        if _too_short(role.organisation.name):
            yield (f"The organisation “{role.organisation.name}” is too short to be a name: "
                   f"enter the organisation's full name")


CHECKS = [
    Check("no_permission_to_share", BLOCKING, "sharing", "permission_to_share", _no_permission),
    Check("direction_contradicts_effect", WARNING, "findings", "findings", _direction_contradicts_effect),
    Check("actual_date_in_future", WARNING, "dates", "event_dates", _actual_dates_in_future),
    Check("event_repeated", WARNING, "dates", "event_dates", _repeated_events),
    Check("end_before_start", WARNING, "dates", "event_dates", _end_before_start),
    Check("internal_link", WARNING, "links", "links", _internal_links),
    Check("place_name_too_short", WARNING, "context", "places", _short_place_names),
    Check("programme_name_too_short", WARNING, "context", "programme", _short_programme_name),
    Check("organisation_name_too_short", WARNING, "organisations", "organisations", _short_organisation_names),
]


def problems(evaluation) -> list[Problem]:
    """Every check's findings on the record, blocking ones first."""
    found = [Problem(check.code, check.level, check.step, check.field, message)
             for check in CHECKS for message in check.find(evaluation)]
    return sorted(found, key=lambda p: not p.blocking)


# The rows the checks read: prefetch them and the checks add no queries.
CHECKED_ROWS = ("findings", "event_dates", "links", "places")


def problems_for_editor(user, pk) -> list[Problem] | None:
    """The problems of record `pk` when `user` edits it (its owner, a co-editor or a
    moderator), else None: what the checks found in a draft is its editors' business."""
    from registry.models import Evaluation

    if not getattr(user, "is_authenticated", False):
        return None
    record = Evaluation.objects.editable_by(user).prefetch_related(*CHECKED_ROWS).filter(pk=pk).first()
    return None if record is None else problems(record)


def blocking(evaluation) -> list[Problem]:
    return [p for p in problems(evaluation) if p.blocking]


def warnings(evaluation) -> list[Problem]:
    return [p for p in problems(evaluation) if not p.blocking]


def is_internal_address(url: str) -> bool:
    """A loopback, private or link-local address, or a host name only an internal network knows."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or host.endswith(INTERNAL_SUFFIXES) or "." not in host
    return address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified


def _signed(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text.startswith("-") else f"+{text}"
