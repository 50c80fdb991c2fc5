"""Published versions stored whole (registry/models/versions.py), for the API's
/evaluations/<slug>/versions/."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_document_text_storage"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "number",
                    models.PositiveIntegerField(help_text="The record's version number when this was published."),
                ),
                ("major", models.PositiveIntegerField()),
                ("minor", models.PositiveIntegerField()),
                ("kind", models.CharField(choices=[("major", "Major"), ("minor", "Minor")], max_length=10)),
                ("published_at", models.DateTimeField()),
                (
                    "published_by",
                    models.CharField(
                        help_text="A role and department, as visitors may read it; never a person's name or address.",
                        max_length=255,
                    ),
                ),
                ("change_note", models.TextField(blank=True)),
                (
                    "changed_fields",
                    models.JSONField(default=list, help_text="Top-level fields that differ from the version before."),
                ),
                (
                    "record",
                    models.JSONField(
                        help_text="The record as the API represented it then, with site-relative addresses."
                    ),
                ),
                (
                    "evaluation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="published_versions",
                        to="registry.evaluation",
                    ),
                ),
            ],
            options={
                "ordering": ["evaluation_id", "number"],
                "constraints": [
                    models.UniqueConstraint(fields=("evaluation", "number"), name="published_version_number_unique")
                ],
            },
        ),
    ]
