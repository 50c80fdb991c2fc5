"""One backend test suite: every test that asks for `search_index` runs once per
search backend, against a real index rebuilt from the test database: whoosh (files
in the session's tmp REGISTRY_DATA_DIR) everywhere, and PostgreSQL (rows in the
test database) when the suite runs on PostgreSQL, as `make test-postgres` does.
Both must give the same answers, as Wagtail's backend tests hold its backends to.

These tests point REGISTRY_DATA_DIR at their own sub-folder, so the records they
index never linger in the index other areas' tests search.
"""
import pytest
from django.db import connection

from registry.search import get_backend

BACKENDS = {
    "whoosh": "registry.search.whoosh_backend.WhooshBackend",
    "postgres": "registry.search.postgres_backend.PostgresBackend",
}


@pytest.fixture
def search_data_dir(settings, registry_data_dir):
    settings.REGISTRY_DATA_DIR = registry_data_dir / "search-tests"
    return settings.REGISTRY_DATA_DIR


@pytest.fixture(params=sorted(BACKENDS))
def search_backend_name(request, settings, db):
    """The backend the test runs against, set as the site's backend so pages,
    the API and the index signals use it too."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend needs the suite to run on PostgreSQL (make test-postgres)")
    settings.REGISTRY_SEARCH_BACKEND = BACKENDS[request.param]
    return request.param


@pytest.fixture
def search_index(db, search_data_dir, search_backend_name):
    backend = get_backend()
    if search_backend_name == "whoosh":
        assert backend.path.is_relative_to(search_data_dir)
    backend.rebuild()
    return backend


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user("moderator", "mod@example.org", "a-long-password-1", is_staff=True)


# Reports of the relevance set (test_relevance_set.py), printed after the run so
# the figures show in `make test` output whatever the verbosity.
RELEVANCE_REPORTS = []


def pytest_terminal_summary(terminalreporter):
    if RELEVANCE_REPORTS:
        terminalreporter.section("search relevance set (issue 19)")
        for text in RELEVANCE_REPORTS:
            terminalreporter.write_line(text)
