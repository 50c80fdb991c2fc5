"""Measure the whoosh backend on a synthetic corpus, away from the real index.

Synthetic records (realistic lengths, Zipf-like vocabulary) and long documents
are indexed through the backend's own writer path in a throwaway data folder, so
no database is written. Prints build time and throughput for the build writer
(two processes unless told) and for whoosh's default single-process writer,
index size, p50/p95 latency per query class (facets and highlights included) and
single-record update latency.
"""
import csv
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand

from registry.search import SearchQuery
from registry.search.entries import passages
from registry.search.whoosh_backend import SCHEMA_VERSION, WhooshBackend, build_schema

SYNONYMS_CSV = Path(__file__).resolve().parents[3] / "fixtures" / "vocabularies" / "method_synonyms.csv"
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
KINDS = ["report", "summary", "research_brief", "annex", "plan"]


class Corpus:
    """A deterministic synthetic corpus: a Zipf-like vocabulary of made-up and real words."""

    def __init__(self, seed=20251123, vocabulary=30000):
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
        self.departments = [f"dept-{i}" for i in range(40)]

    def text(self, n):
        words = self.random.choices(self.words, cum_weights=self.cum, k=n)
        sentences, i = [], 0
        while i < len(words):
            length = self.random.randint(8, 25)
            sentences.append(" ".join(words[i:i + length]).capitalize() + ".")
            i += length
        return " ".join(sentences)

    def evaluation(self, pk):
        r = self.random
        chosen = r.sample(METHODS, r.randint(1, 4))
        years = sorted({str(r.randint(2010, 2024)) for _ in range(r.randint(1, 4))})
        departments = r.sample(self.departments, r.randint(1, 3))
        title = self.text(r.randint(6, 14)).rstrip(".")
        summary = self.text(r.randint(150, 350))
        findings = [self.text(r.randint(20, 45)) for _ in range(r.randint(0, 5))]
        return {
            "kind": "evaluation", "pk": pk, "title": title, "body": "\n\n".join([summary] + findings),
            "method": "\n".join(name for _, _, name in chosen), "type": "\n".join({t for t, _, _ in chosen}),
            "department": departments, "department_name": " ".join(d.replace("-", " ") for d in departments),
            "organisation": self.text(3), "programme": self.text(3), "place": self.text(2), "policy": self.text(4),
            "stage": r.choice(STAGES), "year": years, "doc_kind": "",
            "sort_date": int(years[-1]) * 100 + r.randint(1, 12),
            "f_type": sorted({t for t, _, _ in chosen}), "f_method": sorted({c for _, c, _ in chosen}),
            "f_department": departments, "f_stage": [r.choice(STAGES)], "f_year": years, "f_kind": [],
            "f_programme": [], "f_place": [], "f_policy_area": [], "f_organisation": [],
            "display": {"slug": f"synthetic-{pk}", "url": f"/evaluations/synthetic-{pk}/", "summary": summary[:400]},
        }

    def document(self, pk, words):
        year = self.random.randint(2010, 2024)
        kind = self.random.choice(KINDS)
        return {
            "kind": "document", "pk": pk, "title": self.text(self.random.randint(5, 12)).rstrip("."),
            "passages": passages(self.text(words)), "stage": "", "year": [str(year)], "doc_kind": kind,
            "sort_date": year * 100, "f_kind": [kind], "f_year": [str(year)],
            "display": {"url": f"/documents/{pk}/", "kind": kind, "words": words},
        }


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def folder_mb(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


class Command(BaseCommand):
    help = "Benchmark the whoosh backend on synthetic records and long documents (a throwaway index)."

    def add_arguments(self, parser):
        parser.add_argument("--evaluations", type=int, default=10000)
        parser.add_argument("--documents", type=int, default=1000)
        parser.add_argument("--words", type=int, default=20000, help="Words per document.")
        parser.add_argument("--queries", type=int, default=40, help="Queries per class.")
        parser.add_argument("--data-dir", help="Where to build (default: a temporary folder, removed after).")
        parser.add_argument("--build-procs", type=int, default=2,
                            help="Processes for the build (rebuild_index uses 2 on a large index).")
        parser.add_argument("--skip-default-writer", action="store_true",
                            help="Skip the single-process comparison build.")
        parser.add_argument("--reuse", action="store_true",
                            help="With --data-dir: query the index a previous run left there instead of building.")

    def handle(self, *args, **options):
        root = Path(options["data_dir"] or tempfile.mkdtemp(prefix="bench-search-"))
        try:
            self.run(root, options)
        finally:
            if not options["data_dir"]:
                shutil.rmtree(root, ignore_errors=True)

    def say(self, text):
        self.stdout.write(text)
        self.stdout.flush()

    def backend(self, folder, pairs):
        backend = WhooshBackend(folder)
        backend.facet_labels = lambda raw: {}  # no database: facet labels are the codes
        backend.path.mkdir(parents=True, exist_ok=True)
        from whoosh import index

        backend._ix = index.create_in(str(backend.path), build_schema())
        (backend.path / "schema-version").write_text(SCHEMA_VERSION)
        backend.save_synonyms(pairs)
        return backend

    def build(self, backend, evaluations, documents, build_procs=0):
        started = time.perf_counter()
        backend._write(lambda writer: backend.add_entries(writer, evaluations, documents), build_procs=build_procs)
        return time.perf_counter() - started

    def run(self, root, options):
        n, m, w = options["evaluations"], options["documents"], options["words"]
        with open(SYNONYMS_CSV, newline="", encoding="utf-8") as handle:
            pairs = [(row["term"], row["expansion"]) for row in csv.DictReader(handle)]
        corpus = Corpus()
        started = time.perf_counter()
        evaluations = [corpus.evaluation(pk) for pk in range(1, n + 1)]
        documents = [corpus.document(pk, w) for pk in range(1, m + 1)]
        megabytes = (sum(len(e["title"]) + len(e["body"]) for e in evaluations)
                     + sum(len(p) for d in documents for p in d["passages"])) / 1e6
        n_passages = sum(len(d["passages"]) for d in documents)
        self.say(f"corpus: {n} evaluations, {m} documents of {w} words ({n_passages} passages), "
                 f"{megabytes:.1f} MB of text, generated in {time.perf_counter() - started:.1f}s")

        built = root / "two" / "search" / "whoosh" / "schema-version"
        if options["reuse"] and built.exists() and built.read_text() == SCHEMA_VERSION:
            fast = WhooshBackend(root / "two")
            fast.facet_labels = lambda raw: {}
            self.say(f"reusing the index in {fast.path} ({folder_mb(fast.path):.1f} MB)")
        else:
            fast = self.backend(root / "two", pairs)
            procs = max(1, options["build_procs"])
            seconds = self.build(fast, evaluations, documents, build_procs=procs)
            processes = f"{procs} process{'es' if procs > 1 else ''}"
            self.say(f"build ({processes}): {seconds:.1f}s, {megabytes / seconds:.2f} MB/s, "
                     f"index {folder_mb(fast.path):.1f} MB")

        sample_passages = [p for d in documents[:50] for p in d["passages"][:3]]
        self.queries(fast, corpus, sample_passages, options["queries"])
        self.updates(fast, corpus, n, options["queries"])

        if not options["skip_default_writer"] and not options["reuse"]:
            default = self.backend(root / "one", pairs)
            single = self.build(default, evaluations, documents)
            self.say(f"build (whoosh's default writer): {single:.1f}s, {megabytes / single:.2f} MB/s, "
                     f"index {folder_mb(default.path):.1f} MB; speed-up {single / seconds:.2f}x")
            shutil.rmtree(root / "one", ignore_errors=True)

    @staticmethod
    def warm_page_cache(folder):
        """Read the index files once, as a running server's page cache would hold them."""
        for path in Path(folder).rglob("*"):
            if path.is_file():
                with open(path, "rb") as handle:
                    while handle.read(1 << 24):
                        pass

    def queries(self, backend, corpus, sample_passages, count):
        r = random.Random(7)
        mid = corpus.words[50:3000]
        sample_passages = sample_passages or [corpus.text(300)]

        def phrase():
            words = r.choice(sample_passages).replace(".", "").split()
            start = r.randrange(max(1, len(words) - 3))
            return '"' + " ".join(words[start:start + 2]).lower() + '"'

        def misspell():
            word = r.choice(corpus.words[100:2000])
            i = r.randrange(1, len(word) - 1)
            return word[:i] + word[i + 1:] + word[i] if i < len(word) - 1 else word + "x"

        def field_query():
            field = r.choice(['method:"interrupted time series"', "method:rct", f"department:dept-{r.randrange(40)}"])
            return f"{field} {r.choice(mid)}", {}

        def narrowed():
            return r.choice(mid), {"method": [r.choice(METHODS)[1]], "year": [str(r.randint(2010, 2024))]}

        classes = {
            "one word": lambda: (r.choice(mid), {}),
            "two words": lambda: (f"{r.choice(mid)} {r.choice(mid)}", {}),
            "phrase": lambda: (phrase(), {}),
            "field query": field_query,
            "facet-narrowed": narrowed,
            "misspelled": lambda: (misspell(), {}),
        }
        started = time.perf_counter()
        backend.search(SearchQuery(text=r.choice(mid)))
        self.say(f"first query (cold facet caches): {(time.perf_counter() - started) * 1000:.0f} ms")
        self.warm_page_cache(backend.path)
        for _ in range(5):  # warm the process as a running server would be
            backend.search(SearchQuery(text=r.choice(mid)))
        self.say("query class        p50 ms   p95 ms   mean hits")
        for label, make in classes.items():
            timings, totals = [], []
            for _ in range(count):
                text, filters = make()
                started = time.perf_counter()
                results = backend.search(SearchQuery(text=text, filters=filters))
                timings.append((time.perf_counter() - started) * 1000)
                totals.append(results.total)
            p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
            self.say(f"{label:<18} {p50:7.1f}  {p95:7.1f}   {statistics.mean(totals):9.0f}")

    def updates(self, backend, corpus, n, count):
        r = random.Random(11)
        timings, merges = [], 0
        for _ in range(max(5, count // 2)):
            entry = corpus.evaluation(r.randint(1, n))
            started = time.perf_counter()
            backend._write(lambda writer, entry=entry: backend.add_entries(writer, [entry]))
            timings.append((time.perf_counter() - started) * 1000)
            # Saves are spaced out as people make them: let a background merge finish first.
            time.sleep(0.25)
            merges += backend._merging
            while backend._merging:
                time.sleep(0.05)
        self.say(f"single-record update: p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms "
                 f"({merges} background merges between updates)")
