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
has one. A document visible in the knowledge base has one row too: the vectors of
its ~300-word passages (the index's own), float16, 512 bytes a passage, written by
`index_documents`; `ingest` defers them (`deferring_documents`) and embeds what is
missing once the words are in, so a collection is searchable by its words at the
speed the index writes them and by meaning a little later.

At query time (`blend`, called by SearchBackend.search) every record vector is
compared with the query's (exact cosine: one matrix-vector product, 0.5 ms for 10,000
records) and the first page of the word results is re-ranked by reciprocal rank fusion
(k=60): records among the places records hold, documents among the documents' places,
each document by its best passage (only the shown documents' passages are compared).
Meaning's vote weighs half the words' when some entry holds every word, and 1.5 times
it when none does (`relaxed`: the words then rank weakly); chosen on the relevance set
(tests/search/test_relevance_set.py), where it keeps every word query's first hit and
brings paraphrases from 11 to 16 of 18 in the top 3. What the counts then mean:
- the facets count the entries that hold the words, as without meaning;
- meaning re-orders the first page only, records among the places records hold
  there and documents among the documents' (later pages are the words' ranking);
- when no entry holds all the words (nothing found, or `relaxed`) and the words find
  fewer entries than a page holds, up to MAX_ADDED records and documents among
  the ADD_WITHIN nearest of each kind, with similarity >= ADD_SIMILARITY (a
  document's best passage: >= PASSAGE_ADD_SIMILARITY, with that passage as its
  snippet), are added to that one page after its hits, closest first, and to
  `total` (`meaning_added` says how many), only for a search without filters; they
  hold none or not all of the words, are marked `extra["meaning_only"]` and are not
  in the facets' counts. The page stays one page: `total` is then at most a page.
  Comparing a query with every passage (66,000 for 1,000 reports of 20,000 words)
  happens only then.
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
from contextlib import contextmanager
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
DOCUMENT = "document"
DIMENSIONS = 256
VECTOR_WRITERS_LOCK = 7_301_905  # pg_advisory_xact_lock key of the vector writers (_one_writer_at_a_time)
DOCUMENT_BATCH = 20  # documents embedded and written at once (66 passages each for 20,000 words)
# A passage averages some 300 words' vectors, which pulls every passage towards the
# same place: a document is added by meaning only when its best passage is this close.
PASSAGE_ADD_SIMILARITY = 0.3
SNIPPET_CHARS = 240
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


def _document_rows(entries):
    """One row a document: its passages' vectors, in the index's passages' order, float16
    (the model's own precision: the table is stored so)."""
    from registry.models.search import SearchVector

    rows = []
    for entry in entries:
        passages = list(entry.get("passages") or [])
        matrix = embed(passages) if passages else np.zeros((0, DIMENSIONS), dtype=np.float32)
        rows.append(SearchVector(kind=DOCUMENT, object_id=entry["pk"], vector=matrix.astype(np.float16).tobytes(),
                                 title=entry["title"], display=entry.get("display") or {}))
    return rows


_ROWS = {KIND: _rows, DOCUMENT: _document_rows}
_deferring = threading.Event()


def _write(kind, entries, ids, embedded=True):
    from django.db import transaction

    from registry.models.search import SearchVector

    ids = {int(i) for i in ids} | {e["pk"] for e in entries}
    # Embedded (and the model loaded, on first use) before the write begins: on SQLite
    # a write holds the database, and concurrent saves' index updates wait on it.
    rows = _ROWS[kind](list(entries)) if embedded and enabled() else []
    with transaction.atomic():
        _one_writer_at_a_time()
        SearchVector.objects.filter(kind=kind, object_id__in=ids).delete()
        SearchVector.objects.bulk_create(rows, batch_size=BATCH)
    _caches[kind].stale()


