"""Load the registry's vocabularies (departments, design types, policy areas,
GOV.UK organisations, method synonyms) from fixtures/vocabularies."""
from django.db import migrations


def load(apps, schema_editor):
    from registry.seeding.vocabularies import load_vocabularies

    load_vocabularies(apps)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
