"""Adding documents to the knowledge base: one at a time (the upload form, a
record's documents) or a batch at a time (`manage.py ingest`).

Every write goes through `add_document`, so a document is validated, stored and
linked the same way whichever door it came in by; the search index follows from
the signals in `registry/search/signals.py`, which flush once per transaction
after it commits. That is why a batch is one transaction: one index write for
all its files instead of one (with a commit and merges) per file.
"""
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from registry.ingest import UnreadableDocument, extract
from registry.models import Document, Evaluation
from registry.search import SearchQuery, get_backend
from registry.services.base import User, touch


class DocumentFields(TypedDict, total=False):
    """What a caller may say about a document besides its bytes, title and
    records; the rest (text, media type, word count, hash) is read from the bytes."""

    kind: str
    publisher: str
    month: int | None
    year: int | None
    source_url: str
    language: str


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_duplicate(data: bytes) -> Document | None:
    """The stored document with this exact content, or None."""
    return Document.objects.filter(content_hash=content_hash(data)).first()


def stored_hashes(digests: Iterable[str]) -> dict[str, int]:
    """{content hash: document id} for those of these hashes already stored (one query)."""
    return dict(Document.objects.filter(content_hash__in=list(digests)).values_list("content_hash", "id"))


def add_document(data: bytes, filename: str, *, title: str = "", evaluations: Iterable[Evaluation] = (),
                 keep_file: bool = True, extracted: tuple[str, str] | None = None, digest: str | None = None,
                 **fields: Unpack[DocumentFields]) -> tuple[Document, bool]:
    """Store a document from its bytes; returns (document, created).

    A file whose content is already stored is not added twice: the existing
    document is returned (and linked to any evaluations given). Raises
    UnreadableDocument (nothing stored) when no text can be read, and
    ValidationError when a field is invalid. `extracted` is (text, media_type)
    when the caller has already read the file (the upload form and ingest do);
    `digest` is its content hash when the caller has worked it out.
    """
    digest = digest or content_hash(data)
    if extracted is None and not Document.objects.filter(content_hash=digest).exists():
        # Outside the transaction: reading a long PDF can take seconds.
        extracted = extract(data, filename)
    stored_name = ""
    try:
        with transaction.atomic():
            existing = Document.objects.select_for_update().filter(content_hash=digest).first()
            if existing is not None:
                # Only links it lacks: adding an existing link would still send the
                # signal that reindexes the document, and a rerun of ingest would
                # rewrite the index for every file it skips.
                linked = set(existing.evaluations.values_list("pk", flat=True))
                unlinked = [e for e in evaluations if e.pk not in linked]
                if unlinked:
                    existing.evaluations.add(*unlinked)
                return existing, False
            text, media_type = extracted or extract(data, filename)  # the copy we saw has since gone
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


# -- batches ---------------------------------------------------------------------


@dataclass
class IncomingFile:
    """A file read and ready to store. `extracted` is (text, media_type), None
    (read it while storing), or the UnreadableDocument/OSError met reading it."""

    name: str
    data: bytes = b""
    digest: str = ""
    extracted: object = None


@dataclass
class Outcome:
    file: IncomingFile
    document: Document | None = None
    created: bool = False
    error: str = ""  # why the file was not stored, in words a person can act on


def add_documents(files: Iterable[IncomingFile], *, evaluations: Iterable[Evaluation] = (), keep_file: bool = True,
                  progress: Callable[[Outcome], Any] | None = None,
                  **fields: Unpack[DocumentFields]) -> list[Outcome]:
    """Store a batch of files in one transaction, with a savepoint per file.

    One transaction means the search index is written once for the whole batch
    (the signals flush once per commit). The savepoint per file means one bad
    file is reported and rolled back on its own while the others go in. If the
    batch itself fails or is interrupted (Ctrl-C, the database going away),
    nothing of it is kept: its rows roll back and the files it had put in
    storage are deleted, so a rerun starts that batch afresh.

    Returns an Outcome per file, in order; `progress(outcome)` is called as each
    file is stored.
    """
    outcomes, stored_names, committed = [], [], []
    try:
        with transaction.atomic():
            # Registered first, so it runs before the index flush that the
            # documents' signals register: from then on the rows are kept,
            # even if the index write is interrupted.
            transaction.on_commit(lambda: committed.append(True))
            for incoming in files:
                outcome = _store_one(incoming, evaluations, keep_file, fields)
                if outcome.created and outcome.document.file:
                    stored_names.append(outcome.document.file.name)
                outcomes.append(outcome)
                if progress:
                    progress(outcome)
    except BaseException:
        if not committed:
            for name in stored_names:
                Document.file.field.storage.delete(name)
        raise
    return outcomes


