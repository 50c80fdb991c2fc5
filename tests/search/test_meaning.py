"""Meaning-based retrieval (registry/search/meaning.py) with the real model, the real
database and every backend (see conftest.py): a query phrased unlike its record
finds it, drafts and withdrawn records never get a vector nor appear by meaning,
switched off the results are the words' exactly, and no query breaks the page."""
import io
import logging

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from registry import models
from registry.models.search import SearchVector
from registry.search import SearchQuery, meaning
from tests.factories import EvaluationFactory

pytestmark = pytest.mark.django_db

BREAKFAST = ("Magic Breakfast: evaluation of school breakfast clubs",
             "An effectiveness trial of support for primary schools to run free, universal breakfast clubs "
             "before the school day. Schools were randomly allocated to the programme or to carry on as usual.")
PARAPHRASE = "morning meals before lessons"  # not one of the record's words


def vector_ids():
    return set(SearchVector.objects.filter(kind="evaluation").values_list("object_id", flat=True))


def published_ids():
    return set(models.Evaluation.objects.published().values_list("id", flat=True))


def pks(results):
    return [hit.pk for hit in results.hits if hit.kind == "evaluation"]


@pytest.fixture
def breakfast(search_index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return EvaluationFactory(slug="breakfast", title=BREAKFAST[0], summary=BREAKFAST[1])


def test_the_model_is_installed_and_embeds_as_wordllama_does():
    """The packaged weights, read without wordllama's loader, give wordllama's own
    vectors. (Its loader, `WordLlama.load()`, looks for the tokenizer in a folder named
    "tokenizer" where the wheel has "tokenizers", and so would download it into
    ~/.cache: hence meaning.py reads the files itself.)"""
    assert meaning.available() and meaning.enabled()
    texts = ["helping people back into work", "Employment Retention and Advancement demonstration", "x"]
    ours = meaning.embed(texts)
    assert ours.dtype == np.float32 and ours.shape == (3, 256)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        from tokenizers import Tokenizer
        from wordllama import WordLlamaInference  # its import configures the root logger: put it back after

        # Its own tokenizer object: WordLlamaInference switches padding on in the one it is given.
        tokenizer = Tokenizer.from_file(str(meaning._package_dir().joinpath(*meaning._TOKENIZER)))
        theirs = WordLlamaInference(meaning.model().table, tokenizer).embed(texts, norm=True)
        with pytest.raises(FileNotFoundError):
            from wordllama import WordLlama

            WordLlama.load(disable_download=True, cache_dir="/nonexistent")
    finally:
        root.handlers[:], root.level = handlers, level
    assert np.allclose(ours, theirs, atol=1e-5)


def test_a_paraphrase_finds_its_record_marked_as_found_by_meaning(breakfast, search_index, settings):
    results = search_index.search(SearchQuery(text=PARAPHRASE))
    assert breakfast.pk in pks(results)
    hit = next(h for h in results.hits if h.pk == breakfast.pk)
    assert hit.extra["meaning_only"] is True and hit.slug == "breakfast" and hit.url.endswith("/breakfast/")
    assert "<" not in hit.snippet.replace("&lt;", "")  # plain escaped text, nothing marked
    assert results.meaning_added >= 1 and results.total == len(results.hits)
    settings.REGISTRY_MEANING_SEARCH = False
    assert breakfast.pk not in pks(search_index.search(SearchQuery(text=PARAPHRASE)))


def test_drafts_and_withdrawn_records_never_get_vectors_nor_appear_by_meaning(
        breakfast, search_index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = EvaluationFactory(visibility="draft", title="Breakfast clubs before school: a draft",
                                  summary=BREAKFAST[1])
        submitted = EvaluationFactory(visibility="submitted", title="Morning meals in schools", summary=BREAKFAST[1])
    assert breakfast.pk in vector_ids() and not {draft.pk, submitted.pk} & vector_ids()
    assert vector_ids() == published_ids()
    search_index.rebuild()  # a whole rebuild leaves them out too
    assert vector_ids() == published_ids()
    for text in (PARAPHRASE, "breakfast clubs before school", "school meals"):
        assert not {draft.pk, submitted.pk} & set(pks(search_index.search(SearchQuery(text=text))))
    with django_capture_on_commit_callbacks(execute=True):
        breakfast.visibility = "withdrawn"
        breakfast.save()
    assert breakfast.pk not in vector_ids()
    assert breakfast.pk not in pks(search_index.search(SearchQuery(text=PARAPHRASE)))


def test_a_process_whose_vectors_are_a_moment_old_still_shows_no_withdrawn_record(breakfast, search_index):
    assert breakfast.pk in pks(search_index.search(SearchQuery(text=PARAPHRASE)))
    # Withdrawn behind the index's back (no signals): its vector and this process's
    # matrix still hold it, and the page must not.
    models.Evaluation.objects.filter(pk=breakfast.pk).update(visibility="withdrawn")
    assert breakfast.pk in vector_ids()
    assert breakfast.pk not in pks(search_index.search(SearchQuery(text=PARAPHRASE)))


@pytest.mark.parametrize("text", ["breakfast clubs", PARAPHRASE, "randomised trial schools", "school", "pip"])
def test_switched_off_the_results_are_exactly_the_words(breakfast, search_index, settings, text):
    query = SearchQuery(text=text)
    words = search_index._word_search(query)
    settings.REGISTRY_MEANING_SEARCH = False
    off = search_index.search(query)
    assert [(h.kind, h.pk) for h in off.hits] == [(h.kind, h.pk) for h in words.hits]
    assert off.total == words.total and off.facets == words.facets and off.meaning_added == 0
    assert not any(h.extra.get("meaning_only") for h in off.hits)


def test_meaning_keeps_the_word_matches_and_their_counts(breakfast, search_index):
    """Meaning re-orders the first page and may add records: it never drops a word
    match, and the facets count the word matches alone."""
    query = SearchQuery(text="breakfast")
    words = search_index._word_search(query)
    blended = search_index.search(query)
    assert {(h.kind, h.pk) for h in words.hits} <= {(h.kind, h.pk) for h in blended.hits}
    assert blended.facets == words.facets
    assert blended.total == words.total + blended.meaning_added


def test_filters_sorting_later_pages_and_syntax_are_left_to_the_words(breakfast, search_index):
    for query in (SearchQuery(text=PARAPHRASE, filters={"stage": ["ongoing"]}),
                  SearchQuery(text=PARAPHRASE, sort="newest"),
                  SearchQuery(text=PARAPHRASE, page=2),
                  SearchQuery(text=PARAPHRASE, kinds=("document",)),
                  SearchQuery(text=f'"{PARAPHRASE}"'),
                  SearchQuery(text=PARAPHRASE, correct=False)):
        results = search_index.search(query)
        assert results.meaning_added == 0 and breakfast.pk not in pks(results), query


@pytest.mark.parametrize("text", ["", "   ", "the of and", "a " * 3000, "breakfast " * 2000, "clubs " + "x" * 5000,
                                  "\u00e9l\u00e8ves \U0001f600 \u0000 <script>", "method:rct"])
def test_no_query_breaks_the_search_page(client, breakfast, text):
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("</header>", 1)[-1].replace("&lt;script&gt;", "")


def test_the_cached_matrix_follows_the_store(breakfast, search_index, django_capture_on_commit_callbacks):
    ids, matrix = meaning._cache.current()
    assert set(ids.tolist()) == vector_ids() and matrix.shape == (len(ids), 256)
    with django_capture_on_commit_callbacks(execute=True):
        other = EvaluationFactory(title="Housing First pilots", summary="A settled home without conditions.")
    ids, _ = meaning._cache.current()
    assert other.pk in set(ids.tolist())
    # Another process's write is seen by the store check once CHECK_SECONDS have passed.
    SearchVector.objects.filter(object_id=other.pk).delete()
    meaning._cache.checked = 0.0
    assert other.pk not in set(meaning._cache.current()[0].tolist())


def test_check_index_reports_vectors_out_of_step_and_rebuild_index_mends_them(breakfast, search_index):
    call_command("check_index", stdout=io.StringIO())
    SearchVector.objects.filter(object_id=breakfast.pk).delete()
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 meaning vector"):
        call_command("check_index", stdout=out)
    assert f"evaluation {breakfast.pk}: without a meaning vector" in out.getvalue()
    call_command("rebuild_index", stdout=io.StringIO())
    call_command("check_index", stdout=io.StringIO())
    assert vector_ids() == published_ids()


def test_bench_meaning_measures_and_leaves_the_store_as_it_was(breakfast):
    before = vector_ids()
    out = io.StringIO()
    call_command("bench_meaning", "--records", "300", "--queries", "20", stdout=out)
    text = out.getvalue()
    assert "s per MB" in text and "ms per query at 300 records" in text and "MB cached" in text
    assert vector_ids() == before


def test_documents_keep_their_places_and_records_are_reordered_among_theirs(
        breakfast, search_index, django_capture_on_commit_callbacks):
    from registry.services.documents import add_document

    with django_capture_on_commit_callbacks(execute=True):
        add_document(b"Breakfast clubs: the final report. Breakfast before school, breakfast for all pupils.",
                     "breakfast.txt", evaluations=[breakfast], keep_file=False)
        EvaluationFactory(title="School breakfast survey", summary="A survey of breakfast provision.")
    query = SearchQuery(text="breakfast")
    words = search_index._word_search(query)
    blended = search_index.search(query)
    assert any(h.kind == "document" for h in words.hits)
    assert [n for n, h in enumerate(words.hits) if h.kind == "document"] == \
        [n for n, h in enumerate(blended.hits) if h.kind == "document"]
    assert sorted(h.pk for h in blended.hits if h.kind == "evaluation") == \
        sorted(h.pk for h in words.hits if h.kind == "evaluation")


def test_the_search_page_says_which_results_are_close_in_meaning(client, breakfast, search_index):
    """A record meaning adds holds none or not all of the words: the page says so and tags it."""
    html = client.get("/search/", {"q": PARAPHRASE}).content.decode()
    assert 'id="search-meaning"' in html and "do not contain all your words" in html.replace("does not", "do not")
    assert "Close in meaning" in html.split('id="search-meaning"')[1]
    words_found = client.get("/search/", {"q": breakfast.title}).content.decode()
    assert 'id="search-meaning"' not in words_found
