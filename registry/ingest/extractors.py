import io
import logging
from pathlib import Path

import markdown

from registry.markdown import html_to_text


class UnreadableDocument(ValueError):
    """The file cannot be turned into text; the message says why."""


MEDIA_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
}


def media_type_for(filename):
    media_type = MEDIA_TYPES.get(Path(filename).suffix.lower())
    if media_type is None:
        accepted = ", ".join(sorted(MEDIA_TYPES))
        raise UnreadableDocument(f"{Path(filename).name}: files of this type are not accepted (accepted: {accepted}).")
    return media_type


def _decode(data, filename):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument(f"{Path(filename).name}: the text is not in a readable encoding (expected UTF-8).")


def _pdf_to_text(data, filename):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs what it repairs ("EOF marker not found"); the reason we raise is what people need.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument(f"{Path(filename).name}: the PDF is encrypted, so its text cannot be read.")
        return "\n\n".join((page.extract_text() or "") for page in reader.pages)
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise UnreadableDocument(f"{Path(filename).name}: not a readable PDF ({error}).") from error


def extract(data, filename):
    """Return (text, media_type) for the file's bytes."""
    media_type = media_type_for(filename)
    if not data:
        raise UnreadableDocument(f"{Path(filename).name}: the file is empty.")
    if media_type == "application/pdf":
        text = _pdf_to_text(data, filename)
    elif media_type == "text/html":
        text = html_to_text(_decode(data, filename))
    elif media_type == "text/markdown":
        text = html_to_text(markdown.markdown(_decode(data, filename)))
    else:
        text = _decode(data, filename)
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()
    if not text:
        raise UnreadableDocument(f"{Path(filename).name}: no text could be found in the file.")
    return text, media_type
