"""Queries typed the way researchers type them reach records written another way:
hyphenated or joined words, British or American spelling, acronyms beyond the
method list, word forms, and no empty page when most of the words match. Runs on
every backend (see conftest.py)."""
import pytest

from registry.search import SearchQuery
from tests.factories import EvaluationFactory

pytestmark = pytest.mark.django_db

RECORDS = {
    "hyphenated": "A mentoring scheme to cut re-offending among young adults leaving custody.",
    "joined": "Reoffending outcomes for women on community orders, tracked for two years.",
    "stepped": "A stepped wedge trial rolling out the service ward by ward.",
    "british": "A behavioural insights trial of randomised letters about council tax.",
    "american": "A behavioral study of the organization of caseworker modeling sessions.",
    "therapy": "Group cognitive behavioural therapy for anxious pupils in primary schools.",
    "looked-after": "Support for each looked after child moving between placements.",
    "paid": "Providers were paid by results for each job outcome sustained for a year.",
    "did": "We estimated the effect with a difference-in-differences design.",
    "post16": "Participation in post-16 education after the allowance was introduced.",
}


@pytest.fixture
def records(search_index):
    made = {key: EvaluationFactory(slug=f"understanding-{key}", title=f"Understanding test {key}", summary=text)
            for key, text in RECORDS.items()}
    search_index.rebuild()
    return made


def found(search_index, text):
    return [hit.slug.removeprefix("understanding-") for hit in search_index.search(SearchQuery(text=text)).hits
            if hit.slug.startswith("understanding-")]


@pytest.mark.parametrize("text", ["reoffending", "re-offending", "re offending"])
def test_hyphenated_and_joined_words_meet(search_index, records, text):
    assert {"hyphenated", "joined"} <= set(found(search_index, text))


@pytest.mark.parametrize("text", ["stepped wedge", "stepped-wedge", '"stepped-wedge"'])
def test_hyphen_or_space_is_the_same_word_pair(search_index, records, text):
    assert found(search_index, text)[:1] == ["stepped"]


@pytest.mark.parametrize("text", ["post-16", "post 16", "post-16 education", '"post-16 education"'])
def test_a_hyphen_before_a_number_is_a_space_too(search_index, records, text):
    assert found(search_index, text)[:1] == ["post16"]


@pytest.mark.parametrize("text, expected", [
    ("behavioral", {"british", "american"}),
    ("behavioural insights", {"british"}),
    ("randomized letters", {"british"}),
    ("organisation", {"american"}),
    ("modelling", {"american"}),
])
def test_british_and_american_spellings_meet(search_index, records, text, expected):
    assert expected <= set(found(search_index, text)), text


def test_acronyms_beyond_methods(search_index, records):
    assert found(search_index, "CBT")[:1] == ["therapy"]
    assert found(search_index, "CBT pupils")[:1] == ["therapy"]


def test_word_forms_meet(search_index, records):
    assert "therapy" in found(search_index, "primaries")
    assert found(search_index, "looked after children")[:1] == ["looked-after"]


def test_difference_in_differences_however_written(search_index, records):
    for text in ("difference in differences", "difference-in-differences", "DiD"):
        assert "did" in found(search_index, text), text


def test_most_of_the_words_rather_than_an_empty_page(search_index, records):
    results = search_index.search(SearchQuery(text="payment by results job outcome"))
    assert results.relaxed and results.total >= 1
    assert [h.slug for h in results.hits][:1] == ["understanding-paid"]
    typed = search_index.search(SearchQuery(text="payment by results job outcome", correct=False))
    assert typed.total == 0 and not typed.relaxed


def test_words_found_nowhere_still_find_nothing(search_index, records):
    results = search_index.search(SearchQuery(text="zzqxv qqzzv"))
    assert results.total == 0 and not results.relaxed


def test_all_the_words_found_is_not_relaxed(search_index, records):
    results = search_index.search(SearchQuery(text="council tax letters"))
    assert not results.relaxed and found(search_index, "council tax letters") == ["british"]
