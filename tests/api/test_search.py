"""Search through the API: the site's engine (real whoosh index), ranked hits
with highlights and facet counts, and `?q=` on the evaluations list."""

import pytest

from registry.search import get_backend

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(db):
    get_backend().rebuild()


def test_search_returns_ranked_hits_with_highlights_and_facets(client_api, index):
    response = client_api.get("/api/v1/search/", {"q": "reoffending", "scope": "evaluation"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] >= 1
    hit = body["hits"][0]
    assert hit["slug"] == "lincolnshire-partners-in-practice"
    assert hit["api_url"] == "http://testserver/api/v1/evaluations/lincolnshire-partners-in-practice/"
    assert "<mark>" in hit["snippet"].lower()
    assert isinstance(body["facets"], dict) and body["facets"]
    for values in body["facets"].values():
        assert all(isinstance(v["count"], int) and v["count"] > 0 for v in values)


def test_search_says_when_results_are_for_a_correction_or_most_of_the_words(client_api, index):
    corrected = client_api.get("/api/v1/search/", {"q": "reofending", "scope": "evaluation"}).json()
    assert (corrected["corrected_from"], corrected["corrected_to"], corrected["relaxed"]) == (
        "reofending", "reoffending", False)
    assert corrected["hits"][0]["slug"] == "lincolnshire-partners-in-practice"
    typed = client_api.get("/api/v1/search/", {"q": "reofending", "correct": "false"}).json()
    assert (typed["total"], typed["suggestion"], typed["corrected_from"]) == (0, "reoffending", "")
    most = client_api.get("/api/v1/search/", {"q": "reoffending platypodes", "scope": "evaluation"}).json()
    assert most["relaxed"] is True and most["hits"][0]["slug"] == "lincolnshire-partners-in-practice"


def test_search_narrows_by_facet_values(client_api, index):
    body = client_api.get("/api/v1/search/", {"q": "", "scope": "evaluation", "type": "economic"}).json()
    assert [h["slug"] for h in body["hits"]] == ["project-crewe"]


def test_search_parameters_are_validated(client_api, index):
    response = client_api.get("/api/v1/search/", {"page": 0, "page_size": 1000, "scope": "people", "sort": "random"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"page", "page_size", "scope", "sort"}


def test_q_on_the_list_intersects_search_with_filters(client_api, index):
    both = client_api.get("/api/v1/evaluations/", {"q": "Partners in Practice"}).json()
    assert {r["slug"] for r in both["results"]} == {
        "lincolnshire-partners-in-practice",
        "achieving-for-children-partners-in-practice",
    }
    narrowed = client_api.get("/api/v1/evaluations/", {"q": "Partners in Practice", "method": "interrupted"}).json()
    assert [r["slug"] for r in narrowed["results"]] == ["lincolnshire-partners-in-practice"]
    assert (
        client_api.get("/api/v1/evaluations/", {"q": "reoffending"}).json()["results"][0]["slug"]
        == "lincolnshire-partners-in-practice"
    )
    assert client_api.get("/api/v1/evaluations/", {"q": "nonexistentwordxyz"}).json()["count"] == 0


def test_search_unavailable_is_a_503_not_a_500(client_api, settings):
    settings.REGISTRY_SEARCH_BACKEND = "registry.search.no_such_backend.Backend"
    response = client_api.get("/api/v1/search/", {"q": "crewe"})
    assert response.status_code == 503
    assert response.json()["status"] == 503
