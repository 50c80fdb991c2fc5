"""The seed records are found by the words people use for them, acronyms included."""
import pytest

from registry.search import SearchQuery

pytestmark = pytest.mark.django_db


def evaluation_slugs(results):
    return [hit.slug for hit in results.hits if hit.kind == "evaluation"]


@pytest.mark.parametrize("text, first", [
    ("inverse probability weighting", "lincolnshire-partners-in-practice"),
    ("IPW", "lincolnshire-partners-in-practice"),
    ("interrupted time series", "lincolnshire-partners-in-practice"),
    ("reoffending", "lincolnshire-partners-in-practice"),
    ("solution focused", "project-crewe"),
    ("randomized controlled trial", "project-crewe"),
    ("RCT", "project-crewe"),
])
def test_seed_record_ranks_first(search_index, text, first):
    results = search_index.search(SearchQuery(text=text))
    assert results.hits, text
    assert results.hits[0].slug == first


def test_signs_of_safety_finds_both_partners_in_practice_records(search_index):
    slugs = evaluation_slugs(search_index.search(SearchQuery(text="Signs of Safety")))
    assert set(slugs[:2]) == {"lincolnshire-partners-in-practice", "achieving-for-children-partners-in-practice"}
    assert "project-crewe" not in slugs


def test_english_stemming_matches_other_forms(search_index):
    for text in ("evaluated", "evaluations", "evaluation"):
        assert len(evaluation_slugs(search_index.search(SearchQuery(text=text)))) == 3, text


def test_acronym_expands_both_ways_in_snippets(search_index):
    hit = search_index.search(SearchQuery(text="IPW")).hits[0]
    assert "<mark>inverse</mark> <mark>probability</mark> <mark>weighting</mark>" in hit.snippet


def test_quoted_phrase_and_boolean_operators(search_index):
    assert evaluation_slugs(search_index.search(SearchQuery(text='"time series interrupted"'))) == []
    phrase = search_index.search(SearchQuery(text='"interrupted time series"'))
    assert evaluation_slugs(phrase) == ["lincolnshire-partners-in-practice"]
    slugs = evaluation_slugs(search_index.search(SearchQuery(text='"Partners in Practice" NOT Lincolnshire')))
    assert slugs == ["achieving-for-children-partners-in-practice"]
    slugs = evaluation_slugs(search_index.search(SearchQuery(text="reoffending OR Crewe")))
    assert set(slugs) == {"lincolnshire-partners-in-practice", "project-crewe"}
    assert evaluation_slugs(search_index.search(SearchQuery(text="reoffending AND Crewe"))) == []


def test_field_queries(search_index):
    slugs = evaluation_slugs(search_index.search(SearchQuery(text='method:"interrupted time series"')))
    assert slugs == ["lincolnshire-partners-in-practice"]
    for text in ("department:dfe", "department:DfE", "department:department-for-education"):
        assert len(evaluation_slugs(search_index.search(SearchQuery(text=text)))) == 3, text
    assert evaluation_slugs(search_index.search(SearchQuery(text="department:moj"))) == []
    assert evaluation_slugs(search_index.search(SearchQuery(text="method:rct"))) == ["project-crewe"]


def test_method_facet_counts_and_narrows(search_index):
    results = search_index.search(SearchQuery(text="", kinds=("evaluation",)))
    counts = {f.value: f.count for f in results.facets["method"]}
    assert counts["quasi_experimental"] == 2
    assert counts["rct"] == 1
    narrowed = search_index.search(SearchQuery(text="", filters={"method": ["quasi_experimental"]}))
    assert set(evaluation_slugs(narrowed)) == {
        "lincolnshire-partners-in-practice", "achieving-for-children-partners-in-practice"}
    assert {f.value: f.count for f in narrowed.facets["method"]}["quasi_experimental"] == 2
    narrower = search_index.search(SearchQuery(text="", filters={"method": ["interrupted"]}))
    assert evaluation_slugs(narrower) == ["lincolnshire-partners-in-practice"]
    # A type includes the methods under it.
    assert len(evaluation_slugs(search_index.search(SearchQuery(filters={"method": ["impact"]})))) == 3


