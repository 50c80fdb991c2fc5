"""/import/ for moderators: upload, a report by row and column with nothing saved,
then import as drafts or publish; templates to download; everyone else kept out."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from registry.imports.columns import FINDING_NAMES, RECORD_NAMES
from registry.models import Evaluation
from registry.models.choices import Visibility
from tests.imports.helpers import csv_bytes, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


def upload(client, data, name="catalogue.csv", **extra):
    return client.post("/import/", {"file": SimpleUploadedFile(name, data), **extra})


def token_of(response):
    return re.search(r'action="/import/([A-Za-z0-9_-]{22})/"', response.content.decode()).group(1)


def test_anonymous_visitors_are_sent_to_sign_in():
    for url in ("/import/", "/import/templates/records.csv", "/import/abcdefghijklmnopqrstuv/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/?next=")


def test_contributors_are_refused(contributor):
    client = Client()
    client.force_login(contributor)
    assert client.get("/import/").status_code == 403
    assert upload(client, csv_bytes([row()])).status_code == 403
    assert client.get("/import/templates/template.xlsx").status_code == 403
    assert not Evaluation.objects.filter(slug="dfe-2021-001").exists()


def test_a_bad_file_is_reported_by_row_and_column_and_nothing_is_saved(moderator_client):
    records = Evaluation.objects.count()
    response = upload(moderator_client, csv_bytes([row(), row(external_id="two", title="",
                                                                 lead_department="<b>Ministry of Magic</b>")]))
    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page and "Nothing has been saved" in page
    assert "Row 3, title: Enter the evaluation&#x27;s title" in page
    assert "Row 3, lead department: “&lt;b&gt;Ministry of Magic&lt;/b&gt;” is not a department" in page
    assert "<b>Ministry" not in page  # escaped
    assert "import-confirm" not in page and 'name="action"' not in page
    assert Evaluation.objects.count() == records


def test_a_file_that_is_not_a_spreadsheet_is_reported(moderator_client):
    response = upload(moderator_client, b"\x89PNG\r\n\x1a\n\x00\x00\x00", "photo.png")
    assert response.status_code == 400
    assert "The file must be a CSV or an Excel workbook (.xlsx)" in response.content.decode()


def test_no_file_is_a_form_error(moderator_client):
    response = moderator_client.post("/import/", {})
    assert response.status_code == 400 and "Select a CSV or Excel file to import" in response.content.decode()


def test_check_then_import_as_drafts(moderator_client, moderator):
    response = upload(moderator_client, csv_bytes([row()]))
    page = response.content.decode()
    assert response.status_code == 200 and "Import 1 record as drafts" in page
    assert not Evaluation.objects.filter(slug="dfe-2021-001").exists()  # the check saved nothing

    done = moderator_client.post(f"/import/{token_of(response)}/", {"action": "drafts"})
    assert done.status_code == 200 and "1 record imported" in done.content.decode()
    record = Evaluation.objects.get(slug="dfe-2021-001")
    assert record.visibility == Visibility.DRAFT and record.owner == moderator
    # the stored upload is used once
    assert moderator_client.post(f"/import/{token_of(response)}/", {"action": "drafts"}).status_code == 404


def test_import_and_publish(moderator_client):
    response = upload(moderator_client, csv_bytes([row()]))
    done = moderator_client.post(f"/import/{token_of(response)}/", {"action": "publish"})
    assert done.status_code == 200 and "1 published" in done.content.decode()
    assert Evaluation.objects.get(slug="dfe-2021-001").visibility == Visibility.PUBLISHED
    assert Client().get("/evaluations/dfe-2021-001/").status_code == 200


def test_another_moderators_upload_cannot_be_imported(moderator_client):
    from tests.api.conftest import make_user

    response = upload(moderator_client, csv_bytes([row()]))
    other = Client()
    other.force_login(make_user("other-moderator", staff=True))
    assert other.post(f"/import/{token_of(response)}/", {"action": "publish"}).status_code == 404
    assert other.post("/import/..%2F..%2Fetc/", {"action": "publish"}).status_code == 404
    assert not Evaluation.objects.filter(slug="dfe-2021-001").exists()


def test_confirming_needs_a_csrf_token(moderator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    response = client.post("/import/", {"file": SimpleUploadedFile("c.csv", csv_bytes([row()]))})
    assert response.status_code == 403
    assert not Evaluation.objects.filter(slug="dfe-2021-001").exists()


def test_templates_download_with_the_columns(moderator_client):
    records = moderator_client.get("/import/templates/records.csv")
    assert records["Content-Type"].startswith("text/csv")
    assert records.content.decode("utf-8-sig").strip() == ",".join(RECORD_NAMES)
    findings = moderator_client.get("/import/templates/findings.csv")
    assert findings.content.decode("utf-8-sig").strip() == ",".join(FINDING_NAMES)
    book = load_workbook(io.BytesIO(moderator_client.get("/import/templates/template.xlsx").content))
    assert book.sheetnames == ["records", "findings", "guidance"]
    assert [c.value for c in next(book["records"].iter_rows())] == list(RECORD_NAMES)
    assert moderator_client.get("/import/templates/other.exe").status_code == 404


def test_the_upload_page_has_a_fixed_number_of_queries(moderator_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert moderator_client.get("/import/").status_code == 200


def test_the_review_queue_links_to_the_import(moderator_client):
    assert 'href="/import/"' in moderator_client.get("/review/").content.decode()


def test_a_50_mb_upload_is_refused_by_its_size(moderator_client):
    records = Evaluation.objects.count()
    response = upload(moderator_client, csv_bytes([row()]) + b"x" * (50 * 1024 * 1024), "big.csv")
    assert response.status_code == 400
    assert "The file must be smaller than 20 MB. Split it into smaller files" in response.content.decode()
    assert Evaluation.objects.count() == records


def test_a_formula_in_an_uploaded_workbook_is_reported(moderator_client):
    from tests.imports.test_importer import xlsx

    response = upload(moderator_client, xlsx([row()], formula_at="B2"), "c.xlsx")
    assert response.status_code == 400
    assert "Row 2, title: Cell B2 of the records sheet holds a formula" in response.content.decode()
    assert not Evaluation.objects.filter(slug="dfe-2021-001").exists()


def test_the_report_says_how_long_the_import_will_take_and_loads_the_progress_script(moderator_client):
    """The check writes every record and rolls back, so its time is the estimate; the
    buttons announce the import under way (static script, no inline JS for the CSP)."""
    from django.contrib.staticfiles import finders

    response = upload(moderator_client, csv_bytes([row(), row(external_id="dfe-2021-002", title="Second")]))
    page = response.content.decode()
    assert ("Checking the 2 records took a few seconds. Importing them as drafts will take about as long; "
            "importing and publishing, which also adds them to search, can take up to three times as long") in page
    assert 'data-importing="Importing 2 records…"' in page and 'data-prevent-double-click="true"' in page
    assert re.search(r'<script type="module" src="/static/registry/imports\.js', page)
    script = Path(finders.find("registry/imports.js")).read_text(encoding="utf-8")
    assert "data-import-form" in script and "aria-disabled" in script
    assert "data-import-form" not in page.split("<script", 1)[-1].split("</script>")[0]  # nothing of it inline


@pytest.mark.parametrize("seconds, words", [(3, "a few seconds"), (42, "about 50 seconds"), (200, "about 4 minutes")])
def test_the_estimate_in_words(seconds, words):
    from registry.web.imports import _estimate

    assert _estimate(seconds) == words
