"""Submitting and reviewing in Debian's Chromium with axe on every page: records that
cannot be published, warnings, rows changed in place, pickers by keyboard (and with
JavaScript off), history in words, and every journey and review page at 320 px."""

import re

import pytest
from django.urls import reverse

from registry.models import Department, DesignType, Evaluation
from registry.services import drafts, workflow
from tests.submit.conftest import DFE, PASSWORD, make_user
from tests.submit.helpers import answer

pytestmark = pytest.mark.django_db(transaction=True)

FINDING = {"outcome": "Reading age", "statement": "Pupils read better after a year of tutoring.",
           "direction": "increase", "effect_size": "4", "significance": "significant"}


def sign_in(page, base, username):
    page.goto(base + "/sign-in/")
    page.get_by_label("Email address").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def narrow(page, axe, name):
    """The page at 320 px: no sideways scroll of the page, no axe violations; screenshots at both widths."""
    axe(page, name)
    page.set_viewport_size({"width": 320, "height": 800})
    page.wait_for_timeout(50)
    width = page.evaluate("document.documentElement.scrollWidth")
    axe(page, f"{name}-320")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 320, f"{name} scrolls sideways at 320 px ({width} px wide)"


def rich_draft(owner, title="Evaluation of tutoring", *, permission=True):
    evaluation = drafts.create_draft(by=owner, title=title)
    dfe = Department.objects.get(code=DFE)
    answer(evaluation, "basics", {"title": title, "lead_department": dfe, "other_departments": []}, by=owner)
    answer(evaluation, "stage", {"stage": "complete"}, by=owner)
    answer(evaluation, "types", {"types": [DesignType.objects.get(code="impact")]}, by=owner)
    answer(evaluation, "summary", {"summary": "Tutoring raised attainment."}, by=owner)
    answer(evaluation, "sharing", {"permission_to_share": permission}, by=owner)
    drafts.add_item(evaluation, "dates", {"category": "evaluation_start", "year": 2020, "month": 3,
                                          "status": "actual"}, by=owner)
    drafts.add_item(evaluation, "links", {"kind": "report", "title": "Final report",
                                          "url": "https://www.gov.uk/government/publications/tutoring-evaluation-final-report-with-a-long-address"},
                    by=owner)
    drafts.add_item(evaluation, "findings", FINDING, by=owner)
    return evaluation


def test_a_contributor_without_permission_to_share_cannot_have_the_record_published(
    seeded_live_server, page, axe
):
    base = seeded_live_server.url
    alex = make_user("alex@education.gov.uk", "Contributors", DFE)
    make_user("mo@cabinetoffice.gov.uk", "Moderators")
    draft = rich_draft(alex)
    sign_in(page, base, "alex@education.gov.uk")
    page.goto(base + reverse("registry:submit-step", kwargs={"pk": draft.pk, "step": "sharing"}))
    page.get_by_label("No").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/check/")
    main = page.locator("main").inner_text()
    assert "This record cannot be published" in main
    assert "do not have permission to share" in main
    assert page.get_by_role("button", name="Submit for review").count() == 0
    narrow(page, axe, "check-no-permission")

    # Even if it reached a moderator, there is no Publish button and publishing is refused.
    Evaluation.objects.filter(pk=draft.pk).update(visibility="submitted")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "mo@cabinetoffice.gov.uk")
    page.goto(base + reverse("registry:review", kwargs={"pk": draft.pk}))
    assert page.get_by_role("button", name="Publish").count() == 0
    assert page.get_by_role("link", name="Publish").count() == 0
    assert "This record cannot be published" in page.locator("main").inner_text()
    narrow(page, axe, "review-no-permission")
    page.goto(base + reverse("registry:review-publish", kwargs={"pk": draft.pk}))
    assert page.get_by_role("button", name="Yes, publish").count() == 0
    narrow(page, axe, "review-confirm-blocked")


