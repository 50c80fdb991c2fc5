"""bench_search end to end at a tiny size: records loaded, indexed by the backend,
reports ingested from files, index size asked of the backend, and the search page
timed over HTTP for each class of query, then everything synthetic removed.

The page is served by the test's live server (the test database is not visible to
a separate gunicorn process); `--server` is the command's way to time a running
server, and the gunicorn it starts otherwise serves the same page.
"""
import io

import pytest
from django.core.management import CommandError, call_command

from registry import models
from tests.conftest import seed_registry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def registry(settings, tmp_path, search_backend_name):
    seed_registry()
    # Through the settings fixture, so what the command sets is undone after the test.
    settings.REGISTRY_DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    return search_backend_name


def test_bench_search_prints_each_figure_and_removes_its_data(registry, live_server, tmp_path):
    out = io.StringIO()
    call_command("bench_search", "--backend", registry, "--evaluations", "40", "--documents", "3", "--words", "600",
                 "--queries", "3", "--server", live_server.url, "--data-dir", str(tmp_path / "bench"), stdout=out,
                 stderr=io.StringIO())
    text = out.getvalue()
    assert f"bench_search: {registry} backend" in text
    assert "records: 40 loaded" in text and "records indexed (rebuild_index):" in text
    assert "ingest: 3 reports," in text and "MB/s" in text
    assert "index size:" in text and "times the text" in text
    for label in ("one word", "two words", "phrase", "field query", "facet-narrowed", "misspelled"):
        line = next(line for line in text.splitlines() if line.startswith(label))
        assert len(line.split()) >= len(label.split()) + 3, line  # p50, p95 and max
    assert "3 of 3 corrected or with \"Did you mean\"" in text
    assert "removed 41 synthetic records and 3 reports" in text
    assert not models.Evaluation.objects.filter(slug__startswith="bench-search-").exists()
    assert not models.Document.objects.filter(original_filename__startswith="bench-search-").exists()


def test_bench_search_refuses_a_database_with_real_records(registry):
    from tests.factories import EvaluationFactory

    EvaluationFactory(title="A real record")
    with pytest.raises(CommandError, match="besides the seed records"):
        call_command("bench_search", "--backend", registry, "--evaluations", "5", "--documents", "0",
                     stdout=io.StringIO())
