"""`manage.py ingest` on a collection: batches, bad files, reruns and interruptions.

These tests commit for real (transactional database) so the search signals flush
after each batch's commit as they do in production, into a real index in the
test's own data folder. Index writes are observed through a subclass of the
configured backend, chosen through the REGISTRY_SEARCH_BACKEND setting like any
backend, that records each call before doing the real work.
"""
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.utils.module_loading import import_string

from registry import models
from registry.search import SearchQuery, get_backend
from tests.conftest import seed_registry

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
ANIMALS = ["wombat", "quoll", "bilby", "numbat", "potoroo", "bettong", "dunnart", "kowari", "mulgara", "pademelon"]


class CountingIndexWrites:
    """Records every index_documents call, then writes the index for real."""

    calls = []
    interrupt_on_call = None  # the number of the call to interrupt, as a kill would

    def index_documents(self, ids):
        type(self).calls.append(sorted(ids))
        if len(type(self).calls) == type(self).interrupt_on_call:
            raise KeyboardInterrupt
        return super().index_documents(ids)


_counting_classes = {}


def counting_backend_path(base_path):
    """A dotted path to a subclass of the configured backend that counts index writes."""
    if base_path not in _counting_classes:
        base = import_string(base_path)
        name = f"Counting{base.__name__}"
        _counting_classes[base_path] = type(name, (CountingIndexWrites, base), {"calls": []})
        globals()[name] = _counting_classes[base_path]
    return f"{__name__}.{_counting_classes[base_path].__name__}"


class InterruptingStorage(FileSystemStorage):
    """File storage that is interrupted (as Ctrl-C would) while saving a file whose name says so."""

    def _save(self, name, content):
        if "interrupt" in Path(name).name:
            raise KeyboardInterrupt
        return super()._save(name, content)


@pytest.fixture
def index(settings, tmp_path, search_backend_name):
    """A seeded database (transactional tests empty it after each test) and a fresh
    index of it in this test's own data folder, written through a counting subclass
    of each backend in turn (conftest's `search_backend_name`)."""
    seed_registry()
    settings.REGISTRY_DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    settings.REGISTRY_SEARCH_BACKEND = counting_backend_path(settings.REGISTRY_SEARCH_BACKEND)
    backend = get_backend()
    backend.rebuild()
    type(backend).calls = []
    type(backend).interrupt_on_call = None
    yield backend
    type(backend).interrupt_on_call = None


def write_reports(folder, count, start=0):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        animal = ANIMALS[i % len(ANIMALS)]
        (folder / f"report-{i:02d}.md").write_text(f"# The {animal} report {i}\n\nHabitat survey of the {animal}, "
                                                   f"site ingestmarker{i}.\n")