def test_facet_values_of_one_facet_combine_with_or_and_count_what_ticking_them_adds(search_index):
    only_rct = search_index.search(SearchQuery(text="", kinds=("evaluation",), filters={"method": ["rct"]}))
    assert evaluation_slugs(only_rct) == ["project-crewe"]
    methods = {f.value: f.count for f in only_rct.facets["method"]}
    # The method facet is counted as if no method were ticked: ticking quasi-experimental
    # as well adds its two records (OR within a facet).
    assert methods["rct"] == 1 and methods["quasi_experimental"] == 2 and methods["interrupted"] == 1
    either = search_index.search(SearchQuery(
        text="", kinds=("evaluation",), filters={"method": ["rct", "quasi_experimental"]}))
    assert len(evaluation_slugs(either)) == 3 == methods["rct"] + methods["quasi_experimental"]
    # Other facets count only what the filter shows (AND across facets).
    assert {f.count for f in only_rct.facets["department"]} == {1}
    assert sum(f.count for f in only_rct.facets["stage"]) == 1
    lead = only_rct.facets["department"][0].value
    both = search_index.search(SearchQuery(
        text="", kinds=("evaluation",), filters={"method": ["quasi_experimental"], "department": [lead]}))
    assert {f.value: f.count for f in both.facets["method"]}["rct"] == 1
    assert {f.value: f.count for f in both.facets["department"]}[lead] == 2


def test_documents_are_found_and_faceted_by_kind(search_index):
    results = search_index.search(SearchQuery(text="Partners in Practice"))
    kinds = {f.value: f.count for f in results.facets["kind"]}
    assert kinds == {"news": 1}
    only_documents = search_index.search(SearchQuery(text="Partners in Practice", filters={"kind": ["news"]}))
    assert [hit.kind for hit in only_documents.hits] == ["document"]
    assert only_documents.hits[0].url.startswith("/documents/")


def test_misspelt_query_that_finds_nothing_shows_its_correction_results(search_index):
    results = search_index.search(SearchQuery(text="reofending"))
    assert results.corrected_from == "reofending" and results.suggestion == ""
    assert evaluation_slugs(results) == ["lincolnshire-partners-in-practice"]
    assert search_index.suggest("reofending") == ["reoffending"]
    assert search_index.search(SearchQuery(text="reoffending")).suggestion == ""
    # "Search instead for" the words as typed: nothing found, the correction offered.
    typed = search_index.search(SearchQuery(text="reofending", correct=False))
    assert (typed.total, typed.suggestion, typed.corrected_from) == (0, "reoffending", "")


def test_no_did_you_mean_that_finds_nothing(search_index):
    # "reoffending Crewe" finds nothing either (no record has both), so it is not
    # offered; the record holding most of the words is shown instead.
    assert search_index.suggest("reofending Crewe") == ["reoffending crewe"]
    results = search_index.search(SearchQuery(text="reofending Crewe"))
    assert (results.suggestion, results.corrected_from, results.relaxed) == ("", "", True)
    assert evaluation_slugs(results) == ["project-crewe"]
    typed = search_index.search(SearchQuery(text="reofending Crewe", correct=False))
    assert (typed.total, typed.suggestion) == (0, "")


def test_sort_by_date(search_index):
    newest = search_index.search(SearchQuery(text="", kinds=("evaluation",), sort="newest"))
    oldest = search_index.search(SearchQuery(text="", kinds=("evaluation",), sort="oldest"))
    dates = [h.pk for h in newest.hits]
    assert dates == list(reversed([h.pk for h in oldest.hits])) or len(set(dates)) == 3


