"""The relevance set of issue 19: real UK evaluations, written from their public
descriptions (tests/search/relevance/records.json), and queries typed the way
researchers and civil servants type them, each judged with the one record that
should come first (relevance/queries.json, with a note on what each one tests).

Every backend must put the expected record in the top 3 for at least 95% of the
queries and first for at least 85%, and never answer a judged query with an
empty page. The figures are printed at the end of the run (see conftest.py) and
written to test-artifacts/relevance-<backend>.txt, beside the same figures with
the newer query helpers switched off, so each helper's effect is measured rather
than guessed:
- without the built-in British/American spellings and joined/hyphenated words
  (spellings.csv, compounds.csv; the synonym table's acronyms stay);
- without meaning-based retrieval (REGISTRY_MEANING_SEARCH off: the words alone),
  also shown for the paraphrases alone (queries marked "paraphrase", phrased
  unlike their records);
- without the correction and relaxed fallbacks (`SearchQuery(correct=False)`);
- without any of them.
Only the full configuration is held to the thresholds, and to doing at least as
well as the words alone (better on the paraphrases).
"""
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils.text import slugify

from registry import models
from registry.search import SearchQuery, meaning
from registry.search import synonyms as synonyms_module
from tests.conftest import ARTIFACTS
from tests.factories import EvaluationFactory, FindingFactory
from tests.search.conftest import RELEVANCE_REPORTS

pytestmark = pytest.mark.django_db

HERE = Path(__file__).resolve().parent / "relevance"
RECORDS = json.loads((HERE / "records.json").read_text(encoding="utf-8"))
QUERIES = json.loads((HERE / "queries.json").read_text(encoding="utf-8"))
TOP_1, TOP_3 = 0.85, 0.95
# Queries phrased unlike their records ("helping people back into work"), judged like the rest.
PARAPHRASES = {q["query"] for q in QUERIES if q.get("paraphrase")}


def load_records():
    """The records as the registry holds them once published: methods, lead and
    other departments, places and findings."""
    departments = {d.code: d for d in models.Department.objects.all()}
    designs = {d.code: d for d in models.DesignType.objects.all()}
    for spec in RECORDS:
        evaluation = EvaluationFactory(
            slug=spec["slug"], title=spec["title"], summary=spec["summary"], stage=spec.get("stage", ""),
            lead_department=departments[spec["department"]], visibility="published")
        evaluation.other_departments.set([departments[code] for code in spec.get("other_departments", [])])
        for code in spec["methods"]:
            models.EvaluationDesign.objects.create(evaluation=evaluation, design_type=designs[code])
        for name in spec.get("places", []):
            place, _ = models.Place.objects.get_or_create(slug=slugify(name), defaults={"name": name})
            evaluation.places.add(place)
        for position, finding in enumerate(spec.get("findings", [])):
            FindingFactory(evaluation=evaluation, position=position, outcome=finding["outcome"],
                           statement=finding["statement"], direction=finding.get("direction", "not_reported"))


@dataclass
class Figures:
    """Where each judged query put its expected record (None: not on the first page)."""
    name: str
    ranks: dict = field(default_factory=dict)  # query -> rank from 1, or None
    firsts: dict = field(default_factory=dict)  # query -> the first three slugs
    empty: list = field(default_factory=list)
    relaxed: list = field(default_factory=list)  # answered by the records holding most of the words
    corrected: dict = field(default_factory=dict)  # query -> the correction that answered it

    def share(self, within, queries=None):
        ranks = [rank for query, rank in self.ranks.items() if queries is None or query in queries]
        return sum(1 for rank in ranks if rank and rank <= within) / len(ranks)

    def paraphrase_line(self):
        """The queries phrased unlike their records (meaning-based retrieval's own test)."""
        n = len(PARAPHRASES)
        return (f"{self.name + ' / paraphrases':<34} top 1: {round(self.share(1, PARAPHRASES) * n):>3}/{n}"
                f" ({self.share(1, PARAPHRASES):6.1%})   top 3: {round(self.share(3, PARAPHRASES) * n):>3}/{n}"
                f" ({self.share(3, PARAPHRASES):6.1%})")

    def misses(self, within):
        return [q for q, rank in self.ranks.items() if not rank or rank > within]

    def line(self):
        n = len(self.ranks)
        top1, top3 = round(self.share(1) * n), round(self.share(3) * n)
        return (f"{self.name:<34} top 1: {top1:>3}/{n} ({self.share(1):6.1%})   top 3: {top3:>3}/{n} "
                f"({self.share(3):6.1%})   empty pages: {len(self.empty):>2}   "
                f"(relaxed: {len(self.relaxed)}, corrected: {len(self.corrected)})")


