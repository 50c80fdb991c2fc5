"""A record's versions and a readable difference between any two.

Visitors see the versions that were published; the record's editors and
moderators see every saved change (drafts included), with who made it.
"""
from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateformat import format as format_date

from registry import permissions
from registry.models import (
    Department,
    DesignType,
    Evaluation,
    EvaluationDesign,
    EvaluationOrganisation,
    EventDate,
    Finding,
    Link,
    Organisation,
    Place,
    PolicyArea,
    Programme,
)
from registry.selectors import drafts as queries

HIDDEN_FIELDS = ["id", "created_at", "updated_at", "slug", "owner", "review_comment", "summary_machine_written"]
# The review's own fields: what the record says is unchanged when only these move.
WORKFLOW_FIELDS = ["visibility", "version", "published_at", "withdrawn_at", "withdrawn_reason"]
M2M_LABELS = {"other_departments": (Department, "department"), "places": (Place, "place"),
              "policy_areas": (PolicyArea, "policyarea")}


# What a change of visibility means, in words. A row that changes nothing of the
# record's state is an edit, and consecutive edits by one person fold into one row.
STATE_WORDS = {
    "draft": "Draft created",  # the first entry only
    "submitted": "Submitted for review",
    "returned": "Returned for changes",
    "withdrawn": "Withdrawn",
}

VERBS = {"Draft": "Created", "Submitted": "Submitted", "Returned": "Returned", "Withdrawn": "Withdrawn",
         "Published": "Published"}


@dataclass
class Event:
    """One meaningful change: a change of state, or a run of edits by one person."""

    version: object  # the latest saved state of the run
    what: str
    who: str
    saves: int = 1
    first: object = None
    saves_only: bool = False
    diff_from: object = None  # the saved state before this change, for "see what changed"

    @property
    def when(self) -> str:
        return in_words(self.version.history_date)

    @property
    def sentence(self) -> str:
        """ "Published by a moderator of Department for Education on 4 December 2026 at 2:59pm"."""
        verb = "Saved" if self.saves_only else VERBS.get(self.what.split()[0], self.what)
        return f"{verb} by {self.who} on {self.when}"


def record_history(request, slug):
    evaluation = Evaluation.objects.filter(slug=slug).select_related("submission").first()
    if evaluation is None:
        raise Http404("No evaluation has this address.")
    full = permissions.can_see_history(request.user, evaluation, queries.co_editor_ids(evaluation))
    if not full and evaluation.visibility not in ("published", "withdrawn"):
        raise Http404("No evaluation has this address.")
    versions = evaluation.history.select_related("history_user__registry_membership__department").order_by(
        "-history_date", "-history_id")
    if not full:
        versions = versions.filter(published=True)
    versions = list(versions)
    by_id = {str(v.history_id): v for v in versions}
    new = by_id.get(request.GET.get("to")) or (versions[0] if versions else None)
    old = by_id.get(request.GET.get("from")) or (versions[1] if len(versions) > 1 else None)
    if old and new and old.history_date > new.history_date:
        old, new = new, old
    changes = _differences(evaluation, old, new) if old and new and old != new else []
    events = fold(versions, full=full)
    return render(request, "registry/history.html", {
        "evaluation": evaluation, "versions": versions, "events": events, "old": old, "new": new,
        "changes": changes, "full": full,
        "old_when": in_words(old.history_date) if old else "", "new_when": in_words(new.history_date) if new else "",
    })


def fold(versions, *, full):
    """Newest first: one Event per change of state (or published version); the saves
    one person makes between them are folded into one "Changes saved" row."""
    events = []
    previous = None
    names = {}  # user id -> words
    moderators = _moderator_ids({v.history_user_id for v in versions} - {None})
    for version in reversed(versions):  # oldest first
        if version.published:
            what = f"Published version {version.version}"
        elif previous is None:
            what = STATE_WORDS["draft"]
        elif previous.visibility != version.visibility and version.visibility != "draft":
            what = STATE_WORDS.get(version.visibility, "")
        else:
            what = ""
        last = events[-1] if events else None
        if not what and last and last.saves_only and last.version.history_user_id == version.history_user_id:
            last.version, last.saves = version, last.saves + 1
        else:
            if version.history_user_id not in names:
                names[version.history_user_id] = who(version.history_user, full=full,
                                                     moderator=version.history_user_id in moderators)
            events.append(Event(version, what or "Changes saved", names[version.history_user_id],
                                first=version, saves_only=not what, diff_from=previous))
        previous = version
    return list(reversed(events))


