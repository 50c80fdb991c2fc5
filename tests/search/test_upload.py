"""Moderators upload documents; bad files get a clear message and nothing is stored."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registry import models
from registry.search import SearchQuery

pytestmark = pytest.mark.django_db


def stored_files(settings):
    root = settings.MEDIA_ROOT / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def post(client, name, data, **fields):
    payload = {"file": SimpleUploadedFile(name, data), "kind": "report", "language": "en", **fields}
    return client.post("/documents/upload/", payload)


def test_only_moderators_reach_the_upload_page(client, django_user_model, staff_user):
    response = client.get("/documents/upload/")
    assert response.status_code == 302 and "next=/documents/upload/" in response["Location"]
    client.force_login(django_user_model.objects.create_user("visitor", password="a-long-password-2"))
    assert client.get("/documents/upload/").status_code == 404
    client.force_login(staff_user)
    html = client.get("/documents/upload/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html and 'type="file"' in html


@pytest.mark.parametrize("name, data, message", [
    ("empty.txt", b"", "The selected file is empty."),
    ("blank.txt", b"   \n\n  ", "no text could be found in the file"),
    ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
    ("report.docx", b"PK\x03\x04 word", "files of this type are not accepted"),
    ("latin.txt", b"\x81\x8d\x8f\x90\x9d", "not in a readable encoding"),
])
def test_unreadable_uploads_get_a_message_and_store_nothing(client, staff_user, settings, name, data, message):
    client.force_login(staff_user)
    before, files = models.Document.objects.count(), stored_files(settings)
    response = post(client, name, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert models.Document.objects.count() == before
    assert stored_files(settings) == files


def test_a_50_mb_pdf_is_refused_with_a_size_message(client, staff_user, settings):
    client.force_login(staff_user)
    files = stored_files(settings)
    data = b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024)
    response = post(client, "huge.pdf", data)
    assert response.status_code == 400
    assert "The file must be smaller than 20.0\xa0MB; this one is 50.0\xa0MB." in response.content.decode()
    assert not models.Document.objects.filter(original_filename="huge.pdf").exists()
    assert stored_files(settings) == files


def test_bad_fields_store_nothing(client, staff_user, settings):
    client.force_login(staff_user)
    files = stored_files(settings)
    response = post(client, "notes.md", b"# Notes\n\nSome text.", source_url="javascript:alert(1)", month="13",
                    evaluations="no-such-record")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a web address starting with http:// or https://" in html
    assert "No record has the address no-such-record." in html
    assert not models.Document.objects.filter(original_filename="notes.md").exists()
    assert stored_files(settings) == files


def test_upload_stores_the_file_links_records_and_is_searchable(client, staff_user, settings, search_index,
                                                                django_capture_on_commit_callbacks):
    client.force_login(staff_user)
    files = stored_files(settings)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "wallaby-report.md", b"# Wallaby study\n\nThe **wallaby** programme worked.",
                        title="Wallaby study final report", evaluations="project-crewe", year="2021", month="3")
    document = models.Document.objects.get(title="Wallaby study final report")
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/"
    assert document.media_type == "text/markdown" and "**" not in document.text
    assert list(document.evaluations.values_list("slug", flat=True)) == ["project-crewe"]
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "was added to the registry’s documents" in page and f"/documents/{document.pk}/file/" in page
    download = client.get(f"/documents/{document.pk}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"# Wallaby")
    hits = search_index.search(SearchQuery(text="wallaby")).hits
    assert [h.kind for h in hits] == ["document"]
    # The same content again is not stored twice.
    response = post(client, "copy.md", b"# Wallaby study\n\nThe **wallaby** programme worked.")
    assert response["Location"] == f"/documents/{document.pk}/"
    assert models.Document.objects.filter(title="Wallaby study final report").count() == 1
    assert len(stored_files(settings)) == len(files) + 1
    assert "already in the registry’s documents" in client.get(response["Location"]).content.decode()


def test_pdf_upload_is_read(client, staff_user):
    from pypdf import PdfWriter

    client.force_login(staff_user)
    buffer = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.write(buffer)
    response = post(client, "blank.pdf", buffer.getvalue())
    assert response.status_code == 400
    assert "no text could be found" in response.content.decode()
