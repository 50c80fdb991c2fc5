"""The change feed: a harvester paging through /api/v1/changes/ in small pages
while records are published, revised and withdrawn ends with exactly the
registry's public state, having missed nothing and repeated nothing."""

import base64
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from registry.models import Evaluation
from registry.services import revisions, workflow
from tests.api.publishing import moderator, publish_new, publish_revision
from tests.conftest import seed_registry


@pytest.fixture(autouse=True)
def no_settling(settings):
    """The horizon's margin is for a clock read in another process; here every
    change is made by this process, before the request that reads it."""
    settings.REGISTRY_CHANGES_SETTLE_SECONDS = 0


class Harvester:
    """What a catalogue keeps: the records it was served, and the withdrawals."""

    def __init__(self, client, page_size=2):
        self.client, self.page_size = client, page_size
        self.records, self.tombstones, self.served = {}, {}, Counter()
        self.cursor = None

    def page(self):
        params = {"cursor": self.cursor} if self.cursor else {"since": "2000-01-01T00:00:00Z"}
        response = self.client.get("/api/v1/changes/", {**params, "page_size": self.page_size})
        assert response.status_code == 200, response.content
        body = response.json()
        for item in body["items"]:
            self.served[item["slug"]] += 1
            if item["change"] == "withdrawn":
                self.records.pop(item["slug"], None)
                self.tombstones[item["slug"]] = item["reason"]
            else:
                self.tombstones.pop(item["slug"], None)
                self.records[item["slug"]] = item["record"]
        self.cursor = body["next_cursor"]
        return body

    def until_done(self, between=lambda n: None):
        n = 0
        while True:
            body = self.page()
            between(n)
            n += 1
            if not body["more"]:
                return n


def public_state(client):
    """Every published record as the API lists it, and the withdrawn ones' reasons."""
    records, url = {}, "/api/v1/evaluations/?page_size=100"
    while url:
        body = client.get(url).json()
        records |= {r["slug"]: r for r in body["results"]}
        url = body["next"]
    withdrawn = dict(Evaluation.objects.filter(visibility="withdrawn").values_list("slug", "withdrawn_reason"))
    return records, withdrawn


@pytest.mark.django_db
def test_a_harvester_paging_while_records_change_ends_with_the_public_state(client_api):
    by = moderator()
    records = [publish_new(by, title=f"Evaluation {n}") for n in range(10)]
    draft = Evaluation.objects.create(title="A draft nobody may see", slug="secret-draft", visibility="draft")
    changed = set()

    def between(page):
        if page == 0:  # a new record (it goes to the end of the order)
            changed.add(publish_new(by, title="Published while harvesting").slug)
        elif page == 1:  # a record already served changes: served again, with its new content
            publish_revision(records[0], by, summary="Reworded after it was harvested.")
            changed.add(records[0].slug)
        elif page == 2:  # a record not yet served changes: served once, as it is now
            publish_revision(records[9], by, title="Evaluation 9, retitled")
            changed.add(records[9].slug)
        elif page == 3:  # withdrawn: one already served, one not yet
            for record in (records[1], records[8]):
                workflow.withdraw(record, by=by, reason=f"{record.title} was recorded twice.")
                changed.add(record.slug)
            revisions.start_revision(Evaluation.objects.get(pk=records[2].pk), by=by)  # a draft copy

    harvester = Harvester(client_api, page_size=2)
    pages = harvester.until_done(between)
    assert pages >= 7

    listed, withdrawn = public_state(client_api)
    assert harvester.records == listed
    assert harvester.tombstones == withdrawn
    assert harvester.tombstones[records[8].slug] == "Evaluation 8 was recorded twice."
    # Nothing unchanged was served twice; a record changed after it was served, at most twice.
    assert all(n == 1 for slug, n in harvester.served.items() if slug not in changed)
    assert harvester.served[records[0].slug] == 2 and harvester.served[records[9].slug] == 1
    assert draft.slug not in harvester.served
    assert not any(slug.endswith("-revision") for slug in harvester.served)

    # Resuming later from the last cursor gives only what changed since.
    assert harvester.page()["items"] == []
    publish_revision(records[3], by, summary="A later change.")
    items = harvester.page()["items"]
    assert [(i["change"], i["slug"], i["version"]) for i in items] == [("updated", records[3].slug, 2)]