def _moderator_ids(user_ids):
    """Which of these people are moderators: one query, however many rows and people."""
    if not user_ids:
        return set()
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return set(get_user_model().objects.filter(pk__in=user_ids).filter(
        Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name=permissions.MODERATORS)).values_list("pk", flat=True))


def who(user, *, full, moderator):
    """"a moderator", "a contributor of Department for Education"; with the person's
    address too for those who see the full history."""
    if user is None:
        return "the registry"
    role = "a moderator" if moderator else "a contributor"
    membership = getattr(user, "registry_membership", None)
    if membership is not None:
        role += f" of {membership.department.name}"
    return f"{user.username} ({role.removeprefix('a ')})" if full else role


def in_words(moment) -> str:
    """ "4 December 2026 at 2:59pm" (never a raw timestamp)."""
    local = timezone.localtime(moment)
    return f"{format_date(local, 'j F Y')} at {format_date(local, 'g:i')}{format_date(local, 'a').replace('.', '')}"


def changes_since_returned(evaluation):
    """For a record resubmitted after being returned: what changed since it was returned."""
    if evaluation.visibility != "submitted":
        return None
    versions = list(evaluation.history.order_by("history_date", "history_id"))
    returned = None
    for previous, version in zip(versions, versions[1:], strict=False):
        if version.visibility == "returned" and previous.visibility != "returned":
            returned = version
    if returned is None:
        return None
    # Returning and resubmitting change the record's state, not what it says.
    return {"when": in_words(returned.history_date),
            "changes": _differences(evaluation, returned, versions[-1], also_hidden=WORKFLOW_FIELDS)}


def _differences(evaluation, old, new, also_hidden=()):
    """[{"label", "removed": [...], "added": [...]}] between two saved states."""
    changes = []
    delta = new.diff_against(old, excluded_fields=[*HIDDEN_FIELDS, *also_hidden])
    labels = _labels()
    for change in delta.changes:
        field = Evaluation._meta.get_field(change.field)
        if change.field in M2M_LABELS:
            model, key = M2M_LABELS[change.field]
            names = labels[model]
            before = {names.get(row.get(key), "?") for row in change.old or []}
            after = {names.get(row.get(key), "?") for row in change.new or []}
            removed, added = sorted(before - after), sorted(after - before)
        else:
            removed = [_display(field, change.old, labels)] if change.old not in (None, "") else []
            added = [_display(field, change.new, labels)] if change.new not in (None, "") else []
        changes.append({"label": str(field.verbose_name).capitalize(), "removed": removed, "added": added})
    for label, model, describe in _row_kinds(labels):
        before = _rows_as_of(model, evaluation.pk, old.history_date, describe)
        after = _rows_as_of(model, evaluation.pk, new.history_date, describe)
        removed = [text for text in before if text not in after]
        added = [text for text in after if text not in before]
        if removed or added:
            changes.append({"label": label, "removed": removed, "added": added})
    return changes


def _labels():
    """Names for ids shown in a difference: one query per vocabulary, whatever the history's size."""
    return {
        Department: dict(Department.objects.values_list("id", "name")),
        Place: dict(Place.objects.values_list("id", "name")),
        PolicyArea: dict(PolicyArea.objects.values_list("id", "label")),
        Programme: dict(Programme.objects.values_list("id", "name")),
        DesignType: {d.id: str(d) for d in DesignType.objects.select_related("parent")},
        Organisation: dict(Organisation.objects.values_list("id", "name")),
    }


def _display(field, value, labels):
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.name == "lead_department":
        return labels[Department].get(value, str(value))
    if field.name == "programme":
        return labels[Programme].get(value, str(value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return in_words(value)
    return str(value)


def _row_kinds(labels):
    def organisation(row):
        return f"{labels[Organisation].get(row.organisation_id, '?')} ({row.get_role_display().lower()})"

    def finding(row):
        return f"{row.outcome}: {row.statement}" + (f" ({row.effect_display})" if row.effect_size is not None else "")

    return [
        ("Evaluation types and methods", EvaluationDesign,
         lambda d: labels[DesignType].get(d.design_type_id, "?") + (f": {d.description}" if d.description else "")),
        ("Organisations", EvaluationOrganisation, organisation),
        ("Event dates", EventDate, lambda d: f"{d.label}: {d.when}" + (f" ({d.status})" if d.status else "")),
        ("Links", Link, lambda link: f"{link.get_kind_display()}: {link.title or link.url}"),
        ("Findings", Finding, finding),
    ]


def _rows_as_of(model, evaluation_id, when, describe):
    return [describe(row) for row in model.history.as_of(when).filter(evaluation_id=evaluation_id)]