def test_quality_warnings_on_check_your_answers_and_review(seeded_live_server, page, axe):
    base = seeded_live_server.url
    alex = make_user("alex@education.gov.uk", "Contributors", DFE)
    make_user("mo@cabinetoffice.gov.uk", "Moderators")
    draft = rich_draft(alex)
    drafts.add_item(draft, "findings", {**FINDING, "outcome": "Absence", "direction": "decrease"}, by=alex)
    drafts.add_item(draft, "links", {"kind": "plan", "url": "https://localhost/plan"}, by=alex)
    drafts.add_item(draft, "dates", {"category": "final_results", "year": 2031, "status": "actual"}, by=alex)
    answer(draft, "context", {"programme": "", "places": ["x"]}, by=alex)
    sign_in(page, base, "alex@education.gov.uk")
    page.goto(base + reverse("registry:submit-check", kwargs={"pk": draft.pk}))
    warnings = page.locator(".registry-quality__warnings").inner_text()
    for words in ("says decrease but its effect size is +4", "https://localhost/plan",
                  "marked actual but is in the future", "“x” is too short to be a name"):
        assert words in warnings
    narrow(page, axe, "check-warnings")
    page.get_by_role("button", name="Submit for review").click()  # warnings do not stop a submission
    page.wait_for_url("**/submitted/")
    narrow(page, axe, "submitted")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "mo@cabinetoffice.gov.uk")
    page.wait_for_url("**/review/")
    narrow(page, axe, "review-queue")
    page.get_by_role("link", name="Evaluation of tutoring").click()
    assert "says decrease but its effect size is +4" in page.locator(".registry-quality__warnings").inner_text()
    return_button = page.get_by_role("button", name="Return for changes")
    assert "govuk-button--secondary" in return_button.get_attribute("class")
    assert "govuk-button--warning" not in return_button.get_attribute("class")
    narrow(page, axe, "review-warnings")
    page.get_by_role("button", name="Publish").click()
    narrow(page, axe, "review-confirm-publish")


def test_a_finding_is_changed_in_place(seeded_live_server, page, axe):
    base = seeded_live_server.url
    alex = make_user("alex@education.gov.uk", "Contributors", DFE)
    draft = rich_draft(alex)
    drafts.add_item(draft, "findings", {**FINDING, "outcome": "Attendance"}, by=alex)
    sign_in(page, base, "alex@education.gov.uk")
    page.goto(base + reverse("registry:submit-step", kwargs={"pk": draft.pk, "step": "findings"}))
    rows = page.locator(".registry-rows .govuk-summary-list__row")
    assert "Finding 1: Reading age" in rows.nth(0).inner_text()
    assert "Pupils read better after a year of tutoring." in rows.nth(0).inner_text()  # in full
    narrow(page, axe, "findings-list")
    rows.nth(0).get_by_role("link", name=re.compile("^Change")).click()
    assert page.get_by_label("Outcome", exact=True).input_value() == "Reading age"
    narrow(page, axe, "findings-change")
    page.get_by_label("Outcome", exact=True).fill("Reading age at 11")
    page.get_by_role("button", name="Save changes").click()
    rows = page.locator(".registry-rows .govuk-summary-list__row")
    assert "Finding 1: Reading age at 11" in rows.nth(0).inner_text()
    assert "Finding 2: Attendance" in rows.nth(1).inner_text()  # the order kept
    narrow(page, axe, "findings-changed")
    for slug in ("dates", "links"):
        page.goto(base + reverse("registry:submit-step", kwargs={"pk": draft.pk, "step": slug}))
        narrow(page, axe, f"{slug}-list")
    assert "Actual date" in page.goto(base + reverse(
        "registry:submit-step", kwargs={"pk": draft.pk, "step": "dates"})).text()


