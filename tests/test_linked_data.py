"""JSON-LD and CSV cells, shared by the website and the API (registry.linked_data,
registry.csv_cells): the record page and the API say the same thing."""

import json
import re

import pytest
from django.utils import timezone

from registry import selectors
from registry.csv_cells import safe_cell
from registry.linked_data import evaluation_jsonld
from registry.models import Document, Evaluation
from tests.factories import rich_evaluation

pytestmark = pytest.mark.django_db

SEEDS = ["project-crewe", "lincolnshire-partners-in-practice", "achieving-for-children-partners-in-practice"]


def page_jsonld(client, slug):
    html = client.get(f"/evaluations/{slug}/").content.decode()
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


@pytest.fixture
def rich_with_documents():
    record = rich_evaluation(7)
    Evaluation.objects.filter(pk=record.pk).update(published_at=timezone.now())
    for n in range(12):  # more than a record lists: both read the first ten
        Document.objects.create(title=f"Paper {n:02}", content_hash=f"{n:064d}").evaluations.add(record)
    return record


def test_the_record_page_embeds_what_the_api_gives_as_jsonld(client, rich_with_documents):
    for slug in [*SEEDS, rich_with_documents.slug]:
        api = client.get(f"/api/v1/evaluations/{slug}/", {"format": "jsonld"}).json()
        assert page_jsonld(client, slug) == api, slug


def test_jsonld_of_a_record_reads_dates_as_the_api_does(rf, rich_with_documents):
    fetched = selectors.evaluation_detail(rich_with_documents.slug)
    data = evaluation_jsonld(fetched, rf.get("/"))
    assert data["datePublished"] == fetched.published_at.date().isoformat()
    assert data["dateModified"].endswith("Z")
    assert data["version"] == str(fetched.version)
    assert len([n for n in data["isBasedOn"] if "/documents/" in n["url"]]) == selectors.RECORD_DOCUMENTS


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-1", "@cmd", "\tx", "\rx"])
def test_a_cell_that_a_spreadsheet_would_run_is_kept_as_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Plain words", "", 12, None, 1.5])
def test_other_cells_are_left_as_they_are(value):
    assert safe_cell(value) == value
