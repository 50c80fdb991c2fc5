"""A record page lists the first few of its documents and links to the rest, so
it stays small and runs the same queries whether it links 3 documents or 1,000."""

import re

import pytest
from rest_framework.test import APIClient

from registry.models import Document, Evaluation
from registry.selectors import RECORD_DOCUMENTS
from tests.api.test_queries import MAX_LIST_QUERIES, first_list_queries
from tests.factories import rich_evaluation

pytestmark = pytest.mark.django_db


def link_documents(evaluation, n, *, prefix="Report"):
    """n documents linked to the record, inserted in bulk (no signals, no index)."""
    documents = Document.objects.bulk_create(
        Document(
            title=f"{prefix} {i:04d} of {evaluation.slug}",
            kind="report",
            year=2020,
            month=1 + i % 12,
            content_hash=f"{evaluation.pk:08d}{prefix[:4]:>4}{i:052d}",
            text="word " * 20,
            word_count=20,
        )
        for i in range(n)
    )
    through = Document.evaluations.through
    through.objects.bulk_create(through(document_id=d.pk, evaluation_id=evaluation.pk) for d in documents)
    return documents


@pytest.fixture
def client_api():
    return APIClient()


@pytest.fixture
def small_and_large(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # as if committed (see tests/api/test_queries.py)
        small, large = rich_evaluation(1), rich_evaluation(2)
        link_documents(small, 3)
        link_documents(large, 1000)
    return small, large


def fetch(client, url, django_assert_max_num_queries, bound=25):
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response, len(captured)


def test_record_page_with_a_thousand_documents_is_small_and_costs_the_queries_of_three(
    client, small_and_large, django_assert_max_num_queries
):
    small, large = small_and_large
    small_page, small_queries = fetch(client, f"/evaluations/{small.slug}/", django_assert_max_num_queries)
    large_page, large_queries = fetch(client, f"/evaluations/{large.slug}/", django_assert_max_num_queries)
    assert small_queries == large_queries
    assert len(large_page.content) < 50_000, len(large_page.content)
    html = large_page.content.decode()
    # The first page by title, with what each line showed before: title, kind and date.
    assert len(re.findall(r'href="/documents/\d+/"', html)) == RECORD_DOCUMENTS
    assert f"Report 0000 of {large.slug}</a>" in html and "(Evaluation report, January 2020)" in html
    assert f"Report {RECORD_DOCUMENTS:04d} of" not in html
    assert f'href="/documents/?evaluation={large.slug}">View all 1000 documents' in html
    # The embedded JSON-LD is bounded too.
    jsonld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert jsonld.count('"@type": "CreativeWork"') <= RECORD_DOCUMENTS + 1  # documents + the report link
    # A record whose documents all fit shows no link to more.
    assert "View all" not in small_page.content.decode()


def test_view_all_link_lists_every_document_of_the_record_in_pages(client, small_and_large):
    small, large = small_and_large
    first = client.get(f"/documents/?evaluation={large.slug}")
    assert first.status_code == 200
    html = first.content.decode()
    assert "Showing 1 to 20 of 1000 documents" in html
    assert large.title in html and 'class="govuk-pagination"' in html
    assert f'href="?evaluation={large.slug}&amp;page=2"' in html
    assert small.slug not in html.replace(large.slug, "")  # only this record's documents
    last = client.get(f"/documents/?evaluation={large.slug}&page=50").content.decode()
    assert "Showing 981 to 1000 of 1000 documents" in last and f"Report 0999 of {large.slug}" in last
    assert "There is no page 51" in client.get(f"/documents/?evaluation={large.slug}&page=51").content.decode()


def test_documents_of_a_draft_are_never_listed(client, small_and_large):
    small, large = small_and_large
    Evaluation.objects.filter(pk=large.pk).update(visibility="draft")
    assert client.get(f"/documents/?evaluation={large.slug}").status_code == 404
    assert client.get("/documents/?evaluation=no-such-record").status_code == 404
    assert large.slug not in client.get("/documents/").content.decode()
    # A document a published record also links stays visible, on that record's list.
    shared = Document.objects.filter(title__startswith="Report 0000", evaluations=large).get()
    shared.evaluations.add(small)
    listing = client.get(f"/documents/?evaluation={small.slug}").content.decode()
    assert "Showing 1 to 4 of 4 documents" in listing and shared.title in listing


def test_document_list_of_a_record_costs_the_same_queries_for_any_page(
    client, small_and_large, django_assert_max_num_queries
):
    small, large = small_and_large
    _, few = fetch(client, f"/documents/?evaluation={small.slug}", django_assert_max_num_queries, 12)
    _, many = fetch(client, f"/documents/?evaluation={large.slug}&page=30", django_assert_max_num_queries, 12)
    assert few == many


def test_api_detail_gives_a_count_and_a_link_instead_of_every_document(client_api, small_and_large):
    small, large = small_and_large
    response = client_api.get(f"/api/v1/evaluations/{large.slug}/")
    body = response.json()
    assert len(response.content) < 50_000
    assert body["documents_count"] == 1000
    assert len(body["documents"]) == RECORD_DOCUMENTS
    assert body["documents"][0]["title"] == f"Report 0000 of {large.slug}"
    assert body["documents_url"] == f"http://testserver/api/v1/documents/?evaluation={large.slug}"
    listing = client_api.get(body["documents_url"]).json()
    assert listing["count"] == 1000 and len(listing["results"]) == 20
    assert all(large.slug in doc["title"] for doc in listing["results"])
    assert listing["next"].endswith(f"?evaluation={large.slug}&page=2")
    small_body = client_api.get(f"/api/v1/evaluations/{small.slug}/").json()
    assert small_body["documents_count"] == 3 and len(small_body["documents"]) == 3
    jsonld = client_api.get(f"/api/v1/evaluations/{large.slug}/", {"format": "jsonld"}).json()
    assert len(jsonld["isBasedOn"]) <= RECORD_DOCUMENTS + 1


def test_api_lists_of_records_are_bounded_and_fixed_in_queries(
    client_api, small_and_large, django_assert_max_num_queries
):
    for most in (first_list_queries(), MAX_LIST_QUERIES):  # then with the records' bodies stored
        with django_assert_max_num_queries(most):
            body = client_api.get("/api/v1/evaluations/", {"page_size": 100}).json()
    counts = {row["slug"]: (row["documents_count"], len(row["documents"])) for row in body["results"]}
    small, large = small_and_large
    assert counts[large.slug] == (1000, RECORD_DOCUMENTS) and counts[small.slug] == (3, 3)


def test_api_documents_of_a_draft_are_never_listed(client_api, small_and_large):
    small, large = small_and_large
    Evaluation.objects.filter(pk=large.pk).update(visibility="draft")
    assert client_api.get("/api/v1/documents/", {"evaluation": large.slug}).json()["count"] == 0
    assert client_api.get("/api/v1/documents/", {"evaluation": "no-such-record"}).json()["count"] == 0
    assert client_api.get("/api/v1/documents/", {"evaluation": small.slug}).json()["count"] == 3


def test_comparison_lists_the_first_documents_and_links_to_the_rest(
    client, small_and_large, django_assert_max_num_queries
):
    small, large = small_and_large
    with django_assert_max_num_queries(30):
        response = client.get(f"/compare/?e={small.slug}&e={large.slug}")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < 80_000
    assert len(re.findall(r'href="/documents/\d+/"', html)) == 3 + RECORD_DOCUMENTS
    assert f"/documents/?evaluation={large.slug}" in html and "View all 1000 documents" in html


def test_csv_rows_carry_the_first_titles_and_the_count(client_api, small_and_large):
    import csv
    import io

    small, large = small_and_large
    text = client_api.get(f"/api/v1/evaluations/{large.slug}/", {"format": "csv"}).content.decode("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["documents_count"] == "1000" and len(row["documents"].split("; ")) == RECORD_DOCUMENTS
