"""Searching in Debian's Chromium, with an axe check on each page."""
import pytest
from django.test import Client

from registry.search import get_backend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_index(seeded_live_server, search_data_dir):
    get_backend().rebuild()
    return seeded_live_server


def test_visitor_searches_narrows_and_follows_a_hit(live_index, page, axe):
    page.goto(live_index.url + "/search/")
    page.get_by_label("Search", exact=True).fill("IPW")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/search/?q=IPW")
    first = page.locator("#search-results li").first
    assert "Lincolnshire Partners in Practice" in first.inner_text()
    assert first.locator("mark").first.inner_text().lower() in {"inverse", "probability", "weighting", "ipw"}
    axe(page, "search-ipw")

    page.goto(live_index.url + "/search/?q=Partners+in+Practice")
    page.locator(".registry-facets").get_by_role("link", name="Interrupted time series analysis").click()
    page.wait_for_url("**method=interrupted**")
    results = page.locator("#search-results").inner_text()
    assert "Lincolnshire" in results and "Achieving for Children" not in results
    axe(page, "search-narrowed")

    title = "Lincolnshire Partners in Practice (PiP) programme evaluation"
    page.locator("#search-results").get_by_role("link", name=title).click()
    page.wait_for_url("**/evaluations/lincolnshire-partners-in-practice/")
    related = page.locator(".registry-related").inner_text()
    assert "Achieving for Children" in related
    axe(page, "record-related")


def test_misspelling_shows_corrected_results_and_offers_the_words_as_typed(live_index, page, axe):
    page.goto(live_index.url + "/search/?q=reofending")
    assert "Showing results for reoffending" in page.locator("#search-corrected").inner_text()
    assert "Lincolnshire" in page.locator("#search-results").inner_text()
    axe(page, "search-corrected")
    page.get_by_role("link", name="reofending").click()
    page.wait_for_url("**correct=0**")
    page.get_by_role("link", name="reoffending").click()  # "Did you mean reoffending?"
    page.wait_for_url("**q=reoffending")
    assert "Lincolnshire" in page.locator("#search-results").inner_text()
    axe(page, "search-did-you-mean")


def test_malformed_query_shows_a_message_not_an_error(live_index, page, axe):
    response = page.goto(live_index.url + '/search/?q=%22interrupted+time+series')
    assert response.status == 200
    assert "quotation mark" in page.locator("#search-message").inner_text()
    axe(page, "search-malformed")


def test_browse_page_search_box(live_index, page, axe):
    page.goto(live_index.url + "/evaluations/")
    page.get_by_label("Search words").fill("Signs of Safety")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**q=Signs**")
    text = page.locator("main").inner_text()
    assert "Showing 1 to 2 of 2 evaluations" in text and "Project Crewe" not in text
    axe(page, "browse-search")


def test_moderator_upload_errors_and_document_page(live_index, page, axe, django_user_model):
    user = django_user_model.objects.create_user("moderator", password="a-long-password-1", is_staff=True)
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_index.url}])
    page.goto(live_index.url + "/documents/upload/")
    page.get_by_role("button", name="Upload document").click()
    summary = page.locator(".govuk-error-summary")
    assert "Select a file to upload." in summary.inner_text()
    axe(page, "document-upload-errors")
    page.goto(live_index.url + "/documents/")
    page.get_by_role("link", name="Two Children’s Social Care Innovation Programme evaluations published").click()
    assert "Evaluations it supports" in page.locator("main").inner_text()
    axe(page, "document-detail")
