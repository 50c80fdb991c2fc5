"""Phrase queries that stay fast on whole 20,000-word documents and common words,
with an index a small multiple of the text.

Word positions are kept in the body field, packed as a machine array (`PackedPositions`)
so that reading them for a document is one copy, not a Python loop per position.
A phrase is then checked on the candidate documents only (those holding all its
words), anchored on its rarest word: at most FREQUENT look-ups (bisections) per
other word. What that cannot do cheaply is a phrase of words that are all common
in a document ("evaluation programme" in a report that says both a thousand times):
for those, the pairs field holds the adjacent word pairs ("interrupt time", after
stemming and stop words):

- a record (short text) has every pair of its text fields in the pairs field, so a
  phrase is one term look-up (or, for more than two words, the positions of its pairs);
- a knowledge-base document has its title's pairs and only the pairs of its body whose
  two words both occur at least FREQUENT times in that document; it carries the term
  PARTIAL, and its phrases are answered by the pairs (when every word is frequent in
  it) or by positions (when one is not). Which one is known per document from the
  words' counts, so it survives merges and needs no corpus-wide word list.

Pairs of every word (schema 6) were 15,000 distinct terms per 20,000-word report,
most found once in the whole corpus: each cost a term entry, and the per-term work
dominated writing (12.3x the text, 0.19 MB/s; this layout: 2.3x, 1.6 MB/s, the
figures in whoosh_backend.py). FREQUENT = 16 keeps ~2,500 pairs a report (4: 5,700;
8: 3,900; 32: 1,400); below it a phrase is checked on at most 15 positions of its
rarest word per candidate document.

Phrases asked of one field (`method:"interrupted time series"`) check that
field's word positions, with integer sets instead of whoosh's Span objects.
"""
import re
import sys
from array import array
from bisect import bisect_left

from whoosh import matching
from whoosh.analysis import Filter, LanguageAnalyzer
from whoosh.analysis.intraword import BiWordFilter
from whoosh.formats import Positions
from whoosh.matching.binary import IntersectionMatcher
from whoosh.query import Or, Phrase, Term
from whoosh.query.spans import Span, SpanNear2, SpanWrappingMatcher
from whoosh.scoring import bm25
from whoosh.util import make_binary_tree

PAIRS_FIELD = "pairs"
BODY_FIELD = "body"
PAIRED_FIELDS = {BODY_FIELD}  # phrases in these fields read the pairs and the body's positions
SEPARATOR = " "  # tokens never hold a space
BREAK = "qqbreakqq"  # put between fields, so no pair spans two of them
PARTIAL = "\x01partial"  # in PAIRS_FIELD: this entry holds only its frequent pairs (never a pair: no space)
FREQUENT = 16  # a document's body pairs are indexed when both words occur this often in it


def word_analyzer():
    """The text fields' analyzer: Snowball English (evaluated/evaluations -> evalu)."""
    return LanguageAnalyzer("en", cachesize=50000)


class DropBreaks(Filter):
    """Drops the pairs that hold BREAK: the pairs either side of it are then two
    positions apart, never adjacent."""

    def __call__(self, tokens):
        for token in tokens:
            if BREAK not in token.text:
                yield token


def pairs_analyzer():
    """The text fields' analyzer, then adjacent tokens joined: what PAIRS_FIELD indexes."""
    return word_analyzer() | BiWordFilter(sep=SEPARATOR) | DropBreaks()


def pairs_text(texts):
    """The text PAIRS_FIELD indexes for an entry's field values."""
    return f" {BREAK} ".join(t for t in texts if t)


# -- positions -----------------------------------------------------------------

_WIDE = "I" if array("I").itemsize == 4 else "L"
_SWAP = sys.byteorder == "big"  # files are little-endian wherever they are written


def pack_positions(positions):
    """Sorted positions as bytes: a type code, then 2 bytes a position (4 past 65,535)."""
    code = "H" if not positions or positions[-1] < 65536 else _WIDE
    packed = array(code, positions)
    if _SWAP:
        packed.byteswap()
    return code.encode() + packed.tobytes()


def unpack_positions(value):
    packed = array(chr(value[0]), value[1:])
    if _SWAP:
        packed.byteswap()
    return packed


class Prepared(str):
    """A field value already analysed: {token: [positions]}. A str (empty), because
    whoosh's fields take only strings or lists; `PackedPositions` reads `groups`."""

    def __new__(cls, groups):
        value = super().__new__(cls, "")
        value.groups = groups
        return value

    def __reduce__(self):  # whoosh's two-process writer pickles the documents it hands out
        return Prepared, (self.groups,)


