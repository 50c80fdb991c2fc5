"""The search interface every backend implements.

Only published records, and documents linked to a published record, are ever
written to an index: a draft cannot leak through hits, snippets, facet counts or
suggestions because the engine never sees it.
"""
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from itertools import combinations
from math import comb

FACET_FIELDS = ("type", "method", "department", "stage", "year", "kind")
# Filter -> the facets whose counts it does not narrow. Values of one facet combine
# with OR, so each value's count says how many matches ticking it would add. A
# method filter narrows the type counts: a type's link adds a `type=` filter,
# which the method filter's matches must also pass, so the count is what it gives.
FILTER_FACETS = {"type": ("type",), "method": ("method",), "department": ("department",),
                 "stage": ("stage",), "year": ("year",), "kind": ("kind",)}


class SearchUnavailable(Exception):
    """The search engine cannot answer (its files or tables cannot be read, its
    server cannot be reached). Pages show a message and answer 503; the rest of
    the site keeps working."""


@dataclass
class SearchQuery:
    text: str = ""
    # Narrowing by facet values, e.g. {"method": ["interrupted"], "department": ["department-for-education"]}.
    # Accepted keys: type, method (a parent includes its children), department, stage, year, kind,
    # programme, place, policy_area, organisation.
    filters: dict = field(default_factory=dict)
    kinds: tuple = ("evaluation", "document")  # which kinds of hit to return
    sort: str = "relevance"  # "relevance", "newest" or "oldest"
    page: int = 1
    page_size: int = 20
    facets: bool = True
    # False: search the words as typed even when they find nothing ("Search instead for").
    correct: bool = True


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class Hit:
    kind: str  # "evaluation" or "document"
    pk: int
    title: str
    url: str
    score: float = 0.0
    snippet: str = ""  # safe HTML: escaped text with the matched words in <mark>
    slug: str = ""  # evaluations only
    extra: dict = field(default_factory=dict)  # display fields stored in the index (department, stage, year, kind...)


@dataclass
class SearchResults:
    hits: list
    total: int
    page: int = 1
    page_size: int = 20
    facets: dict = field(default_factory=dict)  # facet field -> [FacetValue], counted by the engine in the same query
    suggestion: str = ""  # "Did you mean" text that finds something, or ""
    # The words searched for when the results are for the suggestion: the query as
    # typed found nothing, its correction did ("Showing results for ... / Search
    # instead for ...").
    corrected_from: str = ""
    corrected_to: str = ""  # the words the results are for, then
    # True when no entry holds all the words and the results hold most of them
    # (as many of the words as any entry holds), best first.
    relaxed: bool = False
    # Records on this page found by meaning alone (registry/search/meaning.py): they
    # hold none or not all of the words, and `total` counts them (facets do not).
    # Each is marked extra["meaning_only"].
    meaning_added: int = 0
    error: str = ""  # a message about the query (e.g. malformed syntax) shown to the user; results may still be present


_SYNTAX = re.compile(r'["():*?~^\[\]{}]|(?:^|\s)[+-]|\b(?:AND|OR|NOT)\b')


def has_syntax(text):
    """Whether the query holds quotes, brackets, operators or a field (title:...):
    it then says exactly what the person wants."""
    return bool(_SYNTAX.search(text or "")) or ":" in (text or "")
MAX_RELAXED_GROUPS = 35


def relaxed_queries(text):
    """Queries asking for fewer of the words, most first: for "a b c", "(a b) OR
    (a c) OR (b c)", then "a OR b OR c". Only for plain words: quotes, brackets,
    operators and fields say exactly what the person wants. Stop words are left
    out (they are not indexed), and a level with too many combinations is skipped."""
    from whoosh.analysis import STOP_WORDS

    if not text or _SYNTAX.search(text):
        return []
    words = list(dict.fromkeys(w for w in text.split() if w.lower() not in STOP_WORDS))
    out = []
    for size in range(len(words) - 1, 0, -1):
        if size > 1 and comb(len(words), size) > MAX_RELAXED_GROUPS:
            continue
        out.append(" OR ".join("(" + " ".join(group) + ")" if size > 1 else group[0]
                               for group in combinations(words, size)))
    return out


