"""Facet counts for the whoosh backend, counted in bulk after the search.

whoosh's own facets ask each facet for each matching entry's values, in Python,
and force it to sort every match rather than keep only the top ones. Here the
search records which entries matched, segment by segment (MatchedEntries), and
each facet is then counted with one Counter over lists of values per entry.
Segments never change once written, so those lists are built once per segment
and field and reused by every later query.
"""
from collections import Counter
from itertools import chain

from whoosh.collectors import WrappingCollector

from registry.search.segments import SegmentCache

_lists = SegmentCache(limit=2000)  # (segment, field) -> [values of entry 0, values of entry 1, ...]


class MatchedEntries(WrappingCollector):
    """Wraps a whoosh collector and keeps, per segment, the numbers of the entries
    it collected."""

    def __init__(self, child):
        super().__init__(child)
        self.segments = []  # [(segment reader, [segment-local entry numbers])]
        self.offsets = []  # each segment's first entry number in the whole index

    def set_subsearcher(self, subsearcher, offset):
        super().set_subsearcher(subsearcher, offset)
        self._current = []
        self.segments.append((subsearcher.reader(), self._current))
        self.offsets.append(offset)

    def collect(self, sub_docnum):
        self._current.append(sub_docnum)
        return self.child.collect(sub_docnum)


def count(matched, fieldname, keep=None):
    """Counter of the field's values over the matched entries (those whose
    index-wide number `keep` accepts, when given)."""
    counts = Counter()
    for (reader, numbers), offset in zip(matched.segments, matched.offsets, strict=True):
        if keep is not None:
            numbers = [n for n in numbers if keep(offset + n)]
        if numbers:
            values = _values_per_entry(reader, fieldname)
            counts.update(chain.from_iterable(map(values.__getitem__, numbers)))
    return counts


def _values_per_entry(reader, fieldname):
    def build():
        lists = [[] for _ in range(reader.doc_count_all())]
        for btext in reader.lexicon(fieldname):
            text = btext.decode("utf-8")
            for docnum in reader.postings(fieldname, btext).all_ids():
                lists[docnum].append(text)
        return lists
    return _lists.get(reader, fieldname, build)
