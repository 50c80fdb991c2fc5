"""Measure search end to end on a synthetic registry, for either backend.

    manage.py bench_search --backend whoosh|postgres --evaluations 10000 --documents 1000 --words 20000
    manage.py bench_search --backend postgres --evaluations 100000 --documents 0

What it does, in the order a new registry would:

1. loads N synthetic published records into the configured database (bulk
   inserts, slugs starting `bench-search-`) and indexes them with the backend's
   whole build (`rebuild_index`);
2. writes M synthetic Markdown reports of W words to a folder and adds them with
   `manage.py ingest FOLDER --evaluation ...`, the path an operator takes, and
   prints the MB of text per second it took;
3. asks the backend how large its index is (`index_size()`), against the text;
4. starts gunicorn on a free loopback port and times GETs of the whole search
   page (`/search/?q=...`: hits, snippets, facet counts, "Did you mean") per
   class of query, and prints p50 and p95.

The corpus is deterministic (a Zipf-like vocabulary of real and made-up words),
so two runs, or two backends, search the same text. The index goes into a
throwaway data folder; the records go into the configured database (SQLite, or
PostgreSQL through DATABASE_URL) and are removed afterwards unless --keep is
given. A database holding anything but the seed records is refused unless
--allow-existing-data is given: the benchmark adds and deletes rows in bulk.
"""
import http.client
import io
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Length

from registry.models import (
    Department,
    DesignType,
    Document,
    Evaluation,
    EvaluationDesign,
    EvaluationOrganisation,
    EventDate,
    Finding,
    Link,
)
from registry.search import get_backend

PREFIX = "bench-search-"
DOCUMENTS_SLUG = f"{PREFIX}documents"
FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
BATCH = 1000
METHODS = [
    ("impact", "rct", "Randomised control trial (RCT)"),
    ("impact", "quasi_experimental", "Quasi-experimental method"),
    ("impact", "interrupted", "Interrupted time series analysis"),
    ("impact", "propensity", "Propensity score matching"),
    ("impact", "difference", "Difference in differences"),
    ("process", "individual_process", "Individual interviews"),
    ("process", "surveys_process", "Surveys and polling"),
    ("process", "case_study_process", "Case studies"),
    ("economic", "benefit", "Cost-benefit analysis"),
    ("economic", "effectiveness", "Cost-effectiveness analysis"),
]
REAL_WORDS = [
    "evaluation", "programme", "outcomes", "children", "families", "school", "pupils", "employment", "training",
    "health", "housing", "reoffending", "probation", "benefit", "cost", "impact", "process", "survey", "interviews",
    "analysis", "trial", "pilot", "local", "authority", "social", "care", "practice", "support", "services", "young",
    "people", "attainment", "wellbeing", "skills", "apprenticeship",
]
STAGES = ["planned", "ongoing", "complete"]
WARM_UP_ROUNDS = 10
QUERY_CLASSES = ("one word", "two words", "phrase", "field query", "facet-narrowed", "misspelled")


