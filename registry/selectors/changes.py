"""The change feed's reads: public records (published or withdrawn) in the
order they last changed, (updated_at, id), from a position, up to a horizon.

Why a horizon. A record's `updated_at` is stamped when its transaction saves it,
but the transaction commits a little later; a reader that has already passed
that time would never see it. So the feed serves only changes older than every
transaction that might still commit one:

- PostgreSQL: the start of the oldest transaction open in this database on any
  other connection (pg_stat_activity), less a margin for the clock read by
  Python. A change stamped before that horizon is committed already or never.
- SQLite: writers take turns, and a write transaction is short (production takes
  the write lock at BEGIN, registry/settings.py); the horizon is now less the
  margin, REGISTRY_CHANGES_SETTLE_SECONDS (default 2).

A record that changes again moves to its new place in the order, so paging
never repeats an unchanged record and never skips one; it is served again only
when it has changed since it was served. Withdrawals are rows too (a withdrawn
record keeps its slug, time and reason), so a harvester learns of them.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Max, Q
from django.utils import timezone

from registry.models import Evaluation
from registry.models.evaluations import Visibility

PUBLIC = (Visibility.PUBLISHED, Visibility.WITHDRAWN)
CHANGE_FIELDS = ("id", "slug", "visibility", "version", "updated_at", "withdrawn_at", "withdrawn_reason")

OLDEST_OPEN_TRANSACTION = """
    SELECT LEAST(clock_timestamp(), MIN(xact_start)) FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()
      AND backend_type = 'client backend' AND xact_start IS NOT NULL
"""


def settle_margin():
    return timedelta(seconds=float(getattr(settings, "REGISTRY_CHANGES_SETTLE_SECONDS", 2)))


def horizon():
    """The time before which every change is committed (see the module's docstring)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # pg_stat_activity is read once per transaction unless the snapshot is cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(OLDEST_OPEN_TRANSACTION)
            (oldest,) = cursor.fetchone()
        return oldest - settle_margin()
    return timezone.now() - settle_margin()


def changes_after(position, *, until, limit):
    """Public records changed after `position` ((updated_at, id), exclusive) and
    before `until`, oldest change first: at most `limit` rows of CHANGE_FIELDS."""
    changed_at, pk = position
    after = Q(updated_at__gt=changed_at) | Q(updated_at=changed_at, id__gt=pk)
    return list(
        Evaluation.objects.filter(after, visibility__in=PUBLIC, updated_at__lt=until)
        .order_by("updated_at", "id")
        .values(*CHANGE_FIELDS)[:limit]
    )


def latest_change():
    """When a public record last changed (published, revised or withdrawn), or None."""
    return Evaluation.objects.filter(visibility__in=PUBLIC).aggregate(latest=Max("updated_at"))["latest"]
