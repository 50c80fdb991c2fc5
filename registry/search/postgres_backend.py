"""The PostgreSQL backend: the index is three tables in the registry's own
database (registry/models/search.py), so every app server sees the same index,
and a change is indexed in the transaction that makes it (signals write the rows
just before COMMIT), so a published record is searchable from every server the
moment its transaction commits.

How a query runs (a search ordered by relevance whose every match holds some of
its words is worked out in this process from the chunks it matched: see
_matched_here and matches.py; any other in one statement for hits, total and
facets, as below):
- The query string is read by registry/search/query_language.py into groups of
  words, phrases, AND / OR / NOT and fields, after synonyms are expanded. Each
  group becomes a tsquery (`plainto_tsquery`, or `phraseto_tsquery` for a phrase).
- Each group's chunks are found through the GIN index: a record's parts (title;
  methods, types and departments; other descriptive fields; summary and
  findings) and a document's title and ~300-word passages. The AND / OR / NOT of
  the query is then decided per entry, so a long document is matched whole (one
  word in chapter 1, another in chapter 5) while a phrase must sit inside one
  passage. Each passage's tsvector also holds the last words of the passage
  before it, so a phrase across a passage boundary still matches.
- Ranking reads which parts matched, never the vectors themselves (opening
  thousands of TOASTed vectors was most of a query's time): per group of words, a
  title match counts 1.0, methods/types/departments 0.4, summary and findings
  0.2, other fields 0.1, and a document's passages up to 0.2 as more of them match;
  groups are weighted by how rare they are (BM25's idf over the entries matched).
- Field queries: `title:` and `body:` choose the chunks; descriptive fields
  (`method:`, `place:`...) are also checked against the entry's own text of that
  field. Keyword fields (`department:dfe`, `stage:`, `year:`, `kind:`) and facet
  filters read the entry's arrays of values (in this process, its copy of them:
  facet_arrays.py), and facets are counted from them over every match.
- Snippets: a record's summary and findings; for a document, the passage (only
  for the hits shown) holding most of the query's words, read from the
  document's own text by offsets, so the index keeps no second copy of it.
- "Did you mean" looks up the index's words by trigram similarity (pg_trgm) and
  offers one only if a chunk still holds it, so words of drafts (never indexed)
  and of withdrawn records (removed) are never suggested.
"""
import json
import logging
import operator
import re
import zlib
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache, partial
from itertools import compress, islice, repeat

import numpy
from django.db import DatabaseError, connection, transaction
from rapidfuzz.distance import OSA
from whoosh.lang import stemmer_for_language

from registry.search import entries as entry_source
from registry.search import matches, meaning
from registry.search import query_language as ql
from registry.search.base import (
    FACET_FIELDS,
    FILTER_FACETS,
    Hit,
    SearchBackend,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
)
from registry.search.facet_arrays import ENTRY_KIND, FacetArrays
from registry.search.highlight import snippet
from registry.search.synonyms import Synonyms

logger = logging.getLogger("registry.search")

OVERLAP_WORDS = 30  # words of the previous passage also indexed at the start of each passage
TITLE, META, OTHER, BODY = -1, -2, -3, -4  # chunk numbers of a record's parts (passages count from 0)
# Field query -> the chunks its words may match in.
FIELD_CHUNKS = {"title": f"c.number = {TITLE}", "body": f"(c.number = {BODY} OR c.number >= 0)",
                "method": f"c.number = {META}", "type": f"c.number = {META}", "department_name": f"c.number = {META}",
                "organisation": f"c.number = {OTHER}", "programme": f"c.number = {OTHER}",
                "place": f"c.number = {OTHER}", "policy": f"c.number = {OTHER}"}
# What a group of words scores in an entry, from which chunks it matched (n: passages matched).
# The same score worked out in this process (matches.py) for searches decided by ids.
CHUNK_WEIGHTS = {TITLE: 1.0, META: 0.4, BODY: 0.2, OTHER: 0.1}
CHUNK_SCORE = ("max(CASE c.number "
               + " ".join(f"WHEN {number} THEN {weight}::float8" for number, weight in CHUNK_WEIGHTS.items())
               + " ELSE 0::float8 END) + 0.2::float8 * count(*) FILTER (WHERE c.number >= 0) "
               "/ (count(*) FILTER (WHERE c.number >= 0) + 3.0::float8)")
SPELL_WORD = re.compile(r"[^\W\d_]{3,60}")
FILTER_KEYS = ("type", "method", "department", "stage", "year", "kind", "programme", "place", "policy_area",
               "organisation")
# A record's descriptive fields share two chunks, each field's words under its own
# weight label, so `method:` matches only a method's words: the GIN index finds the
# words and the label is checked on its candidates. (Checking each candidate's own
# field text instead parsed it again per entry: 150 ms for 6,000 entries at 100,000.)
FIELD_PARTS = {META: ("method", "type", "department_name", None),
               OTHER: ("organisation", "programme", "place", "policy")}
FIELD_WEIGHTS = {field: "ABCD"[i] for fields in FIELD_PARTS.values() for i, field in enumerate(fields) if field}
PART = "\x1f"  # separates a field chunk's parts in the text sent to PostgreSQL
# A chunk's vector from x.number and x.indexed: a field chunk's four parts labelled A
# to D (D is also the label of unlabelled words), any other chunk's text as it is.
WEIGHTED_VECTOR = (
    f"CASE WHEN x.number IN ({META}, {OTHER}) THEN "
    + " || ".join(f"setweight(to_tsvector('english', split_part(x.indexed, E'\\x1f', {i + 1})), '{w}')"
                  for i, w in enumerate("ABCD"))
    + " ELSE to_tsvector('english', x.indexed) END")
KEYWORD_VALUES = {"department": ("filter_values", "department_kw"), "stage": ("facet_values", "stage"),
                  "year": ("facet_values", "year"), "doc_kind": ("facet_values", "kind")}
DESCRIPTIVE = ("method", "type", "department_name", "organisation", "programme", "place", "policy")
ENTRY = "registry_searchentry"
CHUNK = "registry_searchchunk"
WORD = "registry_searchword"
FREQUENT = "registry_searchfrequentstem"
FREQUENT_STEMS = 1000
# Ties keep the order entries were indexed in, as whoosh's do.
ORDERS = {"relevance": "rank DESC, id", "newest": "sort_date DESC, id", "oldest": "sort_date, id"}
REFINED = 50  # matches ranked again by BM25 (see _refined_sql)
BULK_CHUNKS = 500  # chunks written at once from which the GIN indexes are filled in bulk
GIN_INDEXES = ("search_chunk_vector", "search_chunk_pairs")
# The session's planner settings while a search runs (see PostgresBackend._reading).
# work_mem: a phrase of two common words matching 91,000 of 100,000 records spilled
# its aggregates to disk at the default 4 MB (396 against 269 ms).
SEARCH_SETTINGS = ("SET enable_seqscan = off; SET max_parallel_workers_per_gather = 0; SET jit = off; "
                   "SET work_mem = '32MB'")
SEARCH_SETTINGS_RESET = "RESET enable_seqscan; RESET max_parallel_workers_per_gather; RESET jit; RESET work_mem"
AVERAGE_TITLE, AVERAGE_BODY = 7, 150  # typical lengths in lexemes, for BM25's length normalisation
# Facet counts when no filter leaves a facet uncounted: every match's values. The
# values are unnested in the select list (one ProjectSet over the matches) rather
# than by a lateral unnest per match: 13 against 19 ms for 84,000 values of 9,000
# matches (psql, 10,000 records + 1,000 reports).
FACETS_OF_MATCHED = ("(SELECT json_agg(json_build_array(v, n)) FROM (SELECT v, count(*) AS n "
                     "FROM (SELECT unnest(facet_values) AS v FROM matched) AS values GROUP BY v) AS counts)", [], None)
# Facet counts left to this process (facet_arrays.py): the matches' ids, 8 bytes each.
ENTRY_FACETS = FacetArrays(ENTRY)
FACETS_BY_IDS = ("(SELECT string_agg(int8send(id), '') FROM matched)", [],
                 lambda cursor, value: ENTRY_FACETS.counts(cursor, numpy.frombuffer(bytes(value or b""), ">i8")))
_LEXEME = re.compile(r"'((?:[^']|'')+)'")