def _store_one(incoming, evaluations, keep_file, fields):
    if isinstance(incoming.extracted, BaseException):
        return Outcome(incoming, error=reason(incoming.extracted, incoming.name))
    try:
        document, created = add_document(incoming.data, incoming.name, evaluations=evaluations,
                                         keep_file=keep_file, extracted=incoming.extracted,
                                         digest=incoming.digest, **fields)
    except UnreadableDocument as error:
        return Outcome(incoming, error=reason(error, incoming.name))
    except ValidationError as error:
        return Outcome(incoming, error="; ".join(error.messages))
    except IntegrityError as error:
        # Another transaction (a second writer, another ingest) stored the same
        # content after we looked: it is a duplicate now, unless something else broke.
        try:
            document, created = add_document(incoming.data, incoming.name, evaluations=evaluations,
                                             keep_file=keep_file, extracted=incoming.extracted,
                                             digest=incoming.digest, **fields)
        except (IntegrityError, UnreadableDocument, ValidationError):
            return Outcome(incoming, error=f"could not be stored ({error}); run the command again")
    return Outcome(incoming, document=document, created=created)


def reason(error: BaseException, name: str) -> str:
    """Why the file `name` could not be read, as ingest reports it after the file's path."""
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(error, OSError):
        return f"cannot be read ({error.strerror or error})"
    # The extractors name the file first ("report.pdf: not a readable PDF"); ingest shows its path already.
    return str(error).removeprefix(f"{Path(name).name}: ")


def index_missing(document_ids: Iterable[int], *, chunk: int = 50) -> set[int]:
    """Index those of these stored documents that should be searchable but are not.

    A rerun of an interrupted ingest finds its files already stored. With an index
    that is written after the commit (whoosh), the last batch may have been stored
    but never indexed; this puts such documents back without rewriting the ones
    the index already holds. Returns the ids it indexed.
    """
    visible = set(Document.objects.visible().filter(id__in=list(document_ids)).values_list("id", flat=True))
    if not visible:
        return set()
    backend = get_backend()
    # An empty search matches every entry: restricted to documents, it lists what
    # the index holds, through the interface every backend answers.
    total = Document.objects.count()
    indexed = set(backend.search_ids(SearchQuery(text="", kinds=("document",), facets=False), limit=total))
    missing = sorted(visible - indexed)
    for start in range(0, len(missing), chunk):
        backend.index_documents(missing[start:start + chunk])
    return set(missing)


# -- a record's documents (the journey's uploads page) -------------------------------


@transaction.atomic
def attach_document(evaluation: Evaluation, data: bytes, filename: str, *, by: User, title: str = "",
                    extracted: tuple[str, str] | None = None, **fields: Unpack[DocumentFields]) -> Document:
    """Upload a document into the knowledge base, linked to this record. It is
    public only once a record it supports is published (Document.visible)."""
    document, _created = add_document(data, filename, title=title, evaluations=[evaluation], extracted=extracted,
                                      **fields)
    touch(evaluation, by, "Document added")
    return document


@transaction.atomic
def detach_document(evaluation: Evaluation, pk: int, *, by: User) -> None:
    """Unlink a document from this record (the document stays in the knowledge base)."""
    document = evaluation.documents.filter(pk=pk).first()
    if document is not None:
        evaluation.documents.remove(document)
        touch(evaluation, by, "Document removed")
