"""The database cache's table (settings.CACHES), made by `migrate` so a fresh checkout,
the tests and every deployment have it without a separate `createcachetable` step.

The sign-in lock and the API throttles count in this cache; keeping them in the database
every app server already shares is what makes the limits hold across gunicorn workers.
createcachetable is idempotent (an existing table is left alone), so running it again
after changing CACHES is safe.
"""
from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_load_more_synonyms")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
