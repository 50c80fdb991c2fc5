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
    call_command("bench_meaning", "--records", "300", "--queries", "20", "--documents", "20", "--passages-each", "5",
                 stdout=out)
    text = out.getvalue()
    assert "s per MB" in text and "ms per query at 300 records" in text and "MB cached" in text
    assert "20 documents x 5 passages = 100 passages" in text and "every passage median" in text
    assert not document_ids() - visible_ids()  # its passages were never stored
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


# -- documents' passages ---------------------------------------------------------

def _words(sentence, count):
    words = sentence.split()
    return " ".join(words[i % len(words)] for i in range(count))


BREAKFAST_PASSAGE = ("Primary schools ran free breakfast clubs for all pupils before the school day; pupils ate "
                     "toast, cereal and fruit together, and attendance and attention in class improved.")
PRISON_PASSAGE = ("Prisoners took part in a programme of education and training in custody, with classes in "
                  "literacy, numeracy and vocational skills, and were followed up after release to see whether "
                  "they found work.")
PRISON_PARAPHRASE = "teaching inmates to read"  # not one of the document's words


def document_ids():
    return set(SearchVector.objects.filter(kind="document").values_list("object_id", flat=True))


def visible_ids():
    from registry.search import entries

    return entries.visible_document_ids()


@pytest.fixture
def report(breakfast, django_capture_on_commit_callbacks):
    """A report of two ~300-word passages (the index's passage size), the second on prisons."""
    from registry.services.documents import add_document

    text = _words(BREAKFAST_PASSAGE, 300) + "\n\n" + _words(PRISON_PASSAGE, 300)
    with django_capture_on_commit_callbacks(execute=True):
        return add_document(text.encode(), "report.txt", evaluations=[breakfast], keep_file=False)[0]


def test_a_paraphrase_finds_a_report_by_its_closest_passage(report, search_index, settings):
    stored = SearchVector.objects.get(kind="document", object_id=report.pk)
    assert len(bytes(stored.vector)) == 2 * 256 * 2  # two passages, float16
    results = search_index.search(SearchQuery(text=PRISON_PARAPHRASE))
    documents = [h for h in results.hits if h.kind == "document"]
    assert [h.pk for h in documents] == [report.pk]
    hit = documents[0]
    assert hit.extra["meaning_only"] is True and hit.extra["passage"] == 1 and hit.url == report.get_absolute_url()
    assert hit.snippet.startswith("Prisoners took part") and "breakfast" not in hit.snippet
    assert results.meaning_added == len(results.hits) == results.total
    assert not search_index.search(SearchQuery(text=PRISON_PARAPHRASE, kinds=("evaluation",))).hits or all(
        h.kind == "evaluation" for h in search_index.search(SearchQuery(text=PRISON_PARAPHRASE,
                                                                          kinds=("evaluation",))).hits)
    settings.REGISTRY_MEANING_SEARCH = False
    assert not search_index.search(SearchQuery(text=PRISON_PARAPHRASE)).hits


def test_documents_of_unpublished_records_never_get_vectors_nor_appear_by_meaning(
        report, breakfast, search_index, django_capture_on_commit_callbacks):
    from registry.services.documents import add_document

    with django_capture_on_commit_callbacks(execute=True):
        draft = EvaluationFactory(visibility="draft", title="Prison education: a draft", summary="A draft.")
        hidden, _ = add_document(_words(PRISON_PASSAGE, 300).replace("Prisoners", "Inmates").encode(),
                                 "draft.txt", evaluations=[draft], keep_file=False)
    assert report.pk in document_ids() and hidden.pk not in document_ids()
    assert document_ids() == visible_ids()
    search_index.rebuild()
    assert report.pk in document_ids() and document_ids() == visible_ids()
    assert hidden.pk not in {h.pk for h in search_index.search(SearchQuery(text=PRISON_PARAPHRASE)).hits
                             if h.kind == "document"}
    with django_capture_on_commit_callbacks(execute=True):
        breakfast.visibility = "withdrawn"
        breakfast.save()
    assert report.pk not in document_ids() and document_ids() == visible_ids()
    assert not [h for h in search_index.search(SearchQuery(text=PRISON_PARAPHRASE)).hits if h.kind == "document"]


def test_a_process_whose_passages_are_a_moment_old_still_shows_no_hidden_document(report, breakfast, search_index):
    assert report.pk in {h.pk for h in search_index.search(SearchQuery(text=PRISON_PARAPHRASE)).hits}
    # Unpublished behind the index's back: the stored vectors and this process's copy still hold it.
    models.Evaluation.objects.filter(pk=breakfast.pk).update(visibility="withdrawn")
    assert report.pk in document_ids()
    assert not [h for h in search_index.search(SearchQuery(text=PRISON_PARAPHRASE)).hits if h.kind == "document"]