def _one_writer_at_a_time():
    """Vectors are replaced by a delete and an insert: two writers of the same ids
    (an ingest's embedding and an edit, two ingests) would both delete nothing and
    the second insert break the unique (kind, object id). On PostgreSQL each writer
    holds one lock until its transaction ends (its rows are embedded before, so it
    is held for the writes only); SQLite has one writer anyway."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [VECTOR_WRITERS_LOCK])


def write_records(entries, ids):
    """Store the vectors of these record entries (published records) and drop those of
    the other ids (no longer published). Called where the index writes them. Switched
    off, old vectors are still dropped (rebuild_index restores them when it is on again)."""
    _write(KIND, entries, ids)


def write_documents(entries, ids):
    """Store the passage vectors of these document entries (visible documents) and drop
    those of the other ids. While `deferring_documents`, only drop: the documents are
    embedded afterwards (`embed_documents`)."""
    _write(DOCUMENT, entries, ids, embedded=not _deferring.is_set())


@contextmanager
def deferring_documents():
    """Documents indexed inside are not embedded with their words (ingest: embedding
    costs about as much CPU as the words' index, and the words should not wait for it);
    embed `documents_without_vectors()` after."""
    _deferring.set()
    try:
        yield
    finally:
        _deferring.clear()


def documents_without_vectors() -> list:
    """Ids of the visible documents that have no vector (those indexed while deferring,
    or by a run interrupted before it embedded them)."""
    from registry.models.search import SearchVector
    from registry.search import entries as entry_source

    if not enabled():
        return []
    have = set(SearchVector.objects.filter(kind=DOCUMENT).values_list("object_id", flat=True))
    return sorted(entry_source.visible_document_ids() - have)


def embed_documents(ids, progress=None):
    """Embed these documents' passages, DOCUMENT_BATCH documents at a time, each batch
    committed on its own (those no longer visible are skipped). Returns (documents,
    characters of text embedded); `progress(n)` after each batch."""
    from django.db import transaction

    from registry.models.search import SearchVector
    from registry.search import entries as entry_source

    ids = list(ids)
    done = characters = 0
    for start in range(0, len(ids), DOCUMENT_BATCH):
        entries = list(entry_source.document_entries(ids[start:start + DOCUMENT_BATCH]))
        rows = _document_rows(entries)
        with transaction.atomic():
            _one_writer_at_a_time()
            SearchVector.objects.filter(kind=DOCUMENT, object_id__in=[e["pk"] for e in entries]).delete()
            SearchVector.objects.bulk_create(rows)
        done += len(entries)
        characters += sum(len(p) for e in entries for p in e["passages"])
        if progress:
            progress(len(ids[start:start + DOCUMENT_BATCH]))
    _caches[DOCUMENT].stale()
    return done, characters


def remove(kind, ids):
    from registry.models.search import SearchVector

    SearchVector.objects.filter(kind=kind, object_id__in={int(i) for i in ids}).delete()
    _caches[kind].stale()


def rebuilding(entries, kind=KIND):
    """Pass a rebuild's entries of one kind through, storing their vectors in batches:
    the store of that kind is emptied first and ends holding exactly the entries passed."""
    from registry.models.search import SearchVector

    SearchVector.objects.filter(kind=kind).delete()
    _caches[kind].stale()
    on = enabled()
    size = BATCH if kind == KIND else DOCUMENT_BATCH
    batch = []
    for entry in entries:
        if on:
            batch.append(entry)
            if len(batch) >= size:
                # A vector an edit wrote meanwhile is as current as the rebuild's: kept.
                SearchVector.objects.bulk_create(_ROWS[kind](batch), ignore_conflicts=True)
                batch = []
        yield entry
    if batch:
        SearchVector.objects.bulk_create(_ROWS[kind](batch), ignore_conflicts=True)
    _caches[kind].stale()
    if on and kind == KIND:
        _caches[kind].current()  # read once here, so this process's next search need not


def stored_ids(kind=KIND) -> set:
    """Ids of the records (or documents) that have a vector (check_index compares them
    with the published records and the visible documents)."""
    from registry.models.search import SearchVector

    return set(SearchVector.objects.filter(kind=kind).values_list("object_id", flat=True))


def stored_count(kind=KIND) -> int:
    from registry.models.search import SearchVector

    return SearchVector.objects.filter(kind=kind).count()


class _Matrix:
    """This process's copy of the store: object ids and the (n, 256) matrix. Checked
    against the store (its count, largest row id and sum of ids: rows are only ever
    deleted and inserted) at most every CHECK_SECONDS, so a search costs no query most of the
    time. When rows were only added since (the count grew by the rows past the largest
    id), those alone are read and appended: an ingest adding documents would otherwise
    have every server process read every passage again each time it looks. Any other
    change is a full reload. A copy a moment old can only re-order word hits or offer
    records that `added_hits` checks are still published."""

    kind = KIND

    def __init__(self):
        self.lock = threading.Lock()
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, DIMENSIONS), dtype=np.float32)
        self.generation = None
        self.checked = 0.0

    def stale(self):
        self.checked = 0.0  # the next search checks the store

    def merge(self, other):
        self.ids = np.concatenate([self.ids, other.ids])
        self.matrix = np.vstack([self.matrix, other.matrix])

    def load(self, loaded):
        self.ids = np.array([r[1] for r in loaded], dtype=np.int64)
        self.matrix = (np.frombuffer(b"".join(bytes(r[2]) for r in loaded), dtype=np.float32)
                       .reshape(len(loaded), -1) if loaded else np.zeros((0, DIMENSIONS), dtype=np.float32))

    def state(self):
        return self.ids, self.matrix

    def current(self):
        from django.db.models import Count, Max, Sum
        from django.db.models.functions import Coalesce

        from registry.models.search import SearchVector

        with self.lock:
            now = time.monotonic()
            if self.generation is not None and now - self.checked < CHECK_SECONDS:
                return self.state()
            rows = SearchVector.objects.filter(kind=self.kind)
            if self.generation is not None:
                # The sum of the ids as well: two transactions committing out of order can
                # delete one row and add another below the largest id, leaving the count
                # and the largest id as they were, never the sum (ids are never reused).
                seen = rows.aggregate(n=Count("id"), last=Max("id"), total=Coalesce(Sum("id"), 0))
                if (seen["n"], seen["last"], seen["total"]) == self.generation:
                    self.checked = now
                    return self.state()
                count, last, total = self.generation
                if last is not None and seen["n"] > count:
                    added = list(rows.filter(id__gt=last).values_list("id", "object_id", "vector"))
                    if (count + len(added), total + sum(r[0] for r in added)) == (seen["n"], seen["total"]):
                        extra = type(self)()
                        extra.load(added)
                        self.merge(extra)
                        self.generation = (seen["n"], max(r[0] for r in added), seen["total"])
                        self.checked = now
                        return self.state()
            loaded = list(rows.values_list("id", "object_id", "vector"))
            self.load(loaded)
            self.generation = (len(loaded), max((r[0] for r in loaded), default=None), sum(r[0] for r in loaded))
            self.checked = now
            return self.state()


class _Passages(_Matrix):
    """Every visible document's passage vectors, one row a passage, as float32 (the
    product is float32: 256 bytes more a passage in memory than stored, 68 MB for
    1,000 reports of 20,000 words), loaded on a process's first need. `rows` maps a
    document to its rows, so the shown documents' passages are compared alone."""

    kind = DOCUMENT

    def __init__(self):
        super().__init__()
        self.numbers = np.zeros(0, dtype=np.int32)
        self.rows = {}

    def load(self, loaded):
        blocks = [np.frombuffer(bytes(r[2]), dtype=np.float16).reshape(-1, DIMENSIONS) for r in loaded]
        counts = np.array([len(b) for b in blocks], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.ids = np.repeat(np.array([r[1] for r in loaded], dtype=np.int64), counts)
        self.numbers = (np.arange(int(starts[-1]), dtype=np.int32) - np.repeat(starts[:-1], counts).astype(np.int32))
        self.matrix = (np.vstack(blocks).astype(np.float32) if int(starts[-1])
                       else np.zeros((0, DIMENSIONS), dtype=np.float32))
        self.rows = {r[1]: (int(starts[i]), int(starts[i + 1])) for i, r in enumerate(loaded)}

    def state(self):
        return self.ids, self.matrix, self.numbers, self.rows

    def merge(self, other):
        offset = len(self.ids)
        super().merge(other)
        self.numbers = np.concatenate([self.numbers, other.numbers])
        self.rows = {**self.rows, **{pk: (start + offset, end + offset) for pk, (start, end) in other.rows.items()}}


_cache = _Matrix()
_caches = {KIND: _cache, DOCUMENT: _Passages()}


def stored_vectors():
    """(record ids, their (n, 256) float32 matrix): this process's copy of the store,
    as `nearest` reads it, for a caller comparing many texts at once (the catalogue
    import's duplicate check). Only published records have vectors."""
    return _cache.current()


def _query_vector(text):
    """The query's vector, or None for a query of stop words and syntax alone."""
    words = _content_words(text)
    return embed([" ".join(words)[:MAX_QUERY_CHARS]])[0] if words else None


def nearest(text, limit=CANDIDATES, floor=RANK_SIMILARITY):
    """[(record id, similarity)] of the records closest in meaning to text, best first."""
    vector = _query_vector(text)
    return [] if vector is None else _nearest_records(vector, limit, floor)


def _nearest_records(vector, limit=CANDIDATES, floor=RANK_SIMILARITY):
    ids, matrix = _cache.current()
    if not len(ids):
        return []
    # einsum, not `matrix @ vector`: one thread, as fast at this size, where OpenBLAS
    # would wake its thread pool inside every server worker.
    similarity = np.einsum("ij,j->i", matrix, vector)
    top = np.argsort(-similarity)[:limit] if len(ids) > limit else np.argsort(-similarity)
    return [(int(ids[i]), float(similarity[i])) for i in top if similarity[i] >= floor]


def nearest_documents(vector, limit=ADD_WITHIN, floor=PASSAGE_ADD_SIMILARITY):
    """[(document id, passage number, similarity)] of the documents whose best passage
    is closest to the query's vector, best first: every passage compared (the rare
    path, see the module's docstring)."""
    ids, matrix, numbers, _ = _caches[DOCUMENT].current()
    if not len(ids):
        return []
    similarity = np.einsum("ij,j->i", matrix, vector)
    # The best rows first; a document's first row among them is its best passage.
    within = min(len(ids), limit * 64)
    top = np.argpartition(-similarity, within - 1)[:within]
    top = top[np.argsort(-similarity[top], kind="stable")]
    found, seen = [], set()
    for i in top:
        if similarity[i] < floor or len(found) >= limit:
            break
        if int(ids[i]) not in seen:
            seen.add(int(ids[i]))
            found.append((int(ids[i]), int(numbers[i]), float(similarity[i])))
    return found


def best_passages(vector, document_ids):
    """{document id: similarity of its best passage} for these documents alone."""
    ids, matrix, _, rows = _caches[DOCUMENT].current()
    best = {}
    for pk in document_ids:
        start, end = rows.get(pk, (0, 0))
        if end > start:
            best[pk] = float(np.einsum("ij,j->i", matrix[start:end], vector).max())
    return best


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
    kinds = [kind for kind in (KIND, DOCUMENT) if kind in query.kinds]
    # correct=False asks for the words exactly as typed ("Search instead for").
    if not (enabled() and query.correct and query.sort == "relevance" and int(query.page or 1) == 1
            and kinds and (query.text or "").strip() and not results.error):
        return results
    from registry.search.base import has_syntax

    if has_syntax(query.text):
        return results  # quotes, operators and fields (title:...) say exactly what is wanted
    vector = _query_vector(query.text)
    if vector is None:
        return results
    ranking = _nearest_records(vector) if KIND in kinds else []
    shown_documents = [hit.pk for hit in results.hits if hit.kind == DOCUMENT]
    passage_similarity = best_passages(vector, shown_documents) if shown_documents else {}
    weight = WEAK_WORDS_WEIGHT if results.relaxed else MEANING_WEIGHT
    hits = list(results.hits)
    room = min(MAX_ADDED, results.page_size - results.total)
    # Only when no entry holds all the words: a query whose words all meet is answered by them.
    if room > 0 and not query.filters and (results.relaxed or not results.total):
        added = _added(vector, ranking, hits, kinds, room)
        results.total += len(added)
        results.meaning_added = len(added)
        hits += added
    passage_similarity.update({hit.pk: hit.score for hit in hits[len(results.hits):] if hit.kind == DOCUMENT})
    if not (ranking or passage_similarity):
        results.hits = hits
        return results
    word_rank = {id(hit): position for position, hit in enumerate(results.hits, start=1)}
    meaning_rank = {(KIND, pk): rank for rank, (pk, _) in enumerate(ranking, start=1)}
    closest = sorted((pk for pk, s in passage_similarity.items() if s >= RANK_SIMILARITY),
                     key=lambda pk: -passage_similarity[pk])
    meaning_rank.update({(DOCUMENT, pk): rank for rank, pk in enumerate(closest, start=1)})

    def fused(hit):
        score = 1 / (RRF_K + word_rank[id(hit)]) if id(hit) in word_rank else 0.0
        if (hit.kind, hit.pk) in meaning_rank:
            score += weight / (RRF_K + meaning_rank[(hit.kind, hit.pk)])
        return score

    # Each kind is re-ranked among the places its hits hold (a fused list would sink
    # every document below any record meaning voted for, their similarities not
    # being comparable); hits meaning added take places after the page's and are
    # ranked with their kind by meaning's vote alone.
    for kind in kinds:
        places = [n for n, hit in enumerate(hits) if hit.kind == kind]
        ordered = sorted((hits[n] for n in places), key=fused, reverse=True)
        for place, hit in zip(places, ordered, strict=True):
            hits[place] = hit
    results.hits = hits
    return results


def _added(vector, ranking, hits, kinds, room):
    """Hits meaning adds to a page whose words found too little: the nearest records
    not shown, then the nearest documents not shown, `room` (at most MAX_ADDED) in
    all. Records first: they are what most searches are for."""
    shown = {(hit.kind, hit.pk) for hit in hits}
    records = [pk for pk, similarity in ranking[:ADD_WITHIN]
               if similarity >= ADD_SIMILARITY and (KIND, pk) not in shown][:room]
    added = added_hits(records, dict(ranking))
    room = min(MAX_ADDED, room - len(added))
    if DOCUMENT in kinds and room > 0:
        documents = [(pk, number, similarity) for pk, number, similarity in nearest_documents(vector)
                     if (DOCUMENT, pk) not in shown][:room]
        added += added_documents([(pk, number) for pk, number, _ in documents],
                                 {pk: similarity for pk, _, similarity in documents})
    return added


def added_hits(ids, similarity):
    """Hits for records found only by meaning, in the order given, of those still
    published (a process's matrix may be a moment old)."""
    if not ids:
        return []
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
        hits.append(Hit(kind=KIND, pk=pk, title=row.title, url=display.get("url", ""), score=similarity[pk],
                        snippet=_plain_snippet(display.get("summary", "")), slug=display.get("slug", ""),
                        extra=display))
    return hits


def added_documents(wanted, similarity):
    """Hits for documents found only by meaning ([(document id, passage number)]), of
    those still visible (a process's matrix may be a moment old), the passage that came
    closest as the snippet."""
    if not wanted:
        return []
    from registry.search import entries as entry_source
    from registry.search.base import Hit

    documents = {d.pk: d for d in entry_source.visible_documents([pk for pk, _ in wanted])}
    hits = []
    for pk, number in wanted:
        document = documents.get(pk)
        if document is None:
            continue
        entry = entry_source.document_entry(document)
        passages = entry["passages"]
        display = dict(entry["display"], meaning_only=True, passage=number)
        hits.append(Hit(kind=DOCUMENT, pk=pk, title=entry["title"], url=display.get("url", ""),
                        score=similarity[pk],
                        snippet=_plain_snippet(passages[number] if number < len(passages) else ""), extra=display))
    return hits


def _plain_snippet(text):
    from html import escape

    text = " ".join((text or "").split())
    if len(text) <= SNIPPET_CHARS:
        return escape(text)
    return escape(text[:SNIPPET_CHARS].rsplit(" ", 1)[0]) + "…"