class Corpus:
    """A deterministic synthetic corpus: a Zipf-like vocabulary of made-up and real words."""

    def __init__(self, seed=20251123, vocabulary=30000, departments=()):
        self.random = random.Random(seed)
        syllables = ["ka", "lo", "mi", "ten", "sor", "vel", "an", "dri", "pus", "er", "gal", "num", "ti", "ox", "bre"]
        words = set(REAL_WORDS)
        while len(words) < vocabulary:
            words.add("".join(self.random.choice(syllables) for _ in range(self.random.randint(2, 4))))
        self.words = REAL_WORDS + sorted(words - set(REAL_WORDS))
        self.random.shuffle(self.words[len(REAL_WORDS):])
        weights = [1 / (rank ** 1.07) for rank in range(1, len(self.words) + 1)]
        self.cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.departments = list(departments) or [f"dept-{i}" for i in range(40)]

    def text(self, n):
        words = self.random.choices(self.words, cum_weights=self.cum, k=n)
        sentences, i = [], 0
        while i < len(words):
            length = self.random.randint(8, 25)
            sentences.append(" ".join(words[i:i + length]).capitalize() + ".")
            i += length
        return " ".join(sentences)

    def evaluation(self, number):
        """A record's fields, as a contributor would fill them in."""
        r = self.random
        return {
            "slug": f"{PREFIX}{number}",
            "title": self.text(r.randint(6, 14)).rstrip(".")[:250],
            "summary": self.text(r.randint(150, 350)),
            "findings": [self.text(r.randint(20, 45)) for _ in range(r.randint(0, 5))],
            "methods": [code for _, code, _ in r.sample(METHODS, r.randint(1, 4))],
            "departments": r.sample(self.departments, r.randint(1, 3)),
            "years": sorted({r.randint(2010, 2024) for _ in range(r.randint(1, 4))}),
            "stage": r.choice(STAGES),
        }

    def report(self, words):
        """A Markdown report: a title, then paragraphs of a dozen sentences."""
        title = self.text(self.random.randint(5, 12)).rstrip(".")
        sentences = self.text(words).split(". ")
        paragraphs = [". ".join(sentences[i:i + 12]) for i in range(0, len(sentences), 12)]
        return f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(address, path, timeout=60):
    """(status, body) of one GET, on a fresh connection as a browser's first visit would make."""
    connection_ = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        connection_.request("GET", path, headers={"Accept": "text/html"})
        response = connection_.getresponse()
        return response.status, response.read()
    finally:
        connection_.close()


