"""System checks for the search configuration (run by `manage.py check` and at startup)."""
from django.conf import settings
from django.core.checks import Error, register
from django.db import connection


@register()
def postgres_backend_needs_postgres(app_configs, **kwargs):
    if settings.REGISTRY_SEARCH_BACKEND.endswith("PostgresBackend") and connection.vendor != "postgresql":
        return [Error(
            "REGISTRY_SEARCH_BACKEND is postgres but the database is not PostgreSQL.",
            hint="Set DATABASE_URL to a PostgreSQL database, or REGISTRY_SEARCH_BACKEND=whoosh.",
            id="registry.E001",
        )]
    return []