class PackedPositions(Positions):
    """whoosh's Positions format with positions packed as an array (whoosh pickles
    the gaps between them and adds them up in a Python loop to read them back)."""

    def word_values(self, value, analyzer, **kwargs):
        if isinstance(value, Prepared):
            boost = self.field_boost
            for word, positions in value.groups.items():
                yield word, len(positions), len(positions) * boost, pack_positions(positions)
            return
        yield from super().word_values(value, analyzer, **kwargs)

    def encode(self, poslist):
        return pack_positions(poslist)

    def decode_positions(self, valuestring):
        return unpack_positions(valuestring)

    def decode_frequency(self, valuestring):
        return (len(valuestring) - 1) // (2 if valuestring[:1] == b"H" else array(_WIDE).itemsize)

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost

    def combine(self, vs):
        return self.encode(sorted({p for v in vs for p in self.decode_positions(v)}))


# -- analysing a document once -------------------------------------------------

class WordStems:
    """The token texts `analyzer` gives for a text, worked out without whoosh's chain
    of generators (a regex over the whole text, then a dict of words already seen):
    a document's text is analysed once for the body, the pairs and the passages."""

    LIMIT = 500_000  # remembered words; the dict is emptied past this

    def __init__(self, analyzer):
        tokenizer, _lowercase, stop, stem = analyzer.items
        if tokenizer.gaps or r"\(" in tokenizer.expression.pattern:
            raise ValueError("WordStems expects a tokenizer matching words, without escaped brackets")
        # The same pattern with its groups not capturing, so that findall gives whole matches.
        self.pattern = re.compile(re.sub(r"\((?!\?)", "(?:", tokenizer.expression.pattern),
                                  tokenizer.expression.flags)
        self.stops, self.minsize, self.maxsize = stop.stops, stop.min, stop.max
        if stem.lang:
            from whoosh.lang import stemmer_for_language

            self.stemfn = stemmer_for_language(stem.lang)  # as StemFilter.clear() chooses it
        else:
            self.stemfn = stem.stemfn
        self.ignore = stem.ignore
        self.known = {}

    def _stem(self, word):
        if len(word) < self.minsize or (self.maxsize and len(word) > self.maxsize) or word in self.stops:
            return None
        return word if word in self.ignore else self.stemfn(word)

    def __call__(self, text):
        # Lowercasing the words joined by newlines is lowercasing each word (newlines
        # are never in a word, and Python's only context rule, the final sigma, reads
        # a newline as the end of a word).
        words = "\n".join(self.pattern.findall(text or "")).lower().split("\n")
        known = self.known
        if len(known) > self.LIMIT:
            known.clear()
        out = []
        for word in words:
            try:
                stem = known[word]
            except KeyError:
                stem = known[word] = self._stem(word) if word else None
            if stem is not None:
                out.append(stem)
        return out


def group_positions(tokens, offset=0):
    """{token: [positions]} for a list of tokens."""
    groups = {}
    for position, token in enumerate(tokens, offset):
        found = groups.get(token)
        if found is None:
            groups[token] = [position]
        else:
            found.append(position)
    return groups


def document_pairs(title_tokens, body_tokens, body_groups):
    """{pair: [positions]} for a document's PAIRS_FIELD: every pair of its title, the
    pairs of its body whose words are both FREQUENT in it, and PARTIAL."""
    pairs = {PARTIAL: [0]}
    frequent = {token for token, positions in body_groups.items() if len(positions) >= FREQUENT}

    def add(tokens, offset, keep):
        previous = None
        for position, token in enumerate(tokens, offset):
            if previous is not None and keep(previous) and keep(token):
                pair = previous + SEPARATOR + token
                found = pairs.get(pair)
                if found is None:
                    pairs[pair] = [position - 1]
                else:
                    found.append(position - 1)
            previous = token

    add(title_tokens, 0, lambda token: True)
    add(body_tokens, len(title_tokens) + 2, frequent.__contains__)  # a gap: no pair spans the two
    return pairs


# -- queries ---------------------------------------------------------------------

def _holds(positions, position):
    i = bisect_left(positions, position)
    return i < len(positions) and positions[i] == position


def _phrase_starts(positions):
    """Where the words (each a sorted array of positions) stand one after another,
    anchored on the word found least often."""
    anchor = min(range(len(positions)), key=lambda i: len(positions[i]))
    starts = [p - anchor for p in positions[anchor]]
    for offset, found in enumerate(positions):
        if offset != anchor:
            starts = [s for s in starts if _holds(found, s + offset)]
            if not starts:
                break
    return starts


class _AdjacentWords(SpanNear2):
    """SpanNear2 for a plain phrase (words next to each other, in order). whoosh's
    own matcher builds a Span object for every position of every word in each
    candidate; here positions stay integers and adjacency is a lookup."""

    def matcher(self, searcher, context=None):
        return self._Matcher([q.matcher(searcher, context) for q in self.qs])

    class _Matcher(SpanNear2.SpanNear2Matcher):
        def __init__(self, ms, slop=1, ordered=True, mindist=1):
            super().__init__(ms, slop=1, ordered=True, mindist=1)

        def _get_spans(self):
            starts = _phrase_starts([m.value_as("positions") for m in self.ms])
            return [Span(p, p + len(self.ms) - 1) for p in starts]


