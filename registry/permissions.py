"""Who may see and change what. Selectors and views ask here; nothing else
decides visibility."""
from django.db.models import Q


def can_see_unpublished(user):
    return bool(user is not None and user.is_authenticated and user.is_staff)


def evaluation_visibility_q(user):
    """A filter on Evaluation for the records this user may see."""
    if can_see_unpublished(user):
        return Q()
    return Q(visibility="published")
