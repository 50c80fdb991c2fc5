"""A search backend that cannot answer: the search page and browse with words say
so in the GOV.UK style with a 503 (an outage, not an empty result), and every
page that does not need search keeps working.

Each way of breaking search is real: a backend class that does not import, a
file where the whoosh index folder should be, an index whose table of contents is
garbage, and (on PostgreSQL) the PostgreSQL backend's search table gone. Nothing
is mocked.
"""
import logging

import pytest
from django.db import connection

from registry.search import get_backend

pytestmark = pytest.mark.django_db

MESSAGE = "Sorry, search is not working at the moment"


@pytest.fixture
def missing_backend(settings, tmp_path):
    settings.REGISTRY_DATA_DIR = tmp_path
    settings.REGISTRY_SEARCH_BACKEND = "registry.search.no_such_backend.Backend"


@pytest.fixture
def file_for_index_folder(settings, tmp_path):
    """A file where the index's folder should be: the folder cannot be made or read."""
    (tmp_path / "search").write_text("not a folder")
    settings.REGISTRY_DATA_DIR = tmp_path


@pytest.fixture
def corrupt_index(settings, tmp_path):
    """A real index, built and then damaged, opened by a backend that has not seen it whole."""
    settings.REGISTRY_DATA_DIR = tmp_path / "built"
    get_backend().rebuild()
    settings.REGISTRY_DATA_DIR = tmp_path / "damaged"
    folder = tmp_path / "damaged" / "search" / "whoosh"
    folder.mkdir(parents=True)
    for source in (tmp_path / "built" / "search" / "whoosh").iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    for toc in folder.glob("*.toc"):
        toc.write_bytes(b"\xff" * 64)


@pytest.fixture
def failing_search_tables(settings, tmp_path):
    """The PostgreSQL backend over a database whose search table has gone. The rename
    is undone with the test's transaction; until then every search statement fails,
    and the request's other queries run in that same transaction after it."""
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend's tables exist only on PostgreSQL (make test-postgres)")
    settings.REGISTRY_DATA_DIR = tmp_path
    settings.REGISTRY_SEARCH_BACKEND = "registry.search.postgres_backend.PostgresBackend"
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE registry_searchchunk RENAME TO registry_searchchunk_gone")


BROKEN = ["missing_backend", "file_for_index_folder", "corrupt_index", "failing_search_tables"]


@pytest.mark.parametrize("broken", BROKEN)
def test_search_page_says_search_is_not_working_with_a_503(client, request, broken, caplog):
    request.getfixturevalue(broken)
    with caplog.at_level(logging.ERROR, logger="registry.search"):
        response = client.get("/search/", {"q": "reoffending"})
    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert MESSAGE in html
    assert "Search not working" in html  # the page title says it too
    assert 'value="reoffending"' in html  # the words are kept to try again
    assert "No results" not in html  # an outage is not an empty result
    assert "Search backend unavailable" in caplog.text  # the reason is logged for the team


@pytest.mark.parametrize("broken", BROKEN)
def test_browse_with_words_says_so_and_offers_the_filters_without_them(client, request, broken):
    request.getfixturevalue(broken)
    response = client.get("/evaluations/", {"q": "reoffending", "stage": "complete", "page": "2"})
    assert response.status_code == 503
    html = response.content.decode()
    assert MESSAGE in html
    assert 'href="/evaluations/?stage=complete"' in html
    assert "No evaluations match these filters" not in html


@pytest.mark.parametrize("broken", BROKEN)
def test_pages_that_do_not_search_keep_working(client, request, broken):
    request.getfixturevalue(broken)
    for url in ("/", "/evaluations/", "/evaluations/?stage=complete", "/documents/", "/insights/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert MESSAGE not in response.content.decode(), url
    browse = client.get("/evaluations/")
    assert "Project Crewe Research Report" in browse.content.decode()


@pytest.mark.parametrize("broken", BROKEN)
def test_record_pages_lose_only_their_related_evaluations(client, request, broken):
    request.getfixturevalue(broken)
    response = client.get("/evaluations/project-crewe/")
    assert response.status_code == 200
    assert response.context["related"] == []
    html = response.content.decode()
    assert "Project Crewe Research Report" in html
    assert MESSAGE not in html


def test_search_answers_again_once_the_backend_is_back(client, settings, tmp_path, missing_backend):
    assert client.get("/search/", {"q": "reoffending"}).status_code == 503
    settings.REGISTRY_SEARCH_BACKEND = "registry.search.whoosh_backend.WhooshBackend"
    settings.REGISTRY_DATA_DIR = tmp_path / "mended"
    get_backend().rebuild()
    response = client.get("/search/", {"q": "reoffending"})
    assert response.status_code == 200
    assert MESSAGE not in response.content.decode()
    assert response.context["results"].total >= 1
