"""Reports matched to records, for `ingest FOLDER --match` (issue 17): each file
is linked to the record whose external id (slug) or title it names, from its
file name or from a manifest CSV (columns `file` and `external_id` or `title`),
and the files that match no record, or more than one, are listed with why.

Nothing is guessed: a file name must hold a record's whole external id
("dfe-2021-001-final-report.pdf") or its whole title ("Project Crewe Research
Report.pdf"), compared with case and punctuation set aside.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

from registry.models import Evaluation


@dataclass
class Matches:
    matched: dict[Path, Evaluation] = field(default_factory=dict)
    unmatched: list[tuple[Path, str]] = field(default_factory=list)  # (file, why)


def match_documents(paths: list[Path], manifest: bytes | None = None) -> Matches:
    records = list(Evaluation.objects.only("pk", "slug", "title"))
    by_slug = {r.slug: r for r in records}
    by_title: dict[str, list[Evaluation]] = defaultdict(list)
    for record in records:
        by_title[slugify(record.title)].append(record)
    named = _manifest(manifest) if manifest is not None else {}
    found = Matches()
    for path in paths:
        if named:
            record, why = _from_manifest(path, named, by_slug, by_title)
        else:
            record, why = _from_name(path, by_slug, by_title)
        if record is None:
            found.unmatched.append((path, why))
        else:
            found.matched[path] = record
    return found


def _manifest(data: bytes) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return {(row.get("file") or "").strip(): {k: (v or "").strip() for k, v in row.items() if k}
            for row in rows if (row.get("file") or "").strip()}


def _from_manifest(path, named, by_slug, by_title):
    row = named.get(path.name)
    if row is None:
        return None, "The manifest does not list this file"
    if row.get("external_id"):
        record = by_slug.get(row["external_id"])
        return (record, "") if record else (None, f"No record has the external id “{row['external_id']}”")
    return _one(by_title.get(slugify(row.get("title", "")), []), row.get("title", ""))


def _from_name(path, by_slug, by_title):
    stem = slugify(path.stem)
    if stem in by_slug:
        return by_slug[stem], ""
    # The longest external id the name starts with, whole words only: "dfe-2021-001-final-report".
    parts = stem.split("-")
    for end in range(len(parts) - 1, 0, -1):
        record = by_slug.get("-".join(parts[:end]))
        if record is not None:
            return record, ""
    return _one(by_title.get(stem, []), path.stem)


def _one(records, text):
    if len(records) == 1:
        return records[0], ""
    if records:
        return None, f"More than one record is titled “{text}”: name the file by its external id"
    return None, "The file name holds no record's external id or title"
