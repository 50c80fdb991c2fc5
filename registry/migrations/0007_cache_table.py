"""The database cache's table (registry_cache, settings.CACHES with REGISTRY_CACHE=database),
made by `migrate` so a fresh checkout, the tests and every deployment have it without a
separate `createcachetable` step, whichever cache this process happens to use.

The sign-in lock and the API throttles count in this cache in production; keeping them in
the database every app server already shares is what makes the limits hold across gunicorn
workers. Making the table is idempotent (an existing table is left alone).
"""
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "registry_cache"


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_load_more_synonyms")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table, elidable=False)]
