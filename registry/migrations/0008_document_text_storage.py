"""Store documents' text uncompressed out of line on PostgreSQL.

Search shows a document's best passage by cutting it from the text with
`substr(text, start, length)`. With the default (compressed) storage PostgreSQL
must decompress the text up to the passage, about 130 KB for a passage deep in
a 20,000-word report, for every document hit shown: 10 ms a page of results in
`bench_search`. With EXTERNAL storage it reads only the TOAST chunks the slice
covers. The cost is disk: the text is kept as is (about 3 times the compressed
size). Existing texts are rewritten once so they take the new storage. Nothing
to do on SQLite.
"""
from django.db import migrations


def external(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("ALTER TABLE registry_document ALTER COLUMN text SET STORAGE EXTERNAL")
            cursor.execute("UPDATE registry_document SET text = text || ''")


def extended(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("ALTER TABLE registry_document ALTER COLUMN text SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_cache_table")]
    operations = [migrations.RunPython(external, extended)]
