"""Drafts never leak: no endpoint, filter, count, facet, search hit or export
shows a record to someone who may not see it."""

import json

import pytest
from django.core.files.base import ContentFile

from registry.models import Document
from registry.search import get_backend
from tests.api.conftest import token_client
from tests.factories import rich_evaluation

pytestmark = pytest.mark.django_db

SECRET = "Zyxquorble"  # a word that appears only in the draft


@pytest.fixture
def draft(user):
    record = rich_evaluation(7, visibility="draft")
    record.title = f"{SECRET} pilot evaluation"
    record.summary = f"The {SECRET} pilot is not yet public."
    record.owner = user
    record.save()
    record.findings.update(statement=f"{SECRET} finding")
    document = Document.objects.create(
        title=f"{SECRET} report", text=f"{SECRET} text", content_hash="draft-only", word_count=2
    )
    document.file.save("secret.txt", ContentFile(b"secret"), save=True)
    document.evaluations.add(record)
    get_backend().rebuild()
    return record


PUBLIC_READS = [
    "/api/v1/evaluations/?page_size=100",
    "/api/v1/evaluations/?format=csv&page_size=100",
    "/api/v1/evaluations/?format=jsonld&page_size=100",
    "/api/v1/evaluations.csv",
    "/api/v1/evaluations/?department=department-for-education&page_size=100",
    "/api/v1/evaluations/?method=rct&page_size=100",
    "/api/v1/evaluations/?place=place-2&page_size=100",
    "/api/v1/evaluations/?year_from=2019&year_to=2021&has_findings=true&page_size=100",
    "/api/v1/evaluations/?sort=recent&page_size=100",
    f"/api/v1/evaluations/?q={SECRET}",
    "/api/v1/findings/?page_size=100",
    "/api/v1/findings.csv",
    "/api/v1/documents/?page_size=100",
    f"/api/v1/search/?q={SECRET}",
    "/api/v1/search/?q=pilot",
    "/api/v1/search/?q=evaluation&page_size=100",
    "/api/v1/search/?q=Zyxquorbel",  # a misspelling must not be "corrected" to the draft's word
]


@pytest.mark.parametrize("url", PUBLIC_READS)
def test_draft_never_appears_to_visitors(client_api, draft, url):
    response = client_api.get(url)
    assert response.status_code == 200, response.content[:300]
    assert SECRET.lower() not in response.content.decode().lower()
    assert draft.slug not in response.content.decode()


def test_counts_and_facets_leave_drafts_out(client_api, draft):
    assert client_api.get("/api/v1/evaluations/").json()["count"] == 3
    place_count = client_api.get("/api/v1/evaluations/", {"place": "place-2"}).json()["count"]
    assert place_count == 0
    search = client_api.get("/api/v1/search/", {"q": "", "scope": "evaluation"}).json()
    assert search["total"] == 3
    for values in search["facets"].values():
        for value in values:
            assert SECRET.lower() not in json.dumps(value).lower()
    stage_counts = {v["value"]: v["count"] for v in search["facets"].get("stage", [])}
    assert sum(stage_counts.values()) <= 3


@pytest.mark.parametrize("path", ["", "?format=jsonld", "?format=csv"])
def test_draft_detail_is_404_for_visitors_and_other_users(client_api, other_user, draft, path):
    assert client_api.get(f"/api/v1/evaluations/{draft.slug}/{path}").status_code == 404
    assert token_client(other_user).get(f"/api/v1/evaluations/{draft.slug}/{path}").status_code == 404


def test_document_of_a_draft_is_hidden_with_its_file(client_api, draft):
    document = Document.objects.get(content_hash="draft-only")
    assert client_api.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert client_api.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404


def test_staff_see_drafts(staff_user, draft):
    client = token_client(staff_user)
    assert client.get(f"/api/v1/evaluations/{draft.slug}/").json()["visibility"] == "draft"
    assert client.get("/api/v1/evaluations/").json()["count"] == 4
