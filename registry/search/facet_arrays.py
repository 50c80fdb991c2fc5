"""Each process's copy of the PostgreSQL index entries' facet values, as integer
codes in arrays keyed by entry id, so that a search matching most of the registry
need not have its statement look up every matching entry and count its values.

The statement returns the matching ids as 8-byte integers and the facets are counted
here. Measured at 100,000 records for a word matching 25,055 of them: the statement
as it was, 203 to 206 ms; returning the ids without looking the entries up, 52 to 70
ms; counting from these arrays, 3.4 to 4.7 ms, the same counts. Reading every entry
into a process costs about 1 s at 100,000 entries (0.65 s before it held the
filter values too), once, on its first search; after that
a search reads only the entries newer than the copy.

The copy also decides fields of the entries' own values and filters (department:,
method=...) for searches worked out in this process (matches.py): `holding` says
which matches hold a value, so the statement need not look them up either (at 100,000
records a method and year filter on a word in 8,000 records: the lookups cost 34 ms,
sets of ids from the GIN index 35 ms; bitmaps from this copy 4.8 ms, and they are kept
until the copy changes). An entry the copy has not read is read first.

It needs no invalidation because index entries are never updated: the backend
replaces an entry by deleting it and inserting a new one, with a new id
(postgres_backend.py, `_delete` and `_insert_entries`). An id the copy lacks is read
on first sight; a deleted entry's id is asked for again only by a search that
found it just before it went, and holds nothing. So that replaced entries do not pile up, the copy starts
again empty when it would hold more than twice the table's entries. Ids are only
ever reused by `restore`, which replaces the database with the app servers stopped.
"""
import threading

import numpy as np

# What the copy holds of each entry: the facet values it counts, then the values
# that are only filtered on (places, programmes, a department's acronym...) and its
# kind ("entry_kind:evaluation" or "entry_kind:document"), for searches of one kind.
ENTRY_KIND = "entry_kind"
VALUES = f"facet_values, filter_values || ('{ENTRY_KIND}:' || kind)::text"
MAX_BITMAPS = 256  # holding's bitmaps kept (12.5 KB each at 100,000 entries)