def test_more_like_this_finds_the_sibling_record(search_index):
    from registry.models import Evaluation

    lincolnshire = Evaluation.objects.get(slug="lincolnshire-partners-in-practice")
    afc = Evaluation.objects.get(slug="achieving-for-children-partners-in-practice")
    related = search_index.more_like_this(lincolnshire.pk)
    assert related[0] == afc.pk
    assert lincolnshire.pk not in related


def test_long_document_is_one_hit_highlighting_the_passage_that_matched(search_index):
    from registry import models
    from registry.services.documents import add_document

    crewe = models.Evaluation.objects.get(slug="project-crewe")
    filler = " ".join(["alpha beta gamma delta epsilon"] * 200)  # 1,000 words: four passages
    add_document(f"{filler} The capybara finding. {filler} capybara again.".encode(), "long.txt",
                 evaluations=[crewe], keep_file=False)
    search_index.rebuild()
    results = search_index.search(SearchQuery(text="capybara"))
    assert results.total == 1 and [h.kind for h in results.hits] == ["document"]
    assert "<mark>capybara</mark>" in results.hits[0].snippet
    assert {f.value: f.count for f in search_index.search(SearchQuery(text="alpha")).facets["kind"]} == {"other": 1}


def test_phrase_across_a_passage_boundary_matches_and_passages_are_never_hits(search_index):
    """Documents are matched whole (passages only pick the snippet), so a phrase split
    by a passage boundary still matches, and an empty search lists each document once."""
    from registry import models
    from registry.search.entries import PASSAGE_WORDS
    from registry.services.documents import add_document

    crewe = models.Evaluation.objects.get(slug="project-crewe")
    words = ["filler"] * (PASSAGE_WORDS * 3)
    words[PASSAGE_WORDS - 1:PASSAGE_WORDS + 1] = ["wombat", "quango"]  # straddles passages 0 and 1
    words[PASSAGE_WORDS * 2 + 5] = "wombat"
    add_document(" ".join(words).encode(), "straddle.txt", evaluations=[crewe], keep_file=False)
    search_index.rebuild()
    phrase = search_index.search(SearchQuery(text='"wombat quango"'))
    assert phrase.total == 1 and [h.kind for h in phrase.hits] == ["document"]
    assert search_index.search(SearchQuery(text='"quango wombat"')).total == 0
    everything = search_index.search(SearchQuery(text="", page_size=100))
    assert {h.kind for h in everything.hits} == {"evaluation", "document"}
    assert everything.total == len(everything.hits) == len({(h.kind, h.pk) for h in everything.hits})
    assert set(search_index.indexed_versions()) == set(search_index.expected_versions())


def test_longer_phrases_need_every_word_in_order_inside_long_documents(search_index):
    """Phrases in document text read the word-pair field: each pair must be present
    and the pairs must follow one another, not merely appear somewhere."""
    from registry import models
    from registry.search.entries import PASSAGE_WORDS
    from registry.services.documents import add_document

    crewe = models.Evaluation.objects.get(slug="project-crewe")
    words = ["filler"] * (PASSAGE_WORDS * 2)
    words[10:13] = ["numbat", "quokka", "bilby"]
    words[400:403] = ["quokka", "bilby", "dingo"]  # "quokka bilby" again, but not after "numbat"
    add_document(" ".join(words).encode(), "marsupials.txt", evaluations=[crewe], keep_file=False)
    search_index.rebuild()
    assert search_index.search(SearchQuery(text='"numbat quokka bilby"')).total == 1
    assert search_index.search(SearchQuery(text='"Numbats quokkas bilbies"')).total == 1  # stemmed like the text
    assert search_index.search(SearchQuery(text='"quokka bilby dingo"')).total == 1
    assert search_index.search(SearchQuery(text='"numbat quokka bilby dingo"')).total == 0
    assert search_index.search(SearchQuery(text='"numbat bilby"')).total == 0
    assert search_index.search(SearchQuery(text='"bilby quokka"')).total == 0