def measure(backend, name, correct=True):
    figures = Figures(name)
    for judged in QUERIES:
        results = backend.search(SearchQuery(text=judged["query"], correct=correct, page_size=10, facets=False))
        slugs = [hit.slug if hit.kind == "evaluation" else f"(document {hit.pk})" for hit in results.hits]
        figures.firsts[judged["query"]] = slugs[:3]
        figures.ranks[judged["query"]] = slugs.index(judged["expected"]) + 1 if judged["expected"] in slugs else None
        if not results.hits:
            figures.empty.append(judged["query"])
        if results.relaxed:
            figures.relaxed.append(judged["query"])
        if results.corrected_from:
            figures.corrected[judged["query"]] = results.corrected_to
    return figures


def without_builtin_spellings(backend, monkeypatch, measure_it):
    """Measure with the built-in spellings and compounds gone. Synonyms are built
    from them when a backend (re)loads its synonym table, so make it reload."""
    with monkeypatch.context() as patch:
        patch.setattr(synonyms_module, "_builtin_alternatives", lambda: {})
        backend.save_synonyms()
        figures = measure_it()
    backend.save_synonyms()
    return figures


EXPECTED = {q["query"]: q["expected"] for q in QUERIES}


def misses_of(figures):
    lines = []
    for query in figures.misses(1):
        rank = figures.ranks[query]
        lines.append(f"    {query!r}: expected {EXPECTED[query]} at {rank or 'none of the first 10'}; "
                     f"first: {', '.join(figures.firsts[query]) or '(nothing)'}")
    return lines


def report(backend_name, configurations):
    """(the summary printed after the run, the artifact: the summary and every
    configuration's misses)."""
    full = configurations[0]
    lines = [f"Relevance set ({len(RECORDS)} records, {len(QUERIES)} judged queries) on {backend_name}:"]
    lines += ["  " + figures.line() for figures in configurations]
    lines += ["  " + figures.paraphrase_line() for figures in configurations[:2]]
    misses = misses_of(full)
    lines += [f"  Not first with everything on ({len(misses)}):", *misses] if misses else [
        "  Every query found its record first with everything on."]
    summary = "\n".join(lines)
    details = [summary, "", f"  Answered by most of the words with everything on ({len(full.relaxed)}):"]
    details += [f"    {query!r}" for query in full.relaxed]
    details += ["", f"  Answered by a correction with everything on ({len(full.corrected)}):"]
    details += [f"    {query!r} -> {to!r}" for query, to in full.corrected.items()]
    for figures in configurations[1:]:
        details += ["", f"  Not first with {figures.name} ({len(figures.misses(1))}):", *misses_of(figures)]
    return summary, "\n".join(details)


def without_meaning(settings, measure_it):
    """Measure with meaning-based retrieval switched off: the word results alone."""
    settings.REGISTRY_MEANING_SEARCH = False
    try:
        return measure_it()
    finally:
        settings.REGISTRY_MEANING_SEARCH = True


def test_judged_queries_find_their_record_first_on_every_backend(search_index, search_backend_name, monkeypatch,
                                                                   settings):
    load_records()
    search_index.rebuild()
    assert meaning.stored_count() == models.Evaluation.objects.published().count()

    full = measure(search_index, "everything on")
    words_only = without_meaning(settings, lambda: measure(search_index, "no meaning (words)"))
    configurations = [
        full,
        words_only,
        without_builtin_spellings(search_index, monkeypatch,
                                  lambda: measure(search_index, "no built-in spellings/compounds")),
        measure(search_index, "no correction/relaxed fallback", correct=False),
        without_builtin_spellings(search_index, monkeypatch, lambda: without_meaning(
            settings, lambda: measure(search_index, "none of them (before issue 19)", correct=False))),
    ]
    text, details = report(search_backend_name, configurations)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"relevance-{search_backend_name}.txt").write_text(details + "\n", encoding="utf-8")
    RELEVANCE_REPORTS.append(text)

    assert not full.empty, f"judged queries with an empty page: {full.empty}"
    assert full.share(3) >= TOP_3, text
    assert full.share(1) >= TOP_1, text
    # Meaning must never make the word results worse, and must find paraphrases the words miss.
    assert full.share(1) >= words_only.share(1) and full.share(3) >= words_only.share(3), text
    assert full.share(3, PARAPHRASES) > words_only.share(3, PARAPHRASES), text


def test_the_set_is_large_enough_and_every_judgement_names_a_record():
    slugs = {record["slug"] for record in RECORDS}
    assert len(RECORDS) >= 20 and len(QUERIES) >= 60
    assert len(slugs) == len(RECORDS)
    assert {q["expected"] for q in QUERIES} <= slugs
    assert len({q["query"].lower() for q in QUERIES}) == len(QUERIES)
