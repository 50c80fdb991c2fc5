"""Add a collection of documents to the knowledge base.

    manage.py ingest FOLDER... [--evaluation SLUG] [--kind report]
    manage.py ingest FOLDER --match [--manifest files.csv]

--match links each document to the record its file name (or the manifest's row
for it) names by external id or title (registry/imports/matching.py), and lists
the files it could not match, with why; those are still stored, linked to none.

Measured on 1,000 Markdown reports of 20,000 words, storing each file in its own
transaction indexed it on its own with a commit and merges: one report every 4
seconds. So files are stored a batch at a time (one transaction, a savepoint per
file): the search index is written once per batch. Text is read out of the files
in worker processes while this process stores and indexes the batch before, so
on two cores extraction costs little elapsed time. Where the index is written in
the batch's own transaction (PostgreSQL), two writer threads store batches at
once: one stores its files while the database builds the other's index rows.
On the 2-core test machine, PostgreSQL on the same cores, 200 reports went in
at 1.78 MB/s with one writer and 2.03 MB/s with two when nothing else ran; with
other work running, 0.88 and 0.99 MB/s against 0.84 and 1.02 MB/s: then the
cores, not the waiting, are the limit. Per 10 MB of Markdown the CPU goes to
Markdown extraction (2.3 s), storing rows and files (0.7 s), building the index
entries (0.9 s) and PostgreSQL's own indexing (2.6 s).

Meaning-based search's passage vectors (registry/search/meaning.py) cost about as
much CPU again as the words' index, so they are not computed while batches are
stored: once every batch is in, the documents without vectors are embedded, and
that step's own figure is printed. A document is found by its words as soon as its
batch commits and by meaning once this step has reached it.

A file that cannot be read is named with the reason and the rest still go in.
An interrupted run (Ctrl-C or `kill`) keeps the batches already stored and rolls
back those in progress; running the same command again skips what is stored
(by content hash) and puts back in the search index any stored document the
interruption kept out of it.
"""
import os
import signal
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from registry.imports.matching import match_documents
from registry.ingest.extractors import MEDIA_TYPES
from registry.ingest.pool import Extractor
from registry.models import Evaluation
from registry.search import get_backend, meaning
from registry.services.documents import IncomingFile, add_documents, content_hash, index_missing, stored_hashes

BATCH_FILES = 50
BATCH_MB = 32


