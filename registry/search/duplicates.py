"""Likely duplicates: published records that look like one being written (the
same evaluation entered twice, by two teams or by a re-run import), found through
the search interface so that both backends answer, and only among what the index
holds (published records: a draft is never offered).

A candidate is any published record sharing the title's significant words (most
of them, as a relaxed search finds); it is kept when its title is close to the new
one as a whole (token set ratio, word order and repeats ignored) or when titles
are fairly close and the summaries are too.
"""
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from registry.search import SearchQuery, SearchUnavailable, get_backend

TITLE_ALONE = 90  # token set ratio (0-100) at which two titles name the same evaluation
TITLE_WITH_SUMMARY = 75  # a closer look: titles this close, and ...
SUMMARY = 60  # ... summaries this close


@dataclass
class LikelyDuplicate:
    pk: int
    slug: str
    title: str
    url: str
    score: int  # 0-100


def likely_duplicates_of(evaluation, *, limit=3):
    """Published records that look like this one, leaving out the record itself
    and, for a revision, the published record it revises (its own earlier text)."""
    from registry.models import Submission

    revision_of = Submission.objects.filter(evaluation_id=evaluation.pk).values_list("revision_of_id", flat=True)
    exclude = {evaluation.pk, *(pk for pk in revision_of if pk is not None)}
    return likely_duplicates(evaluation.title, evaluation.summary, exclude=exclude, limit=limit)


def likely_duplicates(title, summary="", *, exclude=None, limit=3):
    """[LikelyDuplicate], closest first; [] when the search cannot answer (a
    warning must never stop anyone saving). `exclude`: a record's id, or ids, to leave out."""
    title = (title or "").strip()
    if len(title) < 8:
        return []
    words = " ".join("".join(c if c.isalnum() else " " for c in title).split())
    try:
        hits = get_backend().search(SearchQuery(text=words, kinds=("evaluation",), page_size=20, facets=False)).hits
    except SearchUnavailable:
        return []
    if exclude is None:
        exclude = set()
    elif isinstance(exclude, int):
        exclude = {exclude}
    found = []
    for hit in hits:
        if hit.pk in exclude:
            continue
        # Compared as words: letter case, punctuation and markup ("(PiP)", "<em>") set aside.
        title_score = fuzz.token_set_ratio(title, hit.title, processor=default_process)
        summary_score = fuzz.token_set_ratio(summary, (hit.extra or {}).get("summary", ""),
                                             processor=default_process) if summary else 0
        if title_score >= TITLE_ALONE or (title_score >= TITLE_WITH_SUMMARY and summary_score >= SUMMARY):
            found.append(LikelyDuplicate(pk=hit.pk, slug=hit.slug, title=hit.title, url=hit.url,
                                         score=round(max(title_score, (title_score + summary_score) / 2))))
    return sorted(found, key=lambda d: -d.score)[:limit]