class Command(BaseCommand):
    help = "Benchmark ingest, index size and search-page latency over HTTP on a synthetic registry."

    def add_arguments(self, parser):
        parser.add_argument("--backend", help="whoosh or postgres (default: the configured backend).")
        parser.add_argument("--evaluations", type=int, default=10000, help="Synthetic records (default 10000).")
        parser.add_argument("--documents", type=int, default=1000, help="Synthetic reports (default 1000).")
        parser.add_argument("--words", type=int, default=20000, help="Words per report (default 20000).")
        parser.add_argument("--queries", type=int, default=40, help="Timed requests per query class (default 40).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2).")
        parser.add_argument("--data-dir", help="Folder for the index and files (default: a temporary folder, "
                                               "removed afterwards).")
        parser.add_argument("--server", help="Time an already running server at this address (e.g. "
                                             "http://127.0.0.1:8000) instead of starting gunicorn; it must "
                                             "use this database, search backend and data folder.")
        parser.add_argument("--keep", action="store_true", help="Keep the synthetic records and documents.")
        parser.add_argument("--allow-existing-data", action="store_true",
                            help="Run even though the database holds records other than the seed records.")

    def say(self, text):
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, **options):
        if min(options["evaluations"], options["queries"], options["workers"]) < 1 or options["documents"] < 0:
            raise CommandError("--evaluations, --queries and --workers must be positive; --documents 0 or more.")
        self.use_backend(options["backend"])
        self.refuse_real_data(options["allow_existing_data"])
        root = Path(options["data_dir"] or tempfile.mkdtemp(prefix="bench-search-"))
        root.mkdir(parents=True, exist_ok=True)
        settings.REGISTRY_DATA_DIR = root / "data"
        settings.MEDIA_ROOT = root / "data" / "media"
        self.remove_synthetic(quiet=True)  # what an interrupted earlier run left
        server = None
        try:
            self.run(root, options)
            self.settle()
            server, address = self.start_server(root, options)
            self.queries(address, options["queries"])
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            if not options["keep"]:
                self.remove_synthetic()
                if not options["data_dir"]:
                    shutil.rmtree(root, ignore_errors=True)

    # -- set-up ------------------------------------------------------------------

    def use_backend(self, name):
        if name:
            backends = getattr(settings, "SEARCH_BACKENDS", {})
            if name not in backends and "." not in name:
                raise CommandError(f"--backend must be one of {', '.join(sorted(backends))}, not {name!r}.")
            settings.REGISTRY_SEARCH_BACKEND = backends.get(name, name)
            self.backend_name = name
            if name == "postgres" and connection.vendor != "postgresql":
                raise CommandError("The postgres backend needs a PostgreSQL database: set DATABASE_URL, or run "
                                   "under .ci/with-postgres (a throwaway server).")
        else:
            path = settings.REGISTRY_SEARCH_BACKEND
            names = {v: k for k, v in getattr(settings, "SEARCH_BACKENDS", {}).items()}
            self.backend_name = names.get(path, path)

    def refuse_real_data(self, allowed):
        """The benchmark bulk-inserts and bulk-deletes; it runs only beside the seed records."""
        seed = json.loads((FIXTURES / "records.json").read_text(encoding="utf-8"))
        seed_slugs = [e["slug"] for e in seed["evaluations"]]
        seed_files = [d["file"] for d in seed.get("documents", [])]
        records = Evaluation.objects.exclude(slug__startswith=PREFIX).exclude(slug__in=seed_slugs).count()
        documents = Document.objects.exclude(original_filename__startswith=PREFIX).exclude(
            original_filename__in=seed_files).count()
        if (records or documents) and not allowed:
            raise CommandError(
                f"The database holds {records} record(s) and {documents} document(s) besides the seed records. "
                "Run the benchmark on a throwaway database (for example under .ci/with-postgres, or "
                "DATABASE_URL=sqlite:////tmp/bench.sqlite3 after `migrate`), or give --allow-existing-data.")

    # -- data --------------------------------------------------------------------

    def run(self, root, options):
        n, m, w = options["evaluations"], options["documents"], options["words"]
        backend = get_backend()
        self.say(f"bench_search: {self.backend_name} backend ({type(backend).__name__}) on "
                 f"{connection.vendor}; {n} records, {m} reports of {w} words")
        departments = list(Department.objects.order_by("code")[:40])
        self.corpus = Corpus(departments=[d.code for d in departments])
        started = time.perf_counter()
        record_mb = self.load_records(n, departments)
        self.say(f"records: {n} loaded in {time.perf_counter() - started:.1f}s, {record_mb:.1f} MB of text")

        started = time.perf_counter()
        backend.rebuild()
        seconds = time.perf_counter() - started
        self.say(f"records indexed (rebuild_index): {seconds:.1f}s, {record_mb / seconds:.2f} MB/s")

        document_mb = self.ingest(root, m, w) if m else 0.0
        text_mb = record_mb + document_mb
        try:
            size = backend.index_size() / 1e6
        except (AttributeError, NotImplementedError):
            self.say(f"index size: not reported by this backend; text {text_mb:.1f} MB")
        else:
            self.say(f"index size: {size:.1f} MB for {text_mb:.1f} MB of text ({size / text_mb:.2f} times the text)")

    @transaction.atomic
    def load_records(self, n, departments):
        """Bulk inserts (no per-row signals): the index is built afterwards in one go."""
        by_code = {d.code: d for d in departments}
        designs = {d.code: d for d in DesignType.objects.filter(code__in=[c for _, c, _ in METHODS])}
        fields = [self.corpus.evaluation(i) for i in range(n)]
        self.samples = [f["summary"] for f in fields[:200]]
        Evaluation.objects.bulk_create([
            Evaluation(slug=f["slug"], title=f["title"], summary=f["summary"], stage=f["stage"],
                       visibility="published", lead_department=by_code[f["departments"][0]])
            for f in fields
        ] + [Evaluation(slug=DOCUMENTS_SLUG, title="Benchmark reports", summary="The benchmark's reports.",
                        stage="complete", visibility="published", lead_department=departments[0])],
            batch_size=BATCH)
        ids = dict(Evaluation.objects.filter(slug__startswith=PREFIX).values_list("slug", "id"))
        others = Evaluation.other_departments.through
        rows = {EvaluationDesign: [], EventDate: [], Finding: [], others: []}
        for f in fields:
            pk = ids[f["slug"]]
            rows[EvaluationDesign] += [EvaluationDesign(evaluation_id=pk, design_type=designs[c])
                                       for c in f["methods"] if c in designs]
            rows[EventDate] += [EventDate(evaluation_id=pk, category="evaluation_start", year=y, month=4)
                                for y in f["years"]]
            rows[Finding] += [Finding(evaluation_id=pk, position=i, outcome=" ".join(text.split()[:3]),
                                      statement=text) for i, text in enumerate(f["findings"])]
            rows[others] += [others(evaluation_id=pk, department_id=by_code[c].id) for c in f["departments"][1:]]
        for model, objects in rows.items():
            model.objects.bulk_create(objects, batch_size=BATCH)
        return sum(len(f["title"]) + len(f["summary"]) + sum(map(len, f["findings"])) for f in fields) / 1e6

    def ingest(self, root, m, w):
        """Write the reports as files and add them as an operator would: `manage.py ingest`."""
        folder = root / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        for i in range(m):
            (folder / f"{PREFIX}{i:05d}.md").write_text(self.corpus.report(w), encoding="utf-8")
        self.say(f"reports: {m} written to {folder} in {time.perf_counter() - started:.1f}s "
                 f"({sum(p.stat().st_size for p in folder.iterdir()) / 1e6:.1f} MB of Markdown)")
        out = io.StringIO()
        started = time.perf_counter()
        call_command("ingest", str(folder), "--evaluation", DOCUMENTS_SLUG, stdout=out, stderr=self.stderr,
                     verbosity=1)
        seconds = time.perf_counter() - started
        stored = Document.objects.filter(original_filename__startswith=PREFIX)
        megabytes = (stored.aggregate(size=Sum(Length("text")))["size"] or 0) / 1e6
        self.say(f"ingest: {stored.count()} reports, {megabytes:.1f} MB of text in {seconds:.1f}s: "
                 f"{megabytes / seconds:.2f} MB/s, words and meaning together; the command's own lines:")
        for line in out.getvalue().strip().splitlines():
            self.say(f"  {line}")
        self.samples += list(stored.values_list("text", flat=True)[:50])
        return megabytes

    def remove_synthetic(self, quiet=False):
        """Out of the index through the backend, then raw deletes: the rows came in
        by bulk insert, without history or signals, and leave the same way."""
        evaluation_ids = list(Evaluation.objects.filter(slug__startswith=PREFIX).values_list("id", flat=True))
        document_ids = list(Document.objects.filter(
            Q(original_filename__startswith=PREFIX) | Q(evaluations__slug=DOCUMENTS_SLUG)).values_list("id", flat=True))
        if not (evaluation_ids or document_ids):
            return
        backend = get_backend()
        for kind, ids in (("document", document_ids), ("evaluation", evaluation_ids)):
            for start in range(0, len(ids), BATCH):
                try:
                    backend.remove(kind, ids[start:start + BATCH])
                except Exception as error:  # noqa: BLE001 - a missing index holds nothing to remove
                    self.stderr.write(f"search index not updated ({error})")
                    break
        related = [EvaluationDesign, EventDate, Link, Finding, EvaluationOrganisation,
                   Evaluation.other_departments.through, Evaluation.places.through,
                   Evaluation.policy_areas.through, Document.evaluations.through]
        with transaction.atomic():
            for start in range(0, len(document_ids), BATCH):
                chunk = document_ids[start:start + BATCH]
                Document.evaluations.through.objects.filter(document_id__in=chunk)._raw_delete(DEFAULT_DB_ALIAS)
                Document.objects.filter(id__in=chunk)._raw_delete(DEFAULT_DB_ALIAS)
            for start in range(0, len(evaluation_ids), BATCH):
                chunk = evaluation_ids[start:start + BATCH]
                for model in related:
                    model.objects.filter(evaluation_id__in=chunk)._raw_delete(DEFAULT_DB_ALIAS)
                Evaluation.objects.filter(id__in=chunk)._raw_delete(DEFAULT_DB_ALIAS)
        if not quiet:
            self.say(f"removed {len(evaluation_ids)} synthetic records and {len(document_ids)} reports")

    def settle(self):
        """On PostgreSQL, VACUUM ANALYZE the freshly loaded tables before timing, as
        autovacuum does within a minute or two of a bulk load (inserts alone start
        it since PostgreSQL 13): the timings then do not depend on whether it has run
        yet: its statistics choose the plans, its vacuum merges the GIN indexes'
        pending entries, and otherwise it runs beside the first queries."""
        if connection.vendor != "postgresql":
            return
        started = time.perf_counter()
        # VACUUM cannot run in a transaction (the test suite's): ANALYZE alone there.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute(command)
        self.say(f"{command} (as autovacuum would after a bulk load): {time.perf_counter() - started:.1f}s")

    # -- the server ----------------------------------------------------------------

    def start_server(self, root, options):
        if options["server"]:
            parts = urlsplit(options["server"])
            address = (parts.hostname, parts.port or 80)
            self.say(f"timing the server at {options['server']}")
            return None, address
        port = free_port()
        env = {**os.environ, "REGISTRY_DATA_DIR": str(settings.REGISTRY_DATA_DIR),
               "REGISTRY_SEARCH_BACKEND": settings.REGISTRY_SEARCH_BACKEND,
               # WhiteNoise warns once per worker that collectstatic has not run; the search page needs no files.
               "PYTHONWARNINGS": "ignore::UserWarning"}
        command = [sys.executable, "-m", "gunicorn", "registry.wsgi:application", "--bind", f"127.0.0.1:{port}",
                   "--workers", str(options["workers"]), "--log-level", "warning"]
        server = subprocess.Popen(command, cwd=str(settings.BASE_DIR), env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn exited with status {server.returncode}")
            try:
                if get(("127.0.0.1", port), "/search/?q=evaluation", timeout=10)[0] == 200:
                    self.say(f"gunicorn serving on 127.0.0.1:{port} with {options['workers']} workers")
                    return server, ("127.0.0.1", port)
            except OSError:
                time.sleep(0.2)
        server.terminate()
        raise CommandError("gunicorn did not answer within 60 seconds")

    # -- queries -------------------------------------------------------------------

    def query_maker(self):
        r = random.Random(7)
        mid = self.corpus.words[50:3000]
        samples = [s for s in self.samples if s] or [self.corpus.text(300)]

        def phrase():
            words = r.choice(samples).replace(".", " ").replace("#", " ").split()[:2000]
            start = r.randrange(max(1, len(words) - 2))
            return {"q": '"' + " ".join(words[start:start + 2]).lower() + '"'}

        def misspelled():
            word = r.choice(self.corpus.words[100:2000])
            i = r.randrange(1, len(word) - 1)
            return {"q": word[:i] + word[i + 1] + word[i] + word[i + 2:]}

        def field_query():
            field = r.choice(['method:"interrupted time series"', "method:rct",
                              f"department:{r.choice(self.corpus.departments)}"])
            return {"q": f"{field} {r.choice(mid)}"}

        def narrowed():
            return {"q": r.choice(mid), "method": r.choice(METHODS)[1], "year": str(r.randint(2010, 2024))}

        makers = {
            "one word": lambda: {"q": r.choice(mid)},
            "two words": lambda: {"q": f"{r.choice(mid)} {r.choice(mid)}"},
            "phrase": phrase,
            "field query": field_query,
            "facet-narrowed": narrowed,
            "misspelled": misspelled,
        }
        return makers

    def queries(self, address, count):
        makers = self.query_maker()
        # Every worker opens its index and fills its caches (the meaning vectors, the
        # facet arrays) before the timing starts: with three rounds, a worker that had
        # not yet shown a report loaded its passages' vectors while being timed (330 ms).
        # The timed queries are those after three rounds, as in every earlier run; the
        # further rounds draw from a maker of their own.
        more = self.query_maker()
        for i, label in enumerate(QUERY_CLASSES * WARM_UP_ROUNDS):
            get(address, "/search/?" + urlencode((makers if i < 3 * len(QUERY_CLASSES) else more)[label]()))
        self.say(f"search page over HTTP ({count} requests per class, one at a time; facets, snippets and "
                 "\"Did you mean\" included)")
        self.say(f"{'query class':<16}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  notes")
        failures = 0
        for label in QUERY_CLASSES:
            timings, suggested, bad = [], 0, 0
            for _ in range(count):
                path = "/search/?" + urlencode(makers[label]())
                started = time.perf_counter()
                status, body = get(address, path)
                timings.append((time.perf_counter() - started) * 1000)
                bad += status != 200
                suggested += b'id="did-you-mean"' in body or b'id="search-corrected"' in body
            failures += bad
            notes = f"{suggested} of {count} corrected or with \"Did you mean\"" if label == "misspelled" else ""
            if bad:
                notes = f"{bad} failed; {notes}".rstrip("; ")
            self.say(f"{label:<16}{percentile(timings, 0.5):>9.1f}{percentile(timings, 0.95):>9.1f}"
                     f"{max(timings):>9.1f}  {notes}")
        if failures:
            raise CommandError(f"{failures} search requests did not answer 200")
