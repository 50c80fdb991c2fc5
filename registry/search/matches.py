"""A search's matches worked out in this process, from the chunks its groups of
words matched, for the PostgreSQL backend's searches decided by ids
(postgres_backend.py, `_decided_by_ids`).

The statement only finds each group's chunks through the GIN index and returns
them as (entry id, chunk number) pairs, 8 bytes each. Grouping them by entry,
scoring, deciding the query's AND / OR / NOT, fields and filters, counting and
choosing the first matches are done here with NumPy. In SQL, a phrase of two
common words at 100,000 records (110,760 chunks of 98,656 records) spent 36 ms
hashing the chunks into entries and read the result six times more (the idf, the
top matches, the count, the facets' ids, the documents' passages and first
matches): 140 ms for its statement. The same grouping takes about 3 ms here.

A group of words scores, in an entry, the weight of the best part it matched
(`weights`, by chunk number: the title, the methods, the summary...) plus up to
0.2 as more of a document's passages (chunk numbers from 0) match, exactly as
postgres_backend.CHUNK_SCORE does in SQL; groups are weighted by how rare they are.
"""
import math
from dataclasses import dataclass

import numpy as np

from registry.search import query_language as ql

# Each chunk matched as one 8-byte integer: its entry's id and its number (from -4)
# side by side. Two sends and a concatenation a row instead cost 5 ms more for
# 110,760 chunks. Room for 1,048,567 passages a document (300 million words; an upload
# is at most 20 MB, some 12,000 passages); a passage beyond them counts as the last, never
# as another entry's.
NUMBER_BITS, NUMBER_OFFSET = 20, 8
CHUNK_KEY = (f"(c.entry_id << {NUMBER_BITS}) + least(c.number, {(1 << NUMBER_BITS) - 1 - NUMBER_OFFSET}) "
             f"+ {NUMBER_OFFSET}")


@dataclass
class LeafHits:
    """One group of words' matches: distinct entry ids (sorted), and per entry its
    score, how many passages matched and the first of them (-1: none)."""

    ids: np.ndarray
    score: np.ndarray
    passages: np.ndarray
    first: np.ndarray


def leaf_hits(data, weights) -> LeafHits:
    """A group's matches from its chunks as the statement sends them (CHUNK_KEY,
    big-endian). `weights`: {negative chunk number: score of a match there};
    passages score 0 but for the bonus."""
    keys = np.frombuffer(bytes(data or b""), dtype=">i8").astype(np.int64)
    ids = keys >> NUMBER_BITS
    numbers = (keys & ((1 << NUMBER_BITS) - 1)) - NUMBER_OFFSET
    if not len(ids):
        empty = np.zeros(0, dtype=np.int64)
        return LeafHits(empty, np.zeros(0), empty, empty)
    # A stable sort is close to linear here: a scan returns chunks in the table's
    # order, which is mostly the entries' order.
    order = np.argsort(ids, kind="stable")
    ids, numbers = ids[order], numbers[order]
    new = np.empty(len(ids), dtype=bool)
    new[0] = True
    np.not_equal(ids[1:], ids[:-1], out=new[1:])
    group = np.cumsum(new) - 1
    entries = ids[new]
    weight = np.zeros(len(numbers))
    for number, value in weights.items():
        weight[numbers == number] = value
    best = np.zeros(len(entries))
    np.maximum.at(best, group, weight)
    is_passage = numbers >= 0
    passages = np.bincount(group[is_passage], minlength=len(entries)).astype(np.int64)
    first = np.full(len(entries), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, group[is_passage], numbers[is_passage])
    first[passages == 0] = -1
    # As in SQL: max(weight) + 0.2 * count / (count + 3.0), in this order.
    score = best + 0.2 * passages.astype(np.float64) / (passages.astype(np.float64) + 3.0)
    return LeafHits(entries, score, passages, first)


def idf(df, entries):
    """BM25's idf of a group matching `df` of `entries` (as postgres_backend's `idf` CTE)."""
    n = max(float(entries), float(df))
    return math.log(1 + (n - df + 0.5) / (df + 0.5))  # libm's, as PostgreSQL's ln


def present(universe, ids):
    """Which of the `universe` ids (in any order) are among the sorted `ids`."""
    if not len(ids):
        return np.zeros(len(universe), dtype=bool)
    at = np.minimum(np.searchsorted(ids, universe), len(ids) - 1)
    return ids[at] == universe


def decided(node, leaf_masks, keyword_masks):
    """The query's AND / OR / NOT over the universe's entries, from which groups of
    words each matched ({Text leaf: mask}) and which hold each field's value
    ({Keyword leaf: mask}). A bare leaf gives its own mask back, not a copy."""
    if isinstance(node, ql.Text):
        return leaf_masks[node]
    if isinstance(node, ql.Keyword):
        return keyword_masks[node]
    if isinstance(node, ql.Not):
        return ~decided(node.child, leaf_masks, keyword_masks)
    masks = [decided(child, leaf_masks, keyword_masks) for child in node.children]
    out = masks[0].copy()
    for mask in masks[1:]:
        if isinstance(node, ql.And):
            out &= mask
        else:
            out |= mask
    return out


def first_ranked(ids, rank, count):
    """Positions of the first `count` entries by rank (highest first), then id: a
    partial sort, ties at the cut kept whole and ordered by id."""
    if len(ids) <= count:
        return np.lexsort((ids, -rank))
    cut = np.partition(-rank, count - 1)[count - 1]
    candidates = np.flatnonzero(-rank <= cut)
    return candidates[np.lexsort((ids[candidates], -rank[candidates]))][:count]
