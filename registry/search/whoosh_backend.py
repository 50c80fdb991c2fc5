"""The whoosh backend: a file index under REGISTRY_DATA_DIR/search/whoosh.

Records are one whoosh document each. A knowledge-base document is one entry
(kind "document": the unit that is matched, ranked, counted for facets and the
total) followed by its ~300-word passages (kind "passage", sharing the document's
`group`), which only store their text for snippets. The document's text is
analysed once (phrases.WordStems) and written three ways, each for one reader:

- `body`: every word with its positions, packed (phrases.PackedPositions) and left
  uncompressed: queries match and rank on it, phrases are checked on it, and the
  shown hits' positions pick the passage holding most of the query's words
  (`starts`, stored, holds each passage's first position);
- `pairs`: the title's word pairs and the body's pairs of words frequent in that
  document (phrases.py): phrases of common words, which positions cannot answer fast;
- `spell`: the distinct words, for "Did you mean" (spelling.py).

Why this layout (schema 7). Measured on the same synthetic reports (the bench's
generator: 20,000 words, 199 KB each), indexed as `index_documents` writes them
(batches of 50 on the ordinary writer), on a 2-core machine shared with other work,
so throughput is CPU seconds of the indexing process:

| layout | index / text | MB/s of CPU |
| --- | --- | --- |
| schema 6: all pairs of every document, passages indexed, text analysed 3 times (100 reports) | 12.3x | 0.19 |
| schema 7 (100 reports) | 2.31x | 1.63 |
| schema 7 (1,000 reports, 199 MB, 20 segments) | 2.31x | 1.58 |

Phrase queries (CPU ms per query, p50 / p95, 100 reports, same run): two common
words 17.4 / 19.6 before, 11.2 / 13.9 after; a common and a rare word 10.3 / 17.0,
8.3 / 15.0; three words 3.6 / 11.7, 6.5 / 13.2; every query found the same documents.

Where schema 6's cost went: 36,000 postings per report (body 4,700, passages 11,800,
pairs 14,900, spelling 4,800) and 15,000 distinct pairs per report, most found once
in the corpus, each a term entry. Schema 7 writes about 12,000 (body, frequent
pairs, spelling; passages are stored only). Also tried: positions in a separate
field beside a frequency-only body (2.2x the text before the other savings, and a
third more postings to write; dropped), and positions compressed by zlib (2.04x
instead of 2.31x, but a phrase or a one-word query on a common word then unzips
~600 KB per 128 documents it reads: most of such a query's time).

Many small segments cost more than their documents: 200 reports written ten at a
time made 4.5x the text. Queries on 1,000 reports in 20 segments (p95, CPU ms: one
word 18.4, two words 30.3, a two-word phrase 36.4) are slower than on the same index
merged into one (16.0 / 20.9 / 28.4), and the merge costs as much CPU as the writing
(121-127 s). Before Ors were matched as union trees (phrases.union) the 20 segments
took 39 / 57 / 41 ms. So documents should be written in batches of several
MB of text; `index_documents` is one writer commit per call, and never merges
segments of similar size (merge_small_segments).

Not the two-process build writer for batches: see "Batches" in building.py.
"""
import json
import logging
import os
import re
import threading
import time
from bisect import bisect_left
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from whoosh import collectors, index
from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.qparser import AndGroup, FieldAliasPlugin, MultifieldParser, WildcardPlugin
from whoosh.query import And, ConstantScoreQuery, Every, NullQuery, Or, Term
from whoosh.writing import CLEAR, LockError

from registry.search import entries as entry_source
from registry.search import facets, meaning
from registry.search.base import FACET_FIELDS, FILTER_FACETS, Hit, SearchBackend, SearchQuery, SearchResults
from registry.search.building import build_writer, update_writer
from registry.search.facets import MatchedEntries
from registry.search.highlight import snippet
from registry.search.phrases import (
    PAIRS_FIELD,
    PackedPositions,
    Prepared,
    WordStems,
    document_pairs,
    fast_phrases,
    group_positions,
    pairs_analyzer,
    pairs_text,
    word_analyzer,
)
from registry.search.spelling import Speller
from registry.search.synonyms import Synonyms

