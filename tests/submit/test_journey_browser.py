"""The whole journey in Debian's Chromium, as a new contributor would take it,
with an axe check on every page; then a moderator publishes and a visitor finds it."""

import pytest
from django.urls import NoReverseMatch, reverse

from tests.submit.conftest import DFE, PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Evaluation of <script>alert(1)</script> after-school tutoring"


def sign_in(page, base, username, *, go=True):
    if go:
        page.goto(base + "/sign-in/")
    page.get_by_label("Email address").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def continue_(page):
    page.get_by_role("button", name="Save and continue").click()


def test_contributor_shares_an_evaluation_and_a_moderator_publishes_it(seeded_live_server, page, axe):
    base = seeded_live_server.url
    make_user("alex@education.gov.uk", "Contributors", DFE)
    make_user("mo@cabinetoffice.gov.uk", "Moderators")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(base + "/evaluations/new/")
    page.wait_for_url("**/sign-in/**")
    axe(page, "submit-sign-in")
    sign_in(page, base, "alex@education.gov.uk", go=False)
    page.wait_for_url("**/evaluations/new/")

    # 1. About: the lead department is filled in from the contributor's department; a
    # validation error first (no title), then its correction.
    assert page.get_by_label("Lead department").input_value() == "Department for Education (DfE)"
    continue_(page)
    summary = page.locator(".govuk-error-summary")
    assert "Enter the title of the evaluation" in summary.inner_text()
    # what was chosen stays
    assert page.get_by_label("Lead department").input_value() == "Department for Education (DfE)"
    axe(page, "submit-basics-error")
    summary.get_by_role("link", name="Enter the title of the evaluation").click()
    page.get_by_label("Title").fill(TITLE)
    continue_(page)

    page.wait_for_url("**/stage/")
    assert TITLE in page.locator(".govuk-caption-l").inner_text()  # shown as text, not run
    axe(page, "submit-stage")
    page.get_by_label("A complete evaluation report").check()
    continue_(page)

    page.wait_for_url("**/types/")
    axe(page, "submit-types")
    page.get_by_label("Impact evaluation").check()
    continue_(page)

    page.wait_for_url("**/methods/")
    axe(page, "submit-methods")
    page.get_by_label("Randomised control trial (RCT)", exact=True).check()
    continue_(page)

    page.wait_for_url("**/summary/")
    page.get_by_label("Summary").fill("Tutoring **raised** attainment.")
    page.get_by_role("button", name="Preview").click()
    assert page.locator(".registry-preview strong").inner_text() == "raised"
    axe(page, "submit-summary-preview")
    continue_(page)

    page.wait_for_url("**/dates/")
    page.get_by_label("Event").select_option("evaluation_start")
    page.get_by_label("Year").fill("1800")
    page.get_by_role("button", name="Add").click()
    assert "The year must be between 1900 and 2100" in page.locator(".govuk-error-summary").inner_text()
    axe(page, "submit-dates-error")
    page.get_by_label("Year").fill("2019")
    page.get_by_role("button", name="Add").click()
    assert "Evaluation start: 2019" in page.locator(".govuk-summary-list").inner_text()
    axe(page, "submit-dates")
    continue_(page)

    for slug in ("organisations", "context", "policy-areas", "costs", "links", "uploads", "findings"):
        page.wait_for_url(f"**/{slug}/")
        axe(page, f"submit-{slug}")
        if slug == "links":
            page.get_by_label("Link(s) to published report(s)").check()
            page.get_by_label("Web address").fill("https://example.org/tutoring-report")
        continue_(page)

    page.wait_for_url("**/sharing/")
    axe(page, "submit-sharing")
    page.get_by_label("Yes").check()
    continue_(page)

    page.wait_for_url("**/check/")
    assert page.get_by_role("link", name="Change title").is_visible()
    axe(page, "submit-check")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url("**/submitted/")
    panel = page.locator(".govuk-panel--confirmation")
    assert "Evaluation submitted for review" in panel.inner_text() and "ER-" in panel.inner_text()
    axe(page, "submit-submitted")
    page.get_by_role("link", name="Go to your evaluations").click()
    assert "Submitted for review" in page.locator("main").inner_text()
    axe(page, "submit-your-evaluations")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "mo@cabinetoffice.gov.uk")
    page.wait_for_url("**/review/")  # a moderator lands on the review queue
    axe(page, "review-queue")
    page.get_by_role("link", name=TITLE).click()
    axe(page, "review-record")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/publish/")
    assert "Are you sure you want to publish this record?" in page.locator("h1").inner_text()
    axe(page, "review-confirm-publish")
    page.get_by_role("button", name="Yes, publish").click()
    page.wait_for_url("**/review/")
    assert "is published" in page.locator("main").inner_text()
    page.locator(".govuk-notification-banner").get_by_role("link", name=TITLE).click()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    page.get_by_role("button", name="Sign out").click()

    page.goto(base + "/evaluations/")
    page.get_by_role("link", name=TITLE).click()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert page.locator(".registry-summary strong").first.inner_text() == "raised"
    axe(page, "submit-published-record")
    page.get_by_role("link", name="Version history").click()
    assert "Published version 1" in page.locator("main").inner_text()
    assert "Published by a moderator on " in page.locator("main").inner_text()
    axe(page, "submit-history")
    try:
        search_url = reverse("registry:search")
    except NoReverseMatch:
        search_url = None
    if search_url:
        page.goto(base + search_url + "?q=tutoring")
        assert TITLE in page.locator("main").inner_text()
    assert not dialogs, "a script typed into a field ran"
