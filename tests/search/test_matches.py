"""A search's matches worked out in this process (registry/search/matches.py): the
grouping and scores the PostgreSQL backend's statement used to work out in SQL."""
import math

import numpy as np

from registry.search import matches
from registry.search import query_language as ql

WEIGHTS = {-1: 1.0, -2: 0.4, -3: 0.1, -4: 0.2}


def encoded(chunks):
    """The bytes the statement sends: CHUNK_KEY of each (entry id, chunk number), big-endian."""
    keys = [(entry_id << matches.NUMBER_BITS) + number + matches.NUMBER_OFFSET for entry_id, number in chunks]
    return np.array(keys, dtype=">i8").tobytes()


def test_chunks_are_grouped_by_entry_and_scored_as_in_sql():
    # A document (7) matched in its title and three passages, a record (3) in its
    # summary and methods, a document (12) in passages only; out of order, as the
    # table's order may be after entries are replaced.
    hits = matches.leaf_hits(encoded([(7, 4), (3, -4), (7, -1), (12, 0), (7, 0), (3, -2), (7, 9), (12, 3)]),
                             WEIGHTS)
    assert hits.ids.tolist() == [3, 7, 12]
    assert hits.passages.tolist() == [0, 3, 2]
    assert hits.first.tolist() == [-1, 0, 0]
    assert np.allclose(hits.score, [0.4, 1.0 + 0.2 * 3 / 6, 0.2 * 2 / 5])


def test_passage_numbers_beyond_the_int16_range_survive_the_encoding():
    hits = matches.leaf_hits(encoded([(2 ** 40, 70_000), (2 ** 40, 65_536), (5, -3)]), WEIGHTS)
    assert hits.ids.tolist() == [5, 2 ** 40]
    assert hits.first.tolist() == [-1, 65_536]
    assert hits.passages.tolist() == [0, 2]


def test_no_chunks_is_no_matches():
    for data in (None, b""):
        hits = matches.leaf_hits(data, WEIGHTS)
        assert len(hits.ids) == len(hits.score) == 0


def test_idf_is_bm25s_as_the_sql_computes_it():
    assert math.isclose(matches.idf(10, 1000), math.log(1 + (1000 - 10 + 0.5) / 10.5))
    # An entry count lower than the matches (statistics not yet gathered) counts as the matches.
    assert math.isclose(matches.idf(50, -1), math.log(1 + 0.5 / 50.5))


def test_the_first_ranked_keep_ties_at_the_cut_in_id_order():
    ids = np.array([10, 11, 12, 13, 14, 15])
    rank = np.array([0.5, 0.9, 0.5, 0.5, 0.1, 0.9])
    assert ids[matches.first_ranked(ids, rank, 3)].tolist() == [11, 15, 10]
    assert ids[matches.first_ranked(ids, rank, 4)].tolist() == [11, 15, 10, 12]
    assert ids[matches.first_ranked(ids, rank, 10)].tolist() == [11, 15, 10, 12, 13, 14]


def test_the_query_is_decided_from_which_groups_and_fields_each_entry_matched():
    tree, message = ql.parse("kinship AND (crewe OR stage:complete) NOT department:dfe")
    assert not message
    texts = {leaf.words: leaf for leaf in ql.leaves(tree) if isinstance(leaf, ql.Text)}
    keywords = {leaf.field: leaf for leaf in ql.leaves(tree) if isinstance(leaf, ql.Keyword)}
    universe = np.array([1, 2, 3, 4])
    leaf_masks = {texts["kinship"]: matches.present(universe, np.array([1, 2, 3])),
                  texts["crewe"]: matches.present(universe, np.array([1, 4]))}
    keyword_masks = {keywords["stage"]: np.array([False, True, False, True]),
                     keywords["department"]: np.array([False, True, False, False])}
    assert matches.decided(tree, leaf_masks, keyword_masks).tolist() == [True, False, False, False]
