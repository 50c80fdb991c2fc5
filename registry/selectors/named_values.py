"""Places and programmes as a user may see them.

A contributor names a place or programme and it is added when their draft is
saved (registry.services.named_values, as the website does). One named only by
records this user may not see (someone else's draft) is left out, so a draft's
words never reach the public through a list or a lookup; moderators see every
one, and one that no record names stays listed (vocabulary loaded or kept by hand).
"""
from django.db.models import QuerySet

from registry import permissions
from registry.selectors.records import visible_evaluations


def named_in_records_seen(queryset: QuerySet, user) -> QuerySet:
    """`queryset` (of Place or Programme) without those only records hidden from `user` name."""
    if permissions.can_see_unpublished(user):
        return queryset
    unseen = (queryset.model.objects.filter(evaluations__isnull=False)
              .exclude(evaluations__in=visible_evaluations(user)).values("pk"))
    return queryset.exclude(pk__in=unseen)