def _term_matchers(searcher, fieldname, words, context):
    field = searcher.schema[fieldname]
    reader = searcher.reader()
    terms = []
    for word in words:
        try:
            word = field.to_bytes(word)
        except ValueError:
            return None
        if (fieldname, word) not in reader:
            return None
        terms.append(Term(fieldname, word))
    return terms


class FastPhrase(Phrase):
    """A Phrase (slop 1) matched by _AdjacentWords."""

    def matcher(self, searcher, context=None):
        if self.fieldname not in searcher.schema:
            return matching.NullMatcher()
        terms = _term_matchers(searcher, self.fieldname, self.words, context)
        if terms is None:
            return matching.NullMatcher()
        m = _AdjacentWords(terms).matcher(searcher, context)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


class _PartialEntriesMatcher(SpanWrappingMatcher):
    """The entries marked PARTIAL that hold every word, where the words stand in a
    row in the body and some word is not FREQUENT there (when all are, the pairs
    field holds the phrase and answers it)."""

    def __init__(self, marker, ms, scoring):
        self.marker, self.ms, self.scoring = marker, ms, scoring
        super().__init__(make_binary_tree(IntersectionMatcher, [marker, *ms]))

    def copy(self):
        return self.__class__(self.marker.copy(), [m.copy() for m in self.ms], self.scoring)

    def replace(self, minquality=0):
        # whoosh would replace the intersection by a simpler matcher, losing self.ms.
        return self if self.is_active() else matching.NullMatcher()

    def score(self):
        """BM25 of the phrase's pairs, as if the pairs field held them here: the score
        the pairs path gives a record, with this entry's phrase count and body length."""
        idfs, reader, average = self.scoring
        length = reader.doc_field_length(self.id(), BODY_FIELD, 1)
        found = len(self._spans or ())
        return sum(bm25(idf, found, length, average, 0.75, 1.2) for idf in idfs)  # BM25F's defaults

    def _get_spans(self):
        # A body word's weight is its count here (the body has no boost): when every
        # word is frequent, the pairs path answers, without reading any positions.
        if min(m.weight() for m in self.ms) >= FREQUENT:
            return []
        positions = [m.value_as("positions") for m in self.ms]
        n = len(positions)
        return [Span(s, s + n - 1) for s in _phrase_starts(positions)]


class BodyPhrase(Phrase):
    """The body positions' part of a phrase: the entries whose pairs field does not
    hold every pair of their body (PARTIAL), checked by word positions."""

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        if (PAIRS_FIELD, PARTIAL.encode()) not in reader:
            return matching.NullMatcher()
        terms = _term_matchers(searcher, self.fieldname, self.words, context)
        if terms is None:
            return matching.NullMatcher()
        marker = Term(PAIRS_FIELD, PARTIAL).matcher(searcher, context)
        pairs = [SEPARATOR.join(self.words[i:i + 2]) for i in range(len(self.words) - 1)]
        top = searcher.get_parent()  # statistics of the whole index, as whoosh's scorers read them
        scoring = ([top.idf(PAIRS_FIELD, pair) for pair in pairs], reader,
                   top.avg_field_length(BODY_FIELD, 1.0) or 1.0)
        m = _PartialEntriesMatcher(marker, [t.matcher(searcher, context) for t in terms], scoring)
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


def text_phrase(words, boost=1.0):
    """A phrase in the text fields: the pairs field, or the body's positions where
    the pairs field holds only some pairs."""
    return union([pairs_query(words, boost=boost), BodyPhrase(BODY_FIELD, list(words), slop=1, boost=boost)])


def union(subqueries, boost=1.0):
    """An Or matched as a tree of unions. On a segment of under 5,000 entries whoosh
    otherwise fills a 2,048-entry score array in a Python loop per part: with the
    segments batches of documents leave (about 70 entries a document) that was most
    of a one-word query's time."""
    query = Or(subqueries, boost=boost)
    query.matcher_type = Or.DEFAULT_MATCHER
    return query


def fast_phrases(query, default_fields):
    """The query with its phrases swapped for the fast forms above. The parser turns
    a phrase with no field into one phrase per default field inside an Or: those
    become a single text_phrase over all of them."""
    default_fields = set(default_fields)

    def swap(q):
        if isinstance(q, Or):
            return union(_merged_phrases(q.subqueries, default_fields, swap), boost=q.boost)
        if q.is_leaf():
            if not _is_phrase(q):
                return q
            if q.fieldname in PAIRED_FIELDS:
                return text_phrase(q.words, boost=q.boost)
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
            out.append(text_phrase(list(words), boost=q.boost))
    return out
