"""Data worked out from one whoosh segment, kept by segment id.

A segment never changes once written (deletions aside, which callers check
against live postings), so what is read from it once serves every later query
until a merge replaces it. Shared by the facet lists and the spelling lexicon.
"""
import threading


class SegmentCache:
    """{(segment id, key): value}, emptied when it grows past `limit` entries
    (merged-away segments are never asked for again)."""

    def __init__(self, limit):
        self.limit = limit
        self._items = {}
        self._lock = threading.Lock()

    def get(self, reader, key, build):
        """build() for this segment reader and key, worked out once per segment."""
        segment = reader.segment()
        if segment is None:  # an empty index: nothing worth keeping
            return build()
        item_key = (segment.segment_id(), key)
        value = self._items.get(item_key)
        if value is None:
            value = build()
            with self._lock:
                if len(self._items) > self.limit:
                    self._items.clear()
                self._items[item_key] = value
        return value