def _passages_with_overlap(passages):
    """(passage text, text its tsvector indexes): each passage's vector also holds
    the last OVERLAP_WORDS words of the one before, for phrases across the boundary."""
    previous = ""
    for text in passages:
        yield text, (previous + " " + text if previous else text)
        previous = " ".join(text.split()[-OVERLAP_WORDS:])


_PAIR_WORD = re.compile(r"[^\W_]+")
_stem = lru_cache(maxsize=200_000)(stemmer_for_language("en"))


def stems_of(text):
    """The text's words lower-cased and stemmed, stop words kept."""
    return [_stem(w) for w in _PAIR_WORD.findall((text or "").lower())]


def pair_hash(first, second):
    return zlib.crc32(f"{first} {second}".encode()) & 0x7FFFFFFF


def pair_hashes(text, frequent):
    """Sorted hashes of the text's adjacent pairs of stems that are both frequent.

    Chunks store them (GIN-indexed) and a phrase asks for its own: both sides are
    made here, so they agree whatever PostgreSQL's parser does. Only pairs of
    frequent stems are stored: a phrase holding a rarer word is found through that
    word's own index entry, in few enough chunks to check word positions. Storing
    every pair made the index 3.7 times the text of the benchmark's corpus."""
    return _frequent_words(frequent).pair_hashes(_PAIR_WORD.findall((text or "").lower()))


class _FrequentWords:
    """Pair hashing for one set of frequent stems, done mostly in C: a Python step
    per word (or per pair) made pair hashing most of ingest's own CPU.

    Each word seen is looked up once in a dict (map over dict.get) for its stem's
    number among the frequent stems, or -1; words never seen before are stemmed
    once. NumPy then finds the adjacent pairs of two frequent stems and their
    distinct pairs, and only those (about one in six of a report's pairs) are hashed,
    each pair once per process. Measured on 4,020 passages of the benchmark's
    reports: 1.3 s with a Python set of every pair, about 0.4 s this way."""

    LIMIT = 1_000_000  # words remembered before starting afresh

    def __init__(self, frequent):
        self.frequent = frequent
        self.stems = sorted(frequent)
        self.numbers = {stem: i for i, stem in enumerate(self.stems)}
        self.words: dict[str, int] = {}
        # Each pair's hash once computed, by pair number (first * n + second); -1 until
        # then. At most 1,000 frequent stems: a million entries, 4 MB.
        self.hashes = numpy.full(len(self.stems) ** 2, -1, dtype=numpy.int32)

    def _numbered(self, words):
        found = list(map(self.words.get, words))
        if None in found:
            if len(self.words) > self.LIMIT:
                self.words = {}
            for word in set(compress(words, map(operator.is_, found, repeat(None)))):
                self.words[word] = self.numbers.get(_stem(word), -1)
            found = list(map(self.words.get, words))
        return numpy.fromiter(found, dtype=numpy.int64, count=len(found))

    def pair_hashes(self, words):
        if len(words) < 2 or not self.stems:
            return []
        numbers = self._numbered(words)
        first, second = numbers[:-1], numbers[1:]
        both = (first >= 0) & (second >= 0)
        keys = numpy.unique(first[both] * len(self.stems) + second[both])
        hashes = self.hashes[keys]
        unknown = hashes < 0
        if unknown.any():
            for key in keys[unknown].tolist():
                a, b = divmod(key, len(self.stems))
                self.hashes[key] = pair_hash(self.stems[a], self.stems[b])
            hashes = self.hashes[keys]
        hashes.sort()
        return hashes.tolist()


@lru_cache(maxsize=4)
def _frequent_words(frequent):
    return _FrequentWords(frequent)


def _int_array(values):
    return "{" + ",".join(map(str, values)) + "}"


def _spell_words(*texts):
    words = set()
    for text in texts:
        words.update(SPELL_WORD.findall((text or "").lower()))
    return words