@pytest.mark.django_db
def test_items_say_created_updated_or_withdrawn_with_a_tombstone(client_api):
    by = moderator()
    first = publish_new(by, title="First")
    second = publish_new(by, title="Second")
    publish_revision(first, by, summary="Changed.")
    workflow.withdraw(Evaluation.objects.get(pk=second.pk), by=by, reason="Duplicate of another record.")
    since = first.published_at.isoformat()
    body = client_api.get("/api/v1/changes/", {"since": since}).json()
    items = body["items"]
    assert [(i["change"], i["slug"]) for i in items] == [("updated", first.slug), ("withdrawn", second.slug)]
    tombstone = items[1]
    assert set(tombstone) == {"change", "slug", "changed_at", "api_url", "withdrawn_at", "reason"}
    assert tombstone["reason"] == "Duplicate of another record."
    assert items[0]["record"] == client_api.get(f"/api/v1/evaluations/{first.slug}/").json()
    assert body["more"] is False and body["next"].startswith("http://testserver/api/v1/changes/?cursor=")
    created = client_api.get("/api/v1/changes/", {"since": since, "page_size": 1}).json()
    assert created["more"] is True


@pytest.mark.django_db
def test_the_api_root_says_its_version_and_the_latest_change(client_api, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        body = client_api.get("/api/v1/").json()
    assert body["api_version"] == "1"
    assert body["changes"] == "http://testserver/api/v1/changes/"
    assert body["evaluations"] == "http://testserver/api/v1/evaluations/"
    record = publish_new(moderator())
    latest = client_api.get("/api/v1/").json()["latest_change"]
    assert latest == client_api.get(f"/api/v1/evaluations/{record.slug}/").json()["updated_at"]
    Evaluation.objects.create(title="A later draft", slug="later-draft", visibility="draft")
    assert client_api.get("/api/v1/").json()["latest_change"] == latest


def cursor_of(text):
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "since", "Enter since (a date and time), or a cursor"),
        ({"since": "yesterday"}, "since", "Enter since as a date and time, for example 2026-01-31T09:00:00Z"),
        ({"since": "2026-02-30T00:00:00Z"}, "since", "Enter since as a date and time, for example"),
        ({"cursor": "not-a-cursor"}, "cursor", "This cursor was not given by this API"),
        ({"cursor": "WyJ4IiwxXQ"}, "cursor", "This cursor was not given by this API"),  # ["x",1]
        ({"cursor": cursor_of('["2026-01-01T00:00:00+00:00",99999999999999999999]')}, "cursor", "not given by"),
        ({"cursor": cursor_of('["0001-01-01T00:00:00+00:00",1]')}, "cursor", "not given by"),
        ({"cursor": cursor_of('["2026-01-01T00:00:00",1]')}, "cursor", "not given by"),
        ({"since": "2020-01-01", "page_size": "0"}, "page_size", "greater than or equal to 1"),
        ({"since": "2020-01-01", "page_size": "201"}, "page_size", "less than or equal to 200"),
    ],
)
def test_bad_input_is_a_400_that_says_what_to_send(client_api, params, field, message):
    response = client_api.get("/api/v1/changes/", params)
    assert response.status_code == 400
    assert message in response.json()["errors"][field][0]


@pytest.mark.django_db
def test_a_day_is_read_as_its_midnight_in_utc(client_api):
    record = publish_new(moderator())
    day = record.updated_at.date().isoformat()
    slugs = [i["slug"] for i in client_api.get("/api/v1/changes/", {"since": day, "page_size": 200}).json()["items"]]
    assert record.slug in slugs


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [1, 20, 200])
def test_a_page_of_changes_runs_a_fixed_number_of_queries(client_api, django_assert_max_num_queries, page_size):
    by = moderator()
    records = [publish_new(by, title=f"Record {n}") for n in range(12)]
    for record in records[:3]:
        workflow.withdraw(record, by=by, reason="Withdrawn for the test.")
    # The horizon (two statements on PostgreSQL), the page, the page's records.
    with django_assert_max_num_queries(4):
        response = client_api.get("/api/v1/changes/", {"since": "2000-01-01", "page_size": page_size})
    assert response.status_code == 200


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite in tests has one writer connection")
def test_a_harvester_reading_while_another_connection_writes_misses_nothing(transactional_db, client_api):
    """The writer runs in a thread with its own database connection and
    transactions, so its changes commit while the harvester reads."""
    seed_registry()
    by = moderator()
    first = [publish_new(by, title=f"Before {n}") for n in range(6)]
    failures = []

    def writer():
        try:
            for n in range(8):
                record = publish_new(by, title=f"During {n}")
                publish_revision(first[n % 6], by, summary=f"Changed while harvesting ({n}).")
                if n % 3 == 0:
                    workflow.withdraw(Evaluation.objects.get(pk=record.pk), by=by, reason=f"Withdrawn {n}.")
                time.sleep(0.01)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    harvester = Harvester(client_api, page_size=3)
    thread.start()
    while thread.is_alive():
        harvester.page()
        time.sleep(0.005)
    thread.join()
    harvester.until_done()
    assert not failures
    listed, withdrawn = public_state(client_api)
    assert harvester.records == listed
    assert harvester.tombstones == withdrawn
    assert len(withdrawn) == 3 and len(listed) == 3 + 6 + 8 - 3
