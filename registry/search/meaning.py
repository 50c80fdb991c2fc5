"""Meaning-based retrieval: a query phrased differently from a record still finds it.

The model is WordLlama's l2_supercat (PyPI `wordllama`): a 32,000 x 256 table of
token vectors, averaged over a text's tokens. Its wheel ships the weights and the
tokenizer, and they are read here straight from the installed package: wordllama's
own loader falls back to downloading into ~/.cache when a file is missing, and
importing the package configures the root logger, so neither is used (its loader
also looks for the tokenizer in a folder the wheel does not have, and would download
it). The table costs 16 MB of memory (float16, as shipped) and a third of a second to
load, once per process, on first use; the tokenizer a few MB more.

What is stored: one vector per published record (its title, summary and findings),
in the database (models.SearchVector) whichever backend runs, so every app server
reads the same ones. They are written with the index, by the backends'
`index_evaluations`, `remove` and `rebuild`, so a draft or a withdrawn record never
has one. Documents' passages are not embedded.

At query time (`blend`, called by SearchBackend.search) every vector is compared
with the query's (exact cosine: one matrix-vector product, 0.5 ms for 10,000 records)
and the first page of the word results is re-ranked by reciprocal rank fusion (k=60).
Meaning's vote weighs half the words' when some entry holds every word, and 1.5 times
it when none does (`relaxed`: the words then rank weakly); chosen on the relevance set
(tests/search/test_relevance_set.py), where it keeps every word query's first hit and
brings paraphrases from 11 to 16 of 18 in the top 3. What the counts then mean:
- the facets count the entries that hold the words, as without meaning;
- meaning re-orders the records on the first page only, among the places records
  hold there (documents, which have no vector, keep theirs; later pages are the
  words' ranking);
- when no entry holds all the words (nothing found, or `relaxed`) and the words find
  fewer entries than a page holds, up to MAX_ADDED records among
  the ADD_WITHIN nearest, with similarity >= ADD_SIMILARITY, are added to that one
  page (ranked with the page's records by meaning's vote alone) and to `total` (`meaning_added` says how
  many), only for a search without filters; they hold none or not all of the words,
  are marked `extra["meaning_only"]` and are not in the facets' counts. The page
  stays one page: `total` is then at most a page.
Measured (manage.py bench_meaning, 10,000 records, a quiet 2-core machine): a query's
embedding 0.1 ms and its similarity over all 10,000 vectors 0.5 ms; embedding records
0.45 s per MB of text (0.3 ms a record); the cached matrix 10.2 MB per process (1 KB
a record), read back after a change in 30 ms (SQLite) or 70 ms (PostgreSQL). Over HTTP
(bench_search, whoosh, 10,000 records, on / off, p95 ms): one word 33.2 / 28.6, two
words 27.6 / 26.2, facet-narrowed 33.8 / 32.1, misspelled 29.1 / 26.7; a rebuild of the
10,000 records 140 s / 110 s. Tried and dropped: `matrix @ vector` and the
tokenizer's batch call wake OpenBLAS's and the tokenizer's thread pools in every
server worker, which on a busy machine took the one-word p50 from 23 to 60 ms.

Queries: a search reads no row most of the time; one query every CHECK_SECONDS per
process asks whether the store changed (and a reload follows when it did), and one
more reads the records it adds.
Off (REGISTRY_MEANING_SEARCH=0, or the package absent), for a search of the words
as typed (`correct=False`) and for a query with quotes, operators or fields: the
word results exactly.
"""
import importlib.util
import threading
import time
from functools import cache
from pathlib import Path

import numpy as np
from django.conf import settings

RRF_K = 60
CANDIDATES = 50  # the nearest records that take part in the fusion
# Meaning's share of the fused score beside the words' (1.0 = equal votes). Below 1
# so that a word query whose record comes first keeps it there (relevance set).
MEANING_WEIGHT = 0.5
WEAK_WORDS_WEIGHT = 1.5  # when no entry holds all the words (`relaxed`): the words rank weakly then
RANK_SIMILARITY = 0.2  # below this a record's meaning says nothing about the query
ADD_SIMILARITY = 0.25  # a record without the words is shown only when this close
ADD_WITHIN = 3  # ... and among the nearest few
MAX_ADDED = 3
# How long a process trusts its matrix before asking the store whether it changed (one
# query): a record published by another process is found by meaning after this long
# at most (by its words at once), and a withdrawn one is never shown (added_hits).
CHECK_SECONDS = 5.0
MAX_QUERY_CHARS = 1000
BATCH = 500
KIND = "evaluation"
_WEIGHTS = ("weights", "l2_supercat_256.safetensors")
_TOKENIZER = ("tokenizers", "l2_supercat_tokenizer_config.json")


def _package_dir():
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def available() -> bool:
    """True when the model package, with its packaged files, is installed."""
    root = _package_dir()
    return root is not None and (root.joinpath(*_WEIGHTS)).is_file() and (root.joinpath(*_TOKENIZER)).is_file()


def enabled() -> bool:
    return bool(getattr(settings, "REGISTRY_MEANING_SEARCH", True)) and available()


