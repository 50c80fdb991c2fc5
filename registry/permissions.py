"""Who may do what: roles, and whether a user may change, revise, review or see
the history of a record. Which records a user may see is the queryset's
(`EvaluationQuerySet.visible_to`, registry/models/querysets.py), built on the
roles here.

Roles are Django groups: "Contributors" create records and edit their own (and
those they co-edit); "Moderators" see and edit everything and decide what is
published. Staff count as moderators. A record a user may not see is answered
with 404, never 403, so its existence does not leak.
"""
CONTRIBUTORS = "Contributors"
MODERATORS = "Moderators"
# A contributor may change a record in these states; a submitted record waits
# for the moderator, and a published one is changed through a revision.
EDITABLE_STATES = ("draft", "returned")


def _signed_in(user):
    return bool(user is not None and user.is_authenticated and user.is_active)


def _groups(user):
    """Group names, cached on the user object: one query per request at most."""
    if not hasattr(user, "_registry_groups"):
        user._registry_groups = set(user.groups.values_list("name", flat=True))
    return user._registry_groups


def is_moderator(user):
    return _signed_in(user) and (user.is_staff or user.is_superuser or MODERATORS in _groups(user))


def is_contributor(user):
    return _signed_in(user) and (is_moderator(user) or CONTRIBUTORS in _groups(user))


def can_see_unpublished(user):
    return is_moderator(user)


def is_editor(user, evaluation, co_editor_ids=()):
    """Owner, co-editor or moderator. `co_editor_ids` comes from the caller's fetch."""
    if is_moderator(user):
        return True
    return is_contributor(user) and (evaluation.owner_id == user.pk or user.pk in co_editor_ids)


def can_edit(user, evaluation, co_editor_ids=()):
    """May this user change the record now, in the journey?"""
    if not is_editor(user, evaluation, co_editor_ids):
        return False
    if is_moderator(user):
        return evaluation.visibility in EDITABLE_STATES + ("submitted",)
    return evaluation.visibility in EDITABLE_STATES


def can_revise(user, evaluation, co_editor_ids=()):
    """May this user propose changes to a published record (a revision)?"""
    return evaluation.visibility == "published" and is_editor(user, evaluation, co_editor_ids)


def can_review(user):
    return is_moderator(user)


def can_see_history(user, evaluation, co_editor_ids=()):
    """History shows past drafts' content, so only editors and moderators see it."""
    return is_editor(user, evaluation, co_editor_ids)