class PostgresBackend(SearchBackend):
    transactional = True
    _synonyms: tuple[tuple, Synonyms] | None = None  # (the table's rows, built from them)

    # -- writing -----------------------------------------------------------

    @contextmanager
    def _cursor(self):
        if connection.vendor != "postgresql":
            raise SearchUnavailable("The PostgreSQL search backend needs a PostgreSQL database.")
        with connection.cursor() as cursor:
            yield cursor

    @contextmanager
    def _reading(self):
        """A cursor whose queries find chunks through the GIN index. A chunk's row is a
        few dozen bytes (its vector lives in TOAST), so the planner thinks scanning
        the whole table is cheap, not counting that every vector must be fetched and
        decompressed to test it: ten times slower than the index on a 1,000-record
        test. Scans are switched off for the session while a search runs.

        So are parallel workers: the planner gives the word scans of a query of two
        rare words to two workers, and starting them took 10 of the statement's 19 ms
        on two cores (EXPLAIN ANALYZE at 10,000 records and 1,000 reports) for 7 ms of
        work; a search is many short statements, each best run by its own backend.

        And JIT compilation is off: a query matching most entries is estimated dear
        enough to be compiled, which took 700 ms for a 100 ms statement.

        Inside a transaction (a page that also writes, a test) the search runs in a
        savepoint, so a failed search leaves the transaction usable. Outside one it
        runs in a read-only REPEATABLE READ transaction: a search worked out in this
        process reads its chunks, the entries its copy lacks and its page in separate
        statements, which must all see the same entries (one replaced in between
        would be counted but missing from the page)."""
        outside = not connection.in_atomic_block
        with transaction.atomic(), self._cursor() as cursor:
            cursor.execute(("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; " if outside else "")
                           + SEARCH_SETTINGS)
            try:
                yield cursor
            except BaseException:
                # The failed statement has aborted the transaction or savepoint, and
                # rolling it back undoes the SET.
                raise
            cursor.execute(SEARCH_SETTINGS_RESET)

    def _delete(self, cursor, kind, ids):
        cursor.execute(
            f"WITH gone AS (DELETE FROM {ENTRY} WHERE kind = %s AND object_id = ANY(%s) RETURNING id) "
            f"DELETE FROM {CHUNK} WHERE entry_id IN (SELECT id FROM gone)", [kind, list(ids)])

    def _insert_entries(self, cursor, kind, found):
        """Insert entry rows; returns {object_id: entry id}."""
        if not found:
            return {}
        values = [self._values_of(e) for e in found]
        cursor.execute(
            f"INSERT INTO {ENTRY} (kind, object_id, title, body, fields, facet_values, filter_values, sort_date, "
            "display, stamp) "
            "SELECT %s, x.object_id, x.title, x.body, x.fields::jsonb, "
            "array(SELECT jsonb_array_elements_text(x.facet_values::jsonb)), "
            "array(SELECT jsonb_array_elements_text(x.filter_values::jsonb)), x.sort_date, x.display::jsonb, x.stamp "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::int[], "
            "%s::text[], %s::text[]) AS x(object_id, title, body, fields, facet_values, filter_values, sort_date, "
            "display, stamp) "
            "RETURNING object_id, id",
            [kind,
             [e["pk"] for e in found],
             [e["title"] for e in found],
             # No copy of a record's text (snippets read it from the record: see _search).
             [""] * len(found),
             [json.dumps({name: e.get(name, "") for name in DESCRIPTIVE} if kind == "evaluation" else {})
              for e in found],
             [json.dumps(facet) for facet, _ in values],
             [json.dumps(other) for _, other in values],
             [int(e.get("sort_date") or 0) for e in found],
             [json.dumps(e["display"]) for e in found],
             [entry_source.stamp(e) for e in found]])
        return dict(cursor.fetchall())

    @staticmethod
    def _values_of(entry):
        """("key:value" facet values, "key:value" filter-only values) of an entry."""
        facet = [f"{key}:{v}" for key in FACET_FIELDS for v in entry.get(f"f_{key}") or []]
        other = [f"{key}:{v}" for key in FILTER_KEYS if key not in FACET_FIELDS for v in entry.get(f"f_{key}") or []]
        other += [f"department_kw:{v.lower()}" for v in entry.get("department") or []]
        return facet, other

    def _add_words(self, cursor, words):
        if words:
            # Sorted, so concurrent writers take the new words' row locks in one order.
            cursor.execute(
                f"INSERT INTO {WORD} (word) SELECT w FROM unnest(%s::text[]) AS w "
                f"WHERE NOT EXISTS (SELECT 1 FROM {WORD} s WHERE s.word = w) ON CONFLICT DO NOTHING",
                [sorted(words)])

    def _frequent(self, cursor):
        cursor.execute(f"SELECT stem FROM {FREQUENT}")
        return frozenset(row[0] for row in cursor.fetchall())

    def _choose_frequent(self, cursor):
        """Store the FREQUENT_STEMS stems most frequent in a sample of what is about to
        be indexed (the first records and documents, in id order)."""
        from collections import Counter

        counts = Counter()
        for entry in islice(entry_source.evaluation_entries(), 2000):
            counts.update(stems_of(" ".join([entry["title"], entry["body"], entry["method"]])))
        for entry in islice(entry_source.document_entries(), 20):
            counts.update(stems_of(" ".join(entry["passages"])))
        chosen = [stem for stem, _ in counts.most_common(FREQUENT_STEMS) if len(stem) <= 60]
        cursor.execute(f"DELETE FROM {FREQUENT}")
        cursor.execute(f"INSERT INTO {FREQUENT} (stem) SELECT unnest(%s::text[])", [chosen])
        return frozenset(chosen)

    def _insert_chunks(self, cursor, entry_ids, numbers, indexed, spans=None, frequent=None):
        """Insert the chunks; returns the distinct words (lower-cased) of their texts."""
        spans = spans or [(0, 0)] * len(entry_ids)
        frequent = self._frequent(cursor) if frequent is None else frequent
        with self._filling_in_bulk(cursor, len(entry_ids)):
            return self._insert_chunk_rows(cursor, entry_ids, numbers, indexed, spans, frequent)

    @contextmanager
    def _filling_in_bulk(self, cursor, rows):
        """A large write (an ingest batch, a rebuild) fills the chunks' GIN indexes in
        bulk: its new entries wait in each index's pending list, raised for this
        transaction only, and are then moved into the index in one sorted pass
        (gin_clean_pending_list), instead of a merge every 4 MB (the default
        gin_pending_list_limit) inside the inserts. Measured on 50 reports (9.9 MB):
        7.7 to 8.2 s to store and index them, against 5.5 s plus 0.9 s for the bulk
        move. Searches never see a long pending list: it is emptied before commit.
        Only the indexes' owner may empty them; another role writes as before."""
        if rows < BULK_CHUNKS or not self._owns_indexes(cursor):
            yield
            return
        cursor.execute("SET LOCAL gin_pending_list_limit = '1GB'")
        yield
        cursor.execute("SELECT gin_clean_pending_list(i::regclass) FROM unnest(%s::text[]) AS i", [list(GIN_INDEXES)])
        cursor.execute("SET LOCAL gin_pending_list_limit TO DEFAULT")

    def _owns_indexes(self, cursor):
        cursor.execute("SELECT coalesce(bool_and(pg_has_role(c.relowner, 'USAGE')), false) FROM pg_class c "
                       "WHERE c.oid = ANY(%s::regclass[])", [list(GIN_INDEXES)])
        return cursor.fetchone()[0]

    def _insert_chunk_rows(self, cursor, entry_ids, numbers, indexed, spans, frequent):
        # Each text's words found once, for its pairs and for the batch's distinct words.
        hashing, distinct, pairs = _frequent_words(frequent), set(), []
        for text in indexed:
            words = _PAIR_WORD.findall((text or "").lower())
            distinct.update(words)
            pairs.append(_int_array(hashing.pair_hashes(words)))
        cursor.execute(
            f"INSERT INTO {CHUNK} (entry_id, number, start, \"end\", vector, pairs) "
            f"SELECT x.entry_id, x.number, x.start, x.stop, {WEIGHTED_VECTOR}, x.pairs::int[] "
            "FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::int[], %s::text[], %s::text[]) "
            "AS x(entry_id, number, start, stop, indexed, pairs) WHERE x.indexed <> ''",
            # Hyphens as spaces on both sides (see _unhyphenated): PostgreSQL reads
            # "post-16" in text as 'post' and the number '-16', which "16" never meets.
            [entry_ids, numbers, [a for a, _ in spans], [b for _, b in spans], [_unhyphenated(t) for t in indexed],
             pairs])
        return distinct

    def _write_evaluations(self, cursor, found, frequent=None):
        ids = self._insert_entries(cursor, "evaluation", found)
        entry_ids, numbers, indexed = [], [], []
        for e in found:
            parts = {
                TITLE: e["title"],
                META: _field_parts([e["method"], e["type"], e["department_name"], " ".join(e["department"])]),
                OTHER: _field_parts([e["organisation"], e["programme"], e["place"], e["policy"]]),
                BODY: e["body"],
            }
            for number, text in parts.items():
                entry_ids.append(ids[e["pk"]])
                numbers.append(number)
                indexed.append(text)
        if entry_ids:
            self._insert_chunks(cursor, entry_ids, numbers, indexed, frequent=frequent)
        self._add_words(cursor, _spell_words(*(part for e in found for part in (e["title"], e["body"], e["method"]))))

    def _write_documents(self, cursor, found, frequent=None):
        ids = self._insert_entries(cursor, "document", found)
        entry_ids, numbers, indexed, spans = [], [], [], []
        for entry in found:
            entry_ids.append(ids[entry["pk"]])
            numbers.append(TITLE)
            indexed.append(entry["title"])
            spans.append((0, 0))
            entry_spans = entry.get("spans") or [(0, 0)] * len(entry["passages"])
            for number, ((_, vector_text), span) in enumerate(
                    zip(_passages_with_overlap(entry["passages"]), entry_spans, strict=True)):
                entry_ids.append(ids[entry["pk"]])
                numbers.append(number)
                indexed.append(vector_text)
                spans.append(span)
        if entry_ids:
            # "Did you mean" words: those of the titles and passages, read from the
            # words already found for the pairs (a second pass over the text cost
            # 0.25 s per 10 MB). Letters only, as _spell_words finds them.
            distinct = self._insert_chunks(cursor, entry_ids, numbers, indexed, spans, frequent=frequent)
            self._add_words(cursor, _spell_words(" ".join(distinct)))

    def _indexed_ids(self, cursor, kind, ids):
        cursor.execute(f"SELECT object_id FROM {ENTRY} WHERE kind = %s AND object_id = ANY(%s)", [kind, list(ids)])
        return {row[0] for row in cursor.fetchall()}

    def index_evaluations(self, ids):
        ids = {int(i) for i in ids}
        if not ids:
            return
        found = list(entry_source.evaluation_entries(ids))
        with transaction.atomic(), self._cursor() as cursor:
            before = self._indexed_ids(cursor, "evaluation", ids)
            self._delete(cursor, "evaluation", ids)
            self._write_evaluations(cursor, found)
            meaning.write_records(found, ids)
        flipped = before ^ {e["pk"] for e in found}
        if flipped:
            # Documents follow the records they support: publishing or unpublishing
            # a record can show or hide its documents.
            from registry.models import Document

            links = Document.evaluations.through.objects.filter(evaluation_id__in=flipped)
            self.index_documents(links.values_list("document_id", flat=True))

    def index_documents(self, ids):
        ids = {int(i) for i in ids}
        if not ids:
            return
        found = list(entry_source.document_entries(ids))
        with transaction.atomic(), self._cursor() as cursor:
            self._delete(cursor, "document", ids)
            self._write_documents(cursor, found)
            meaning.write_documents(found, ids)

    def remove(self, kind, ids):
        with transaction.atomic(), self._cursor() as cursor:
            self._delete(cursor, kind, {int(i) for i in ids})
            meaning.remove(kind, ids)

    def rebuild(self, progress=None, procs=None):
        """Recreate the index from the database in one transaction: searches go on
        reading the old rows until it commits."""
        count = 0
        with transaction.atomic(), self._cursor() as cursor:
            cursor.execute(f"DELETE FROM {CHUNK}")
            cursor.execute(f"DELETE FROM {ENTRY}")
            cursor.execute(f"DELETE FROM {WORD}")
            frequent = self._choose_frequent(cursor)
            for kind, source, write, size in (
                ("evaluation", meaning.rebuilding(entry_source.evaluation_entries()), self._write_evaluations, 500),
                ("document", meaning.rebuilding(entry_source.document_entries(), meaning.DOCUMENT),
                 self._write_documents, 20),
            ):
                batch = []
                for entry in source:
                    batch.append(entry)
                    if len(batch) >= size:
                        write(cursor, batch, frequent)
                        count += self._report(progress, kind, batch)
                        batch = []
                write(cursor, batch, frequent)
                count += self._report(progress, kind, batch)
        return count

    @staticmethod
    def _report(progress, kind, batch):
        if progress:
            for entry in batch:
                progress(kind, entry["pk"])
        return len(batch)

    def save_synonyms(self, pairs=None):
        """Synonyms are read from their table at query time: nothing to write."""

    def synonyms(self):
        """The table's synonyms, read at every search (so every app server has the
        current ones) but built into a Synonyms only when they differ from the last
        read: building copies the thousands of built-in spellings (2 ms a search)."""
        from registry.models import MethodSynonym

        pairs = tuple(MethodSynonym.objects.order_by("term", "expansion").values_list("term", "expansion"))
        cached = self._synonyms
        if cached is None or cached[0] != pairs:
            cached = self._synonyms = (pairs, Synonyms(pairs))
        return cached[1]

    def indexed_versions(self) -> dict:
        with self._cursor() as cursor:
            cursor.execute(f"SELECT kind, object_id, stamp FROM {ENTRY}")
            return {(kind, pk): stamp for kind, pk, stamp in cursor.fetchall()}

    def index_size(self) -> int:
        with self._cursor() as cursor:
            cursor.execute("SELECT sum(pg_total_relation_size(t::regclass)) FROM unnest(%s::text[]) AS t",
                           [[ENTRY, CHUNK, WORD]])
            return int(cursor.fetchone()[0] or 0)

    # -- reading -----------------------------------------------------------

    def parse_message(self, text):
        return ql.parse(text)[1]

    def _tsqueries(self, cursor, leaves):
        """Each Text leaf's tsquery as text ("" when it holds only stop words)."""
        texts = [leaf for leaf in leaves if isinstance(leaf, ql.Text)]
        if not texts:
            return {}
        cursor.execute(
            "SELECT CASE WHEN x.phrase THEN phraseto_tsquery('english', x.words) "
            "ELSE plainto_tsquery('english', x.words) END::text "
            "FROM unnest(%s::text[], %s::bool[]) WITH ORDINALITY AS x(words, phrase, n) ORDER BY x.n",
            [[_unhyphenated(leaf.words) for leaf in texts], [leaf.phrase for leaf in texts]])
        out = {}
        for leaf, (tsquery,) in zip(texts, cursor.fetchall(), strict=True):
            out[leaf] = tsquery
        return out

    def _prune(self, node, tsqueries):
        """The tree without word groups that hold only stop words."""
        if isinstance(node, ql.Text):
            return node if tsqueries.get(node) else None
        if isinstance(node, ql.Keyword):
            return node
        if isinstance(node, ql.Not):
            child = self._prune(node.child, tsqueries)
            return ql.Not(child) if child is not None else None
        children = tuple(c for c in (self._prune(c, tsqueries) for c in node.children) if c is not None)
        if not children:
            return None
        return children[0] if len(children) == 1 else type(node)(children)

    def _filters(self, query):
        """[(facets the filter leaves uncounted, SQL, params)] of the query's facet
        filters (OR within one filter, AND across), and the kinds' (SQL, params)."""
        out = []
        for key, values in (query.filters or {}).items():
            values = [values] if isinstance(values, str) else [str(v) for v in values if v]
            if key not in FILTER_KEYS or not values:
                continue
            if key == "method":  # a parent includes its children: types and methods both
                sql, params = "e.facet_values && %s::text[]", [[f"{k}:{v}" for v in values for k in ("method", "type")]]
            elif key == "department":  # a code or its acronym ("dfe")
                sql = "(e.facet_values && %s::text[] OR e.filter_values && %s::text[])"
                params = [[f"department:{v}" for v in values], [f"department_kw:{v.lower()}" for v in values]]
            else:
                column = "facet_values" if key in FACET_FIELDS else "filter_values"
                sql, params = f"e.{column} && %s::text[]", [[f"{key}:{v}" for v in values]]
            out.append((FILTER_FACETS.get(key, ()), sql, params))
        kinds = [k for k in query.kinds if k in ("evaluation", "document")]
        return out, ("e.kind = ANY(%s)", [kinds or ["evaluation", "document"]])

    def _matched_from(self, source, condition, condition_params, query, columns, by_ids=False):
        """(CTEs ending in `matched` and, when facets are counted under filters, in
        `unfiltered`, params, facet SQL). A filter narrows the hits but not the counts
        of its own facet's values, so each count says what ticking that value would
        add (OR within a facet, AND across them)."""
        filters, (kind_sql, kind_params) = self._filters(query)
        wanted = f"e.id, e.object_id, e.sort_date, e.facet_values, {columns}"
        if not (query.facets and any(excluded for excluded, _, _ in filters)):
            params = list(condition_params)
            where = [condition] if condition else []
            for _, sql, filter_params in filters:
                where.append(sql)
                params += filter_params
            if kind_sql:
                where.append(kind_sql)
                params += kind_params
            where_sql = f" WHERE {' AND '.join(where)}" if where else ""
            sql = f"matched AS MATERIALIZED (SELECT {wanted} FROM {source}{where_sql})"
            return sql, params, FACETS_BY_IDS if by_ids else FACETS_OF_MATCHED
        flags = "".join(f", {sql} AS f{i}" for i, (_, sql, _) in enumerate(filters))
        params = [p for _, _, filter_params in filters for p in filter_params] + list(condition_params) + kind_params
        where = " AND ".join(([condition] if condition else []) + ([kind_sql] if kind_sql else []))
        every = " AND ".join(f"f{i}" for i in range(len(filters)))
        sql = (f"unfiltered AS MATERIALIZED (SELECT {wanted}{flags} FROM {source}"
               f"{f' WHERE {where}' if where else ''}), "
               f"matched AS MATERIALIZED (SELECT * FROM unfiltered WHERE {every})")
        # A value is counted over the entries passing every filter but its own facet's.
        if by_ids and len(filters) < 16:
            # Each entry's id (8 bytes) and which filters it passes (2 bytes, bit i: filter
            # i): this process counts the values from its arrays (facet_arrays.py),
            # instead of unnesting every value of every entry and checking its facet.
            bits = " | ".join(f"(f{i}::int << {i})" for i in range(len(filters)))
            facet_sql = f"(SELECT string_agg(int8send(id) || int2send(({bits})::int2), '') FROM unfiltered)"
            return sql, params, (facet_sql, [], partial(_counted_with_filters,
                                                        excluded=[set(e) for e, _, _ in filters]))
        keep = " AND ".join(
            f"(f{i} OR split_part(v, ':', 1) = ANY(%s))" if excluded else f"f{i}"
            for i, (excluded, _, _) in enumerate(filters))
        facet_params = [list(excluded) for excluded, _, _ in filters if excluded]
        facet_sql = ("(SELECT json_agg(json_build_array(v, n)) FROM (SELECT v, count(*) AS n "
                     f"FROM (SELECT unfiltered.*, unnest(facet_values) AS v FROM unfiltered) AS values "
                     f"WHERE {keep} GROUP BY v) AS counts)")
        return sql, params, (facet_sql, facet_params, None)

    def _condition(self, node, columns, tsqueries, params):
        """SQL deciding the query's AND / OR / NOT for an entry, from which groups of
        words matched its chunks (`columns`: {Text leaf: column of m}) and its own
        fields (read from entry `e`)."""
        if isinstance(node, ql.Text):
            return f"coalesce(m.{columns[node]}, false)"
        if isinstance(node, ql.Keyword):
            sql, sql_params = _keyword_sql(node)
            params += sql_params
            return sql
        if isinstance(node, ql.Not):
            return f"NOT {self._condition(node.child, columns, tsqueries, params)}"
        joiner = " AND " if isinstance(node, ql.And) else " OR "
        return "(" + joiner.join(self._condition(c, columns, tsqueries, params) for c in node.children) + ")"

    def _phrase_frequent(self, cursor, tree):
        """Which stems of the query's phrases are frequent (their pairs stored); no
        query when it has no phrase."""
        stems = {stem for leaf in ql.leaves(tree) if isinstance(leaf, ql.Text) and leaf.phrase
                 for stem in stems_of(leaf.words)}
        if not stems:
            return frozenset()
        cursor.execute(f"SELECT stem FROM {FREQUENT} WHERE stem = ANY(%s)", [sorted(stems)])
        return frozenset(row[0] for row in cursor.fetchall())

    @staticmethod
    def _decided_by_ids(tree, query):
        """Whether a search can be decided from ids alone, never looking up its
        matching entries: ordered by relevance, and every entry it finds holds some
        of its words. It is then worked out in this process from the chunks its
        words matched (_matched_here, matches.py): its fields of the entries' own
        values (department:, stage:, year:, doc_kind:), its filters and the kinds
        asked for are read from this process's copy of the entries' values, which
        also counts its facets (facet_arrays.py). Looking up each match instead cost
        4 us an entry: 100 ms for a word in a quarter of 100,000 records."""
        return query.sort not in ("newest", "oldest") and not _possible_without_words(tree)

    def _matched_sql(self, tree, tsqueries, query, frequent=frozenset(), cursor=None):
        """(SQL of a CTE list ending in `matched`, params, facets' (SQL, params,
        counter)). `frequent`: which of the phrases' stems have their pairs stored.
        `cursor` (the search's own): the facets are counted with `counter(cursor,
        value of the facets' SQL)` when it is not None (from this process's arrays:
        facet_arrays.py); None: the SQL gives JSON counts. Searches decided by ids
        take _matched_here instead."""
        params = []
        texts = _text_leaves(tree)
        if not texts:  # only keyword fields, or everything
            condition = self._condition(tree, {}, tsqueries, params) if tree is not None else ""
            return self._matched_from(f"{ENTRY} e", condition, params, query, "0::float AS rank", cursor is not None)
        columns = {leaf: f"l{i}" for i, leaf in enumerate(texts)}
        # One GIN scan per group of words, reading only which chunks matched.
        scans = []
        for i, leaf in enumerate(texts):
            match, match_params = _chunks_matching(leaf, tsqueries[leaf], frequent)
            scans.append(f"SELECT c.entry_id, {i} AS leaf, {CHUNK_SCORE} AS score, "
                         "count(*) FILTER (WHERE c.number >= 0) AS passages, "
                         f"min(c.number) FILTER (WHERE c.number >= 0) AS first FROM {CHUNK} c "
                         f"WHERE {match} GROUP BY c.entry_id")
            params += match_params
        flags = "".join(f", bool_or(h.leaf = {i}) AS {columns[leaf]}" for i, leaf in enumerate(texts))
        # Per entry: the rank and which groups of words it matched. One group's hits
        # already are one row an entry (and the planner then knows how many).
        m = ("SELECT h.entry_id, h.score * (SELECT idf FROM idf) AS rank, true AS l0 FROM hits h"
             if len(texts) == 1 else
             f"SELECT h.entry_id, sum(h.score * idf.idf) AS rank{flags} FROM hits h JOIN idf USING (leaf) "
             "GROUP BY h.entry_id")
        # Rarer groups of words count for more: BM25's idf, over the entries each group matched.
        ctes = (f"hits AS MATERIALIZED ({' UNION ALL '.join(scans)}), "
                "stats AS (SELECT leaf, count(*)::float8 AS df, (SELECT reltuples::float8 FROM pg_class "
                f"WHERE oid = '{ENTRY}'::regclass) AS n FROM hits GROUP BY leaf), "
                "idf AS (SELECT leaf, df, ln(1 + (greatest(n, df) - df + 0.5) / (df + 0.5)) AS idf FROM stats), "
                f"m AS ({m})")
        # Entries matching none of the words can still satisfy e.g. "NOT x" or "a OR stage:complete".
        condition_params = []
        # One group of words: having hits is the whole condition.
        condition = "" if isinstance(tree, ql.Text) else self._condition(tree, columns, tsqueries, condition_params)
        if _possible_without_words(tree):
            source = f"{ENTRY} e LEFT JOIN m ON m.entry_id = e.id"
        else:
            # Each matched entry looked up by its key (the fence, OFFSET 0, keeps it a
            # lookup): a hash join read every entry, wide rows spilling to disk, and
            # took a corrected word's search at 10,000 records + 1,000 reports from 23
            # to 36 ms; lookups cost about as much as it even when every entry matches.
            source = (f"m CROSS JOIN LATERAL (SELECT id, kind, object_id, sort_date, facet_values, filter_values "
                      f"FROM {ENTRY} WHERE id = m.entry_id OFFSET 0) AS e")
        matched, matched_params, facets = self._matched_from(
            source, condition, condition_params, query, "coalesce(m.rank, 0) AS rank", cursor is not None)
        return ctes + ", " + matched, params + matched_params, facets

    def _refined_sql(self, tree, tsqueries, shown):
        """(CTEs ending in `ranked`, params): the first REFINED matches by the cheap
        rank, ranked again by BM25 (k1 1.2, b 0.75, title boosted 4, methods 2, as the
        whoosh backend ranks) from their parts' real word counts, which means opening
        their vectors: affordable for a hundred entries, not for every match. A
        document's passages count as its body, passages matched standing for the
        word's frequency. Later pages keep the cheap order after the refined ones, so
        `ranked` holds the refined entries and the next `shown` by the cheap rank,
        not every match joined with its refined score (11,000 rows for a common word).
        Refined entries are among the first REFINED by the cheap rank, so the first
        REFINED + `shown` (`foremost`) hold every entry `ranked` needs."""
        terms = [(i, lexeme) for i, leaf in enumerate(_text_leaves(tree)) for lexeme in _lexemes(tsqueries[leaf])]
        boost = f"CASE p.number WHEN {TITLE} THEN 4 WHEN {META} THEN 2 ELSE 1 END"
        average = (f"CASE p.number WHEN {TITLE} THEN {AVERAGE_TITLE} WHEN {META} THEN 20 WHEN {OTHER} THEN 15 "
                   f"ELSE {AVERAGE_BODY} END")
        sql = (
            # The matches that can be shown: the REFINED ranked again, then the next
            # `shown` by the cheap rank. One top-N sort of every match, not one for
            # the refined and one for the rest (11 ms each at 91,000 matches).
            f"foremost AS MATERIALIZED (SELECT id, rank, sort_date FROM matched ORDER BY {ORDERS['relevance']} "
            "LIMIT %s), "
            # Documents' lengths in words, read for these entries only.
            f"top_k AS (SELECT k.id, coalesce((e.display->>'words')::float8, 0) AS words FROM (SELECT id FROM foremost "
            f"ORDER BY {ORDERS['relevance']} LIMIT {REFINED}) AS k JOIN {ENTRY} e ON e.id = k.id), "
            "terms AS (SELECT * FROM unnest(%s::int[], %s::text[]) AS t(leaf, lexeme)), "
            "parts AS (SELECT c.entry_id, c.number, length(c.vector)::float8 AS len, u.lexeme, "
            "coalesce(array_length(u.positions, 1), 1)::float8 AS tf "
            f"FROM top_k k JOIN {CHUNK} c ON c.entry_id = k.id AND c.number < 0 "
            # Only the query's lexemes unnested: marked (weight A, the rest D) and kept by
            # ts_filter in C first. Unnesting every lexeme of the 200 parts of the first 50
            # records took 5.1 ms, this 1.1 ms.
            "CROSS JOIN LATERAL unnest(ts_filter(setweight(setweight(c.vector, 'D'), 'A', %s::text[]), '{a}')) AS u), "
            "bm AS (SELECT entry_id, leaf, sum(s) AS s FROM ("
            f"SELECT p.entry_id, t.leaf, {boost} * p.tf * 2.2 / (p.tf + 1.2 * (0.25 + 0.75 * p.len / {average})) AS s "
            "FROM parts p JOIN terms t ON t.lexeme = p.lexeme "
            # A document's body: a passage matched stands for one occurrence, and its
            # length in lexemes is about 0.6 of its words, as a record's summary's is.
            "UNION ALL SELECT h.entry_id, h.leaf, h.passages * 2.2 / (h.passages + 1.2 * (0.25 + 0.75 * "
            f"0.6 * k.words / {AVERAGE_BODY})) "
            "FROM hits h JOIN top_k k ON k.id = h.entry_id WHERE h.passages > 0) AS x GROUP BY entry_id, leaf), "
            "refined AS (SELECT bm.entry_id, sum(bm.s * idf.idf) AS refined FROM bm JOIN idf USING (leaf) "
            "GROUP BY bm.entry_id), "
            "ranked AS (SELECT f.id, f.rank, f.sort_date, r.refined FROM refined r "
            "JOIN foremost f ON f.id = r.entry_id "
            "UNION ALL SELECT * FROM (SELECT id, rank, sort_date, NULL::float8 FROM foremost "
            f"WHERE id NOT IN (SELECT entry_id FROM refined) ORDER BY {ORDERS['relevance']} LIMIT %s) AS rest)")
        return sql, [REFINED + shown, [i for i, _ in terms], [lexeme for _, lexeme in terms],
                     [lexeme for _, lexeme in terms], shown]

    def run_search(self, query: SearchQuery) -> SearchResults:
        try:
            return self._search(query)
        except DatabaseError as error:
            logger.exception("PostgreSQL search failed")
            raise SearchUnavailable(str(error)) from error

    def _parsed(self, cursor, text, synonyms):
        """(pruned tree, {leaf: tsquery}, message, nothing-to-search flag)."""
        tree, message = ql.parse(synonyms.expand(text) if text else text)
        if not message:
            message = ql.parse(text)[1]
        if ql.matches_nothing(tree):
            return None, {}, message, True
        if tree is None:
            return None, {}, message, False
        tsqueries = self._tsqueries(cursor, ql.leaves(tree))
        pruned = self._prune(tree, tsqueries)
        if pruned is None:
            return None, {}, message or ql.MESSAGE_NO_WORDS, True
        return pruned, tsqueries, message, False

    def _search(self, query):
        page_size = max(1, min(int(query.page_size or 20), 100))
        page = max(1, int(query.page or 1))
        with self._reading() as cursor:
            synonyms = self.synonyms()
            tree, tsqueries, message, nothing = self._parsed(cursor, query.text, synonyms)
            if nothing:
                return SearchResults(hits=[], total=0, page=page, page_size=page_size,
                                     facets={name: [] for name in FACET_FIELDS} if query.facets else {},
                                     error=message)
            frequent = self._phrase_frequent(cursor, tree)
            here = None
            if _text_leaves(tree) and self._decided_by_ids(tree, query):
                here = self._matched_here(cursor, tree, tsqueries, query, frequent, page * page_size)
                ctes, params = here["ctes"], list(here["params"])
                facet_sql, facet_params, counted = "NULL", [], None
                count_sql = leaves_sql = firsts_sql = "NULL"
            else:
                ctes, params, (facet_sql, facet_params, counted) = self._matched_sql(
                    tree, tsqueries, query, frequent, cursor=cursor)
                count_sql = "(SELECT count(*) FROM matched)"
                # Which groups of words some chunk holds: their words need no check
                # before "Did you mean" (proving a common word live scans its whole posting list).
                leaves_sql = "(SELECT json_agg(leaf) FROM stats)" if "hits AS" in ctes else "NULL"
                # Where in each shown document each group of words first matched: its snippet's candidates.
                firsts_sql = ("(SELECT json_agg(json_build_array(h.entry_id, h.first)) FROM hits h "
                              "WHERE h.first IS NOT NULL AND h.entry_id IN (SELECT id FROM top))"
                              if "hits AS" in ctes else "NULL")
            order = ORDERS.get(query.sort, ORDERS["relevance"])
            source, score, refined_column = "matched", "rank", ""
            if query.sort not in ("newest", "oldest") and "hits AS" in ctes:
                refined, refined_params = self._refined_sql(tree, tsqueries, page * page_size)
                ctes, params = f"{ctes}, {refined}", params + refined_params
                source, score, order = "ranked", "coalesce(refined, rank)", "refined DESC NULLS LAST, " + order
                refined_column = "refined, "
            if not query.facets:
                facet_sql, facet_params = "NULL", []
            sql = (
                # The page is cut first (a top-N sort) and numbered after, so only
                # its rows are sorted in full, not every match.
                f"WITH {ctes}, top AS (SELECT *, row_number() OVER (ORDER BY {order}) AS n FROM ("
                f"SELECT id, rank, sort_date, {refined_column}{score} AS shown FROM {source} "
                f"ORDER BY {order} LIMIT %s OFFSET %s) AS page) "
                f"SELECT {count_sql}, "
                "(SELECT json_agg(json_build_array(e.id, e.kind, e.object_id, e.title, e.display, top.shown, "
                # A record's summary and findings for its snippet, read from the record
                # itself (the index keeps no copy), in the same statement.
                "(SELECT json_build_array(ev.summary, (SELECT json_agg(json_build_array(f.intervention, "
                "f.outcome, f.comparison, f.statement) ORDER BY f.position, f.id) FROM registry_finding f "
                "WHERE f.evaluation_id = ev.id)) FROM registry_evaluation ev "
                "WHERE e.kind = 'evaluation' AND ev.id = e.object_id)) "
                f"ORDER BY top.n) FROM top JOIN {ENTRY} e ON e.id = top.id), {facet_sql}, {leaves_sql}, {firsts_sql}")
            params += [page_size, (page - 1) * page_size] + facet_params
            cursor.execute(sql, params)
            total, rows, facet_rows, found_leaves, firsts = cursor.fetchone()
            rows = _json(rows) or []
            if here is not None:
                total, facet_rows, found_leaves, firsts = (here["total"], here["facets"], here["leaves"],
                                                           here["firsts"])
            elif counted is not None and query.facets:
                facet_rows = counted(cursor, facet_rows)
            stems = {lexeme for tsquery in tsqueries.values() for lexeme in _lexemes(tsquery)}
            passages = self._best_passages(cursor, [r[0] for r in rows if r[1] == "document"], stems,
                                           _json(firsts) or [])
            texts = _text_leaves(tree)
            live = {word for i in _json(found_leaves) or [] for word in _typed_words(texts[i].words)}
            suggestion = self._suggest(cursor, query.text, synonyms, live) if tree is not None else ""
        hits = []
        for entry_id, kind, pk, title, display, rank, record in rows:
            display = dict(display or {})
            text = entry_source.body_of(record[0], record[1] or []) if record else ""
            if kind == "document":
                display["passage"], text = passages.get(entry_id, (0, ""))
            hits.append(Hit(kind=kind, pk=pk, title=title, url=display.get("url", ""), score=float(rank or 0),
                            snippet=snippet(text, stems), slug=display.get("slug", ""), extra=display))
        facets = self._facets(_json(facet_rows) or []) if query.facets else {}
        return SearchResults(hits=hits, total=total, page=page, page_size=page_size, facets=facets,
                             suggestion=suggestion, error=message)

    def _matched_here(self, cursor, tree, tsqueries, query, frequent, shown):
        """A search decided by ids (see _decided_by_ids), worked out in this process
        (matches.py): one statement finds each group of words' chunks; their entries,
        scores, the AND / OR / NOT, fields, filters, total and facet counts are worked
        out here. Returns the total, facet counts, groups found and first passages,
        and the CTEs (`idf`, `hits` of the first REFINED matches, `matched`: the
        first REFINED + `shown` by rank) that _refined_sql ranks again and the page
        is cut from."""
        texts = _text_leaves(tree)
        scans, params = [], []
        for i, leaf in enumerate(texts):
            match, match_params = _chunks_matching(leaf, tsqueries[leaf], frequent)
            scans.append(f"SELECT {i} AS leaf, string_agg(int8send({matches.CHUNK_KEY}), '') "
                         f"AS chunks FROM {CHUNK} c WHERE {match}")
            params += match_params
        cursor.execute(f"SELECT (SELECT reltuples::float8 FROM pg_class WHERE oid = '{ENTRY}'::regclass), "
                       f"s.leaf, s.chunks FROM ({' UNION ALL '.join(scans)}) AS s ORDER BY s.leaf", params)
        fetched = cursor.fetchall()
        hits = [matches.leaf_hits(chunks, CHUNK_WEIGHTS) for _, _, chunks in fetched]
        entries = fetched[0][0] if fetched else 0
        universe = hits[0].ids if len(hits) == 1 else numpy.unique(numpy.concatenate([h.ids for h in hits]))
        leaf_masks = {leaf: matches.present(universe, h.ids) for leaf, h in zip(texts, hits, strict=True)}
        idfs = [matches.idf(len(h.ids), entries) for h in hits]
        rank = numpy.zeros(len(universe))
        for leaf, h, weight in zip(texts, hits, idfs, strict=True):
            rank[leaf_masks[leaf]] += h.score * weight
        # Fields of the entries' own values, then filters: which entries hold their values.
        keywords = list(dict.fromkeys(leaf for leaf in ql.leaves(tree) if isinstance(leaf, ql.Keyword)))
        filters = self._filters(query)[0]
        kinds = [kind for kind in ("evaluation", "document") if kind in query.kinds] or ["evaluation", "document"]
        value_sets = ([[value for values in _keyword_sql(leaf)[1] for value in values] for leaf in keywords]
                      + [[value for values in filter_params for value in values] for _, _, filter_params in filters]
                      + ([[f"{ENTRY_KIND}:{kind}" for kind in kinds]] if len(kinds) == 1 else []))
        held = ENTRY_FACETS.holding(cursor, universe, value_sets) if value_sets else []
        passing = matches.decided(tree, leaf_masks, dict(zip(keywords, held, strict=False)))
        if len(kinds) == 1:  # the kind asked for narrows the counts too, as a search's scope
            passing = passing & held.pop()  # a new mask: `decided` may return a group's own
        chosen = passing.copy()
        for mask in held[len(keywords):]:
            chosen &= mask
        ids, rank = universe[chosen], rank[chosen]
        facets = []
        if query.facets:
            # A filter leaves its own facet's counts alone: they are counted over the
            # entries passing every other filter, which may hold values when no entry
            # passes them all.
            if any(excluded for excluded, _, _ in filters):
                flags = numpy.zeros(int(passing.sum()), dtype=numpy.int64)
                for i, mask in enumerate(held[len(keywords):]):
                    flags |= mask[passing].astype(numpy.int64) << i
                facets = ENTRY_FACETS.counts(cursor, universe[passing], flags, [set(e) for e, _, _ in filters])
            else:
                facets = ENTRY_FACETS.counts(cursor, ids)
        foremost = matches.first_ranked(ids, rank, REFINED + shown)
        first_ids, first_rank = ids[foremost], rank[foremost]
        # Each group's passages and first passage in the foremost entries.
        passages, firsts = [], []
        for i, h in enumerate(hits):
            found = matches.present(first_ids, h.ids)
            at = numpy.searchsorted(h.ids, first_ids[found])
            for entry_id, count, first, rank_at in zip(first_ids[found].tolist(), h.passages[at].tolist(),
                                                       h.first[at].tolist(), numpy.flatnonzero(found).tolist(),
                                                       strict=True):
                if count > 0 and rank_at < REFINED:
                    passages.append((entry_id, i, count))
                if first >= 0:
                    firsts.append((entry_id, first))
        ctes = ("idf AS (SELECT * FROM unnest(%s::int[], %s::float8[]) AS t(leaf, idf)), "
                "hits AS (SELECT * FROM unnest(%s::bigint[], %s::int[], %s::int[]) AS t(entry_id, leaf, passages)), "
                "matched AS (SELECT t.*, 0 AS sort_date FROM unnest(%s::bigint[], %s::float8[]) AS t(id, rank))")
        # Only groups some chunk holds have an idf, as in SQL (`stats` counts the hits): a
        # group found nowhere (`kinship NOT title:crewe`) must not weigh in BM25's re-ranking
        # because its words sit elsewhere in the first 50 matches.
        found = [i for i, h in enumerate(hits) if len(h.ids)]
        params = [found, [idfs[i] for i in found], [p[0] for p in passages], [p[1] for p in passages],
                  [p[2] for p in passages], first_ids.tolist(), first_rank.tolist()]
        return {"ctes": ctes, "params": params, "total": len(ids), "facets": facets, "firsts": firsts,
                "leaves": found}

    def _best_passages(self, cursor, entry_ids, stems, firsts):
        """{entry id: (number, text)} of each shown document's passage for its
        snippet: of the passages where each group of the query's words first matched
        it (`firsts`: [(entry id, number)], from the search's own scan), the one
        holding most of the query's words, then the best ranked, then the first;
        its first passage when none matched. Scoring every passage holding a word
        instead read 16 shown reports' 1,066 vectors four times each (10 ms at
        10,000 records + 1,000 reports). The text is cut from the document by
        offsets, only for the passage chosen."""
        if not entry_ids:
            return {}
        candidates = {entry_id: set() for entry_id in entry_ids}
        for entry_id, number in firsts:
            if entry_id in candidates:
                candidates[entry_id].add(number)
        pairs = [(entry_id, number) for entry_id, numbers in candidates.items() for number in (numbers or {0})]
        words = sorted(stems)
        order, params = "", []
        if words:
            score = " + ".join(["(c.vector @@ %s::tsquery)::int"] * len(words))
            order = f"{score} DESC, ts_rank(c.vector, %s::tsquery) DESC, "
            params = [_quote_lexeme(w) for w in words] + [" | ".join(_quote_lexeme(w) for w in words)]
        cursor.execute(
            "SELECT b.entry_id, b.number, substr(d.text, b.start + 1, b.stop - b.start) FROM ("
            f"SELECT DISTINCT ON (c.entry_id) c.entry_id, c.number, c.start, c.\"end\" AS stop, e.object_id "
            f"FROM unnest(%s::bigint[], %s::int[]) AS k(id, number) JOIN {CHUNK} c "
            f"ON c.entry_id = k.id AND c.number = k.number JOIN {ENTRY} e ON e.id = c.entry_id "
            f"ORDER BY c.entry_id, {order}c.number) AS b JOIN registry_document d ON d.id = b.object_id",
            [[entry_id for entry_id, _ in pairs], [number for _, number in pairs]] + params)
        return {entry_id: (number, text) for entry_id, number, text in cursor.fetchall()}

    def _facets(self, rows):
        raw = {name: {} for name in FACET_FIELDS}
        for key_value, count in rows:
            key, value = key_value.split(":", 1)
            raw[key][value] = count
        from registry.search.labels import facet_labels, facet_values

        return facet_values(raw, facet_labels(raw))

    def search_ids(self, query: SearchQuery, limit=1000) -> list:
        try:
            with self._reading() as cursor:
                tree, tsqueries, _, nothing = self._parsed(cursor, query.text, self.synonyms())
                if nothing:
                    return []
                frequent = self._phrase_frequent(cursor, tree)
                if _text_leaves(tree) and self._decided_by_ids(tree, query):
                    # In the cheap rank's order, as below: `matched` is the first matches by it.
                    here = self._matched_here(cursor, tree, tsqueries, replace(query, facets=False), frequent,
                                              max(limit - REFINED, 0))
                    cursor.execute(f"WITH {here['ctes']} SELECT e.object_id FROM matched m "
                                   f"JOIN {ENTRY} e ON e.id = m.id ORDER BY m.rank DESC, m.id LIMIT %s",
                                   list(here["params"]) + [limit])
                    return [row[0] for row in cursor.fetchall()]
                ctes, params, _ = self._matched_sql(tree, tsqueries, query, frequent)
                order = ORDERS.get(query.sort, ORDERS["relevance"])
                cursor.execute(f"WITH {ctes} SELECT object_id FROM matched ORDER BY {order} LIMIT %s",
                               params + [limit])
                return [row[0] for row in cursor.fetchall()]
        except DatabaseError as error:
            logger.exception("PostgreSQL search failed")
            raise SearchUnavailable(str(error)) from error

    # -- "Did you mean" ----------------------------------------------------

    def _suggest(self, cursor, text, synonyms, live=frozenset()):
        """A corrected query when a word of it is in no chunk, else "". `live`: words
        already known to be in one (those of the groups of words the search found)."""
        words = [w for w in "".join(c if c.isalpha() or c == ":" else " " for c in (text or "")).split()
                 if ":" not in w and w not in ("AND", "OR", "NOT")]
        if not words:
            return ""
        known = {key[0] for key in synonyms.alternatives if len(key) == 1} | live
        lowered = [w.lower() for w in words]
        unknown = [w for w in lowered if len(w) >= 3 and w not in known]
        live = self._live(cursor, unknown)
        changed, out = False, []
        for word in lowered:
            if word not in unknown or live.get(word):
                out.append(word)
                continue
            choice = self._correction(cursor, word)
            out.append(choice or word)
            changed = changed or choice is not None
        return " ".join(out) if changed else ""

    def _live(self, cursor, words):
        """{word: True when a chunk holds it} (a word of stop words only counts as live)."""
        if not words:
            return {}
        cursor.execute(
            "SELECT w, numnode(plainto_tsquery('english', w)) = 0 OR EXISTS ("
            f"SELECT 1 FROM {CHUNK} c WHERE c.vector @@ plainto_tsquery('english', w)) "
            "FROM unnest(%s::text[]) AS w", [list(words)])
        return dict(cursor.fetchall())

    def _correction(self, cursor, word):
        """The closest live word (one edit for short words, two for longer), or None."""
        maxdist = 1 if len(word) < 6 else 2
        cursor.execute(
            f"SELECT word, similarity(word, %s) FROM {WORD} WHERE word %% %s AND left(word, 1) = left(%s, 1) "
            "ORDER BY 2 DESC LIMIT 50", [word, word, word])
        scored = sorted((OSA.distance(word, candidate), -similarity, candidate)
                        for candidate, similarity in cursor.fetchall() if candidate != word)
        candidates = [c for distance, _, c in scored if distance <= maxdist]
        # Closest first, one at a time: the first is nearly always live, and proving a
        # word live opens a chunk's vector (half a millisecond; ten took 5 to 6 ms).
        return next((c for c in candidates[:10] if self._live(cursor, [c]).get(c)), None)

    def suggest(self, text, limit=5) -> list:
        try:
            with self._reading() as cursor:
                suggestion = self._suggest(cursor, text, self.synonyms())
        except DatabaseError as error:
            raise SearchUnavailable(str(error)) from error
        return [suggestion] if suggestion else []

    # -- more like this ----------------------------------------------------

    def more_like_this(self, evaluation_id, limit=5) -> list:
        """Records sharing the most telling words of this one: its 15 lexemes most
        frequent in it (title, methods, types and departments counting double) and
        rarest across the index."""
        try:
            with self._reading() as cursor:
                cursor.execute(
                    f"WITH me AS (SELECT c.number, c.vector FROM {CHUNK} c JOIN {ENTRY} e ON e.id = c.entry_id "
                    "WHERE e.kind = 'evaluation' AND e.object_id = %s), "
                    "terms AS (SELECT u.lexeme, sum(coalesce(array_length(u.positions, 1), 1) "
                    f"* CASE WHEN me.number IN ({TITLE}, {META}) THEN 2 ELSE 1 END) AS tf "
                    "FROM me, unnest(me.vector) AS u WHERE length(u.lexeme) > 2 GROUP BY u.lexeme), "
                    "scored AS (SELECT t.lexeme, t.tf / (1 + (SELECT count(*) FROM "
                    f"(SELECT 1 FROM {CHUNK} c2 WHERE c2.vector @@ to_tsquery('simple', quote_literal(t.lexeme)) "
                    "LIMIT 200) AS seen))::float AS weight FROM terms t), "
                    "q AS (SELECT to_tsquery('simple', string_agg(quote_literal(lexeme), ' | ')) AS q "
                    "FROM (SELECT lexeme FROM scored ORDER BY weight DESC, lexeme LIMIT 15) AS best) "
                    f"SELECT e.object_id FROM q, {CHUNK} c JOIN {ENTRY} e ON e.id = c.entry_id "
                    "WHERE e.kind = 'evaluation' AND e.object_id <> %s AND c.vector @@ q.q "
                    "GROUP BY e.object_id ORDER BY sum(ts_rank(c.vector, q.q)) DESC, e.object_id LIMIT %s",
                    [int(evaluation_id), int(evaluation_id), limit])
                return [row[0] for row in cursor.fetchall()]
        except DatabaseError as error:
            raise SearchUnavailable(str(error)) from error


