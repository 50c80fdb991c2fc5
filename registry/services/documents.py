"""Adding documents to the knowledge base."""
import hashlib
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction

from registry.ingest import extract
from registry.models import Document


def content_hash(data):
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def add_document(data, filename, *, title="", evaluations=(), keep_file=True, **fields):
    """Store a document from its bytes; returns (document, created).

    A file whose content is already stored is not added twice: the existing
    document is returned (and linked to any evaluations given).
    """
    digest = content_hash(data)
    existing = Document.objects.filter(content_hash=digest).first()
    if existing is not None:
        if evaluations:
            existing.evaluations.add(*evaluations)
        return existing, False
    text, media_type = extract(data, filename)
    document = Document(
        title=title or Path(filename).stem.replace("_", " ").replace("-", " ").strip().capitalize(),
        content_hash=digest,
        media_type=media_type,
        original_filename=Path(filename).name,
        text=text,
        word_count=len(text.split()),
        **fields,
    )
    if keep_file:
        document.file.save(Path(filename).name, ContentFile(data), save=False)
    document.full_clean(exclude=["file"])
    document.save()
    if evaluations:
        document.evaluations.add(*evaluations)
    return document, True
