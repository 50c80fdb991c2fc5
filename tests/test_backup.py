"""`manage.py backup` and `manage.py restore`: a registry with drafts, published and
withdrawn records and their documents is backed up, emptied (database flushed, uploaded
files and search index gone), restored, and every public page and API response compared
is the same as before, byte for byte once per-request tokens are set aside."""
import re
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client

from registry.models import Document
from registry.services import workflow
from registry.services.documents import add_document
from tests.conftest import seed_registry
from tests.factories import rich_evaluation

# Per-request values that differ between any two fetches of the same page.
VOLATILE = [re.compile(p) for p in (r'name="csrfmiddlewaretoken" value="[^"]+"', r'nonce="[^"]+"')]


def public_state(client, evaluations, documents):
    paths = ["/", "/evaluations/", "/documents/", "/insights/", "/search/?q=outcome", "/search/?q=synthetic",
             "/compare/?" + "&".join(f"e={e.slug}" for e in evaluations),
             "/api/v1/evaluations/", "/api/v1/evaluations/?format=csv", "/api/v1/findings/", "/api/v1/documents/",
             "/api/v1/search/?q=outcome", "/api/v1/departments/?page_size=5"]
    for evaluation in evaluations:
        paths += [f"/evaluations/{evaluation.slug}/", f"/api/v1/evaluations/{evaluation.slug}/",
                  f"/api/v1/evaluations/{evaluation.slug}/?format=jsonld", f"/evaluations/{evaluation.slug}/history/"]
    paths += [f"/documents/{pk}/" for pk in documents] + [f"/api/v1/documents/{pk}/" for pk in documents]
    state = {}
    for path in paths:
        response = client.get(path)
        body = response.content.decode()
        for pattern in VOLATILE:
            body = pattern.sub("", body)
        state[path] = (response.status_code, body)
    return state


def stored_files(documents):
    return {pk: Document.objects.get(pk=pk).file.read() for pk in documents}


@pytest.fixture
def registry_with_history(transactional_db, settings, tmp_path):
    """Its own data folder (index and uploads), so emptying it touches no other test's files."""
    settings.REGISTRY_DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    seed_registry()
    moderator = get_user_model().objects.create_user(username="mo@cabinetoffice.gov.uk", is_staff=True)
    published = [rich_evaluation(i) for i in range(3)]
    draft = rich_evaluation(3, visibility="draft")
    withdrawn = rich_evaluation(4)
    workflow.withdraw(withdrawn, by=moderator, reason="Superseded by a later evaluation")
    documents = []
    for n, linked in enumerate([published[0], published[1], draft, withdrawn]):
        text = f"# Report {n}\n\nThe outcome measured for record {linked.slug}, in plain words."
        document, _ = add_document(text.encode(), f"report-{n}.md", evaluations=[linked])
        documents.append(document.pk)
    call_command("rebuild_index", procs=1, verbosity=0)
    if connection.vendor == "postgresql":
        # As a running database is, by autovacuum: the PostgreSQL search's ranking reads table
        # sizes from the planner's statistics (pg_class.reltuples), which restore gathers too.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return [*published, draft, withdrawn], documents


def test_restore_gives_back_every_public_page_and_api_response(registry_with_history, tmp_path, settings):
    evaluations, documents = registry_with_history
    before = public_state(Client(), evaluations, documents)
    files = stored_files(documents)
    assert before[f"/evaluations/{evaluations[3].slug}/"][0] == 404, "the draft is not public"
    assert before[f"/evaluations/{evaluations[4].slug}/"][0] == 410, "the withdrawn record says so"
    assert before[f"/evaluations/{evaluations[0].slug}/"][0] == 200
    assert "Report 0" in before["/search/?q=outcome"][1]

    call_command("backup", str(tmp_path / "backup"))

    # An empty registry: no rows, no uploads, an empty index.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    call_command("rebuild_index", procs=1, verbosity=0)
    assert Client().get(f"/evaluations/{evaluations[0].slug}/").status_code == 404

    call_command("restore", str(tmp_path / "backup"), interactive=False)

    after = public_state(Client(), evaluations, documents)
    differences = [path for path in before if before[path] != after[path]]
    assert differences == []
    assert stored_files(documents) == files


def test_backup_refuses_a_folder_that_is_not_empty(registry_with_history, tmp_path):
    from django.core.management.base import CommandError

    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "full"))


def test_restore_refuses_a_folder_without_a_backup(registry_with_history, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no readable backup"):
        call_command("restore", str(tmp_path), interactive=False)