def _unhyphenated(words):
    """Hyphens as spaces. PostgreSQL's parser reads "stepped-wedge" in a query as the
    compound lexeme 'stepped-wedg' as well as its parts, which text written
    "stepped wedge" does not hold; its parts alone match both ways of writing it.
    Every hyphen, as the same rule on both sides: a number's minus sign too ("-0.5"
    is found by "0.5" and "-0.5" alike). Plain replaces, where a regular expression
    keeping other hyphens cost ingest 0.23 s per 10 MB."""
    return words.replace("-", " ").replace("\u2010", " ").replace("\u2011", " ")


def _field_parts(texts):
    """A field chunk's parts joined for WEIGHTED_VECTOR."""
    return PART.join(t.replace(PART, " ") for t in texts)


def _weighted(tsquery, weight):
    """The tsquery with every lexeme restricted to one weight label ('seri' -> 'seri':A)."""
    return _LEXEME.sub(lambda m: f"{m.group(0)}:{weight}", tsquery)


def _text_leaves(tree):
    """The tree's groups of words, each once, in order: numbered the same by every
    part of a search statement (leaf i, column li)."""
    return list(dict.fromkeys(leaf for leaf in ql.leaves(tree) if isinstance(leaf, ql.Text)))


def _typed_words(text):
    """A query's words as "Did you mean" reads them: runs of letters, lower-cased."""
    return "".join(c if c.isalpha() else " " for c in text).lower().split()


