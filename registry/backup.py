"""Backing up and restoring a registry: its database and its uploaded files (MEDIA_ROOT).

The search index is not copied: it is derived from the database, and a copy of whoosh's
files taken while a worker writes could be torn. A restore rebuilds it (`rebuild_index`),
which builds beside the live index and swaps it in whole.

The database is copied by the engine's own tools, so the copy is consistent while the
registry keeps serving:
- SQLite: the online backup API (sqlite3's `backup`), a page-by-page copy that restarts if
  a writer changes a page under it; restore copies the file back the same way.
- PostgreSQL: `pg_dump --format=custom` (one snapshot, so one consistent state) and
  `pg_restore --clean --if-exists --single-transaction`: every table is dropped and loaded
  again in one transaction, so a restore that fails half-way changes nothing. Chosen over
  dumpdata/loaddata because it keeps sequences, the search tables and the cache table as
  they were, needs no natural keys, and is what an operator already knows.
"""
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
MEDIA = "media"


class BackupError(Exception):
    pass


def _postgres_command(program, *args):
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    command = [program, "--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432),
               "--username", db.get("USER") or "postgres", "--no-owner", "--no-privileges", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{program} failed: {done.stderr.strip()}")


def backup_database(folder: Path) -> str:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        with sqlite3.connect(folder / SQLITE_FILE) as target:
            connection.connection.backup(target)
        target.close()
        return SQLITE_FILE
    if connection.vendor == "postgresql":
        _postgres_command("pg_dump", "--format=custom", "--file", str(folder / POSTGRES_FILE),
                          connection.settings_dict["NAME"])
        return POSTGRES_FILE
    raise BackupError(f"backing up a {connection.vendor} database is not supported")


def restore_database(folder: Path, manifest: dict) -> None:
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"this backup is of a {manifest['vendor']} database; this registry uses {connection.vendor}")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(folder / SQLITE_FILE)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connection.close()  # hold no lock the restore's DROP TABLEs would wait for
        _postgres_command("pg_restore", "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
                          "--dbname", connection.settings_dict["NAME"], str(folder / POSTGRES_FILE))
        # pg_restore brings back rows, not the planner's statistics; the search's ranking reads
        # table sizes from them (pg_class.reltuples), so gather them before anyone searches.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    # Ids read before the restore (content types are cached per process) may have changed.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def backup(folder: Path) -> dict:
    """Write a backup into folder (new, or empty); returns its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: back up into a new folder")
    database_file = backup_database(folder)
    media = Path(settings.MEDIA_ROOT)
    files = 0
    if media.is_dir():
        shutil.copytree(media, folder / MEDIA)
        files = sum(1 for p in (folder / MEDIA).rglob("*") if p.is_file())
    manifest = {"created": timezone.now().isoformat(), "vendor": connection.vendor, "database": database_file,
                "media_files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} holds no readable backup ({MANIFEST}): {error}") from error


def restore_media(folder: Path) -> None:
    """Replace MEDIA_ROOT by the backup's files: the new copy is made beside it, then swapped."""
    media = Path(settings.MEDIA_ROOT)
    incoming = media.with_name(media.name + ".restoring")
    shutil.rmtree(incoming, ignore_errors=True)
    if (folder / MEDIA).is_dir():
        shutil.copytree(folder / MEDIA, incoming)
    else:
        incoming.mkdir(parents=True)
    old = media.with_name(media.name + ".replaced")
    shutil.rmtree(old, ignore_errors=True)
    if media.exists():
        media.rename(old)
    incoming.rename(media)
    shutil.rmtree(old, ignore_errors=True)
