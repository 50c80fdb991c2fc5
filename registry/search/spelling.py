""""Did you mean": spelling suggestions from the words the index holds.

whoosh's own corrector builds a Levenshtein automaton in Python for every word
and every segment, which costs tens of milliseconds on a large lexicon. Here
each segment's lexicon is read once (segments never change once written) into
word lists grouped by first letter, and candidates are scored by rapidfuzz's
compiled edit distance. A candidate is offered only if a live (not deleted)
entry still holds it, so a withdrawn record's words are never suggested.
"""
import threading

from rapidfuzz import process
from rapidfuzz.distance import OSA

from registry.search.segments import SegmentCache

FIELD = "spell"
MIN_LENGTH = 3
_words = SegmentCache(limit=500)  # segment -> {word: document frequency}


class Lexicon:
    """word -> document frequency for one index generation, grouped by first letter."""

    def __init__(self, searcher):
        counts = {}
        for reader, _ in _leaf_readers(searcher):
            for word, frequency in _segment_words(reader).items():
                counts[word] = counts.get(word, 0) + frequency
        by_letter = {}
        for word, frequency in counts.items():
            by_letter.setdefault(word[0], ([], []))
            by_letter[word[0]][0].append(word)
            by_letter[word[0]][1].append(frequency)
        self.by_letter = by_letter
        self.counts = counts

    def candidates(self, word, maxdist):
        """Words within maxdist edits (adjacent swaps count as one) sharing the first
        letter, closest first, then most frequent."""
        words, frequencies = self.by_letter.get(word[0], ((), ()))
        found = process.extract(word, words, scorer=OSA.distance, score_cutoff=maxdist, limit=None)
        found = [(distance, -frequencies[i], choice) for choice, distance, i in found if choice != word]
        return [choice for _, _, choice in sorted(found)]


def _segment_words(reader):
    return _words.get(reader, FIELD, lambda: {
        _text(term): info.doc_frequency() for term, info in reader.iter_field(FIELD)})


def _leaf_readers(searcher):
    for leaf, _ in searcher.reader().leaf_readers():
        segment = leaf.segment()  # None for an empty index
        yield leaf, (segment.segment_id() if segment is not None else None)


class Speller:
    """Suggests a corrected query, reusing one Lexicon while the index is unchanged."""

    def __init__(self):
        self._lexicon = (None, None)
        self._lock = threading.Lock()

    def lexicon(self, searcher):
        key = tuple(segment_id for _, segment_id in _leaf_readers(searcher))
        cached_key, lexicon = self._lexicon
        if cached_key != key or None in key:
            lexicon = Lexicon(searcher)
            with self._lock:
                self._lexicon = (key, lexicon)
        return lexicon

    def suggest(self, searcher, words, known=frozenset()):
        """The corrected query, or "" when every word is known or has no close match.

        `known` holds words to keep as they are (synonyms and acronyms)."""
        lexicon = self.lexicon(searcher)
        changed, out = False, []
        for word in words:
            lower = word.lower()
            if len(lower) < MIN_LENGTH or lower in known or _is_live(searcher, lower):
                out.append(lower)
                continue
            maxdist = 1 if len(lower) < 6 else 2  # one edit for short words
            choice = next((c for c in lexicon.candidates(lower, maxdist) if _is_live(searcher, c)), None)
            out.append(choice or lower)
            changed = changed or choice is not None
        return " ".join(out) if changed else ""


def _text(term):
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _is_live(searcher, word):
    """True when an undeleted entry holds the word (postings skip deleted entries)."""
    reader = searcher.reader()
    try:
        if (FIELD, word) not in reader:
            return False
        return reader.postings(FIELD, word).is_active()
    except (KeyError, ValueError):
        return False
