"""Bulk dumps: the whole public registry as CSV and JSON Lines, for those who
want every record at once rather than page by page.

A dump is records, findings and documents' metadata, each as JSON Lines (one
item a line, exactly as the API's lists give it) and as CSV (the API's CSV
layout, registry/csv_export.py), with a manifest: the time of the snapshot, the
latest change it holds, the time to carry on from with /api/v1/changes/?since=
(`changes_since`: every change before it is in the dump), and each file's
SHA-256, also written as SHA256SUMS for `sha256sum -c`.

It is read in one transaction, REPEATABLE READ on PostgreSQL, so a record
published or withdrawn while it is written is either wholly in it or not at
all, and findings and documents agree with the records. Only published records
are read (`Evaluation.objects.published()`), and documents only through them:
a draft is never in a dump.

Records are read 500 at a time with the API's own row query
(registry.selectors.record_rows): 10,000 records take one query per 500.
`manage.py dump DIR --bench 10000` measures it.
"""

import csv
import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from registry.csv_cells import safe_cell
from registry.csv_export import EVALUATION_COLUMNS, FINDING_COLUMNS
from registry.models import Evaluation
from registry.representation import document_representation, evaluation_paths, evaluation_representation
from registry.selectors import document_rows, record_rows, visible_documents
from registry.selectors.changes import horizon

CHUNK = 500
FORMAT_VERSION = "1"
_TIME = serializers.DateTimeField()

DOCUMENT_COLUMNS = (
    ("id", lambda d: d["id"]),
    ("title", lambda d: d["title"]),
    ("kind", lambda d: d["kind"]),
    ("publisher", lambda d: d["publisher"]),
    ("month", lambda d: d["month"] or ""),
    ("year", lambda d: d["year"] or ""),
    ("source_url", lambda d: d["source_url"]),
    ("language", lambda d: d["language"]),
    ("media_type", lambda d: d["media_type"]),
    ("original_filename", lambda d: d["original_filename"]),
    ("word_count", lambda d: d["word_count"] if d["word_count"] is not None else ""),
    ("evaluations", lambda d: "; ".join(e["slug"] for e in d["evaluations"])),
    ("url", lambda d: d["url"]),
    ("api_url", lambda d: d["api_url"]),
    ("download_url", lambda d: d["download_url"] or ""),
    ("updated_at", lambda d: d["updated_at"]),
)


class SiteAddress:
    """What the representation asks of a request: absolute addresses on the site
    the dump describes (a command has no request)."""

    def __init__(self, base_url):
        self.base = base_url.rstrip("/")

    def build_absolute_uri(self, path):
        return self.base + path


@contextmanager
def snapshot():
    """One transaction for the whole dump; REPEATABLE READ on PostgreSQL, where
    READ COMMITTED would give each query its own view of a changing registry.
    SQLite reads one transaction's snapshot already. Inside a caller's transaction
    (a test's) the dump shares it."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


class Output:
    """A JSON Lines file and a CSV file written side by side, counted and hashed."""

    def __init__(self, directory, name, columns):
        self.name, self.columns, self.rows = name, columns, 0
        self.jsonl = open(directory / f"{name}.jsonl", "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self.csv_file = open(directory / f"{name}.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.csv_file.write("\ufeff")  # spreadsheet programs then read UTF-8
        self.csv = csv.writer(self.csv_file)
        self.csv.writerow([column for column, _ in columns])
        self.encoder = JSONEncoder(ensure_ascii=False, separators=(",", ":"))

    def write(self, item):
        self.jsonl.write(self.encoder.encode(item) + "\n")
        self.csv.writerow([safe_cell(get(item)) for _, get in self.columns])
        self.rows += 1

    def close(self):
        self.jsonl.close()
        self.csv_file.close()


def published_ids():
    """Published records in the API list's default order (title, then id)."""
    return list(Evaluation.objects.published().order_by("title", "id").values_list("id", flat=True))


def _write_records(ids, records, findings, site):
    paths = evaluation_paths(site)
    for start in range(0, len(ids), CHUNK):
        for row in record_rows(ids[start : start + CHUNK]):
            record = evaluation_representation(row, site, paths)
            records.write(record)
            for finding in record["findings"]:
                findings.write({"evaluation": record["slug"], "evaluation_title": record["title"], **finding})