def _chunks_matching(leaf, tsquery, frequent):
    """(SQL over chunk c, params) of the chunks a group of words matches, for one GIN
    scan. `frequent`: which of the phrases' stems have their pairs stored."""
    restrict = f" AND {FIELD_CHUNKS[leaf.field]}" if leaf.field in FIELD_CHUNKS else ""
    if leaf.field in FIELD_WEIGHTS:
        tsquery = _weighted(tsquery, FIELD_WEIGHTS[leaf.field])
    match, match_params = "c.vector @@ %s::tsquery", [tsquery]
    stems = stems_of(leaf.words) if leaf.phrase else []
    pairs = list(zip(stems, stems[1:], strict=False))
    stored = sorted({pair_hash(a, b) for a, b in pairs if a in frequent and b in frequent})
    # Two frequent words (in no one field): their pair says it all.
    if len(pairs) == 1 and stored and leaf.field not in FIELD_WEIGHTS:
        match, match_params = "c.pairs @> %s::int[]", [stored]
    elif stored:  # the stored pairs find the candidates; positions (and labels) decide
        match, match_params = "c.pairs @> %s::int[] AND c.vector @@ %s::tsquery", [stored, tsquery]
    return match + restrict, match_params


def _keyword_sql(node):
    """(SQL, params) of a field of the entries' own values (department:dfe) for entry
    `e`, in a form the GIN index on those values can answer."""
    column, key = KEYWORD_VALUES[node.field]
    return f"(e.{column} @> %s::text[])", [[f"{key}:{node.value}"]]


