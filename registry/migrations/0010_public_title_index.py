"""An index of the published records in the public order (title, then id), so a
list page and its count are an index-only scan (see Evaluation.Meta)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_published_versions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(
                condition=models.Q(("visibility", "published")), fields=["title", "id"], name="evaluation_public_title"
            ),
        ),
    ]
