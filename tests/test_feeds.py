"""Followable searches: the browse and search pages as Atom feeds, read back
with feedparser as a feed reader would."""

from datetime import timedelta

import feedparser
import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import timezone

from registry.models import Evaluation
from registry.search import get_backend
from registry.web.feeds import FEED_SIZE
from tests.factories import EvaluationFactory

SEED_TITLES = {
    "Achieving for Children Partners in Practice (PiP) programme evaluation",
    "Lincolnshire Partners in Practice (PiP) programme evaluation",
    "Project Crewe Research Report",
}


def parse(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def titles(feed):
    return {entry.title for entry in feed.entries}


@pytest.fixture
def whoosh_index(db, registry_data_dir):
    with override_settings(
        REGISTRY_DATA_DIR=registry_data_dir / "feed-tests",
        REGISTRY_SEARCH_BACKEND="registry.search.whoosh_backend.WhooshBackend",
    ):
        backend = get_backend()
        backend.rebuild()
        yield backend


def test_browse_feed_is_valid_atom_with_the_fields_a_reader_needs(client, db):
    feed = parse(client.get("/feeds/evaluations/"))
    assert feed.feed.title.startswith("New and changed evaluations")
    assert feed.feed.id and feed.feed.updated_parsed
    assert feed.feed.link == "http://testserver/evaluations/"
    assert titles(feed) == SEED_TITLES
    for entry in feed.entries:
        record = Evaluation.objects.get(title=entry.title)
        assert entry.link == f"http://testserver/evaluations/{record.slug}/"
        assert entry.id == entry.link
        assert entry.updated_parsed and entry.summary
    updated = [entry.updated_parsed for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)


def test_entry_summary_is_the_summary_as_plain_words(client, db):
    EvaluationFactory(title="Marked up", summary="A **bold** claim, see [the report](https://example.org/r).")
    entry = next(e for e in parse(client.get("/feeds/evaluations/")).entries if e.title == "Marked up")
    assert entry.summary == "A bold claim, see the report."


def test_drafts_and_withdrawn_records_never_appear_even_for_their_signed_in_owner(client, db):
    owner = User.objects.create_user("owner", password="pw-long-enough-1", is_staff=True)
    for visibility in ("draft", "submitted", "returned", "withdrawn"):
        EvaluationFactory(title=f"Secret {visibility} record", visibility=visibility, owner=owner)
    client.force_login(owner)
    # The moderator's own browse page lists them; their feeds, read by a feed reader, never do.
    assert "Secret draft record" in client.get("/evaluations/?stage=ongoing").content.decode()
    for url in ("/feeds/evaluations/", "/feeds/evaluations/?stage=ongoing"):
        response = client.get(url)
        assert "Secret" not in response.content.decode(), url
        public = {e.title for e in Client().get(url.replace("/feeds", "")).context["page"].items}
        assert titles(parse(response)) == public, url
    assert titles(parse(client.get("/feeds/evaluations/"))) == SEED_TITLES
    assert titles(parse(client.get("/feeds/search/"))) == SEED_TITLES
    assert "Secret" not in client.get("/feeds/search/?stage=ongoing").content.decode()


def test_filters_narrow_the_feed_as_they_narrow_the_page(client, db):
    feed = parse(client.get("/feeds/evaluations/?method=quasi_experimental"))
    assert titles(feed) == SEED_TITLES - {"Project Crewe Research Report"}
    page = client.get("/evaluations/?method=quasi_experimental")
    assert titles(feed) == {e.title for e in page.context["page"].items}
    assert "Type or method: quasi_experimental" in feed.feed.title
    assert feed.feed.link == "http://testserver/evaluations/?method=quasi_experimental"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == "http://testserver/feeds/evaluations/?method=quasi_experimental"
    assert feed.feed.author == "Evaluation Registry"
    assert titles(parse(client.get("/feeds/evaluations/?method=inverse_probability_weighting"))) == {
        "Lincolnshire Partners in Practice (PiP) programme evaluation"}
    # Paging and sorting change how the page shows, not what the feed follows.
    assert titles(parse(client.get("/feeds/evaluations/?method=quasi_experimental&page=2&sort=-title"))) == titles(
        feed)


def test_a_bad_filter_gets_a_message_not_an_empty_feed_or_an_error(client, db):
    response = client.get("/feeds/evaluations/?department=ministry-of-magic&year=abc")
    assert response.status_code == 400
    text = response.content.decode()
    assert "ministry-of-magic is not a known department code." in text
    assert response["Content-Type"].startswith("text/plain")


def test_feed_holds_the_latest_fifty_in_a_fixed_number_of_queries(client, db, django_assert_max_num_queries):
    now = timezone.now()
    for n in range(FEED_SIZE + 5):
        record = EvaluationFactory(title=f"Bulk record {n:03d}")
        Evaluation.objects.filter(pk=record.pk).update(updated_at=now - timedelta(minutes=n))
    with django_assert_max_num_queries(6):
        feed = parse(client.get("/feeds/evaluations/?department=department-for-education&stage=ongoing"))
    assert len(feed.entries) == FEED_SIZE
    assert [e.title for e in feed.entries[:3]] == ["Bulk record 000", "Bulk record 001", "Bulk record 002"]
    assert "Bulk record 054" not in titles(feed)


def test_words_narrow_the_browse_and_search_feeds(client, whoosh_index, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        feed = parse(client.get("/feeds/evaluations/?q=Crewe"))
    assert titles(feed) == {"Project Crewe Research Report"}
    with django_assert_max_num_queries(6):
        feed = parse(client.get("/feeds/search/?q=Lincolnshire"))
    assert titles(feed) == {"Lincolnshire Partners in Practice (PiP) programme evaluation"}
    assert feed.feed.link == "http://testserver/search/?q=Lincolnshire"
    feed = parse(client.get("/feeds/search/?q=evaluation&method=quasi_experimental"))
    assert titles(feed) == SEED_TITLES - {"Project Crewe Research Report"}
    assert titles(parse(client.get("/feeds/search/?q=evaluation&method=telepathy"))) == set()


def test_search_feed_says_so_when_search_is_down(client, db, registry_data_dir):
    with override_settings(REGISTRY_SEARCH_BACKEND="registry.search.no_such_backend.Backend"):
        response = client.get("/feeds/search/?q=evaluation")
    assert response.status_code == 503 and response["Retry-After"]
    assert "Search is not working" in response.content.decode()


def test_pages_link_to_their_feed(client, whoosh_index):
    html = client.get("/evaluations/?method=quasi_experimental&page=1").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/feeds/evaluations/?method=quasi_experimental&amp;page=1"' in html
    assert "Follow this search (Atom feed)" in html
    html = client.get("/search/?q=evaluation").content.decode()
    assert 'href="/feeds/search/?q=evaluation"' in html and "Follow this search (Atom feed)" in html
    feed_url = "/feeds/evaluations/?method=quasi_experimental&page=1"
    assert titles(parse(client.get(feed_url))) == SEED_TITLES - {"Project Crewe Research Report"}