logger = logging.getLogger("registry.search")
_stems = WordStems(word_analyzer())  # a document's text analysed once (see phrases.py)

# 7: packed body positions, a document's frequent pairs only, passages stored but not indexed;
# 6: word pairs for phrases; 5: whole-document entries + separate passage entries
SCHEMA_VERSION = "7"
TEXT_FIELDS = ("title", "body", "method", "type", "department_name", "organisation", "programme", "place", "policy")
# What words with no field search: the short descriptive fields are read together as
# "meta", since every field in an Or adds to each query's cost. Each keeps its own field
# for field queries (type:, place:, ...).
META_FIELDS = TEXT_FIELDS[3:]
DEFAULT_FIELDS = ("title", "body", "method", "meta")
KEYWORD_FIELDS = ("department", "stage", "year", "doc_kind")
FILTER_FIELDS = {
    "type": "f_type", "method": "f_method", "department": "f_department", "stage": "f_stage", "year": "f_year",
    "kind": "f_kind", "programme": "f_programme", "place": "f_place", "policy_area": "f_policy_area",
    "organisation": "f_organisation",
}
FIELD_ALIASES = {
    "body": ["summary", "text", "findings", "finding"],
    "doc_kind": ["kind"],
    "policy": ["policy_area"],
    "organisation": ["organization", "evaluator", "org"],
    "department_name": ["department_name"],
}
MAX_QUERY_CHARS = 500
SPELL_WORD = re.compile(r"[^\W\d_]{3,}")  # what the spelling field holds: words of 3 letters or more


def _packed(field):
    """The field with its positions packed (phrases.PackedPositions)."""
    field.format = PackedPositions(field_boost=field.format.field_boost)
    return field


def build_schema():
    stem = word_analyzer()  # Snowball English: evaluated/evaluations -> evalu
    spell = RegexTokenizer(SPELL_WORD.pattern) | LowercaseFilter()
    fields = {
        "uid": ID(unique=True, stored=True),
        "kind": ID(stored=True),
        "group": ID(stored=True, sortable=True),
        "pk": STORED(),
        "title": TEXT(analyzer=stem, stored=True, field_boost=4.0),
        # Phrases read PAIRS_FIELD (word pairs) and the body's positions (see phrases.py).
        "body": _packed(TEXT(analyzer=stem, stored=True)),
        PAIRS_FIELD: _packed(TEXT(analyzer=pairs_analyzer())),
        # Passage text, stored for snippets; the body's positions pick a shown document's
        # passage, with `starts` (a document's first body position in each passage).
        "passage": STORED(),
        "starts": STORED(),
        "method": TEXT(analyzer=stem, field_boost=2.0),
        "spell": TEXT(analyzer=spell, phrase=False),
        "sort_date": NUMERIC(int, sortable=True, stored=True),
        "stamp": STORED(),
        "display": STORED(),
    }
    for name in (*TEXT_FIELDS, "meta"):
        fields.setdefault(name, TEXT(analyzer=stem))
    for name in KEYWORD_FIELDS:
        fields[name] = KEYWORD(lowercase=True, commas=True)
    for name in FILTER_FIELDS.values():
        fields[name] = KEYWORD(commas=True)
    return Schema(**fields)