def test_snippet_comes_from_the_passage_holding_most_query_words(search_index):
    from registry import models
    from registry.search.entries import PASSAGE_WORDS
    from registry.services.documents import add_document

    crewe = models.Evaluation.objects.get(slug="project-crewe")
    words = ["filler"] * (PASSAGE_WORDS * 4)
    words[5] = "wombat"  # passage 0: one query word
    words[PASSAGE_WORDS * 2 + 7: PASSAGE_WORDS * 2 + 9] = ["wombat", "burrow"]  # passage 2: both
    words[PASSAGE_WORDS * 3 + 1] = "burrow"  # passage 3: one
    add_document(" ".join(words).encode(), "burrows.txt", evaluations=[crewe], keep_file=False)
    search_index.rebuild()
    hit = search_index.search(SearchQuery(text="wombat burrow")).hits[0]
    assert hit.kind == "document" and hit.extra["passage"] == 2
    assert "<mark>wombat</mark> <mark>burrow</mark>" in hit.snippet
    assert search_index.search(SearchQuery(text="burrow")).hits[0].extra["passage"] == 2  # the first that holds it


def test_a_type_count_under_a_method_filter_is_what_its_link_gives(search_index, client):
    """The type facet's links add a `type=` filter to the method filter (AND), so their
    counts are counted under the method filter, never beside it."""
    from registry.search import SearchQuery

    query = SearchQuery(text="evaluation", filters={"method": ["quasi_experimental", "interrupted"]}, facets=True)
    results = search_index.search(query)
    assert results.total
    for value in results.facets["type"]:
        narrowed = search_index.search(SearchQuery(
            text="evaluation", filters={"method": ["quasi_experimental", "interrupted"], "type": [value.value]}))
        assert narrowed.total == value.count, value


@pytest.mark.parametrize("field", ["place", "programme", "organisation", "policy", "method", "type",
                                   "department_name"])
def test_a_field_query_finds_words_in_that_field_only(search_index, django_capture_on_commit_callbacks, field):
    """Each descriptive field's words answer only their own field's query, though on
    PostgreSQL several fields share a chunk (their words told apart by weight labels).
    The same nonce word sits in a different field of each of two records."""
    from registry import models

    crewe = models.Evaluation.objects.get(slug="project-crewe")
    lincs = models.Evaluation.objects.get(slug="lincolnshire-partners-in-practice")
    with django_capture_on_commit_callbacks(execute=True):
        crewe.places.add(models.Place.objects.create(slug="okapiford", name="Okapiford Vale"))
        lincs.programme = models.Programme.objects.create(slug="okapiford-futures", name="Okapiford Futures")
        lincs.save()
    expected = {"place": ["project-crewe"], "programme": ["lincolnshire-partners-in-practice"]}.get(field, [])
    # The words as typed (correct=False): no "Showing results for" a correction.
    assert evaluation_slugs(search_index.search(SearchQuery(text=f"{field}:okapiford", correct=False))) == expected
    # A phrase in a field is held to that field too, and plain words find both.
    assert evaluation_slugs(search_index.search(SearchQuery(text=f'{field}:"okapiford vale"', correct=False))) == (
        ["project-crewe"] if field == "place" else [])
    assert sorted(evaluation_slugs(search_index.search(SearchQuery(text="okapiford")))) == [
        "lincolnshire-partners-in-practice", "project-crewe"]


def test_a_query_with_syntax_that_finds_nothing_is_not_replaced_by_a_plain_correction(search_index):
    """A correction keeps only the words: results for it would drop the field or the
    quotes the person typed. It may still be offered as "Did you mean"."""
    results = search_index.search(SearchQuery(text='title:"crewe reserch"'))
    assert results.total == 0 and not results.corrected_to
    plain = search_index.search(SearchQuery(text="crewe reserch"))
    assert plain.corrected_to and plain.total
