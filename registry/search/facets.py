"""Facet counting for the whoosh backend, cached per immutable segment."""
import threading

from whoosh import sorting


class CachedFacet(sorting.FieldFacet):
    """Counts a multi-valued keyword field. Whoosh's own overlapping facet walks every
    posting of the field on each query; segments never change once written, so the
    doc -> values lists are built once per segment and reused."""

    _cache = {}
    _cache_lock = threading.Lock()

    def __init__(self, fieldname):
        super().__init__(fieldname, allow_overlap=True)

    def categorizer(self, global_searcher):
        return _CachedCategorizer(global_searcher, self.fieldname, self._cache, self._cache_lock)


class _CachedCategorizer(sorting.OverlappingCategorizer):
    def __init__(self, global_searcher, fieldname, cache, lock):
        super().__init__(global_searcher, fieldname)
        self._use_vectors = self._use_column = False
        self._cache, self._lock = cache, lock

    def set_searcher(self, segment_searcher, docoffset):
        reader = segment_searcher.reader()
        segment = reader.segment()
        key = (id(reader.storage) if segment is None else segment.segment_id(), self._fieldname)
        lists = self._cache.get(key)
        if lists is None:
            lists = [[] for _ in range(segment_searcher.doc_count_all())]
            for btext in reader.lexicon(self._fieldname):
                text = btext.decode("utf-8")
                for docid in reader.postings(self._fieldname, btext).all_ids():
                    lists[docid].append(text)
            with self._lock:
                if len(self._cache) > 2000:
                    self._cache.clear()
                self._cache[key] = lists
        self._segment_searcher = segment_searcher
        self._lists = lists

    def keys_for(self, matcher, docid):
        return self._lists[docid] or [None]

