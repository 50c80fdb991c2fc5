"""Cursor paging on /api/v1/evaluations/: `?cursor=` starts it, each page's
`next_cursor` continues it, in the list's own order. A reader paging while
records are published and withdrawn sees none twice and misses none that stayed."""

import base64
import json

import pytest

from registry.models import Evaluation
from registry.search import get_backend
from registry.services import workflow
from tests.api.publishing import moderator, publish_new
from tests.factories import EvaluationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_registry():
    """Without the seeded records, so the lists below are exactly what each test made."""
    Evaluation.objects.all().delete()

LIST = "/api/v1/evaluations/"


def harvest(client, params, *, between_pages=None):
    """Every page from an empty cursor to the last, calling `between_pages(n)` after page n."""
    titles, pages = [], 0
    response = client.get(LIST, {**params, "cursor": ""})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body and "previous" not in body
        titles += [record["title"] for record in body["results"]]
        pages += 1
        if between_pages:
            between_pages(pages)
        if body["next"] is None:
            assert body["next_cursor"] is None
            return titles, pages
        assert f"cursor={body['next_cursor']}" in body["next"]
        response = client.get(body["next"])


def test_cursor_pages_give_the_same_records_as_page_numbers(client_api):
    for n in range(7):
        EvaluationFactory(title=f"Record {n}")
    EvaluationFactory(title="A draft nobody may see", visibility="draft")
    numbered = client_api.get(LIST, {"page_size": 100}).json()["results"]
    titles, pages = harvest(client_api, {"page_size": 3})
    assert titles == [record["title"] for record in numbered] == [f"Record {n}" for n in range(7)]
    assert pages == 3
    # Newest first, by updated_at, as the ordering parameter says.
    recent, _ = harvest(client_api, {"page_size": 2, "ordering": "-updated_at"})
    by_time = client_api.get(LIST, {"page_size": 100, "ordering": "-updated_at"}).json()["results"]
    assert recent == [record["title"] for record in by_time]
    assert len(set(recent)) == 7


def test_a_harvester_paging_while_records_change_sees_none_twice_and_misses_none_that_stayed(client_api):
    by = moderator()
    records = {n: EvaluationFactory(title=f"M record {n}") for n in range(8)}

    def meanwhile(page):
        if page == 1:
            publish_new(by, title="A record published behind the cursor")
            publish_new(by, title="Z record published ahead of it")
            workflow.withdraw(records[6], by=by, reason="Recorded twice.")
        if page == 2:
            workflow.withdraw(records[0], by=by, reason="Already read.")  # read on page 1

    titles, _ = harvest(client_api, {"page_size": 3, "ordering": "title"}, between_pages=meanwhile)
    assert len(titles) == len(set(titles))
    stayed = [f"M record {n}" for n in range(8) if n != 6]
    assert titles == stayed + ["Z record published ahead of it"]
    # Page numbers over the same changes repeat a record: the one pushed from page 1 to 2.
    numbered = client_api.get(LIST, {"page_size": 3, "ordering": "title"}).json()["results"]
    publish_new(by, title="A second record published first")
    numbered += client_api.get(LIST, {"page_size": 3, "ordering": "title", "page": 2}).json()["results"]
    assert len({r["title"] for r in numbered}) == len(numbered) - 1


def test_cursor_errors_are_clear_400s(client_api):
    EvaluationFactory(title="Only record")
    EvaluationFactory(title="Second record")
    get_backend().rebuild()
    first = client_api.get(LIST, {"cursor": "", "page_size": 1}).json()
    cursor = first["next_cursor"]
    cases = [
        ({"cursor": "not-a-cursor"}, "This cursor was not given for this list in this order"),
        ({"cursor": cursor, "ordering": "-updated_at"}, "This cursor was not given for this list in this order"),
        ({"cursor": base64.urlsafe_b64encode(json.dumps([["title", "id"], ["x", True]]).encode()).decode()},
         "This cursor was not given"),
        ({"cursor": base64.urlsafe_b64encode(json.dumps([["title", "id"], [1, 2]]).encode()).decode()},
         "This cursor was not given"),
        ({"cursor": "", "sort": "year"}, "Cursor paging follows ordering="),
        ({"cursor": "", "q": "record"}, "Cursor paging follows ordering="),
    ]
    for params, message in cases:
        response = client_api.get(LIST, params)
        assert response.status_code == 400, params
        assert message in response.json()["errors"]["cursor"][0], params
    # A search can be paged by cursor when it names an order.
    body = client_api.get(LIST, {"cursor": "", "q": "record", "ordering": "title"}).json()
    assert [r["title"] for r in body["results"]] == ["Only record", "Second record"]


def test_records_with_no_publication_date_come_last_in_either_direction(client_api, user):
    """published_at is empty on the owner's own drafts, which the owner's list includes."""
    EvaluationFactory(title="Published", published_at="2026-01-01T00:00:00Z")
    EvaluationFactory(title="Published later", published_at="2026-06-01T00:00:00Z")
    EvaluationFactory(title="My draft", visibility="draft", owner=user, published_at=None)
    EvaluationFactory(title="My other draft", visibility="draft", owner=user, published_at=None)
    client_api.force_authenticate(user)
    for ordering in ("published_at", "-published_at"):
        titles, _ = harvest(client_api, {"page_size": 1, "ordering": ordering})
        assert len(titles) == 4 and set(titles[2:]) == {"My draft", "My other draft"}, ordering
        assert titles[:2] == (["Published", "Published later"] if ordering == "published_at"
                              else ["Published later", "Published"])


def test_a_cursor_page_runs_a_fixed_number_of_queries(client_api, django_assert_max_num_queries):
    for n in range(30):
        EvaluationFactory(title=f"Record {n:02}")
    cursor = client_api.get(LIST, {"cursor": "", "page_size": 5}).json()["next_cursor"]
    for size in (5, 25):
        # The first time a record is listed on PostgreSQL its body is rendered and
        # stored (registry/api/stored.py: three queries more, in a savepoint here).
        with django_assert_max_num_queries(7):
            assert client_api.get(LIST, {"cursor": cursor, "page_size": size}).status_code == 200
        with django_assert_max_num_queries(3):
            assert client_api.get(LIST, {"cursor": cursor, "page_size": size}).status_code == 200
