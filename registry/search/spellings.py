"""British and American spellings of the same word, so "behavioral" finds
"behavioural" and "randomized" finds "randomised" across the whole vocabulary,
not only for the method words the synonym table lists.

The word list is data (fixtures/vocabularies/spellings.csv): a row names a British
and an American stem and, for the regular patterns, which endings both take
(`ise`: organise / organize and their -d, -s, -ing, -ation forms; `our`; `re`;
`yse`; `ll`: modelled / modeled). A row with no pattern is one word pair.
Queries are expanded with the other spelling (registry/search/synonyms.py), so
the index never has to be rebuilt when the list changes.
"""
import csv
from functools import lru_cache
from pathlib import Path

SPELLINGS_CSV = Path(__file__).resolve().parents[2] / "fixtures" / "vocabularies" / "spellings.csv"

# pattern -> [(British ending, American ending)]
ENDINGS = {
    "ise": [(e, e) for e in ("e", "es", "ed", "ing", "ation", "ations", "er", "ers")],
    "our": [(e, e) for e in ("", "s", "al", "ally", "ed", "ing", "able", "ably", "ite", "ites", "hood", "hoods",
                             "ist", "less", "ful")],
    "re": [("", ""), ("s", "s"), ("d", "ed")],
    "yse": [(e, e) for e in ("e", "es", "ed", "ing", "er", "ers")],
    "ll": [("led", "ed"), ("ling", "ing"), ("ler", "er"), ("lers", "ers"), ("lor", "or"), ("lors", "ors")],
}


@lru_cache(maxsize=1)
def spelling_pairs():
    """[(British word, American word)] from the word list, every ending spelt out."""
    pairs = []
    with open(SPELLINGS_CSV, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            uk, us, pattern = row["uk"].strip(), row["us"].strip(), (row["forms"] or "").strip()
            if pattern:
                pairs += [(uk + a, us + b) for a, b in ENDINGS[pattern]]
            else:
                pairs.append((uk, us))
    return [(uk, us) for uk, us in pairs if uk != us]


COMPOUNDS_CSV = SPELLINGS_CSV.with_name("compounds.csv")


@lru_cache(maxsize=1)
def compound_pairs():
    """[(joined, hyphenated)]: words written both ways ("reoffending" and
    "re-offending", "wellbeing" and "well-being"), from the data file. A hyphen
    splits a word into two for both engines, so the joined form never met it."""
    with open(COMPOUNDS_CSV, newline="", encoding="utf-8") as handle:
        return [(row["joined"].strip(), row["hyphenated"].strip()) for row in csv.DictReader(handle)]


@lru_cache(maxsize=1)
def builtin_pairs():
    """Every built-in pair of equivalent spellings, for Synonyms."""
    return tuple(spelling_pairs()) + tuple(compound_pairs())
