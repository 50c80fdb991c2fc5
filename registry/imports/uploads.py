"""An uploaded spreadsheet kept on the server between the validation report and
the moderator's "Import" (never carried in the page: a hidden field could be
changed). Each upload gets a random name under REGISTRY_DATA_DIR/imports/ and
belongs to the moderator who uploaded it; uploads left for a day are removed.
"""
from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")
KEEP_SECONDS = 24 * 60 * 60


@dataclass
class Upload:
    token: str
    filename: str
    data: bytes
    findings: bytes | None


def _folder() -> Path:
    return Path(settings.REGISTRY_DATA_DIR) / "imports"


def save(user, data: bytes, filename: str, findings: bytes | None) -> str:
    _remove_old()
    token = secrets.token_urlsafe(16)
    folder = _folder() / token
    folder.mkdir(parents=True, mode=0o700)
    (folder / "records").write_bytes(data)
    if findings is not None:
        (folder / "findings").write_bytes(findings)
    (folder / "meta.json").write_text(json.dumps({"user": user.pk, "filename": filename[:200]}))
    return token


def load(user, token: str) -> Upload | None:
    """The upload of this token, if `user` made it (anyone else: None, as for no upload)."""
    if not TOKEN.match(token or ""):
        return None
    folder = _folder() / token
    try:
        meta = json.loads((folder / "meta.json").read_text())
        if meta.get("user") != user.pk:
            return None
        findings = folder / "findings"
        return Upload(token, meta["filename"], (folder / "records").read_bytes(),
                      findings.read_bytes() if findings.exists() else None)
    except (OSError, ValueError, KeyError):
        return None


def discard(token: str) -> None:
    if TOKEN.match(token or ""):
        shutil.rmtree(_folder() / token, ignore_errors=True)


def _remove_old() -> None:
    folder = _folder()
    if not folder.exists():
        return
    limit = time.time() - KEEP_SECONDS
    for item in folder.iterdir():
        try:
            if item.stat().st_mtime < limit:
                shutil.rmtree(item, ignore_errors=True)
        except OSError:
            continue