def test_ingest_stores_the_words_first_and_embeds_the_passages_after(
        breakfast, search_index, tmp_path, django_capture_on_commit_callbacks):
    for n in range(3):
        (tmp_path / f"report-{n}.md").write_text(f"# Report {n}\n\n" + _words(PRISON_PASSAGE, 400 + n))
    before = set(models.Document.objects.values_list("id", flat=True))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest", str(tmp_path), "--evaluation", breakfast.slug, stdout=out, stderr=io.StringIO())
    assert "meaning: passages of 3 documents embedded" in out.getvalue()
    ingested = set(models.Document.objects.values_list("id", flat=True)) - before
    assert len(ingested) == 3 and ingested <= document_ids() and document_ids() == visible_ids()
    call_command("check_index", stdout=io.StringIO())
    # Vectors lost (a run interrupted before embedding): check_index says so, and the next run mends them.
    SearchVector.objects.filter(kind="document", object_id__in=ingested).delete()
    out = io.StringIO()
    with pytest.raises(CommandError, match="3 meaning vector"):
        call_command("check_index", stdout=out)
    assert all(f"document {pk}: without a meaning vector" in out.getvalue() for pk in ingested)
    out = io.StringIO()
    call_command("ingest", str(tmp_path), "--evaluation", breakfast.slug, stdout=out, stderr=io.StringIO())
    assert "3 already stored" in out.getvalue() and "passages of 3 documents embedded" in out.getvalue()
    assert document_ids() == visible_ids() and ingested <= document_ids()
    call_command("check_index", stdout=io.StringIO())


def test_shown_documents_are_reordered_among_their_places_by_their_best_passage(
        breakfast, search_index, settings, django_capture_on_commit_callbacks):
    from registry.services.documents import add_document

    with django_capture_on_commit_callbacks(execute=True):
        prison, _ = add_document(("It was evaluated. " + _words(PRISON_PASSAGE, 900)).encode(), "prison.txt",
                                 evaluations=[breakfast], keep_file=False)
        meals, _ = add_document(("It was evaluated. " + _words(BREAKFAST_PASSAGE, 150)).encode(), "meals.txt",
                                evaluations=[breakfast], keep_file=False)
    query = SearchQuery(text="evaluated jail")  # no entry holds "jail": the words rank weakly

    def ours(results):
        return [h.pk for h in results.hits if h.kind == "document" and h.pk in (prison.pk, meals.pk)]

    words = search_index._word_search(query)
    assert ours(words) == [meals.pk, prison.pk]  # "evaluated" once in each: the shorter first
    blended = search_index.search(query)
    assert ours(blended) == [prison.pk, meals.pk]
    assert [n for n, h in enumerate(words.hits) if h.kind == "document"] == \
        [n for n, h in enumerate(blended.hits) if h.kind == "document"]
    settings.REGISTRY_MEANING_SEARCH = False
    assert ours(search_index.search(query)) == [meals.pk, prison.pk]


def test_a_process_appends_new_passages_and_reloads_after_any_other_change(
        report, breakfast, search_index, django_capture_on_commit_callbacks):
    from registry.services.documents import add_document

    cache = meaning._Passages()
    cache.current()

    def same_as_a_fresh_copy():
        fresh = meaning._Passages()
        fresh.current()
        cache.checked = 0.0  # as another process would, once CHECK_SECONDS have passed
        ids, matrix, numbers, rows = cache.current()
        order, fresh_order = np.argsort(ids, kind="stable"), np.argsort(fresh.ids, kind="stable")
        assert np.array_equal(ids[order], fresh.ids[fresh_order])
        assert np.array_equal(numbers[order], fresh.numbers[fresh_order])
        assert np.array_equal(matrix[order], fresh.matrix[fresh_order])
        for pk, (start, end) in rows.items():
            assert np.array_equal(matrix[start:end], fresh.matrix[slice(*fresh.rows[pk])])
        assert rows.keys() == fresh.rows.keys()

    before = len(cache.ids)
    with django_capture_on_commit_callbacks(execute=True):
        added, _ = add_document(_words(PRISON_PASSAGE, 700).encode(), "added.txt", evaluations=[breakfast],
                                keep_file=False)
    loaded = []
    real_load = cache.load
    cache.load = lambda rows: (loaded.append(len(rows)), real_load(rows))[1]
    same_as_a_fresh_copy()
    assert loaded == [] and len(cache.ids) == before + 3  # appended: the new document's 3 passages alone
    SearchVector.objects.filter(kind="document", object_id=report.pk).delete()
    same_as_a_fresh_copy()
    assert loaded and report.pk not in cache.rows and added.pk in cache.rows  # a deletion: read again whole


def test_a_change_that_keeps_the_count_and_the_largest_id_is_still_seen(breakfast, search_index):
    """Two transactions committing out of order: one row goes and another arrives below
    the largest id. The count and the largest id are as they were; the copy still reloads."""
    last = SearchVector.objects.order_by("-id").first()
    top = SearchVector.objects.create(id=last.id + 10, kind="evaluation", object_id=-1, vector=last.vector,
                                      title="top", display={})
    cache = meaning._Matrix()
    assert -1 in set(cache.current()[0].tolist())
    gone = SearchVector.objects.get(kind="evaluation", object_id=breakfast.pk)
    gone.delete()
    SearchVector.objects.create(id=top.id - 5, kind="evaluation", object_id=-2, vector=last.vector, title="late",
                                display={})
    cache.checked = 0.0
    ids = set(cache.current()[0].tolist())
    assert -2 in ids and breakfast.pk not in ids