class FacetArrays:
    """Facet and filter values of index entries: `values` (code -> "key:value"), and
    for the entry in row r of the copy, its codes flat[indptr[r]:indptr[r + 1]], the
    first counted_len[r] of them its facet values; row_of maps an entry id to its
    row (-1: not read), id_of_row back."""

    def __init__(self, table):
        self.table = table
        self.lock = threading.Lock()
        self._empty()

    def _empty(self):
        self.codes: dict[str, int] = {}
        self.values: list[str] = []
        self.facet_of: list[str] = []  # each code's facet: "department" of "department:dfe"
        self.row_of = np.full(0, -1, dtype=np.int32)  # 4 bytes an id up to the largest
        self.id_of_row = np.zeros(0, dtype=np.int64)
        self.indptr = np.zeros(1, dtype=np.int64)
        self.flat = np.zeros(0, dtype=np.int32)
        self.counted_len = np.zeros(0, dtype=np.int64)  # each row's facet values, first in its run
        # holding's bitmaps of rows until the copy changes: {("rows", *sorted values): bytes}
        self._bitmaps: dict = {}

    def counts(self, cursor, ids, flags=None, excluded=()) -> list:
        """[("key:value", number of these entries holding it)] for these entry ids.
        With filters: flags[k] has bit i set when entry k passes filter i, and a value
        of facet F is counted over the entries passing every filter i for which F is
        not in excluded[i] (a filter leaves its own facet's counts alone, so each
        count says what ticking that value would add)."""
        ids = np.asarray(ids, dtype=np.int64)  # distinct: a statement's matches, one row an entry
        flags = np.zeros(len(ids), dtype=np.int64) if flags is None else np.asarray(flags, dtype=np.int64)
        if not len(ids):
            return []
        with self.lock:
            self._read_missing(cursor, ids)
            row_of, indptr, flat, values = self.row_of, self.indptr, self.flat, self.values
            counted_len = self.counted_len
            facet_of = list(self.facet_of)
        inside = ids < len(row_of)
        rows = np.full(len(ids), -1, dtype=np.int64)
        rows[inside] = row_of[ids[inside]]
        live = rows >= 0  # an entry deleted since the search's statement counts for nothing
        rows, flags = rows[live], flags[live]
        # The filters each facet's values must pass, as a bit mask: facets sharing one are counted together.
        needs = {}
        for facet in set(facet_of):
            needed = sum(1 << i for i, names in enumerate(excluded) if facet not in names)
            needs.setdefault(needed, set()).add(facet)
        counted_all = []
        for needed, facets in needs.items():
            chosen = rows[(flags & needed) == needed]
            starts = indptr[chosen]
            lengths = counted_len[chosen]
            # Every code of every chosen row, gathered at once: each row's run of positions.
            positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
            counted = np.bincount(flat[positions], minlength=len(values))
            counted_all += [(values[code], int(counted[code])) for code in np.flatnonzero(counted)
                            if facet_of[code] in facets]
        return counted_all

    def _read_missing(self, cursor, ids):
        missing = self._missing(ids)
        if not len(missing):
            return
        cursor.execute(f"SELECT reltuples::bigint FROM pg_class WHERE oid = '{self.table}'::regclass")
        entries = max(int(cursor.fetchone()[0]), len(ids))
        if len(self.indptr) - 1 + len(missing) > 2 * entries + 1000:
            self._empty()
        if len(self.indptr) == 1:
            self._read_all(cursor)
        else:
            cursor.execute(f"SELECT id, {VALUES} FROM {self.table} WHERE id = ANY(%s)", [missing.tolist()])
            self._append(cursor.fetchall())

    def _read_all(self, cursor):
        """An empty copy reads every entry at once (about 1 s at 100,000): searches then
        read only entries newer than the copy, instead of each of the first searches
        reading thousands of its matches."""
        cursor.execute(f"SELECT id, {VALUES} FROM {self.table}")
        self._append(cursor.fetchall())

    def holding(self, cursor, ids, value_sets) -> list[np.ndarray]:
        """For each set of values, which of these entry ids hold any of them (a search
        decided in this process: matches.py). The copy first reads the entries it
        lacks; an id it still lacks (deleted since) holds nothing. Each set's rows are
        kept as a bitmap until the copy changes."""
        ids = np.asarray(ids, dtype=np.int64)
        with self.lock:
            self._read_missing(cursor, ids)
            rows = np.full(len(ids), -1, dtype=np.int64)
            inside = ids < len(self.row_of)
            rows[inside] = self.row_of[ids[inside]]
            live = rows >= 0
            out = []
            for values in value_sets:
                key = ("rows",) + tuple(sorted(set(values)))
                if key not in self._bitmaps:
                    if len(self._bitmaps) > MAX_BITMAPS:
                        self._bitmaps = {}
                    bits = np.zeros(len(self.id_of_row), dtype=bool)
                    codes = [self.codes[v] for v in key[1:] if v in self.codes]
                    if codes:
                        positions = np.flatnonzero(np.isin(self.flat, codes))
                        bits[np.searchsorted(self.indptr, positions, side="right") - 1] = True
                    self._bitmaps[key] = np.packbits(bits, bitorder="little").tobytes()
                bits = np.unpackbits(np.frombuffer(self._bitmaps[key], dtype=np.uint8), count=len(self.id_of_row),
                                     bitorder="little").view(bool)
                mask = np.zeros(len(ids), dtype=bool)
                mask[live] = bits[rows[live]]
                out.append(mask)
        return out

    def _missing(self, ids):
        inside = ids < len(self.row_of)
        known = np.zeros(len(ids), dtype=bool)
        known[inside] = self.row_of[ids[inside]] >= 0
        return ids[~known]

    def _append(self, fetched):
        if not fetched:
            return
        first = len(self.indptr) - 1
        flat, lengths, counted = [], [], []
        for _, facet_values, filter_values in fetched:
            held = list(facet_values or ()) + list(filter_values or ())
            for value in held:
                code = self.codes.get(value)
                if code is None:
                    code = self.codes[value] = len(self.values)
                    self.values.append(value)
                    self.facet_of.append(value.split(":", 1)[0])
                flat.append(code)
            lengths.append(len(held))
            counted.append(len(facet_values or ()))
        ids = np.array([row[0] for row in fetched], dtype=np.int64)
        if int(ids.max()) >= len(self.row_of):
            grown = np.full(max(int(ids.max()) + 1, 2 * len(self.row_of)), -1, dtype=np.int32)
            grown[:len(self.row_of)] = self.row_of
            self.row_of = grown
        self.row_of[ids] = np.arange(first, first + len(ids))
        self.id_of_row = np.concatenate([self.id_of_row, ids])
        self.indptr = np.concatenate([self.indptr, self.indptr[-1] + np.cumsum(lengths, dtype=np.int64)])
        self.flat = np.concatenate([self.flat, np.array(flat, dtype=np.int32)])
        self.counted_len = np.concatenate([self.counted_len, np.array(counted, dtype=np.int64)])
        self._bitmaps = {}
