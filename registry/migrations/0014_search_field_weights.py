"""PostgreSQL search: a record's descriptive fields labelled by weight in their chunks.

The backend (registry/search/postgres_backend.py, FIELD_PARTS) now writes the two
chunks holding a record's methods, types and departments, and its organisations,
programme, places and policy areas, with each field's words under its own weight
label, and a field query (`method:...`) asks for that label instead of parsing the
entry's field text again. This rewrites the chunks already indexed the same way from
the entries' stored fields, so field queries keep working without a rebuild. Hyphens
read as spaces, as the backend writes them.
Nothing to do on SQLite, which has no PostgreSQL search tables.
"""
from django.db import migrations

UNHYPHENATED = "translate(coalesce({0}, ''), '-\u2010\u2011', '   ')"


def _part(text, weight):
    return f"setweight(to_tsvector('english', {UNHYPHENATED.format(text)}), '{weight}')"


DEPARTMENT_CODES = ("array_to_string(ARRAY(SELECT substr(v, 15) FROM unnest(e.filter_values) AS v "
                    "WHERE v LIKE 'department\\_kw:%'), ' ')")
META = " || ".join([_part("e.fields->>'method'", "A"), _part("e.fields->>'type'", "B"),
                    _part("e.fields->>'department_name'", "C"), _part(DEPARTMENT_CODES, "D")])
OTHER = " || ".join([_part("e.fields->>'organisation'", "A"), _part("e.fields->>'programme'", "B"),
                     _part("e.fields->>'place'", "C"), _part("e.fields->>'policy'", "D")])
UPDATE = ("UPDATE registry_searchchunk AS c SET vector = {vector} FROM registry_searchentry AS e "
          "WHERE e.id = c.entry_id AND e.kind = 'evaluation' AND c.number = {number}")


def label_fields(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(UPDATE.format(vector=META, number=-2), params=None)
    schema_editor.execute(UPDATE.format(vector=OTHER, number=-3), params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0013_stored_representations'),
    ]

    operations = [
        # Backwards: unlabelled words read as label D, which the old field check ignored.
        migrations.RunPython(label_fields, migrations.RunPython.noop),
    ]
