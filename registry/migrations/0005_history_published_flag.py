"""History entries say whether they are a published version (a flag), instead
of the history page recognising them by a reason starting with "Published"."""

from django.db import migrations, models


def flag_published_versions(apps, schema_editor):
    # The one place the old wording is read: entries saved before the flag existed.
    HistoricalEvaluation = apps.get_model("registry", "HistoricalEvaluation")
    HistoricalEvaluation.objects.filter(history_change_reason__startswith="Published").update(published=True)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_search_tables"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalevaluation",
            name="published",
            field=models.BooleanField(
                default=False, help_text="This entry is the record as it was published (what visitors may see)."
            ),
        ),
        migrations.RunPython(flag_published_versions, migrations.RunPython.noop),
    ]
