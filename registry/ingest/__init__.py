"""Text extraction for the knowledge base, one function per accepted format.

`extract(data, filename)` returns the text and media type, or raises
UnreadableDocument with a reason a person can act on.
"""
from registry.ingest.extractors import UnreadableDocument, extract, media_type_for  # noqa: F401
