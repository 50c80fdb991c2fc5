"""Likely duplicates in an import: rows that would create a record looking like a
published one, and rows of the same file that look like each other. Warnings only:
they never stop an import (a department may mean both records).

Against the registry, the same rule as the journey and the API
(registry/search/duplicates.py: titles close as a whole, or fairly close with close
summaries; only published records, never a draft or a withdrawn record), but the
candidates are found in bulk: one search per row costs 5-50 ms, 25-250 s for 5,000
rows, against the one-minute target of the whole import (issue 17). With meaning
search on, every new row's title, and its title and summary, are embedded at once and
compared with every published record's stored vector (registry/search/meaning.py) in
one matrix product a chunk of rows at a time; each row's CANDIDATES nearest records by
each, and any published record with the same title words, are then confirmed with
rapidfuzz exactly as duplicates.py confirms a search's hits. The store
holds vectors for published records only (written with the index), and the records
confirmed are read back filtered by `published()`, so a vector a moment old never
offers a record since withdrawn. With meaning search off, each new row is searched
as the journey searches, but only for a file of at most SEARCH_ROWS new rows; above
that the report says the check was skipped.

Within the file: titles near-identical as words (word order, case and punctuation
set aside: token sort ratio >= TITLE_ALONE), between two external ids, at least one
of them new. Titles that differ in their numbers ("wave 1", "wave 2"; "2019", "2020")
name different evaluations and are not compared: rows are grouped by their titles'
numbers and compared only within a group, with rapidfuzz's cdist (C, not a Python
loop over every pair of 5,000 rows).

Measured on SQLite, 2 cores (import_records --bench 5000: 5,000 new rows, published):
with 3 published records the import took 21.3 and 22.6 s (23.2 s before this check),
the check itself 0.5 s. Against 5,003 published records of near-identical titles (the
bench's rows imported once before) every row is warned of and the check takes 2.8-3.3 s
(the similarities' argpartition 1.2 s, confirming 0.9 s, embedding 0.5 s), the import
25.3 s. Within the file, 5,000 titles without numbers in one group: 0.5 s. Without
meaning search, 200 rows searched against those 5,003 records: 9.7 s (hence SEARCH_ROWS).
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from registry.search import duplicates as search_duplicates
from registry.search.duplicates import SUMMARY, TITLE_ALONE, TITLE_WITH_SUMMARY

CANDIDATES = 20  # nearest records confirmed per row (a search's first page in duplicates.py)
FLOOR = 0.2  # below this cosine similarity a record is not a candidate (meaning.RANK_SIMILARITY)
CHUNK = 500  # new rows per matrix product: 500 x 10,000 records is 20 MB of similarities
SEARCH_ROWS = 200  # most new rows checked one search each when meaning search is off
PER_ROW = 3  # look-alikes named per row
MIN_TITLE = 8  # shorter titles say too little (as duplicates.py)
NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True)
class LookAlike:
    """What a row looks like: a published record (url) or another row of the file (row)."""

    title: str
    url: str = ""
    row: int | None = None


@dataclass
class DuplicateWarning:
    """Row `row` (its title) looks like each of `like`."""

    row: int
    title: str
    like: list[LookAlike] = field(default_factory=list)


@dataclass
class Checked:
    warnings: list[DuplicateWarning] = field(default_factory=list)
    note: str = ""  # why part of the check was not done


def check_rows(rows: Iterable) -> Checked:
    """Warnings for these ImportRows (row, external_id, data with title and summary), by row."""
    from registry.models import Evaluation

    rows = [r for r in rows if r.external_id]
    existing = set(Evaluation.objects.filter(slug__in=[r.external_id for r in rows]).values_list("slug", flat=True))
    new = [r for r in rows if r.external_id not in existing and len(_title(r)) >= MIN_TITLE]
    checked = Checked()
    by_row: dict[int, DuplicateWarning] = {}

    def warn(row, like):
        by_row.setdefault(row.row, DuplicateWarning(row.row, _title(row))).like.append(like)

    registry_matches, checked.note = _registry_matches(new)
    for row, matches in zip(new, registry_matches, strict=True):
        for match in matches:
            warn(row, LookAlike(match.title, url=match.url))
    for row, earlier in _file_matches(rows, existing):
        warn(row, LookAlike(_title(earlier), row=earlier.row))
    checked.warnings = [by_row[n] for n in sorted(by_row)]
    return checked


def _title(row) -> str:
    return str(row.data.get("title") or "").strip()


def _summary(row) -> str:
    return str(row.data.get("summary") or "").strip()


# -- against the registry --------------------------------------------------------

def _registry_matches(new: list) -> tuple[list[list], str]:
    """For each new row, [search_duplicates.LikelyDuplicate], closest first; and a note."""
    from registry.search import meaning

    if not new:
        return [], ""
    if meaning.enabled():
        return _by_meaning(new), ""
    if len(new) > SEARCH_ROWS:
        return [[] for _ in new], (f"The {len(new)} new rows were not compared with the registry's published "
                                   f"records: without meaning search the check runs for up to {SEARCH_ROWS} "
                                   f"new rows. Search the registry for any you are unsure of")
    return [search_duplicates.likely_duplicates(_title(r), _summary(r), limit=PER_ROW) for r in new], ""


def _by_meaning(new: list) -> list[list]:
    """Each row's candidates: the published records with its title as words (exactly,
    word order aside), and the nearest in meaning to its title and to its title and
    summary. The title's nearest as well as the title and summary's, since the rule
    confirms on the title first and a row's summary is often written afresh (a different
    summary would otherwise crowd the record out of its nearest); the exact title as
    well, since many records of near-identical wording ("... programme 12") can crowd
    even the title's nearest."""
    from registry.search import meaning

    ids, matrix = meaning.stored_vectors()
    records = _published() if len(ids) else {}
    if not records:
        return [[] for _ in new]
    by_words: dict[str, list[int]] = defaultdict(list)
    for pk, (title, _) in records.items():
        by_words[_words(title)].append(pk)
    candidates = [by_words.get(_words(_title(row)), [])[:CANDIDATES] for row in new]
    for texts in ([_title(r) for r in new], [f"{_title(r)}\n{_summary(r)}" for r in new]):
        for row, nearest in enumerate(_nearest(meaning.embed(texts), ids, matrix)):
            candidates[row].extend(nearest)
    return [_confirmed(row, [(pk, *records[pk]) for pk in dict.fromkeys(found) if pk in records])
            for row, found in zip(new, candidates, strict=True)]


