"""Adding documents to the knowledge base."""
import hashlib
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction

from registry.ingest import extract
from registry.models import Document


def content_hash(data):
    return hashlib.sha256(data).hexdigest()


def find_duplicate(data):
    """The stored document with this exact content, or None."""
    return Document.objects.filter(content_hash=content_hash(data)).first()


def add_document(data, filename, *, title="", evaluations=(), keep_file=True, extracted=None, **fields):
    """Store a document from its bytes; returns (document, created).

    A file whose content is already stored is not added twice: the existing
    document is returned (and linked to any evaluations given). Raises
    UnreadableDocument (nothing stored) when no text can be read, and
    ValidationError when a field is invalid. `extracted` is (text, media_type)
    when the caller has already read the file (the upload form does).
    """
    digest = content_hash(data)
    text, media_type = extracted or extract(data, filename)
    stored_name = ""
    try:
        with transaction.atomic():
            existing = Document.objects.select_for_update().filter(content_hash=digest).first()
            if existing is not None:
                if evaluations:
                    existing.evaluations.add(*evaluations)
                return existing, False
            document = Document(
                title=(title or Path(filename).stem.replace("_", " ").replace("-", " ").strip().capitalize())[:255],
                content_hash=digest,
                media_type=media_type,
                original_filename=Path(filename).name[-255:],
                text=text,
                word_count=len(text.split()),
                **fields,
            )
            # Validate before the file touches storage, so a bad field leaves nothing behind.
            document.full_clean(exclude=["file"])
            if keep_file:
                document.file.save(Path(filename).name, ContentFile(data), save=False)
                stored_name = document.file.name
            document.save()
            if evaluations:
                document.evaluations.add(*evaluations)
            return document, True
    except BaseException:
        if stored_name:
            Document.file.field.storage.delete(stored_name)
        raise
