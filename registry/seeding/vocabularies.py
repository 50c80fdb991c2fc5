"""Load the reference vocabularies from fixtures/vocabularies.

Takes an app registry, so the same code serves the data migration (historical
models) and `manage.py seed` (current models). Every load is an upsert keyed on
the vocabulary's code: running it again changes nothing.
"""

import csv
import re
from pathlib import Path

VOCABULARY_DIR = Path(__file__).resolve().parent.parent.parent / "fixtures" / "vocabularies"


def read_csv(name):
    with open(VOCABULARY_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _upsert(model, key, rows, fields):
    """Create missing rows and update changed ones in bulk; returns (created, updated)."""
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    to_create, to_update = [], []
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            to_create.append(model(**row))
            continue
        changed = [f for f in fields if getattr(obj, f) != row[f]]
        if changed:
            for f in fields:
                setattr(obj, f, row[f])
            to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=500)
    return len(to_create), len(to_update)


def load_departments(apps):
    Department = apps.get_model("registry", "Department")
    rows = [
        {"code": r["code"], "name": r["display"], "parent_group": r["parent_group"], "gov_id": r["gov_id"]}
        for r in read_csv("departments.csv")
    ]
    return _upsert(Department, "code", rows, ["name", "parent_group", "gov_id"])


def load_design_types(apps):
    """The public registry's tree, then the methods our sources need that it lacks."""
    DesignType = apps.get_model("registry", "DesignType")
    source = [dict(r, added=False) for r in read_csv("design_types.csv")]
    source += [dict(r, added=True) for r in read_csv("added_design_types.csv")]
    created = updated = 0
    # Parents precede children in both files, so one pass can resolve them.
    by_code = {obj.code: obj for obj in DesignType.objects.all()}
    for position, row in enumerate(source, start=1):
        values = {
            "name": row["display"],
            "parent": by_code[row["parent"]] if row["parent"] else None,
            "collect_description": row["collect_description"] == "true",
            "position": position,
            "added_by_registry": row["added"],
        }
        obj = by_code.get(row["code"])
        if obj is None:
            by_code[row["code"]] = DesignType.objects.create(code=row["code"], **values)
            created += 1
        elif any(getattr(obj, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(obj, f, v)
            obj.save()
            updated += 1
    return created, updated


def load_policy_areas(apps):
    PolicyArea = apps.get_model("registry", "PolicyArea")
    rows = read_csv("policy_topics.csv")
    tops = [{"code": r["code"], "display": r["display"], "label": r["label"]} for r in rows if not r["parent"]]
    created, updated = _upsert(PolicyArea, "code", tops, ["display", "label"])
    parents = {p.code: p for p in PolicyArea.objects.filter(parent__isnull=True)}
    children = [
        {"code": r["code"], "display": r["display"], "label": r["label"], "parent": parents[r["parent"]]}
        for r in rows
        if r["parent"]
    ]
    more = _upsert(PolicyArea, "code", children, ["display", "label", "parent"])
    return created + more[0], updated + more[1]


_SAID_TWICE = re.compile(r"(.+) \(\1\)")


def plain_name(name):
    """GOV.UK's list names 32 bodies twice, "Home Office (Home Office)", where
    others are "Name (abbreviation)": the repeat adds nothing and is dropped."""
    said_twice = _SAID_TWICE.fullmatch(name)
    return said_twice.group(1) if said_twice else name


def load_organisations(apps):
    Organisation = apps.get_model("registry", "Organisation")
    rows = [
        {
            "slug": r["slug"],
            "name": plain_name(r["name"]),
            "is_govuk": True,
            "format": r["format"],
            "govuk_status": r["govuk_status"],
        }
        for r in read_csv("organisations.csv")
    ]
    return _upsert(Organisation, "slug", rows, ["name", "is_govuk", "format", "govuk_status"])


def load_method_synonyms(apps):
    MethodSynonym = apps.get_model("registry", "MethodSynonym")
    DesignType = apps.get_model("registry", "DesignType")
    types = {d.code: d for d in DesignType.objects.all()}
    existing = {(s.term, s.expansion): s for s in MethodSynonym.objects.all()}
    created = updated = 0
    for row in read_csv("method_synonyms.csv"):
        design_type = types[row["design_type"]] if row["design_type"] else None
        obj = existing.get((row["term"], row["expansion"]))
        if obj is None:
            MethodSynonym.objects.create(term=row["term"], expansion=row["expansion"], design_type=design_type)
            created += 1
        elif obj.design_type_id != (design_type.pk if design_type else None):
            obj.design_type = design_type
            obj.save()
            updated += 1
    return created, updated


LOADERS = {
    "departments": load_departments,
    "design types": load_design_types,
    "policy areas": load_policy_areas,
    "organisations": load_organisations,
    "method synonyms": load_method_synonyms,
}


def load_vocabularies(apps):
    """Load every vocabulary; returns {name: (created, updated)}."""
    return {name: loader(apps) for name, loader in LOADERS.items()}
