"""No query string gives a server error: queries generated from the query
language's own tokens (operators, brackets, quotes, fields, wildcards) mixed with
words and random text, on each search backend, through the engine and through the
search page and the API."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.search import SearchQuery, SearchResults

pytestmark = pytest.mark.django_db

TOKENS = ["AND", "OR", "NOT", "and", "not", "(", ")", '"', "'", "*", "?", "~", "~2", "^2", ":", "-", "+", "[",
          "]", "{", "}", "TO", "method:", "title:", "department:", "stage:", "year:", "kind:", "body:", "place:",
          "reoffending", "Crewe", "RCT", "IPW", "interrupted", "time", "series", "reofending", "partners",
          "\\", "/", "&", "|", "!", "\x00", "é", "😀", "a" * 300]
queries = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), max_size=12).map(
    lambda parts: " ".join(parts) if len(parts) % 2 else "".join(parts))
SETTINGS = settings(max_examples=120, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("text", ["NOT NOT x", "x AND NOT NOT y", "NOT", "NOT (NOT x)", "((NOT))", "OR AND NOT",
                                  'method:"', "title:(", "NOT NOT NOT NOT"])
def test_known_troublemakers_answer_on_every_surface(client, search_index, text):
    assert isinstance(search_index.search(SearchQuery(text=text)), SearchResults)
    for path in ("/search/", "/evaluations/", "/api/v1/search/", "/api/v1/evaluations/"):
        response = client.get(path, {"q": text})
        assert response.status_code in (200, 400), (path, text, response.status_code)


@SETTINGS
@given(text=queries)
def test_generated_queries_never_raise_in_the_engine(search_index, text):
    results = search_index.search(SearchQuery(text=text, filters={"method": ["rct"]} if len(text) % 3 == 0 else {}))
    assert isinstance(results, SearchResults)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=queries)
def test_generated_queries_never_give_a_server_error_on_pages_or_the_api(client, search_index, text):
    for path in ("/search/", "/api/v1/search/"):
        response = client.get(path, {"q": text})
        assert response.status_code in (200, 400), (path, text, response.status_code)