def merge_small_segments(writer, segments):
    """A whoosh merge policy: fold the small segments single saves leave behind
    into one, leaving the large ones (from the last rebuild, or earlier folds
    that have grown past 2% of the index) alone, so a merge stays cheap."""
    from whoosh.reading import SegmentReader

    limit = max(100, sum(s.doc_count_all() for s in segments) // 50)
    small = [s for s in segments if s.doc_count_all() <= limit]
    if len(small) < 2:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


def _passage(searcher, group, docnum, number):
    """Stored fields of a document's passage. Passages are added right after their
    document, so it is usually entry docnum + 1 + number; a build's two processes can
    split them off, and then its uid is looked up (a term look-up in every segment)."""
    guess = docnum + 1 + number
    uid = f"{group}:{number}"
    if guess < searcher.doc_count_all():
        fields = searcher.stored_fields(guess)
        if fields.get("uid") == uid:
            return fields
    return searcher.document(uid=uid) or searcher.document(uid=f"{group}:0") or {}


class WhooshBackend(SearchBackend):
    # whoosh allows one writer per index: writes in this process queue on a lock,
    # other processes wait on whoosh's file lock (up to WRITE_TIMEOUT).
    WRITE_TIMEOUT = 60.0
    MERGE_AFTER_SEGMENTS = 4  # each segment adds to every query's cost
    # A batch is one segment, and each segment repeats the term dictionary: 1,000
    # reports of 20,000 words written 250 at a time made 4 segments and an index of
    # 1.47 times the text (292 MB for 199 MB), where batches of 50 made 20.
    ingest_batch = (250, 64)
    _write_lock = threading.RLock()

    def __init__(self, data_dir):
        super().__init__(data_dir)
        self.path = Path(data_dir) / "search" / "whoosh"
        self._ix = None
        self._open_lock = threading.Lock()
        self._synonyms = (None, Synonyms())
        self._local = threading.local()
        self._merging = False
        self._speller = Speller()

    @contextmanager
    def _reading(self):
        yield self._searcher()

    def _searcher(self):
        """This thread's searcher, reopened when the index has changed. Opening
        one costs more than most queries, so it is kept between requests.
        (Searcher.refresh() is not used: it reuses segment readers whose
        deletions have since changed, so replaced documents would reappear.)"""
        ix = self._index()
        searcher = getattr(self._local, "searcher", None)
        stale = searcher is not None and (
            searcher._ix is not ix or ix.latest_generation() != searcher.reader().generation())
        if stale:
            searcher.close()
            searcher = None
        if searcher is None:
            searcher = self._local.searcher = ix.searcher()
        return searcher

    # -- the index ---------------------------------------------------------

    def _index(self):
        with self._open_lock:
            if self._ix is None:
                self.path.mkdir(parents=True, exist_ok=True)
                version_file = self.path / "schema-version"
                current = version_file.read_text().strip() if version_file.exists() else ""
                if index.exists_in(str(self.path)) and current == SCHEMA_VERSION:
                    self._ix = index.open_dir(str(self.path))
                else:
                    self._ix = index.create_in(str(self.path), build_schema())
                    version_file.write_text(SCHEMA_VERSION)
            return self._ix

    def _write(self, work, build_procs=0):
        """Run work(writer) and commit, one writer at a time. `build_procs` uses the
        whole-build writer with that many processes, whose commit replaces every
        segment the index held (whoosh's CLEAR merge policy)."""
        with self._write_lock:
            ix = self._index()
            opener = partial(build_writer, ix, build_procs) if build_procs else partial(update_writer, ix)
            deadline = time.monotonic() + self.WRITE_TIMEOUT
            while True:
                try:
                    # Separate files, not whoosh's compound segment file: a reader opening a
                    # compound file copies it into memory, which made every open cost
                    # as much as the index is large.
                    writer = opener(timeout=2.0, delay=0.02, compound=False)
                    break
                except LockError:
                    if time.monotonic() > deadline:
                        raise
            try:
                result = work(writer)
            except BaseException:
                writer.cancel()
                raise
            if build_procs:
                writer.commit(mergetype=CLEAR)
                return result
            # A save never pays for a merge: small updates commit unmerged, and
            # once segments pile up a background thread merges them.
            segments = len(getattr(writer, "segments", ())) + 1
            writer.commit(merge=False)
        if segments >= self.MERGE_AFTER_SEGMENTS:
            self._merge_soon()
        return result

    def _merge_soon(self):
        with self._open_lock:
            if self._merging:
                return
            self._merging = True

        def merge():
            try:
                time.sleep(0.2)  # let a burst of saves finish first
                with self._write_lock:
                    writer = update_writer(self._index(), timeout=self.WRITE_TIMEOUT, compound=False)
                    writer.commit(mergetype=merge_small_segments)
            except Exception:  # noqa: BLE001 - the next save tries again
                logger.exception("Background merge of the search index failed")
            finally:
                self._merging = False
        threading.Thread(target=merge, name="search-index-merge", daemon=True).start()

    # -- writing -----------------------------------------------------------

    def _add_evaluation(self, writer, entry):
        fields = self._common_fields(entry)
        fields.update(
            uid=f"evaluation:{entry['pk']}", group=f"evaluation:{entry['pk']}",
            body=entry["body"], spell=" ".join([entry["title"], entry["body"], entry["method"]]),
            pairs=pairs_text(entry.get(name) or "" for name in TEXT_FIELDS),
            meta="\n".join(entry.get(name) or "" for name in META_FIELDS),
        )
        for name in ("method", "type", "department_name", "organisation", "programme", "place", "policy"):
            fields[name] = entry[name]
        writer.update_document(**fields)

    def _add_document(self, writer, entry):
        """The whole document as one entry (what queries match and count), and its
        passages as entries that only store their text for snippets. The text is
        analysed once, here, for the body's positions, the pairs and the passages'
        first positions; it is indexed but not stored: the passages store it."""
        group = f"document:{entry['pk']}"
        writer.delete_by_term("group", group)
        tokens, starts = [], []
        for passage in entry["passages"]:
            starts.append(len(tokens))
            tokens.extend(_stems(passage))
        body = group_positions(tokens)
        title = entry["title"]
        spell = "\n".join(SPELL_WORD.findall(title + " " + " ".join(entry["passages"]))).lower().split("\n")
        fields = dict(self._common_fields(entry), uid=group, group=group, body=Prepared(body), _stored_body="",
                      pairs=Prepared(document_pairs(_stems(title), tokens, body)), starts=starts,
                      spell=sorted(set(spell) - {""}))  # a list: whoosh takes it as the field's words
        # Not in a writer.group(): whoosh's two-process writer would then hand every
        # document to one process. A document's entries may be split between two
        # segments; _best_passages reads them as runs of consecutive entry numbers.
        writer.add_document(**fields)
        for number, passage in enumerate(entry["passages"]):
            writer.add_document(uid=f"{group}:{number}", kind="passage", group=group, pk=entry["pk"], passage=passage)

    def _common_fields(self, entry):
        fields = {
            "kind": entry["kind"], "pk": entry["pk"], "title": entry["title"],
            "sort_date": entry.get("sort_date") or 0, "stamp": entry_source.stamp(entry), "display": entry["display"],
        }
        for name in KEYWORD_FIELDS:
            value = entry.get(name) or ""
            fields[name] = ",".join(value) if isinstance(value, list) else value
        for name in FILTER_FIELDS.values():
            fields[name] = ",".join(entry.get(name) or [])
        return fields

    def add_entries(self, writer, evaluation_entries=(), document_entries=()):
        """The writer path shared by incremental updates, rebuild and the benchmark."""
        for entry in evaluation_entries:
            self._add_evaluation(writer, entry)
        for entry in document_entries:
            self._add_document(writer, entry)

    def index_evaluations(self, ids):
        ids = {int(i) for i in ids}
        if not ids:
            return
        found = list(entry_source.evaluation_entries(ids))
        gone = ids - {e["pk"] for e in found}
        flipped = self._publication_changed(ids, gone)

        def work(writer):
            self.add_entries(writer, found)
            for pk in gone:
                writer.delete_by_term("uid", f"evaluation:{pk}")
        self._write(work)
        meaning.write_records(found, ids)
        if flipped:
            # Documents follow the records they support: publishing or unpublishing
            # a record can show or hide its documents.
            from registry.models import Document

            links = Document.evaluations.through.objects.filter(evaluation_id__in=flipped)
            self.index_documents(links.values_list("document_id", flat=True))

    def _publication_changed(self, ids, gone):
        """Ids whose published state differs from what the index holds."""
        with self._reading() as searcher:
            indexed = {pk for pk in ids if searcher.document_number(uid=f"evaluation:{pk}") is not None}
        now_published = ids - gone
        return (indexed ^ now_published)

    def index_documents(self, ids):
        ids = {int(i) for i in ids}
        if not ids:
            return
        found = list(entry_source.document_entries(ids))

        def work(writer):
            for pk in ids - {e["pk"] for e in found}:
                writer.delete_by_term("group", f"document:{pk}")
            self.add_entries(writer, (), found)
        self._write(work)
        meaning.write_documents(found, ids)

    def remove(self, kind, ids):
        def work(writer):
            for pk in ids:
                writer.delete_by_term("group", f"{kind}:{int(pk)}")
        self._write(work)
        meaning.remove(kind, ids)

    def index_size(self):
        """Bytes the index's files occupy."""
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file()) if self.path.exists() else 0

    def rebuild(self, progress=None, procs=None):
        """Recreate the index from the database. Large builds use two processes.

        The new segments are written beside the old ones, which go on answering
        searches, and replace them in the commit: whoosh writes the table of
        contents naming an index's segments last, so a rebuild killed at any point
        before it leaves the old index whole (its unfinished files are swept by the
        next commit). Only a new schema starts from an empty index."""
        n_evaluations, n_documents = entry_source.count_entries()
        procs = procs or (2 if n_evaluations + n_documents * 20 > 2000 else 1)
        if threading.active_count() > 1:
            # whoosh forks its sub-writers; forking a process that runs other
            # threads (a server, a test browser) can deadlock the child.
            procs = 1
        self.save_synonyms()
        with self._write_lock:
            with self._open_lock:
                self.path.mkdir(parents=True, exist_ok=True)
                version_file = self.path / "schema-version"
                current = version_file.read_text().strip() if version_file.exists() else ""
                if not (index.exists_in(str(self.path)) and current == SCHEMA_VERSION):
                    self._ix = index.create_in(str(self.path), build_schema())
                    version_file.write_text(SCHEMA_VERSION)

            def work(writer):
                count = 0
                for entry in meaning.rebuilding(entry_source.evaluation_entries()):
                    self._add_evaluation(writer, entry)
                    count += 1
                    if progress:
                        progress("evaluation", entry["pk"])
                for entry in meaning.rebuilding(entry_source.document_entries(), meaning.DOCUMENT):
                    self._add_document(writer, entry)
                    count += 1
                    if progress:
                        progress("document", entry["pk"])
                return count
            return self._write(work, build_procs=procs)

    # -- synonyms ----------------------------------------------------------

    @property
    def synonyms_file(self):
        return self.path.parent / "synonyms.json"

    def save_synonyms(self, pairs=None):
        """Write the MethodSynonym table beside the index; every process picks it up."""
        if pairs is None:
            from registry.models import MethodSynonym

            pairs = list(MethodSynonym.objects.values_list("term", "expansion"))
        self.synonyms_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.synonyms_file.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(sorted(pairs)), encoding="utf-8")
        os.replace(tmp, self.synonyms_file)

    def synonyms(self):
        try:
            stat = self.synonyms_file.stat()
        except FileNotFoundError:
            self.save_synonyms()
            stat = self.synonyms_file.stat()
        mtime = (stat.st_mtime_ns, stat.st_size, stat.st_ino)  # os.replace gives each version a new inode
        if self._synonyms[0] != mtime:
            pairs = json.loads(self.synonyms_file.read_text(encoding="utf-8"))
            self._synonyms = (mtime, Synonyms(pairs))
        return self._synonyms[1]

    # -- reading -----------------------------------------------------------

    def _parser(self, schema, group=AndGroup):
        parser = MultifieldParser(list(DEFAULT_FIELDS), schema, group=group)
        parser.remove_plugin_class(WildcardPlugin)  # "a*" would expand to every term
        parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
        return parser

    def parse(self, text, schema):
        """(whoosh query, message). A query whoosh cannot read is searched as plain words."""
        text = (text or "").strip()
        message = ""
        if len(text) > MAX_QUERY_CHARS:
            text = text[:MAX_QUERY_CHARS]
            message = f"Your search was shortened to its first {MAX_QUERY_CHARS} characters."
        if not text:
            return Every(), message
        if text.count('"') % 2:
            text = text + '"'
            message = message or "A quotation mark in your search was not closed; we closed it at the end."
        try:
            query = self._parser(schema).parse(self.synonyms().expand(text))
        except Exception:  # noqa: BLE001 - whoosh raises many kinds on odd input
            logger.info("Unparsable query %r", text, exc_info=True)
            # Lower case, so AND / OR / NOT are searched as words, not read as operators
            # again (whoosh fails on "NOT NOT x" with an IndexError).
            words = " ".join(w for w in "".join(c if c.isalnum() else " " for c in text).lower().split())
            message = "We could not understand the search syntax, so we searched for the words in it."
            try:
                query = self._parser(schema).parse(words) if words else Every()
            except Exception:  # noqa: BLE001 - never a server error for a query
                logger.warning("Unparsable plain words %r", words, exc_info=True)
                query = NullQuery
        if query is None or query is NullQuery:
            return NullQuery, message or "Your search has no words we can look for: try other words."
        return query, message

    def _filters(self, query):
        """[(facets the filter leaves uncounted, whoosh query)] of the query's facet
        filters (OR within one filter, AND across), and the kinds' query or None."""
        out = []
        for key, values in (query.filters or {}).items():
            field = FILTER_FIELDS.get(key)
            values = [values] if isinstance(values, str) else [v for v in values if v]
            if field is None or not values:
                continue
            terms = [Term(field, str(v)) for v in values]
            if key == "method":
                terms += [Term("f_type", str(v)) for v in values]
            elif key == "department":  # a code or its acronym ("dfe")
                terms += [Term("department", str(v).lower()) for v in values]
            out.append((FILTER_FACETS.get(key, ()), Or(terms)))
        kinds = [k for k in query.kinds if k in ("evaluation", "document")]
        kind_query = None
        if kinds and set(kinds) != {"evaluation", "document"}:
            kind_query = Or([Term("kind", k) for k in kinds])
        return out, kind_query

    def _filter_query(self, query):
        filters, kind_query = self._filters(query)
        parts = [q for _, q in filters] + ([kind_query] if kind_query is not None else [])
        return And(parts) if parts else None

    @staticmethod
    def _matchable(parsed):
        """The query to run: phrases in their fast forms. Passages hold no searched
        field, so only an empty search (which matches everything) needs them kept out."""
        if isinstance(parsed, Every):
            return ConstantScoreQuery(Or([Term("kind", "evaluation"), Term("kind", "document")]))
        return fast_phrases(parsed, DEFAULT_FIELDS)

    def run_search(self, query: SearchQuery) -> SearchResults:
        ix = self._index()
        page_size = max(1, min(int(query.page_size or 20), 100))
        page = max(1, int(query.page or 1))
        with self._reading() as searcher:
            parsed, message = self.parse(query.text, ix.schema)
            results, matched = self._collect(searcher, parsed, query, limit=page * page_size)
            total = sum(len(numbers) for _, numbers in matched.segments)
            shown = results[(page - 1) * page_size: page * page_size]
            # Snippets mark the query's words (after stemming and synonyms); working
            # them out from the query, not per matched document, keeps collecting cheap.
            stems = self._query_stems(parsed)
            hits = self._hits(searcher, shown, stems)
            facet_counts = self._facets(searcher, parsed, query, matched) if query.facets else {}
            suggestion = "" if isinstance(parsed, Every) else self._suggest(searcher, query.text)
        return SearchResults(
            hits=hits, total=max(total, len(hits)), page=page, page_size=page_size, facets=facet_counts,
            suggestion=suggestion, error=message,
        )

    def _collect(self, searcher, parsed, query, limit):
        """(whoosh results of the top `limit`, MatchedEntries of every match).

        Only the top entries are ranked (a heap); every match is still visited once,
        to count the total and the facets (usequality=False stops whoosh skipping
        low-scoring blocks, which would leave the counts short)."""
        if query.sort in ("newest", "oldest"):
            top = collectors.SortingCollector("sort_date", limit=limit, reverse=query.sort == "newest")
        else:
            top = collectors.TopCollector(limit, usequality=False)
        matched = MatchedEntries(top)
        filter_query = self._filter_query(query)
        collector = collectors.FilterCollector(matched, filter_query) if filter_query is not None else matched
        searcher.search_with_collector(self._matchable(parsed), collector)
        return collector.results(), matched

    def search_ids(self, query: SearchQuery, limit=1000) -> list:
        """Ranked ids only: no highlighting or facets, one kind expected in query.kinds."""
        ix = self._index()
        with self._reading() as searcher:
            parsed, _ = self.parse(query.text, ix.schema)
            kwargs = {}
            if query.sort in ("newest", "oldest"):
                kwargs = {"sortedby": "sort_date", "reverse": query.sort == "newest"}
            results = searcher.search(self._matchable(parsed), filter=self._filter_query(query), limit=limit,
                                      **kwargs)
            return [hit["pk"] for hit in results]

    def parse_message(self, text):
        """The message parse() would give for this query text ("" when it reads cleanly)."""
        return self.parse(text, self._index().schema)[1]

    @staticmethod
    def _query_stems(parsed):
        if isinstance(parsed, Every):
            return set()
        stems = set()
        for field, text in parsed.all_terms(phrases=True):
            if field in TEXT_FIELDS or field == "meta":
                stems.add(text.decode("utf-8") if isinstance(text, bytes) else text)
        return stems

    def _hits(self, searcher, shown, stems):
        stored = [hit.fields() for hit in shown]
        documents = [(f["group"], hit.docnum, f.get("starts") or [0])
                     for hit, f in zip(shown, stored, strict=True) if f["kind"] == "document"]
        passages = self._best_passages(searcher, documents, stems)
        hits = []
        for hit, fields in zip(shown, stored, strict=True):
            display = dict(fields.get("display") or {})
            text = fields.get("body", "")
            if fields["kind"] == "document":
                display["passage"], text = passages[fields["group"]]
            hits.append(Hit(
                kind=fields["kind"], pk=fields["pk"], title=fields["title"], url=display.get("url", ""),
                score=float(hit.score or 0), snippet=snippet(text, stems), slug=display.get("slug", ""),
                extra=display,
            ))
        return hits

    @staticmethod
    def _best_passages(searcher, documents, stems):
        """{group: (number, text)} of each shown document's passage holding most of
        the query's words (then most often); its first passage when none does (a
        match on the title, or an empty search).

        documents: [(group, entry number, first body position of each passage)].
        Each query word's body postings are read once, skipping from one shown
        document to the next; its positions say which passages hold it."""
        counts = {group: {} for group, _, _ in documents}  # group -> {passage: (words, occurrences)}
        reader = searcher.reader()
        ordered = sorted(documents, key=lambda d: d[1])
        for stem in sorted(stems):
            if not ordered or ("body", stem) not in reader:
                continue
            matcher = Term("body", stem).matcher(searcher)
            for group, docnum, starts in ordered:
                if not matcher.is_active():
                    break
                matcher.skip_to(docnum)
                if not matcher.is_active() or matcher.id() != docnum:
                    continue
                positions = matcher.value_as("positions")
                bounds = [bisect_left(positions, start) for start in starts] + [len(positions)]
                found = counts[group]
                for number in range(len(starts)):
                    occurrences = bounds[number + 1] - bounds[number]
                    if occurrences:
                        words, total = found.get(number, (0, 0))
                        found[number] = (words + 1, total + occurrences)
        out = {}
        for group, docnum, _ in documents:
            found = counts[group]
            number = min(found, key=lambda n: (-found[n][0], -found[n][1], n)) if found else 0
            out[group] = (number, _passage(searcher, group, docnum, number).get("passage", ""))
        return out

    def facet_labels(self, raw):
        from registry.search.labels import facet_labels

        return facet_labels(raw)

    def _facets(self, searcher, parsed, query, matched):
        """Counts per facet value. A filter narrows the hits but not the counts of its
        own facet's values, so each count says what ticking that value would add (OR
        within a facet, AND across them): those facets are counted over the matches
        before filtering, kept to the entries every other filter allows."""
        filters, kind_query = self._filters(query)
        if not any(excluded for excluded, _ in filters):
            raw = {name: facets.count(matched, FILTER_FIELDS[name]) for name in FACET_FIELDS}
        else:
            unfiltered = MatchedEntries(collectors.UnsortedCollector())
            searcher.search_with_collector(
                self._matchable(parsed),
                collectors.FilterCollector(unfiltered, kind_query) if kind_query is not None else unfiltered)
            allowed = [(excluded, set(searcher.docs_for_query(q))) for excluded, q in filters]
            raw = {}
            for name in FACET_FIELDS:
                sets = [docs for excluded, docs in allowed if name not in excluded]
                if len(sets) == len(allowed):
                    raw[name] = facets.count(matched, FILTER_FIELDS[name])
                else:
                    raw[name] = facets.count(unfiltered, FILTER_FIELDS[name],
                                             keep=lambda docnum, sets=sets: all(docnum in d for d in sets))
        from registry.search.labels import facet_values

        return facet_values(raw, self.facet_labels(raw))

    def _suggest(self, searcher, text):
        words = [w for w in "".join(c if c.isalpha() or c == ":" else " " for c in (text or "")).split()
                 if ":" not in w and w not in ("AND", "OR", "NOT")]
        if not words:
            return ""
        known = {key[0] for key in self.synonyms().alternatives if len(key) == 1}
        return self._speller.suggest(searcher, words, known)

    def suggest(self, text, limit=5) -> list:
        with self._reading() as searcher:
            suggestion = self._suggest(searcher, text)
        return [suggestion] if suggestion else []

    def more_like_this(self, evaluation_id, limit=5) -> list:
        with self._reading() as searcher:
            docnum = searcher.document_number(uid=f"evaluation:{int(evaluation_id)}")
            if docnum is None:
                return []
            stored = searcher.stored_fields(docnum)
            text = stored["title"] + "\n" + stored.get("body", "")
            results = searcher.more_like(
                docnum, "body", text=text, top=limit, numterms=15, filter=Term("kind", "evaluation"),
            )
            return [hit["pk"] for hit in results]

    def indexed_versions(self) -> dict:
        versions = {}
        with self._reading() as searcher:
            for fields in searcher.all_stored_fields():
                if fields["kind"] in ("evaluation", "document"):  # not passages
                    versions[(fields["kind"], fields["pk"])] = fields.get("stamp", "")
        return versions

    def expected_versions(self):
        """{(kind, id): stamp} the database says the index should hold."""
        versions = {("evaluation", e["pk"]): entry_source.stamp(e) for e in entry_source.evaluation_entries()}
        versions.update({("document", d["pk"]): entry_source.stamp(d) for d in entry_source.document_entries()})
        return versions
