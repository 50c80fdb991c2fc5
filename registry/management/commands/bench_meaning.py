"""What meaning-based retrieval costs (registry/search/meaning.py), measured:
loading the model, embedding records (index time per MB of text), a query's
embedding and exact similarity over N records, the cached matrix's memory, and
reading the store back from the database (inside a transaction rolled back, so the
database is left as it was).

And for documents' passages: embedding them (time per MB, on a sample), a query's
comparison with every passage (the path taken when the words find too little) and
with the shown documents' alone (every page with documents), the process's copy of
the passages, and reading it back.

    manage.py bench_meaning [--records 10000] [--queries 200] [--documents 1000 --passages-each 66]
"""
import json
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from registry.search import meaning

RELEVANCE_RECORDS = Path(__file__).resolve().parents[3] / "tests" / "search" / "relevance" / "records.json"
QUERIES = ["helping people back into work", "morning meals before lessons", "offenders meeting the people they harmed",
           "talking therapy for depressed adults", "randomised controlled trial of home visiting",
           "payment by results reoffending", "children's centres for toddlers in deprived areas"]


def record_texts(n):
    """n texts shaped like records (title, summary, findings): the relevance set's
    24 real records, numbered so no two are alike."""
    records = json.loads(RELEVANCE_RECORDS.read_text(encoding="utf-8"))
    bodies = [meaning.record_text({"title": r["title"], "body": "\n\n".join(
        [r["summary"]] + [f"{f['outcome']} {f['statement']}" for f in r.get("findings", [])])}) for r in records]
    return [f"{bodies[i % len(bodies)]} (record {i})" for i in range(n)]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Command(BaseCommand):
    help = "Measure meaning-based retrieval: model load, index time per MB, query time and memory at N records."

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=10000)
        parser.add_argument("--queries", type=int, default=200)
        parser.add_argument("--documents", type=int, default=1000,
                            help="Documents for the passage figures (0: none).")
        parser.add_argument("--passages-each", type=int, default=66,
                            help="Passages a document (66: a report of 20,000 words).")

    def handle(self, *args, records, queries, documents=1000, passages_each=66, **options):
        if not meaning.available():
            raise CommandError("The wordllama package is not installed: meaning-based retrieval is off.")
        out = self.stdout.write

        tracemalloc.start()
        started = time.perf_counter()
        model = meaning.model()
        load_s = time.perf_counter() - started
        tracemalloc.stop()
        out(f"model: loaded in {load_s:.2f} s; token table {model.table.shape[0]:,} x {model.table.shape[1]} "
            f"{model.table.dtype} = {model.table.nbytes / 1e6:.1f} MB")

        texts = record_texts(records)
        megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        started = time.perf_counter()
        matrix = np.vstack([meaning.embed(texts[i:i + meaning.BATCH]) for i in range(0, len(texts), meaning.BATCH)])
        embed_s = time.perf_counter() - started
        out(f"index: {records:,} records, {megabytes:.1f} MB of text embedded in {embed_s:.2f} s: "
            f"{embed_s / megabytes:.2f} s per MB ({megabytes / embed_s:.2f} MB/s), "
            f"{embed_s / records * 1000:.2f} ms per record")
        out(f"memory: the cached matrix of {records:,} records is {matrix.nbytes / 1e6:.1f} MB "
            f"(+ {records * 8 / 1e6:.2f} MB of ids); stored as {matrix.shape[1] * 4} bytes per record")

        embed_ms, similarity_ms = [], []
        ids = np.arange(records, dtype=np.int64)
        for i in range(queries):
            text = QUERIES[i % len(QUERIES)]
            started = time.perf_counter()
            vector = meaning.embed([text])[0]
            middle = time.perf_counter()
            scores = np.einsum("ij,j->i", matrix, vector)  # as meaning.nearest computes it
            top = np.argpartition(-scores, meaning.CANDIDATES)[:meaning.CANDIDATES]
            ids[top[np.argsort(-scores[top])]]
            ended = time.perf_counter()
            embed_ms.append((middle - started) * 1000)
            similarity_ms.append((ended - middle) * 1000)
        total_ms = [a + b for a, b in zip(embed_ms, similarity_ms, strict=True)]
        out(f"query at {records:,} records ({queries} queries): embedding median {statistics.median(embed_ms):.2f} ms, "
            f"similarity median {statistics.median(similarity_ms):.2f} ms; together median "
            f"{statistics.median(total_ms):.2f} ms, p95 {percentile(total_ms, 0.95):.2f} ms")

        load_ms = self.store_reload(matrix)
        out(f"store: writing {records:,} vectors took {load_ms[0]:.0f} ms; a process reading them back "
            f"(after any change) {load_ms[1]:.0f} ms; the check that nothing changed {load_ms[2]:.2f} ms")
        out(self.style.SUCCESS(
            f"bench_meaning: {statistics.median(total_ms):.2f} ms per query at {records:,} records, "
            f"{embed_s / megabytes:.2f} s per MB indexed, {matrix.nbytes / 1e6:.1f} MB cached"))
        if documents > 0:
            self.passages(documents, passages_each, queries)

    def passages(self, documents, each, queries):
        """Documents' passages: ~300-word passages made of the relevance set's records."""
        out = self.stdout.write
        bodies = record_texts(24)
        sample = [" ".join((" ".join(bodies[(i + j) % 24] for j in range(3))).split()[:300])
                  for i in range(min(2000, documents * each))]
        megabytes = sum(len(t.encode("utf-8")) for t in sample) / 1e6
        started = time.perf_counter()
        vectors = np.vstack([meaning.embed(sample[i:i + meaning.BATCH]) for i in range(0, len(sample), meaning.BATCH)])
        embed_s = time.perf_counter() - started
        out(f"passages: {len(sample):,} of ~300 words, {megabytes:.1f} MB embedded in {embed_s:.2f} s: "
            f"{embed_s / megabytes:.2f} s per MB ({megabytes / embed_s:.2f} MB/s)")
        stored = vectors.astype(np.float16)
        rows = [(i + 1, -(i + 1), stored[np.arange(i * each, (i + 1) * each) % len(stored)].tobytes())
                for i in range(documents)]
        cache = meaning._Passages()
        started = time.perf_counter()
        cache.load(rows)
        load_ms = (time.perf_counter() - started) * 1000
        out(f"memory: {documents:,} documents x {each} passages = {len(cache.ids):,} passages; this process's copy "
            f"{(cache.matrix.nbytes + cache.ids.nbytes + cache.numbers.nbytes) / 1e6:.1f} MB (float32), stored "
            f"{sum(len(r[2]) for r in rows) / 1e6:.1f} MB (float16); decoding the rows {load_ms:.0f} ms")
        every_ms, shown_ms = [], []
        shown = [-(i + 1) for i in range(0, documents, max(1, documents // 10))][:10]
        for i in range(queries):
            vector = meaning.embed([QUERIES[i % len(QUERIES)]])[0]
            started = time.perf_counter()
            self.nearest(cache, vector)
            middle = time.perf_counter()
            self.shown(cache, vector, shown)
            ended = time.perf_counter()
            every_ms.append((middle - started) * 1000)
            shown_ms.append((ended - middle) * 1000)
        out(f"query against passages ({queries} queries): every passage median {statistics.median(every_ms):.2f} ms, "
            f"p95 {percentile(every_ms, 0.95):.2f} ms; the {len(shown)} shown documents' median "
            f"{statistics.median(shown_ms):.3f} ms")

    @staticmethod
    def nearest(cache, vector):
        """As meaning.nearest_documents computes it, on this cache."""
        saved = meaning._caches[meaning.DOCUMENT]
        cache.generation, cache.checked = (0, None, 0), time.monotonic()
        meaning._caches[meaning.DOCUMENT] = cache
        try:
            return meaning.nearest_documents(vector, floor=-1.0)
        finally:
            meaning._caches[meaning.DOCUMENT] = saved

    @staticmethod
    def shown(cache, vector, ids):
        saved = meaning._caches[meaning.DOCUMENT]
        cache.generation, cache.checked = (0, None, 0), time.monotonic()
        meaning._caches[meaning.DOCUMENT] = cache
        try:
            return meaning.best_passages(vector, ids)
        finally:
            meaning._caches[meaning.DOCUMENT] = saved

    def store_reload(self, matrix):
        """(ms to write the vectors, ms to read them into a process's matrix, ms for the
        check that they did not change), in a transaction that is rolled back."""
        from registry.models.search import SearchVector

        cache = meaning._Matrix()
        with transaction.atomic():
            started = time.perf_counter()
            SearchVector.objects.bulk_create(
                [SearchVector(kind=meaning.KIND, object_id=-(i + 1), vector=row.tobytes(), title="bench", display={})
                 for i, row in enumerate(matrix)], batch_size=meaning.BATCH)
            written = time.perf_counter()
            cache.current()
            read = time.perf_counter()
            cache.checked = 0.0
            cache.current()
            checked = time.perf_counter()
            transaction.set_rollback(True)
        return (written - started) * 1000, (read - written) * 1000, (checked - read) * 1000