class _Model:
    def __init__(self, root):
        from safetensors import safe_open
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(root.joinpath(*_TOKENIZER)))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        with safe_open(str(root.joinpath(*_WEIGHTS)), framework="np", device="cpu") as f:
            # Kept as stored (float16, 16 MB); each text's tokens are averaged in float32.
            self.table = f.get_tensor("embedding.weight")


_model_lock = threading.Lock()


@cache
def _load():
    return _Model(_package_dir())


def model():
    with _model_lock:
        return _load()


def embed(texts) -> np.ndarray:
    """(len(texts), 256) float32, each row L2-normalised (all zeros for a text with
    no tokens), the mean of the texts' token vectors as WordLlama computes it."""
    m = model()
    texts = list(texts)
    out = np.zeros((len(texts), m.table.shape[1]), dtype=np.float32)
    # A query is one text: encoded in this thread, not handed to the tokenizer's thread
    # pool, whose threads only contend with the server's on a busy machine.
    encodings = ([m.tokenizer.encode(texts[0], add_special_tokens=False)] if len(texts) == 1
                 else m.tokenizer.encode_batch(texts, add_special_tokens=False))
    for row, encoding in enumerate(encodings):
        if encoding.ids:
            ids = np.clip(np.asarray(encoding.ids, dtype=np.int64), 0, m.table.shape[0] - 1)
            out[row] = m.table[ids].mean(axis=0, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


def record_text(entry) -> str:
    """What a record's vector means: its title, then its summary and findings (the
    index entry's body)."""
    return f"{entry['title']}\n{entry.get('body', '')}"


# -- the store -----------------------------------------------------------------

def _rows(entries):
    from registry.models.search import SearchVector

    if not entries:
        return []
    vectors = embed([record_text(e) for e in entries])
    return [SearchVector(kind=KIND, object_id=e["pk"], vector=vector.tobytes(), title=e["title"],
                         display=e.get("display") or {}) for e, vector in zip(entries, vectors, strict=True)]


def write_records(entries, ids):
    """Store the vectors of these record entries (published records) and drop those of
    the other ids (no longer published). Called where the index writes them. Switched
    off, old vectors are still dropped (rebuild_index restores them when it is on again)."""
    from django.db import transaction

    from registry.models.search import SearchVector

    ids = {int(i) for i in ids} | {e["pk"] for e in entries}
    # Embedded (and the model loaded, on first use) before the write begins: on SQLite
    # a write holds the database, and concurrent saves' index updates wait on it.
    rows = _rows(list(entries)) if enabled() else []
    with transaction.atomic():
        SearchVector.objects.filter(kind=KIND, object_id__in=ids).delete()
        SearchVector.objects.bulk_create(rows, batch_size=BATCH)
    _cache.stale()


def remove_records(ids):
    from registry.models.search import SearchVector

    SearchVector.objects.filter(kind=KIND, object_id__in={int(i) for i in ids}).delete()
    _cache.stale()


def rebuilding(entries):
    """Pass a rebuild's record entries through, storing their vectors in batches:
    the store is emptied first and ends holding exactly the entries passed."""
    from registry.models.search import SearchVector

    SearchVector.objects.filter(kind=KIND).delete()
    _cache.stale()
    on = enabled()
    batch = []
    for entry in entries:
        if on:
            batch.append(entry)
            if len(batch) >= BATCH:
                SearchVector.objects.bulk_create(_rows(batch))
                batch = []
        yield entry
    if batch:
        SearchVector.objects.bulk_create(_rows(batch))
    _cache.stale()
    if on:
        _cache.current()  # read once here, so this process's next search need not


def stored_ids() -> set:
    """Ids of the records that have a vector (check_index compares them with the published ones)."""
    from registry.models.search import SearchVector

    return set(SearchVector.objects.filter(kind=KIND).values_list("object_id", flat=True))


def stored_count() -> int:
    from registry.models.search import SearchVector

    return SearchVector.objects.filter(kind=KIND).count()


class _Matrix:
    """This process's copy of the store: object ids and the (n, 256) matrix. Checked
    against the store (its count and largest row id: rows are only ever deleted and
    inserted) at most every CHECK_SECONDS, and reloaded when they differ, so a search
    costs no query most of the time. A copy a moment old can only re-order word hits
    or offer records that `added_hits` checks are still published."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, 256), dtype=np.float32)
        self.generation = None
        self.checked = 0.0

    def stale(self):
        self.checked = 0.0
        self.generation = None

    def current(self):
        from django.db.models import Count, Max

        from registry.models.search import SearchVector

        with self.lock:
            now = time.monotonic()
            if self.generation is not None and now - self.checked < CHECK_SECONDS:
                return self.ids, self.matrix
            rows = SearchVector.objects.filter(kind=KIND)
            if self.generation is not None:
                seen = rows.aggregate(n=Count("id"), last=Max("id"))
                if (seen["n"], seen["last"]) == self.generation:
                    self.checked = now
                    return self.ids, self.matrix
            loaded = list(rows.values_list("id", "object_id", "vector"))
            self.ids = np.array([r[1] for r in loaded], dtype=np.int64)
            self.matrix = (np.frombuffer(b"".join(bytes(r[2]) for r in loaded), dtype=np.float32)
                           .reshape(len(loaded), -1) if loaded else np.zeros((0, 256), dtype=np.float32))
            self.generation = (len(loaded), max((r[0] for r in loaded), default=None))
            self.checked = now
            return self.ids, self.matrix


_cache = _Matrix()


def stored_vectors():
    """(record ids, their (n, 256) float32 matrix): this process's copy of the store,
    as `nearest` reads it, for a caller comparing many texts at once (the catalogue
    import's duplicate check). Only published records have vectors."""
    return _cache.current()


def nearest(text, limit=CANDIDATES, floor=RANK_SIMILARITY):
    """[(record id, similarity)] of the records closest in meaning to text, best first."""
    words = _content_words(text)
    if not words:
        return []
    ids, matrix = _cache.current()
    if not len(ids):
        return []
    # einsum, not `matrix @ vector`: one thread, as fast at this size, where OpenBLAS
    # would wake its thread pool inside every server worker.
    similarity = np.einsum("ij,j->i", matrix, embed([" ".join(words)[:MAX_QUERY_CHARS]])[0])
    top = np.argsort(-similarity)[:limit] if len(ids) > limit else np.argsort(-similarity)
    return [(int(ids[i]), float(similarity[i])) for i in top if similarity[i] >= floor]


def _content_words(text):
    """The query's words less stop words and syntax: a query of stop words alone
    means nothing, and they would pull every vector towards the same place."""
    from whoosh.analysis import STOP_WORDS

    cleaned = "".join(c if c.isalnum() or c in "-'" else " " for c in (text or "")[:MAX_QUERY_CHARS * 2])
    return [w for w in cleaned.split() if w.lower() not in STOP_WORDS and w not in ("AND", "OR", "NOT")]


# -- blending ----------------------------------------------------------------

def blend(query, results):
    """The word results with meaning's vote (see the module's docstring), or the
    word results themselves when meaning has nothing to say."""
    # correct=False asks for the words exactly as typed ("Search instead for").
    if not (enabled() and query.correct and query.sort == "relevance" and int(query.page or 1) == 1
            and KIND in query.kinds and (query.text or "").strip() and not results.error):
        return results
    from registry.search.base import has_syntax

    if has_syntax(query.text):
        return results  # quotes, operators and fields (title:...) say exactly what is wanted
    ranking = nearest(query.text)
    if not ranking:
        return results
    meaning_rank = {pk: rank for rank, (pk, _) in enumerate(ranking, start=1)}
    weight = WEAK_WORDS_WEIGHT if results.relaxed else MEANING_WEIGHT
    hits = list(results.hits)
    room = min(MAX_ADDED, results.page_size - results.total)
    # Only when no entry holds all the words: a query whose words all meet is answered by them.
    if room > 0 and not query.filters and (results.relaxed or not results.total):
        shown = {hit.pk for hit in hits if hit.kind == KIND}
        wanted = [pk for pk, similarity in ranking[:ADD_WITHIN]
                  if similarity >= ADD_SIMILARITY and pk not in shown][:room]
        added = added_hits(wanted, dict(ranking))
        results.total += len(added)
        results.meaning_added = len(added)
        hits += added
    word_rank = {id(hit): position for position, hit in enumerate(results.hits, start=1)}

    def fused(hit):
        score = 1 / (RRF_K + word_rank[id(hit)]) if id(hit) in word_rank else 0.0
        if hit.pk in meaning_rank:
            score += weight / (RRF_K + meaning_rank[hit.pk])
        return score

    # Only records have a meaning: they are re-ranked among the places records held,
    # and documents keep theirs (a fused list would sink every document below any
    # record meaning voted for). Added records take places after the page's hits.
    places = [n for n, hit in enumerate(hits) if hit.kind == KIND]
    records = sorted((hit for hit in hits if hit.kind == KIND), key=fused, reverse=True)
    for place, hit in zip(places, records, strict=True):
        hits[place] = hit
    results.hits = hits
    return results


def added_hits(ids, similarity):
    """Hits for records found only by meaning, in the order given, of those still
    published (a process's matrix may be a moment old)."""
    if not ids:
        return []
    from html import escape

    from registry.models import Evaluation
    from registry.models.search import SearchVector
    from registry.search.base import Hit

    rows = SearchVector.objects.filter(kind=KIND, object_id__in=ids).filter(
        object_id__in=Evaluation.objects.published().values("id"))
    found = {row.object_id: row for row in rows.only("object_id", "title", "display")}
    hits = []
    for pk in ids:
        row = found.get(pk)
        if row is None:
            continue
        display = dict(row.display or {}, meaning_only=True)
        summary = display.get("summary", "")
        hits.append(Hit(kind=KIND, pk=pk, title=row.title, url=display.get("url", ""), score=similarity[pk],
                        snippet=escape(summary[:240] + ("…" if len(summary) > 240 else "")),
                        slug=display.get("slug", ""), extra=display))
    return hits
