"""Bulk dumps: the JSON Lines load back as the very records, findings and
documents the API lists; the CSV is the API's CSV; checksums hold; drafts and
withdrawn records are never in a dump."""

import csv
import hashlib
import io
import json
import re
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from registry.models import Document, Evaluation
from registry.services import workflow
from tests.api.publishing import moderator, publish_new, publish_revision
from tests.conftest import seed_registry
from tests.factories import rich_evaluation

SECRET = "zanzibarquokka"


def api_list(client, url):
    items = []
    while url:
        body = client.get(url).json()
        items += body["results"]
        url = body["next"]
    return items


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def read_csv(content):
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


@pytest.fixture
def registry(db):
    """Published records with every kind of relation, a revised one, a withdrawn
    one, a draft and a revision in progress, and documents of each."""
    records = [rich_evaluation(i) for i in range(4)]
    by = moderator()
    revised = publish_new(by, title="Revised record")
    publish_revision(revised, by, summary="Reworded.")
    withdrawn = publish_new(by, title=f"Withdrawn {SECRET}")
    workflow.withdraw(withdrawn, by=by, reason="Recorded twice.")
    draft = rich_evaluation(9, visibility="draft")
    draft.title = f"Draft {SECRET}"
    draft.save()
    document("Final report", year=2022, publisher="DfE").evaluations.add(records[0], records[1])
    document(f"Draft's document {SECRET}").evaluations.add(draft)
    document(f"Withdrawn's document {SECRET}").evaluations.add(withdrawn)
    return records


def document(title, **fields):
    return Document.objects.create(
        title=title, kind="report", content_hash=hashlib.sha256(title.encode()).hexdigest(), **fields
    )


def test_the_json_lines_load_back_as_the_records_findings_and_documents_the_api_lists(client, registry, tmp_path):
    manifest = call_command("dump", str(tmp_path), base_url="http://testserver") or json.loads(
        (tmp_path / "manifest.json").read_text()
    )
    assert read_jsonl(tmp_path / "records.jsonl") == api_list(client, "/api/v1/evaluations/?page_size=100")
    assert read_jsonl(tmp_path / "findings.jsonl") == api_list(client, "/api/v1/findings/?page_size=100")
    assert read_jsonl(tmp_path / "documents.jsonl") == api_list(client, "/api/v1/documents/?page_size=100")
    assert manifest["counts"]["records"] == Evaluation.objects.filter(visibility="published").count() >= 7
    assert manifest["counts"]["findings"] >= 12 and manifest["counts"]["documents"] >= 1


def test_the_csv_is_the_apis_csv(client, registry, tmp_path):
    call_command("dump", str(tmp_path), base_url="http://testserver")
    dumped = read_csv((tmp_path / "records.csv").read_text(encoding="utf-8"))
    served = read_csv(client.get("/api/v1/evaluations.csv?page_size=100").content.decode("utf-8"))
    assert dumped == served
    dumped = read_csv((tmp_path / "findings.csv").read_text(encoding="utf-8"))
    served = read_csv(client.get("/api/v1/findings.csv?page_size=100").content.decode("utf-8"))
    assert dumped == served
    documents = read_csv((tmp_path / "documents.csv").read_text(encoding="utf-8"))
    assert documents[0][:2] == ["id", "title"] and len(documents) == 1 + Document.objects.filter(
        evaluations__visibility="published").distinct().count()