class SearchBackend(ABC):
    # True when the backend writes its index in the database transaction of the
    # change it reflects (signals then index just before COMMIT, not after it).
    transactional = False
    # (files, MB of files) that `ingest` stores, and indexes, together by default.
    ingest_batch = (50, 32)

    def __init__(self, data_dir):
        self.data_dir = data_dir

    @abstractmethod
    def index_evaluations(self, ids):
        """(Re)index these evaluations; ids no longer published are removed."""

    @abstractmethod
    def index_documents(self, ids):
        """(Re)index these documents; ids no longer visible are removed."""

    @abstractmethod
    def remove(self, kind, ids):
        """Remove hits of a kind ("evaluation" or "document") by id."""

    def search(self, query: SearchQuery) -> SearchResults:
        """The query's page of results, never a dead end when it can be helped:
        - a misspelt query that finds nothing shows its correction's results
          instead (when the correction finds any), and "Did you mean" is only
          offered when it finds something;
        - plain words that no entry holds all of show the entries holding most of
          them (`relaxed`), rather than an empty page;
        - the first page is re-ranked by meaning as well as by words, and when the
          words find less than a page, records close in meaning that lack them may
          be added (registry/search/meaning.py says what `total` then counts)."""
        from registry.search import meaning

        return meaning.blend(query, self._word_search(query))

    def _word_search(self, query: SearchQuery) -> SearchResults:
        """The results by words alone: as asked, then corrected or relaxed (see search)."""
        results = self.run_search(query)
        if results.suggestion:
            corrected = replace(query, text=results.suggestion)
            # Only plain words are replaced by their correction's results: a correction
            # keeps the words, not the fields, quotes and operators around them, so for
            # `place:"okapiford vale"` it would show every record saying "okapiford value".
            if results.total == 0 and query.correct and not has_syntax(query.text):
                instead = self.run_search(corrected)
                if instead.total:
                    instead.suggestion, instead.corrected_from, instead.corrected_to = "", query.text, corrected.text
                    return instead
                results.suggestion = ""
            elif not self.search_ids(replace(corrected, page=1, facets=False), limit=1):
                results.suggestion = ""
        if results.total == 0 and query.correct:
            for text in relaxed_queries(query.text):
                fewer = self.run_search(replace(query, text=text))
                if fewer.total:
                    fewer.relaxed, fewer.suggestion = True, ""
                    return fewer
        return results

    @abstractmethod
    def run_search(self, query: SearchQuery) -> SearchResults:
        """One search as asked, its "Did you mean" unchecked (see search)."""

    def search_ids(self, query: SearchQuery, limit=1000) -> list:
        """Ids of the ranked hits (no snippets or facets), for pages that combine
        the search with their own filters. Backends may do this more cheaply."""
        ids: list = []
        page = 1
        while len(ids) < limit:
            results = self.run_search(SearchQuery(text=query.text, filters=query.filters, kinds=query.kinds,
                                                  sort=query.sort, page=page, page_size=100, facets=False))
            ids += [hit.pk for hit in results.hits]
            if page * 100 >= results.total:
                break
            page += 1
        return ids[:limit]

    def parse_message(self, text) -> str:
        """A message about the query's syntax for the user, or "" when it reads cleanly."""
        return ""

    @abstractmethod
    def suggest(self, text, limit=5) -> list:
        """Corrected query strings for a misspelt query, best first."""

    def facet_counts(self, query: SearchQuery) -> dict:
        """{facet: [FacetValue]} for the query: a search's facets, one hit long."""
        return self.run_search(
            SearchQuery(text=query.text, filters=query.filters, kinds=query.kinds, page_size=1)).facets

    @abstractmethod
    def more_like_this(self, evaluation_id, limit=5) -> list:
        """Ids of published evaluations most like this one."""

    @abstractmethod
    def rebuild(self, progress=None):
        """Rebuild the whole index from the database."""

    @abstractmethod
    def indexed_versions(self) -> dict:
        """{(kind, id): stamp} of what the index holds, for check_index."""

    def expected_versions(self) -> dict:
        """{(kind, id): stamp} the database says the index should hold."""
        from registry.search import entries

        versions = {("evaluation", e["pk"]): entries.stamp(e) for e in entries.evaluation_entries()}
        versions.update({("document", d["pk"]): entries.stamp(d) for d in entries.document_entries()})
        return versions

    def index_size(self) -> int:
        """Bytes the index occupies (files, or tables with their indexes), for benchmarks."""
        raise NotImplementedError
