"""Acronyms and terms beyond methods (CBT, FGC, NWD, EHCP...) added to the synonym
table from fixtures/vocabularies/method_synonyms.csv; the loader adds the rows it
does not hold yet and leaves the others (and any edited in admin) alone."""

from django.db import migrations

from registry.seeding.vocabularies import load_method_synonyms


def load(apps, schema_editor):
    load_method_synonyms(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_history_published_flag"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
