import io
import logging
import re
from pathlib import Path

from markdown_it import MarkdownIt

from registry.markdown import html_to_text

# Reports' Markdown is only read for its words, so it is parsed by markdown-it
# (CommonMark, with tables): ten times faster than Python-Markdown on 20,000-word
# reports (0.05 against 0.5 s per MB), which was most of ingest's CPU. Records'
# own Markdown is still rendered for pages by Python-Markdown (registry/markdown.py).
_REPORT_MARKDOWN = MarkdownIt("commonmark").enable("table")
_BLANK_LINES = re.compile(r"\n{3,}")
MAX_PDF_PAGES = 5000


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
    from pypdf.errors import PyPdfError

    # pypdf logs what it repairs ("EOF marker not found"); the reason we raise is what people need.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    name = Path(filename).name
    if b"%PDF-" not in data[:1024]:
        raise UnreadableDocument(f"{name}: not a PDF, its contents are another kind of file. Save it as a PDF "
                                 "and upload it again.")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument(f"{name}: the PDF is protected by a password, so its text cannot be read. "
                                     "Upload a copy without a password.")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise UnreadableDocument(f"{name}: the PDF has {len(reader.pages):,} pages. Upload a PDF of at most "
                                     f"{MAX_PDF_PAGES:,} pages.")
        return "\n\n".join((page.extract_text() or "") for page in reader.pages)
    except UnreadableDocument:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, MemoryError) as error:
        # pypdf's own words ("Stream has ended unexpectedly") mean nothing to the
        # person uploading; they go to the log.
        logging.getLogger(__name__).info("Unreadable PDF %s: %r", name, error)
        raise UnreadableDocument(f"{name}: not a readable PDF, it may be damaged. Save it as a PDF again and "
                                 "upload the new copy.") from error


# What a file really is, from its first bytes, when its name says it is text.
_SIGNATURES = {b"%PDF-": "a PDF", b"PK\x03\x04": "a zip file (a Word or Excel file is one)",
               b"\xd0\xcf\x11\xe0": "an old Office file", b"\x89PNG": "an image", b"\xff\xd8\xff": "an image"}


def extract(data, filename):
    """Return (text, media_type) for the file's bytes."""
    media_type = media_type_for(filename)
    if not data:
        raise UnreadableDocument(f"{Path(filename).name}: the file is empty.")
    if media_type != "application/pdf":
        for signature, kind in _SIGNATURES.items():
            if data.startswith(signature):
                raise UnreadableDocument(f"{Path(filename).name}: the name says text but the file is {kind}. "
                                         "Upload it with its real name, or save it as a PDF or text file.")
        if b"\x00" in data[:8192]:
            raise UnreadableDocument(f"{Path(filename).name}: not a text file. Save it as a PDF or text file "
                                     "and upload it again.")
    if media_type == "application/pdf":
        text = _pdf_to_text(data, filename)
    elif media_type == "text/html":
        text = html_to_text(_decode(data, filename))
    elif media_type == "text/markdown":
        text = html_to_text(_REPORT_MARKDOWN.render(_decode(data, filename)))
    else:
        text = _decode(data, filename)
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()
    text = _BLANK_LINES.sub("\n\n", text)  # block ends leave runs of empty lines
    if not text:
        raise UnreadableDocument(f"{Path(filename).name}: no text could be found in the file.")
    return text, media_type