def test_pickers_by_keyboard_and_without_javascript(seeded_live_server, browser, page, axe):
    base = seeded_live_server.url
    alex = make_user("alex@education.gov.uk", "Contributors", DFE)
    draft = rich_draft(alex)
    sign_in(page, base, "alex@education.gov.uk")
    organisations = base + reverse("registry:submit-step", kwargs={"pk": draft.pk, "step": "organisations"})
    page.goto(organisations)
    page.get_by_label("Organisation", exact=True).focus()
    page.keyboard.type("Ofsted")
    page.wait_for_selector(".autocomplete__option")
    axe(page, "organisations-autocomplete-open")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.get_by_label("Evaluator", exact=True).check()
    page.get_by_role("button", name="Add").click()
    assert "Ofsted" in page.locator(".registry-rows").inner_text()
    narrow(page, axe, "organisations")

    basics = base + reverse("registry:submit-step", kwargs={"pk": draft.pk, "step": "basics"})
    page.goto(basics)
    page.get_by_label("Search to add other departments").focus()
    page.keyboard.type("Ministry of Just")
    page.wait_for_selector(".registry-picker .autocomplete__option")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.get_by_label("Ministry of Justice", exact=False).first.is_checked()
    narrow(page, axe, "basics-pickers")
    page.keyboard.press("Escape")  # the picker's list closed, as a keyboard user leaves it
    page.get_by_role("button", name="Save and continue").click()
    # The next step, flagged "?similar=1" when published records look like the draft
    # (as records other tests published do when the whole suite runs).
    page.wait_for_url(re.compile(r"/stage/(\?similar=1)?$"))
    assert [d.code for d in Evaluation.objects.get(pk=draft.pk).other_departments.all()] == ["ministry-of-justice"]

    page.goto(base + reverse("registry:submit-step", kwargs={"pk": draft.pk, "step": "policy-areas"}))
    narrow(page, axe, "policy-areas")
    page.goto(base + reverse("registry:submit-step", kwargs={"pk": draft.pk, "step": "methods"}))
    describe = page.get_by_label("Describe the other method (Randomised control trial (RCT))")
    assert not describe.is_visible()
    page.get_by_label("Randomised control trial (RCT): Other", exact=True).check()
    assert describe.is_visible()  # revealed when ticked
    narrow(page, axe, "methods")

    # The same forms with JavaScript off: a plain select and checkboxes.
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    plain = context.new_page()
    sign_in(plain, base, "alex@education.gov.uk")
    plain.goto(organisations)
    plain.get_by_label("Organisation", exact=True).select_option("department-for-education")
    plain.get_by_label("Funder", exact=True).check()
    plain.get_by_role("button", name="Add").click()
    assert "Department for Education" in plain.locator(".registry-rows").inner_text()
    plain.get_by_label("If the organisation is not listed, enter its name").fill("Ipsos UK")
    plain.get_by_label("Evaluator", exact=True).check()
    plain.get_by_role("button", name="Add").click()
    assert "Ipsos UK" in plain.locator(".registry-rows").inner_text()
    # (axe needs JavaScript, so this page is only photographed; with JavaScript on it passed above.)
    plain.screenshot(path="test-artifacts/screenshots/organisations-no-js.png", full_page=True)
    context.close()


def test_history_in_words_and_the_journey_pages_at_320px(seeded_live_server, page, axe):
    base = seeded_live_server.url
    alex = make_user("alex@education.gov.uk", "Contributors", DFE)
    mo = make_user("mo@cabinetoffice.gov.uk", "Moderators")
    draft = rich_draft(alex)
    workflow.submit(draft, by=alex)
    workflow.return_for_changes(draft, by=mo, comment="Add the end date.")
    draft.refresh_from_db()  # as a request would fetch it
    drafts.add_item(draft, "dates", {"category": "evaluation_end", "year": 2022, "status": "actual"}, by=alex)
    workflow.submit(draft, by=alex)

    sign_in(page, base, "mo@cabinetoffice.gov.uk")
    page.goto(base + reverse("registry:review", kwargs={"pk": draft.pk}))
    changed = page.locator(".registry-changes-since-returned").inner_text()
    assert "Changed since it was returned on" in changed and "Evaluation end: 2022" in changed
    narrow(page, axe, "review-resubmitted")
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("button", name="Yes, publish").click()
    page.wait_for_url("**/review/")
    published = Evaluation.objects.get(pk=draft.pk)

    page.goto(base + reverse("registry:evaluation-history", kwargs={"slug": published.slug}))
    main = page.locator("main").inner_text()
    assert re.search(r"Published by mo@cabinetoffice\.gov\.uk \(moderator\) on \d{1,2} [A-Z][a-z]+ \d{4} at "
                     r"\d{1,2}:\d\d[ap]m", main)
    assert "Returned by mo@cabinetoffice.gov.uk (moderator)" in main
    assert "Step saved" not in main and "+00:00" not in main
    assert main.count("Changes saved") <= 3  # saves folded
    narrow(page, axe, "history-full")
    page.get_by_role("link", name=re.compile("^See what changed")).first.click()
    assert page.locator("#changes").is_visible()

    page.get_by_role("button", name="Sign out").click()
    page.goto(base + reverse("registry:evaluation-history", kwargs={"slug": published.slug}))
    assert "Published by a moderator on " in page.locator("main").inner_text()
    narrow(page, axe, "history-public")

    page.goto(base + reverse("registry:submit-start-page"))
    narrow(page, axe, "start-page")
    sign_in(page, base, "alex@education.gov.uk")
    other = rich_draft(alex, "Second evaluation")
    for slug in ("basics", "stage", "types", "methods", "summary", "dates", "organisations", "context",
                 "policy-areas", "costs", "links", "uploads", "findings", "sharing"):
        page.goto(base + reverse("registry:submit-step", kwargs={"pk": other.pk, "step": slug}))
        narrow(page, axe, f"step-{slug}")
    page.goto(base + reverse("registry:submit-check", kwargs={"pk": other.pk}))
    narrow(page, axe, "check")
