"""The database cache, with an `incr` that keeps the entry's expiry.

Django's DatabaseCache inherits BaseCache.incr, a get and a set with the default timeout,
so every wrong password would move the sign-in lock's window to 5 minutes from now. Here
the new value keeps the time its entry already had left; the memory cache behaves so too.
"""
from datetime import UTC

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router
from django.utils.timezone import now


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        made = self.make_and_validate_key(key, version=version)
        connection = connections[router.db_for_read(self.cache_model_class)]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('expires')} FROM {quote(self._table)} WHERE {quote('cache_key')} = %s", [made],
            )
            row = cursor.fetchone()
        value = self.get(key, version=version)
        if row is None or value is None:
            raise ValueError(f"Key '{key}' not found")
        expires = row[0]
        if isinstance(expires, str):  # SQLite hands back text
            from django.utils.dateparse import parse_datetime

            expires = parse_datetime(expires)
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        remaining = max(1, int((expires - now()).total_seconds()))
        self.set(key, value + delta, remaining, version=version)
        return value + delta