def _nearest(vectors: np.ndarray, ids: np.ndarray, matrix: np.ndarray):
    """For each vector, the ids of the CANDIDATES nearest records (cosine >= FLOOR): one
    matrix product a chunk of rows at a time."""
    k = min(CANDIDATES, len(ids))
    for start in range(0, len(vectors), CHUNK):
        similarity = vectors[start:start + CHUNK] @ matrix.T
        top = np.argpartition(similarity, -k, axis=1)[:, -k:]
        for row_sims, row_top in zip(similarity, top, strict=True):
            yield ids[row_top[row_sims[row_top] >= FLOOR]].tolist()


def _published() -> dict:
    """{record id: (title, display)} of every published record with a vector (one
    query; 10 MB for 10,000 records). Read from the store, filtered by `published()`,
    so a record withdrawn since this process read its matrix is never offered."""
    from registry.models import Evaluation
    from registry.models.search import SearchVector

    rows = SearchVector.objects.filter(kind="evaluation", object_id__in=Evaluation.objects.published().values("id"))
    return {pk: (title, display or {}) for pk, title, display in rows.values_list("object_id", "title", "display")}


def _words(title: str) -> str:
    """A title as its words, sorted: letter case, punctuation and word order set aside."""
    return " ".join(sorted(default_process(title).split()))


def _confirmed(row, candidates) -> list:
    """The candidates duplicates.py's rule keeps, closest first (its scores and thresholds)."""
    title, summary = _title(row), _summary(row)
    found = []
    for pk, candidate_title, display in candidates:
        title_score = fuzz.token_set_ratio(title, candidate_title, processor=default_process)
        summary_score = fuzz.token_set_ratio(summary, display.get("summary", ""),
                                             processor=default_process) if summary else 0
        if title_score >= TITLE_ALONE or (title_score >= TITLE_WITH_SUMMARY and summary_score >= SUMMARY):
            found.append(search_duplicates.LikelyDuplicate(
                pk=pk, slug=display.get("slug", ""), title=candidate_title, url=display.get("url", ""),
                score=round(max(title_score, (title_score + summary_score) / 2))))
    return sorted(found, key=lambda d: -d.score)[:PER_ROW]


# -- within the file -------------------------------------------------------------

def _file_matches(rows: list, existing: set):
    """(row, an earlier row it looks like), for each pair with near-identical titles."""
    groups: dict[tuple, list] = defaultdict(list)
    for row in rows:
        words = default_process(_title(row))
        if len(words) >= MIN_TITLE:
            # Word order set aside: the words sorted, then compared as one string.
            groups[tuple(sorted(NUMBERS.findall(words)))].append((row, _words(words)))
    for group in groups.values():
        if len(group) < 2:
            continue
        texts = [text for _, text in group]
        for start in range(0, len(group), CHUNK):
            # Each row of the chunk against the rows before it: (later, earlier) pairs.
            scores = process.cdist(texts[start:start + CHUNK], texts[:start + CHUNK], scorer=fuzz.ratio,
                                   score_cutoff=TITLE_ALONE, dtype=np.uint8, workers=1)
            for offset, scored in enumerate(scores):
                later = group[start + offset][0]
                earlier = [group[i][0] for i in np.nonzero(scored[:start + offset])[0]]
                yield from ((later, e) for e in [e for e in earlier if _distinct(later, e, existing)][:PER_ROW])


def _distinct(row, other, existing: set) -> bool:
    """Two records, at least one of them new (two records already in the registry
    that look alike are not this file's doing)."""
    return row.external_id != other.external_id and not (row.external_id in existing and other.external_id in existing)