def _counted_with_filters(cursor, value, excluded):
    """Facet counts from (id, filters passed) pairs, 10 bytes each (see _matched_from)."""
    pairs = numpy.frombuffer(bytes(value or b""), dtype=[("id", ">i8"), ("flags", ">i2")])
    return ENTRY_FACETS.counts(cursor, pairs["id"], pairs["flags"].astype(numpy.int64) & 0xFFFF, excluded)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _lexemes(tsquery):
    return [m.group(1).replace("''", "'") for m in _LEXEME.finditer(tsquery or "")]


def _quote_lexeme(lexeme):
    return "'" + lexeme.replace("'", "''") + "'"


def _possible_without_words(node):
    """Whether the query could hold for an entry none of whose chunks match any of
    its words (then every entry must be considered, not only those the GIN index finds)."""
    return True in _outcomes(node)


def _outcomes(node):
    if isinstance(node, ql.Text):
        return {False}
    if isinstance(node, ql.Keyword):
        return {True, False}
    if isinstance(node, ql.Not):
        return {not v for v in _outcomes(node.child)}
    results = [_outcomes(c) for c in node.children]
    if isinstance(node, ql.And):
        return {all(combo) for combo in _product(results)}
    return {any(combo) for combo in _product(results)}


def _product(sets):
    combos = [()]
    for values in sets:
        combos = [c + (v,) for c in combos for v in values]
        if len(combos) > 256:  # too many to list: assume either outcome is possible
            return [(True,), (False,)]
    return combos