def test_checksums_and_snapshot_time_are_written(registry, tmp_path):
    call_command("dump", str(tmp_path), base_url="http://testserver")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["snapshot_at"] and manifest["latest_change"] and manifest["changes_since"]
    sums = dict(line.split("  ")[::-1] for line in (tmp_path / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {f"{name}.{ext}" for name in ("records", "findings", "documents") for ext in ("jsonl", "csv")}
    for item in manifest["files"]:
        digest = hashlib.sha256((tmp_path / item["name"]).read_bytes()).hexdigest()
        assert item["sha256"] == sums[item["name"]] == digest


def test_no_draft_or_withdrawn_record_is_ever_in_a_dump(registry, tmp_path):
    call_command("dump", str(tmp_path), base_url="http://testserver")
    for path in tmp_path.iterdir():
        assert SECRET not in path.read_text(encoding="utf-8"), path.name
    slugs = {r["slug"] for r in read_jsonl(tmp_path / "records.jsonl")}
    assert not slugs & set(Evaluation.objects.exclude(visibility="published").values_list("slug", flat=True))


def test_the_on_demand_dump_is_linked_from_the_root_and_written_again_only_after_a_change(
    client, registry, django_assert_max_num_queries
):
    root = client.get("/api/v1/").json()
    assert root["dump"] == "http://testserver/api/v1/dump/"
    first = client.get("/api/v1/dump/").json()
    files = {f["name"]: f for f in first["files"]}
    response = client.get(files["records.jsonl"]["url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/jsonl"
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == files["records.jsonl"]["sha256"]
    assert [json.loads(line) for line in body.decode().splitlines()] == api_list(
        client, "/api/v1/evaluations/?page_size=100"
    )
    # Nothing public changed: the same dump, for the cost of one query.
    with django_assert_max_num_queries(1):
        again = client.get("/api/v1/dump/").json()
    assert again["dump_id"] == first["dump_id"]
    # A draft changing changes nothing public; a publication does.
    Evaluation.objects.filter(visibility="draft").update(title="Still a draft")
    assert client.get("/api/v1/dump/").json()["dump_id"] == first["dump_id"]
    publish_new(moderator("second@cabinetoffice.gov.uk"), title="Published after the first dump")
    later = client.get("/api/v1/dump/").json()
    assert later["dump_id"] != first["dump_id"]
    assert later["counts"]["records"] == first["counts"]["records"] + 1
    # The earlier dump's files are still there for whoever was downloading them.
    assert client.get(files["records.jsonl"]["url"]).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../manifest.json", "secrets.txt", "records.jsonl\x00"])
def test_a_dump_file_that_is_not_one_answers_404_or_400(client, name):
    client.get("/api/v1/dump/")
    dump_id = client.get("/api/v1/dump/").json()["dump_id"]
    response = client.get(f"/api/v1/dump/{dump_id}/{name}")
    assert response.status_code in (400, 404)
    assert response.json()["status"] == response.status_code
    assert client.get("/api/v1/dump/20000101T000000000000Z-0000/records.csv").status_code == 404


@pytest.mark.django_db
def test_the_command_refuses_a_base_url_that_is_not_http(tmp_path):
    with pytest.raises(CommandError, match="must start with http"):
        call_command("dump", str(tmp_path), base_url="javascript:alert(1)")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has one writer connection in tests")
def test_a_dump_is_one_snapshot_while_another_connection_publishes(transactional_db, tmp_path, monkeypatch):
    """A record published by another connection after the dump's first query is
    in none of its files, though the dump goes on reading after it committed."""
    from registry import dumps

    seed_registry()
    by = moderator()
    publish_new(by, title="Before the dump")
    published = threading.Event()
    original = dumps._write_documents

    def publish_in_between(documents, site):
        def other_connection():
            try:
                record = publish_new(by, title=f"Published mid-dump {SECRET}")
                record.documents.add(document(f"Mid-dump document {SECRET}"))
            finally:
                connection.close()
                published.set()

        thread = threading.Thread(target=other_connection)
        thread.start()
        thread.join()
        assert Evaluation.objects.filter(title__contains=SECRET).count() == 0  # this transaction's snapshot
        original(documents, site)

    monkeypatch.setattr(dumps, "_write_documents", publish_in_between)
    call_command("dump", str(tmp_path), base_url="http://testserver")
    assert published.is_set()
    assert Evaluation.objects.filter(title__contains=SECRET).count() == 1  # committed by the other connection
    for path in tmp_path.iterdir():
        assert SECRET not in path.read_text(encoding="utf-8"), path.name


@pytest.mark.django_db
def test_the_benchmark_prints_the_time_and_removes_its_records(tmp_path):
    out = io.StringIO()
    call_command("dump", str(tmp_path), bench=25, stdout=out)
    assert re.search(r"^bench: \d+ records dumped in \d+\.\ds \(within the 60s target\)$", out.getvalue(), re.M)
    assert json.loads((tmp_path / "manifest.json").read_text())["counts"]["records"] >= 25
    assert not Evaluation.objects.filter(slug__startswith="bench-").exists()


def test_the_change_feed_from_a_dump_gives_exactly_what_changed_after_it(client, registry, tmp_path, settings):
    settings.REGISTRY_CHANGES_SETTLE_SECONDS = 0
    call_command("dump", str(tmp_path), base_url="http://testserver")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    by = moderator("later@cabinetoffice.gov.uk")
    later = publish_new(by, title="Published after the dump")
    workflow.withdraw(Evaluation.objects.get(pk=registry[0].pk), by=by, reason="Withdrawn after the dump.")
    body = client.get("/api/v1/changes/", {"since": manifest["changes_since"], "page_size": 200}).json()
    assert [(i["change"], i["slug"]) for i in body["items"]] == [
        ("created", later.slug), ("withdrawn", registry[0].slug),
    ]
