"""The search page, browse with words, record pages' related evaluations and the document pages."""
import pytest

from registry import models
from tests.factories import EvaluationFactory, rich_evaluation

pytestmark = pytest.mark.django_db


def test_search_page_shows_ranked_hits_with_highlights_and_facets(client, search_index):
    response = client.get("/search/", {"q": "interrupted time series"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Showing 1 to 2 of 2 results for “interrupted time series”" in html
    results = response.context["results"]
    assert results.hits[0].slug == "lincolnshire-partners-in-practice"
    assert "<mark>interrupted</mark>" in html
    assert "Method" in html and "Interrupted time series analysis" in html


def test_facet_links_narrow_and_keep_the_words(client, search_index):
    response = client.get("/search/", {"q": "partners in practice"})
    group = next(g for g in response.context["facet_groups"] if g["key"] == "kind")
    href = group["values"][0]["href"]
    assert "q=partners" in href and "kind=news" in href
    narrowed = client.get("/search/" + href)
    assert [h.kind for h in narrowed.context["results"].hits] == ["document"]


def test_misspelling_shows_the_corrected_results_with_a_way_back(client, search_index):
    response = client.get("/search/", {"q": "reofending"})
    html = response.content.decode()
    assert 'id="search-corrected"' in html and "Showing results for <strong>reoffending</strong>" in html
    assert "Lincolnshire Partners in Practice" in html
    instead = response.context["instead_url"]
    assert "correct=0" in instead and "q=reofending" in instead
    typed = client.get("/search/" + instead).content.decode()
    assert "Did you mean" in typed and "?q=reoffending" in typed and 'id="search-corrected"' not in typed


def test_most_of_the_words_is_said_plainly(client, search_index):
    html = client.get("/search/", {"q": "reoffending platypodes"}).content.decode()
    assert 'id="search-relaxed"' in html and "No results contain all your words" in html
    assert "Lincolnshire Partners in Practice" in html


@pytest.mark.parametrize("text", [
    '"unclosed phrase', "AND", "OR OR OR", "NOT", "(((", ")", "method:", 'department:"', "title:(", "a" * 2000,
    "*", "te?t", "field:value:other", "\x00bad", "<script>alert(1)</script>", "reoffending~2", "[a TO b]", "^2", "'",
])
def test_malformed_queries_never_fail(client, search_index, text):
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


def test_malformed_query_says_what_happened(client, search_index):
    html = client.get("/search/", {"q": '"interrupted time series'}).content.decode()
    assert "quotation mark" in html
    assert "Lincolnshire" in html


def test_a_search_of_only_common_words_says_so(client, search_index):
    response = client.get("/search/", {"q": "the and of"})
    assert response.context["results"].total == 0
    assert "no words we can look for" in response.content.decode()


def test_bad_page_and_filters_give_messages(client, search_index):
    assert "is not a page number" in client.get("/search/", {"q": "pip", "page": "x"}).content.decode()
    assert "There is no page 9" in client.get("/search/", {"q": "evaluation", "page": "9"}).content.decode()
    response = client.get("/search/", {"q": "pip", "method": "no-such-method", "sort": "sideways"})
    assert response.status_code == 200 and response.context["results"].total == 0


def test_snippets_escape_everything_but_the_highlight(client, search_index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        EvaluationFactory(title="Escaping trial", summary='<img src=x onerror="alert(1)"> platypodes & <b>bold</b>')
    html = client.get("/search/", {"q": "platypodes"}).content.decode()
    assert "<mark>platypodes</mark>" in html
    # Markup typed into a summary is neither run nor shown: the snippet is its words.
    assert "<img" not in html and "onerror" not in html and "alert(1)" not in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;" not in html and "bold" in html


# Queries a page makes whatever the number of hits: the page's own (facet labels, the
# records shown) plus, on PostgreSQL, the search itself (a savepoint and its release, the
# session's scan setting and its reset, synonyms, the tsqueries, the search: its chunks,
# then its page, "Did you mean"), and one for meaning-based search: whether its vectors
# changed (at most every few seconds a process), or the records it adds.
SEARCH_PAGE_QUERIES = {"whoosh": 5, "postgres": 12}
# Browse adds the records' own reads and one query for the values its filter controls offer
# (its search's ids: on PostgreSQL, the chunks, the ids in order, and the values of the
# entries this process's copy lacks: the table's size, then those entries, whatever their number).
BROWSE_WITH_WORDS_QUERIES = {"whoosh": 13, "postgres": 17}


def test_search_page_query_count_is_fixed(client, search_index, search_backend_name, django_assert_max_num_queries):
    budget = SEARCH_PAGE_QUERIES[search_backend_name]
    for index in range(30):
        rich_evaluation(index)
    search_index.rebuild()
    with django_assert_max_num_queries(budget):
        response = client.get("/search/", {"q": "synthetic record"})
    assert response.context["results"].total >= 30
    assert len(response.context["results"].hits) == 20
    with django_assert_max_num_queries(budget):
        client.get("/search/", {"q": "synthetic", "page": "2", "method": "rct", "sort": "newest"})


def test_pagination_keeps_every_facet_value(client, search_index):
    for index in range(25):
        rich_evaluation(index)
    search_index.rebuild()
    response = client.get("/search/?q=synthetic&method=rct&method=cluster")
    assert response.context["results"].total == 25
    assert "method=rct&method=cluster" in response.context["page"].next_url


def test_browse_with_words_uses_the_search_and_the_filters(client, search_index):
    response = client.get("/evaluations/", {"q": "Signs of Safety"})
    titles = [e.slug for e in response.context["page"].items]
    assert set(titles) == {"lincolnshire-partners-in-practice", "achieving-for-children-partners-in-practice"}
    response = client.get("/evaluations/", {"q": "Signs of Safety", "method": "interrupted"})
    assert [e.slug for e in response.context["page"].items] == ["lincolnshire-partners-in-practice"]
    response = client.get("/evaluations/", {"q": "reoffending", "sort": "title"})
    assert [e.slug for e in response.context["page"].items] == ["lincolnshire-partners-in-practice"]
    assert 'id="id_q"' in response.content.decode()


def test_browse_with_words_query_count_is_fixed(client, search_index, search_backend_name,
                                               django_assert_max_num_queries):
    for index in range(30):
        rich_evaluation(index)
    search_index.rebuild()
    with django_assert_max_num_queries(BROWSE_WITH_WORDS_QUERIES[search_backend_name]):
        response = client.get("/evaluations/", {"q": "synthetic"})
    assert response.context["page"].count == 30


def test_record_page_shows_related_evaluations(client, search_index):
    html = client.get("/evaluations/lincolnshire-partners-in-practice/").content.decode()
    related = html[html.index("Related evaluations"):]
    assert "Achieving for Children Partners in Practice" in related


def test_document_page_lists_records_and_renders_escaped_text(client, search_index):
    document = models.Document.objects.get(kind="news")
    html = client.get(f"/documents/{document.pk}/").content.decode()
    assert "Lincolnshire Partners in Practice" in html
    assert '<p class="govuk-body">' in html
    assert "Not stored" in html  # the seed keeps no file


def test_document_linked_only_to_drafts_is_hidden(client, search_index):
    from registry.services.documents import add_document

    draft = EvaluationFactory(visibility="draft")
    document, _ = add_document(b"hidden text", "hidden.txt", evaluations=[draft], keep_file=False)
    assert client.get(f"/documents/{document.pk}/").status_code == 404
    assert client.get(f"/documents/{document.pk}/file/").status_code == 404