def ingest(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def found(backend, word):
    return [hit.title for hit in backend.search(SearchQuery(text=word, kinds=("document",))).hits]


def check_index():
    out = io.StringIO()
    call_command("check_index", stdout=out)
    return out.getvalue()


def test_good_files_are_searchable_and_each_bad_file_is_named_with_its_reason(index, tmp_path):
    folder = tmp_path / "reports"
    write_reports(folder, 3)
    (folder / "notes.html").write_text("<h1>Field notes</h1><p>The echidnamarker burrow.</p>")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n")
    (folder / "slides.pptx").write_bytes(b"PK\x03\x04")  # named on the command line: refused, not skipped
    missing = folder / "never-written.md"

    out, err, failed = ingest(str(folder), str(folder / "slides.pptx"), str(missing), "--evaluation", "project-crewe")

    assert failed is not None and failed.returncode == 1
    assert "4 added, 0 already stored, 2 skipped, 3 unreadable" in str(failed)
    assert f"unreadable {folder / 'broken.pdf'}: not a readable PDF" in err
    assert f"unreadable {folder / 'slides.pptx'}: files of this type are not accepted" in err
    assert f"unreadable {missing}: no such file" in err
    assert f"skipped {folder / 'photo.png'}: not a document type we read" in out
    assert found(index, "ingestmarker1") == ["Report 01"]
    assert found(index, "echidnamarker") == ["Notes"]
    assert not models.Document.objects.filter(original_filename__in=["broken.pdf", "slides.pptx"]).exists()


def test_the_index_is_written_once_per_batch_with_all_its_documents(index, tmp_path):
    write_reports(tmp_path / "reports", 7)

    out, _, failed = ingest(str(tmp_path / "reports"), "--evaluation", "project-crewe", "--batch-size", "3")

    assert failed is None and "7 added" in out
    ids = list(models.Document.objects.filter(original_filename__startswith="report-")
               .order_by("original_filename").values_list("id", flat=True))
    # Two writers on PostgreSQL may finish their batches in either order.
    assert sorted(type(index).calls) == sorted([sorted(ids[0:3]), sorted(ids[3:6]), sorted(ids[6:7])])
    for i in range(7):
        assert found(index, f"ingestmarker{i}") == [f"Report {i:02d}"]
    assert "up to date" in check_index()


def test_text_is_read_in_worker_processes_with_the_same_result(index, tmp_path):
    write_reports(tmp_path / "reports", 5)
    (tmp_path / "reports" / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")

    out, err, failed = ingest(str(tmp_path / "reports"), "--evaluation", "project-crewe", "--batch-size", "2",
                              "--jobs", "1")

    assert "5 added, 0 already stored, 0 skipped, 1 unreadable" in str(failed)
    assert "broken.pdf: not a readable PDF" in err
    assert found(index, "ingestmarker4") == ["Report 04"]
    assert models.Document.objects.get(original_filename="report-02.md").text.startswith("The bilby report 2")


def test_a_rerun_adds_nothing_twice_and_does_not_rewrite_the_index(index, tmp_path, settings):
    write_reports(tmp_path / "reports", 4)
    (tmp_path / "reports" / "copy.md").write_bytes((tmp_path / "reports" / "report-00.md").read_bytes())
    out, _, failed = ingest(str(tmp_path / "reports"), "--batch-size", "2", "--evaluation", "project-crewe")
    assert failed is None and "4 added, 1 already stored" in out
    documents, files, calls = models.Document.objects.count(), stored_files(settings), len(type(index).calls)

    out, _, failed = ingest(str(tmp_path / "reports"), "--batch-size", "2", "--evaluation", "project-crewe")

    assert failed is None and "0 added, 5 already stored, 0 skipped, 0 unreadable" in out
    assert models.Document.objects.count() == documents
    assert stored_files(settings) == files
    assert len(type(index).calls) == calls  # everything stored was already in the index
    assert "up to date" in check_index()


def test_an_interruption_while_storing_keeps_earlier_batches_and_leaves_nothing_half_stored(index, tmp_path,
                                                                                           settings):
    write_reports(tmp_path / "reports", 5)  # batches of two: 00 01 | 02 03 | 04 05-interrupt | 06 07
    (tmp_path / "reports" / "report-05-interrupt.md").write_text("# Interrupted\n\nThe kowarimarker report.")
    write_reports(tmp_path / "reports", 2, start=6)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.InterruptingStorage"}}

    _, _, failed = ingest(str(tmp_path / "reports"), "--evaluation", "project-crewe", "--batch-size", "2")

    assert failed is not None and failed.returncode == 130
    assert "Interrupted: the batches being stored were rolled back" in str(failed)
    assert "4 added" in str(failed)  # the two batches before the interrupted one
    stored = set(models.Document.objects.filter(original_filename__endswith=".md")
                 .values_list("original_filename", flat=True))
    assert stored == {"report-00.md", "report-01.md", "report-02.md", "report-03.md"}
    # report-04 was saved in the interrupted batch before report-05-interrupt: its row and its file are gone.
    assert not any(name.startswith("report-04") for name in stored_files(settings))
    assert len(stored_files(settings)) == 4
    # The words of the stored batches are indexed whole; their passages' meaning vectors
    # come after every batch (see ingest's docstring), so check_index names those four
    # documents, and nothing else, until a rerun embeds them.
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"0 missing, 0 stale, 0 extra, 4 meaning vector\(s\) out of step"):
        call_command("check_index", stdout=out)
    assert out.getvalue().count(": without a meaning vector") == 4

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    out, _, failed = ingest(str(tmp_path / "reports"), "--evaluation", "project-crewe", "--batch-size", "2")

    assert failed is None and "4 added, 4 already stored" in out
    assert found(index, "kowarimarker") == ["Report 05 interrupt"]
    assert len(stored_files(settings)) == 8
    assert "up to date" in check_index()


def test_a_rerun_indexes_documents_stored_before_an_interrupted_index_write(index, tmp_path):
    if index.transactional:
        pytest.skip("this backend writes its index in the batch's own transaction: stored means indexed")
    write_reports(tmp_path / "reports", 6)
    type(index).interrupt_on_call = 2  # the second batch commits, then the run is killed before it is indexed

    _, _, failed = ingest(str(tmp_path / "reports"), "--evaluation", "project-crewe", "--batch-size", "2")

    assert failed is not None and failed.returncode == 130
    assert models.Document.objects.filter(original_filename__startswith="report-").count() == 4
    assert found(index, "ingestmarker2") == []  # stored, but not in the index
    with pytest.raises(CommandError, match="2 missing"):
        check_index()

    type(index).interrupt_on_call = None
    out, _, failed = ingest(str(tmp_path / "reports"), "--evaluation", "project-crewe", "--batch-size", "2")

    assert failed is None and "2 added, 4 already stored" in out
    assert "2 already stored but missing from the search index, now indexed" in out
    assert found(index, "ingestmarker2") == ["Report 02"]
    assert "up to date" in check_index()


def manage(env, *args, check=True):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    if check:
        assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_a_killed_ingest_leaves_the_database_and_index_consistent_after_a_rerun(tmp_path):
    """A real process killed with SIGKILL (no clean-up at all) part-way through,
    on its own SQLite file and whoosh-or-configured index."""
    db = tmp_path / "killed.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": "test-only-key",
           "REGISTRY_DATA_DIR": str(tmp_path / "data")}
    if "postgres" in env.get("REGISTRY_SEARCH_BACKEND", ""):
        env.pop("REGISTRY_SEARCH_BACKEND")  # this test's database is SQLite
    manage(env, "migrate", "-v0")
    manage(env, "seed")
    folder = tmp_path / "reports"
    folder.mkdir()
    filler = " ".join(f"survey{j % 97} habitat{j % 89}" for j in range(4000))
    for i in range(24):
        (folder / f"long-{i:02d}.md").write_text(f"# Long report {i}\n\nkilledmarker{i} {filler}\n")
    command = [sys.executable, "manage.py", "ingest", str(folder), "--evaluation", "project-crewe",
               "--batch-size", "4", "--jobs", "0"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with sqlite3.connect(db, timeout=0.1) as connection:
                stored = connection.execute(
                    "select count(*) from registry_document where original_filename like 'long-%'").fetchone()[0]
        except sqlite3.OperationalError:
            pass  # the ingest holds the write lock
        if stored >= 4:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    with sqlite3.connect(db) as connection:
        stored = connection.execute(
            "select count(*) from registry_document where original_filename like 'long-%'").fetchone()[0]
    assert 4 <= stored < 24, "the kill should land part-way through"

    result = manage(env, "ingest", str(folder), "--evaluation", "project-crewe", "--batch-size", "4")

    assert f"{24 - stored} added, {stored} already stored" in result.stdout
    with sqlite3.connect(db) as connection:
        count = connection.execute(
            "select count(*), count(distinct content_hash) from registry_document "
            "where original_filename like 'long-%'").fetchone()
    assert count == (24, 24)
    assert "up to date" in manage(env, "check_index").stdout


def test_two_writers_store_every_file_once_each_batch_indexed_once(index, tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a database that takes concurrent transactions (PostgreSQL)")
    write_reports(tmp_path / "reports", 7)
    # The same content in the first and the last batch, which two writers may store at the same moment.
    (tmp_path / "reports" / "report-99-copy.md").write_bytes((tmp_path / "reports" / "report-00.md").read_bytes())

    out, _, failed = ingest(str(tmp_path / "reports"), "--evaluation", "project-crewe", "--batch-size", "2",
                            "--writers", "2")

    assert failed is None and "7 added, 1 already stored, 0 skipped, 0 unreadable" in out
    ids = set(models.Document.objects.filter(original_filename__startswith="report-").values_list("id", flat=True))
    assert len(ids) == 7
    written = [pk for call in type(index).calls for pk in call]
    # Each stored document in exactly one write (a copy that lost the race to store
    # may add the id of its rolled-back row, which the write finds nothing for).
    assert all(written.count(pk) == 1 for pk in ids) and all(len(call) <= 2 for call in type(index).calls)
    for i in range(7):
        assert found(index, f"ingestmarker{i}") == [f"Report {i:02d}"]
    assert "up to date" in check_index()


def test_match_links_each_report_to_the_record_its_name_gives_and_lists_the_rest(index, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "project-crewe-final-report.md").write_text("# Crewe final\n\nThe crewematchmarker findings.\n")
    (folder / "Project Crewe Research Report.md").write_text("# Crewe research\n\nThe titlematchmarker.\n")
    (folder / "holiday photos.md").write_text("# Holiday\n\nThe unmatchedmarker beach.\n")

    out, err, failed = ingest(str(folder), "--match")

    assert failed is None, err
    assert f"unmatched {folder / 'holiday photos.md'}: The file name holds no record's external id or title" in out
    assert "match: 2 documents linked to their records, 1 files matched no record" in out
    names = ["project-crewe-final-report.md", "Project Crewe Research Report.md", "holiday photos.md"]
    before = models.Document.objects.exclude(original_filename__in=names).count()  # the seed's
    linked = {d.original_filename: sorted(d.evaluations.values_list("slug", flat=True))
              for d in models.Document.objects.filter(original_filename__in=names)}
    assert linked == {"project-crewe-final-report.md": ["project-crewe"],
                      "Project Crewe Research Report.md": ["project-crewe"], "holiday photos.md": []}
    # the matched reports are searchable at once (the unmatched one is stored, as linked holds, but search
    # lists only documents of published records)
    assert found(index, "crewematchmarker") == ["Project crewe final report"]
    assert found(index, "titlematchmarker") == ["Project crewe research report"]

    # run again: nothing stored twice, the links already made are kept
    out, _, failed = ingest(str(folder), "--match")
    assert failed is None and "0 added, 3 already stored" in out
    assert models.Document.objects.count() == before + 3
    assert models.Document.objects.get(original_filename="project-crewe-final-report.md").evaluations.count() == 1


def test_a_manifest_names_the_records_and_bad_options_are_refused(index, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\nThe manifestmarker report.\n")
    (folder / "b.md").write_text("# B\n\nAnother report.\n")
    manifest = tmp_path / "files.csv"
    manifest.write_text("file,external_id,title\na.md,lincolnshire-partners-in-practice,\nb.md,no-such-record,\n")

    out, err, failed = ingest(str(folder), "--manifest", str(manifest))

    assert failed is None, err
    assert f"unmatched {folder / 'b.md'}: No record has the external id “no-such-record”" in out
    a = models.Document.objects.get(original_filename="a.md")
    assert list(a.evaluations.values_list("slug", flat=True)) == ["lincolnshire-partners-in-practice"]
    assert not models.Document.objects.get(original_filename="b.md").evaluations.exists()

    _, _, failed = ingest(str(folder), "--match", "--evaluation", "project-crewe")
    assert failed is not None and "not both" in str(failed)
    _, _, failed = ingest(str(folder), "--match", "--manifest", str(tmp_path / "missing.csv"))
    assert failed is not None and "Could not read the manifest" in str(failed)