def walk(paths):
    """(path, given) for each file: named files as given, folders walked (hidden files skipped)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child, False
        else:
            yield path, True


def batches(paths, files, megabytes):
    """Split paths into batches of at most `files` files and about `megabytes` MB."""
    batch: list[Path] = []
    size = 0
    for path in paths:
        try:
            length = path.stat().st_size
        except OSError:
            length = 0  # reported when the file is read
        if batch and (len(batch) >= files or size + length > megabytes * 1e6):
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += length
    if batch:
        yield batch


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Add documents (PDF, Markdown, HTML, text) from files or folders to the knowledge base."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or folders (folders are walked).")
        parser.add_argument("--evaluation", help="Slug of the record the documents support.")
        parser.add_argument("--kind", default="report", help="Kind of document (default: report).")
        parser.add_argument("--match", action="store_true",
                            help="Link each document to the record whose external id or title its file name "
                                 "holds, and list the files that match none.")
        parser.add_argument("--manifest", help="With --match: a CSV naming each file's record (columns file, "
                                               "and external_id or title) instead of the file names.")
        parser.add_argument("--batch-size", type=int, default=None,
                            help="Files stored (and indexed) together (default: the search backend's, "
                                 f"{BATCH_FILES} on PostgreSQL, 250 on whoosh).")
        parser.add_argument("--batch-mb", type=float, default=None,
                            help="At most about this many MB of files in a batch (default: the search "
                                 f"backend's, {BATCH_MB} on PostgreSQL, 64 on whoosh).")
        parser.add_argument("--jobs", type=int, default=None,
                            help="Worker processes reading text out of files, each stopping a file after "
                                 "4 seconds (0: read here, without that bound; default: one per spare core, "
                                 "at least one).")
        parser.add_argument("--writers", type=int, default=None,
                            help="Batches stored at once, each in its own transaction (default: 2 when the "
                                 "search index is written in the database's transaction, as on PostgreSQL; "
                                 "otherwise 1).")

    def handle(self, *args, paths, evaluation=None, kind="report", **options):
        options = self.checked(options)
        self.verbosity = options.get("verbosity", 1)
        self.evaluations = self.records(evaluation)
        self.kind = kind
        self.created = self.duplicates = self.skipped = 0
        self.megabytes = 0.0
        self.failures, self.duplicate_ids, self.created_ids, self.seen = [], set(), set(), set()
        self.counting, self.stopping = threading.Lock(), threading.Event()

        manifest = self.manifest(options, evaluation)
        files = list(walk(paths))
        self.bar = tqdm(total=len(files), unit="file", desc="Ingesting", file=self.stderr._out,
                        disable=options.get("verbosity", 1) < 1)
        readable = self.readable(files)
        self.matches = match_documents(readable, manifest) if options["match"] or manifest is not None else None
        self.linked = 0
        planned = list(batches(readable, options["batch_size"], options["batch_mb"]))
        jobs, writers = self.workers(options, len(planned))
        started = time.perf_counter()
        with meaning.deferring_documents():
            interrupted, repaired = self.store_all(planned, Extractor(jobs), writers)
        seconds = time.perf_counter() - started
        if not interrupted:
            interrupted = self.embed()
        self.report(seconds, repaired, interrupted)

    def embed(self):
        """Embed the passages of the documents now in the index for meaning-based search
        (deferred while storing: see meaning.deferring_documents); True if interrupted.
        Documents a run did not get to (or an interrupted one) are embedded by the next."""
        if not meaning.enabled():
            return False
        started = time.perf_counter()
        missing = meaning.documents_without_vectors()
        bar = tqdm(total=len(missing), unit="document", desc="Embedding passages", file=self.stderr._out,
                   disable=self.verbosity < 1 or not missing)
        try:
            documents, characters = meaning.embed_documents(missing, progress=bar.update)
        except KeyboardInterrupt:
            return True
        finally:
            bar.close()
        if documents:
            seconds = time.perf_counter() - started
            self.stdout.write(f"meaning: passages of {documents} documents embedded, {characters / 1e6:.1f} MB of "
                              f"text in {seconds:.1f}s ({characters / 1e6 / seconds if seconds else 0:.2f} MB/s)")
        return False

    @staticmethod
    def checked(options):
        """The options with the search backend's batch size filled in; refused when out of range."""
        default_files, default_mb = get_backend().ingest_batch
        options["batch_size"] = default_files if options["batch_size"] is None else options["batch_size"]
        options["batch_mb"] = default_mb if options["batch_mb"] is None else options["batch_mb"]
        if options["batch_size"] < 1 or options["batch_mb"] <= 0:
            raise CommandError("--batch-size and --batch-mb must be positive.")
        if options["jobs"] is not None and options["jobs"] < 0:
            raise CommandError("--jobs must be 0 or more.")
        if options["writers"] is not None and options["writers"] < 1:
            raise CommandError("--writers must be 1 or more.")
        return options

    def manifest(self, options, evaluation):
        """The manifest's bytes (None without one); --match cannot be combined with --evaluation."""
        if (options["match"] or options["manifest"]) and evaluation:
            raise CommandError("Use --match or --evaluation, not both: --match finds each file's own record.")
        if not options["manifest"]:
            return None
        try:
            return Path(options["manifest"]).read_bytes()
        except OSError as error:
            raise CommandError(f"Could not read the manifest {options['manifest']}: {error.strerror}") from error

    @staticmethod
    def records(slug):
        if not slug:
            return []
        found = Evaluation.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No record has the slug {slug!r}.")
        return [found]

    def readable(self, files):
        """The paths to read: files named on the command line, and files of an accepted
        type found in folders (others are skipped, and said so)."""
        wanted = []
        for path, given in files:
            if not given and path.suffix.lower() not in MEDIA_TYPES:
                self.skipped += 1
                self.bar.update()
                self.bar.write(f"skipped {path}: not a document type we read", file=self.stdout._out)
            else:
                wanted.append(path)
        return wanted

    def workers(self, options, batch_count):
        """(reading jobs, writers): every file is read in a bounded worker, so that none
        can hold ingest up; two writers where the index is written in the database."""
        jobs = options["jobs"]
        if jobs is None:
            jobs = max(1, min(4, (os.cpu_count() or 1) - 1)) if batch_count > 1 else 1
        writers = options["writers"]
        if writers is None:
            writers = 2 if batch_count > 1 and self.index_in_transaction() else 1
        return jobs, writers

    def store_all(self, planned, extractor, writers):
        """(interrupted, ids re-indexed): `kill` as well as Ctrl-C rolls back the batch in
        progress and stops cleanly."""
        main = threading.current_thread() is threading.main_thread()  # only it may set handlers
        previous = signal.signal(signal.SIGTERM, _interrupt) if main else None
        interrupted = False
        try:
            if writers > 1:
                self.run_concurrently(planned, extractor, writers)
            else:
                self.run(planned, extractor)
            repaired = index_missing(self.duplicate_ids - self.created_ids)
        except KeyboardInterrupt:
            interrupted, repaired = True, set()
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous)
            extractor.close(cancel=interrupted)
            self.bar.close()
        return interrupted, repaired

    def report(self, seconds, repaired, interrupted):
        for failure in self.failures:
            self.stderr.write(f"unreadable {failure}")
        if self.matches is not None:
            for path, why in self.matches.unmatched:
                self.stdout.write(f"unmatched {path}: {why}")
            self.stdout.write(f"match: {self.linked} documents linked to their records, "
                              f"{len(self.matches.unmatched)} files matched no record")
        summary = (f"ingest: {self.created} added, {self.duplicates} already stored, {self.skipped} skipped, "
                   f"{len(self.failures)} unreadable; {self.megabytes:.1f} MB of text in {seconds:.1f}s "
                   f"({self.megabytes / seconds if seconds else 0:.2f} MB/s)")
        if repaired:
            summary += f"; {len(repaired)} already stored but missing from the search index, now indexed"
        if interrupted:
            raise CommandError(f"{summary}. Interrupted: the batches being stored were rolled back. Run the "
                               "same command again to add the rest; files already stored are skipped.", returncode=130)
        if self.failures:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def run(self, planned, extractor):
        """Read the next batch (extraction runs in the workers) while storing this one."""
        ahead: deque = deque()
        for batch in planned:
            ahead.append(self.read(batch, extractor))
            if len(ahead) > 1:
                self.store(ahead.popleft(), extractor)
        while ahead:
            self.store(ahead.popleft(), extractor)

    def read(self, batch, extractor):
        """[(path, IncomingFile)] with extraction under way; files already stored are not read for text."""
        incoming = []
        for path in batch:
            try:
                data = path.read_bytes()
            except OSError as error:
                incoming.append((path, IncomingFile(path.name, extracted=error)))
                continue
            incoming.append((path, IncomingFile(path.name, data=data, digest=content_hash(data))))
        known = stored_hashes(f.digest for _, f in incoming if f.digest)
        for _, file in incoming:
            if file.digest and file.digest not in known and file.digest not in self.seen:
                self.seen.add(file.digest)
                file.extracted = extractor.submit(file.data, file.name)
        return incoming

    def run_concurrently(self, planned, extractor, writers):
        """Store `writers` batches at once, each in its own thread, connection and transaction.

        Where the index is written inside the transaction (PostgreSQL), committing a
        batch keeps the database server busy building its index rows; a second
        writer stores the next batch meanwhile, instead of this process waiting.
        """
        running: deque = deque()
        with ThreadPoolExecutor(writers, thread_name_prefix="ingest-writer") as threads:
            try:
                for batch in planned:
                    incoming = self.read(batch, extractor)
                    while len(running) >= writers:
                        running.popleft().result()
                    running.append(threads.submit(self.store_in_thread, incoming, extractor))
                while running:
                    running.popleft().result()
            except BaseException:
                # The writers stop after the file they are storing; their batches roll back.
                self.stopping.set()
                wait(running)
                raise

    def store_in_thread(self, incoming, extractor):
        try:
            self.store(incoming, extractor)
        finally:
            connection.close()  # this thread's own connection

    @staticmethod
    def index_in_transaction():
        try:
            return bool(get_backend().transactional) and connection.vendor == "postgresql"
        except Exception:  # noqa: BLE001 - a backend that cannot load fails later, with its own message
            return False

    def store(self, incoming, extractor):
        paths = {}
        for path, file in incoming:
            file.extracted = extractor.result(file.extracted, file.data, file.name)
            paths[id(file)] = path
        if len(incoming) > 1:
            self.bar.set_postfix_str(f"storing and indexing {len(incoming)}")

        # The bar moves as each file is stored; the counts only once the batch has
        # committed, so an interrupted batch is not counted as added.
        def progress(outcome):
            if self.stopping.is_set():
                raise KeyboardInterrupt  # rolls this batch back
            self.bar.update()

        outcomes = add_documents([file for _, file in incoming], evaluations=self.evaluations, kind=self.kind,
                                 progress=progress)
        linked = self.link(outcomes, paths)
        with self.counting:
            self.count(outcomes, paths)
            self.linked += linked

    def link(self, outcomes, paths):
        """Each stored (or already stored) document of a matched file linked to its record."""
        if self.matches is None:
            return 0
        linked = 0
        with transaction.atomic():
            for outcome in outcomes:
                record = self.matches.matched.get(paths[id(outcome.file)])
                if record is not None and outcome.document is not None:
                    outcome.document.evaluations.add(record)
                    linked += 1
        return linked

    def count(self, outcomes, paths):
        for outcome in outcomes:
            path = paths[id(outcome.file)]
            if outcome.error:
                self.failures.append(f"{path}: {outcome.error}")
            elif outcome.created:
                self.created += 1
                self.created_ids.add(outcome.document.pk)
                self.megabytes += len(outcome.document.text.encode("utf-8")) / 1e6
            else:
                self.duplicates += 1
                self.duplicate_ids.add(outcome.document.pk)
