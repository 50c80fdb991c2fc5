"""Phrase queries that stay fast on whole 20,000-word documents and common words.

Every searched text field is indexed a second time, together, as word pairs
("interrupt time", "time seri", after stemming and stop words): a two-word
phrase is then one term lookup, and a longer one checks the positions of its
pairs, which are far rarer than its words. Checking word positions instead
costs seconds when both words are in most long documents.

Phrases asked of one field (`method:"interrupted time series"`) check that
field's word positions, with integer sets instead of whoosh's Span objects.
"""
from whoosh import matching
from whoosh.analysis import Filter, LanguageAnalyzer
from whoosh.analysis.intraword import BiWordFilter
from whoosh.query import Or, Phrase, Term
from whoosh.query.spans import Span, SpanNear2

PAIRS_FIELD = "pairs"
PAIRED_FIELDS = {"body"}  # fields kept without positions: their phrases always read the pairs
SEPARATOR = " "  # tokens never hold a space
BREAK = "qqbreakqq"  # put between fields, so no pair spans two of them


class DropBreaks(Filter):
    """Drops the pairs that hold BREAK: the pairs either side of it are then two
    positions apart, never adjacent."""

    def __call__(self, tokens):
        for token in tokens:
            if BREAK not in token.text:
                yield token


def pairs_analyzer():
    """The text fields' analyzer, then adjacent tokens joined: what PAIRS_FIELD indexes."""
    return LanguageAnalyzer("en", cachesize=50000) | BiWordFilter(sep=SEPARATOR) | DropBreaks()


def pairs_text(texts):
    """The text PAIRS_FIELD indexes for an entry's field values."""
    return f" {BREAK} ".join(t for t in texts if t)


class _AdjacentWords(SpanNear2):
    """SpanNear2 for a plain phrase (words next to each other, in order). whoosh's
    own matcher builds a Span object for every position of every word in each
    candidate; here positions stay integers and adjacency is a set lookup."""

    def matcher(self, searcher, context=None):
        return self._Matcher([q.matcher(searcher, context) for q in self.qs])

    class _Matcher(SpanNear2.SpanNear2Matcher):
        def __init__(self, ms, slop=1, ordered=True, mindist=1):
            super().__init__(ms, slop=1, ordered=True, mindist=1)

        def _get_spans(self):
            starts = self.ms[0].value_as("positions")
            for offset, m in enumerate(self.ms[1:], 1):
                following = set(m.value_as("positions"))
                starts = [p for p in starts if p + offset in following]
                if not starts:
                    return []
            return [Span(p, p + len(self.ms) - 1) for p in starts]


class FastPhrase(Phrase):
    """A Phrase (slop 1) matched by _AdjacentWords."""

    def matcher(self, searcher, context=None):
        if self.fieldname not in searcher.schema:
            return matching.NullMatcher()
        field = searcher.schema[self.fieldname]
        reader = searcher.reader()
        terms = []
        for word in self.words:
            try:
                word = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (self.fieldname, word) not in reader:
                return matching.NullMatcher()
            terms.append(Term(self.fieldname, word))
        m = _AdjacentWords(terms).matcher(searcher, context)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


def _is_phrase(q):
    return type(q) is Phrase and q.slop == 1 and len(q.words) > 1


def pairs_query(words, boost=1.0):
    pairs = [SEPARATOR.join(words[i:i + 2]) for i in range(len(words) - 1)]
    if len(pairs) == 1:
        return Term(PAIRS_FIELD, pairs[0], boost=boost)
    return FastPhrase(PAIRS_FIELD, pairs, slop=1, boost=boost)


def fast_phrases(query, default_fields):
    """The query with its phrases swapped for the fast forms above. The parser turns
    a phrase with no field into one phrase per default field inside an Or: those
    become a single look-up in the pairs of all of them."""
    default_fields = set(default_fields)

    def swap(q):
        if isinstance(q, Or):
            return Or(_merged_phrases(q.subqueries, default_fields, swap), boost=q.boost)
        if q.is_leaf():
            if not _is_phrase(q):
                return q
            if q.fieldname in PAIRED_FIELDS:
                return pairs_query(q.words, boost=q.boost)
            return FastPhrase(q.fieldname, q.words, slop=1, boost=q.boost, char_ranges=q.char_ranges)
        return q.apply(swap)
    return swap(query)


def _merged_phrases(subqueries, default_fields, swap):
    fields = {}
    for q in subqueries:
        if _is_phrase(q):
            fields.setdefault(tuple(q.words), set()).add(q.fieldname)
    merged, out = set(), []
    for q in subqueries:
        words = tuple(q.words) if _is_phrase(q) else None
        if words is None or fields[words] != default_fields:
            out.append(swap(q))
        elif words not in merged:
            merged.add(words)
            out.append(pairs_query(list(words), boost=q.boost))
    return out
