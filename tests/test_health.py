"""/healthz answers a load balancer: 200 when the database and search answer, 503 (naming
what failed) when either does not; cheap, with no session and no CSRF."""
import pytest
from django.test import Client

from registry.search import _backend, get_backend

pytestmark = pytest.mark.django_db


@pytest.fixture
def probe():
    _backend.cache_clear()
    yield Client(enforce_csrf_checks=True)
    _backend.cache_clear()


def test_healthy_registry_answers_200_with_each_check(probe, django_assert_max_num_queries):
    # SELECT 1; then whoosh runs no SQL, and the PostgreSQL backend one read: savepoint, SET,
    # synonyms, the search (newest evaluation, one row, no facets), RESET, release.
    with django_assert_max_num_queries(7):
        response = probe.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "search": "ok"}
    assert "Set-Cookie" not in response.headers and not response.cookies, "no session, no CSRF cookie"
    assert "no-cache" in response["Cache-Control"]


def test_head_is_answered_and_posts_need_no_csrf_token_but_are_refused(probe):
    assert probe.head("/healthz").status_code == 200
    assert probe.post("/healthz").status_code == 405  # not 403: no CSRF check stands in the way


def test_unloadable_search_backend_answers_503_naming_search(probe, settings):
    settings.REGISTRY_SEARCH_BACKEND = "registry.search.no_such_backend.Backend"
    response = probe.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["database"] == "ok"
    assert body["search"].startswith("SearchUnavailable: Search backend registry.search.no_such_backend.Backend")


def test_unreachable_database_answers_503_naming_the_database(probe, monkeypatch):
    from django.db import OperationalError

    from registry.web import health

    def refuse():
        raise OperationalError("connection refused\nis the server running?")

    monkeypatch.setattr(health.connection, "cursor", refuse)
    response = probe.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "OperationalError: connection refused"
    # an index kept in the database (the PostgreSQL backend) is unreachable with it
    in_database = get_backend().transactional
    assert response.json()["search"] == ("SearchUnavailable: connection refused" if in_database else "ok")


def test_plain_http_probe_is_not_redirected_when_https_is_enforced(settings):
    """A load balancer probes over plain HTTP inside the network (SECURE_REDIRECT_EXEMPT)."""
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/").status_code == 301
