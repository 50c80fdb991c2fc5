"""ingest, rebuild_index and check_index as an operator runs them (bench_search: test_bench_search.py)."""
import io

import pytest
from django.core.management import CommandError, call_command

from registry import models
from registry.search import SearchQuery

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_ingest_walks_folders_reports_unreadable_files_and_skips_duplicates(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("Koala evaluation findings.")
    (tmp_path / "sub" / "b.md").write_text("# Koala plan\n\nA plan.")
    (tmp_path / "sub" / "copy.txt").write_text("Koala evaluation findings.")
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 broken")
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    with pytest.raises(CommandError) as failure:
        run("ingest", str(tmp_path), "--evaluation", "project-crewe")
    assert "2 added, 1 already stored, 1 skipped, 2 unreadable" in str(failure.value)
    crewe = models.Evaluation.objects.get(slug="project-crewe")
    assert crewe.documents.filter(original_filename__in=["a.txt", "b.md"]).count() == 2
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as again:
        call_command("ingest", str(tmp_path), stdout=out, stderr=err)
    assert "bad.pdf: not a readable PDF" in err.getvalue()
    assert "empty.html: the file is empty" in err.getvalue()
    assert "0 added, 3 already stored, 1 skipped, 2 unreadable" in str(again.value)


def test_ingest_of_good_files_succeeds_and_rejects_unknown_record(tmp_path):
    (tmp_path / "c.txt").write_text("Echidna report.")
    out, _ = run("ingest", str(tmp_path / "c.txt"))
    assert "1 added, 0 already stored, 0 skipped, 0 unreadable" in out
    with pytest.raises(CommandError, match="No record has the slug"):
        run("ingest", str(tmp_path), "--evaluation", "nope")


def test_rebuild_then_check_index_reports_drift(search_index):
    out, _ = run("rebuild_index")
    assert "rebuild_index: 5 item(s) indexed (3 evaluations, 2 documents)" in out
    out, _ = run("check_index")
    assert "5 item(s) indexed and up to date" in out
    # A queryset update bypasses signals: the index is now stale.
    models.Evaluation.objects.filter(slug="project-crewe").update(title="Renamed behind the index's back")
    models.Evaluation.objects.filter(slug="lincolnshire-partners-in-practice").update(visibility="draft")
    out = io.StringIO()
    with pytest.raises(CommandError, match="0 missing, 1 stale, 1 extra"):
        call_command("check_index", stdout=out)
    assert "evaluation" in out.getvalue() and "stale in the index" in out.getvalue()
    run("rebuild_index")
    out, _ = run("check_index")
    assert "up to date" in out
    assert search_index.search(SearchQuery(text="renamed behind")).hits[0].slug == "project-crewe"