def _write_documents(documents, site):
    queryset = document_rows(visible_documents(None), None)
    for document in queryset.iterator(chunk_size=CHUNK):
        documents.write(document_representation(document, site))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_dump(directory, *, base_url):
    """Write the public registry into `directory` (made if missing); returns the manifest."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    site = SiteAddress(base_url)
    outputs = {
        "records": Output(directory, "records", EVALUATION_COLUMNS),
        "findings": Output(directory, "findings", FINDING_COLUMNS),
        "documents": Output(directory, "documents", DOCUMENT_COLUMNS),
    }
    # Read before the snapshot begins: every change stamped before it has committed
    # by then, so it is in the dump, and the change feed from it misses nothing.
    changes_since = horizon()
    try:
        with snapshot():
            snapshot_at = timezone.now()
            latest = Evaluation.objects.published().aggregate(latest=Max("updated_at"))["latest"]
            _write_records(published_ids(), outputs["records"], outputs["findings"], site)
            _write_documents(outputs["documents"], site)
    finally:
        for output in outputs.values():
            output.close()
    files = []
    for name, output in outputs.items():
        for extension in ("jsonl", "csv"):
            path = directory / f"{name}.{extension}"
            files.append({"name": path.name, "items": output.rows, "bytes": path.stat().st_size,
                          "sha256": sha256(path)})
    manifest = {
        "format_version": FORMAT_VERSION,
        "snapshot_at": _TIME.to_representation(snapshot_at),
        "latest_change": _TIME.to_representation(latest) if latest else None,
        "changes_since": _TIME.to_representation(changes_since),
        "counts": {name: output.rows for name, output in outputs.items()},
        "files": files,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (directory / "SHA256SUMS").write_text("".join(f"{f['sha256']}  {f['name']}\n" for f in files), encoding="utf-8")
    return manifest


# The on-demand dump ------------------------------------------------------------------
#
# /api/v1/dump/ writes a dump when the public registry has changed since the last
# one (or that one is an hour old: a renamed department changes no record's time),
# and otherwise serves the last one again: asking costs one query. Each dump has its
# own folder, named in its files' addresses, so a harvester downloading while a
# newer one is written still gets files that match the manifest it read.

MAX_AGE_SECONDS = 3600
KEEP = 3


def dumps_root():
    from django.conf import settings

    return Path(settings.REGISTRY_DATA_DIR) / "dumps"


def current_key():
    """What a dump's content depends on, in one query: the public records' and their documents' latest changes."""
    state = Evaluation.objects.published().aggregate(
        latest=Max("updated_at"), records=Count("id", distinct=True), documents=Max("documents__updated_at")
    )
    text = json.dumps(state, default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def dump_for_request(base_url):
    """(dump id, manifest) of an up-to-date dump, written now if need be."""
    root = dumps_root()
    key = hashlib.sha256(f"{current_key()} {base_url}".encode()).hexdigest()[:16]
    existing = sorted(root.glob(f"*-{key}"), reverse=True) if root.exists() else []
    now = timezone.now()
    for folder in existing:
        manifest_path = folder / "manifest.json"
        if manifest_path.exists() and now.timestamp() - manifest_path.stat().st_mtime < MAX_AGE_SECONDS:
            return folder.name, json.loads(manifest_path.read_text(encoding="utf-8"))
    root.mkdir(parents=True, exist_ok=True)
    dump_id = f"{now:%Y%m%dT%H%M%S%fZ}-{key}"
    work = Path(tempfile.mkdtemp(prefix=".writing-", dir=root))
    try:
        manifest = write_dump(work, base_url=base_url)
        os.replace(work, root / dump_id)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _prune(root)
    return dump_id, manifest


def _prune(root):
    """Keep the newest dumps only (a download in progress keeps its open file)."""
    folders = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)
    for folder in folders[KEEP:]:
        shutil.rmtree(folder, ignore_errors=True)


def dump_file(dump_id, name):
    """The path of one file of a kept dump, or None (names are checked, never joined blindly)."""
    root = dumps_root()
    if not root.exists():
        return None
    folders = {p.name: p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")}
    folder = folders.get(dump_id)
    if folder is None or name not in DUMP_FILES:
        return None
    path = folder / name
    return path if path.exists() else None


DUMP_FILES = (
    "records.jsonl", "records.csv", "findings.jsonl", "findings.csv", "documents.jsonl", "documents.csv",
    "manifest.json", "SHA256SUMS",
)
