"""Browsing as a visitor would, in Debian's Chromium, with an axe check on each page."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_browses_from_home_to_a_record(seeded_live_server, page, axe):
    page.goto(seeded_live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Evaluation Registry"
    axe(page, "home")

    page.get_by_role("link", name="Browse evaluations").first.click()
    page.wait_for_url("**/evaluations/")
    assert "Showing 1 to 3 of 3 evaluations" in page.content()
    axe(page, "browse")

    page.get_by_role("link", name="Project Crewe Research Report").click()
    page.wait_for_url("**/evaluations/project-crewe/")
    assert page.get_by_text("Randomised control trial (RCT)").first.is_visible()
    axe(page, "record-project-crewe")


def test_filtering_by_method_keeps_filters_in_the_url(seeded_live_server, page, axe):
    page.goto(seeded_live_server.url + "/evaluations/")
    page.select_option("#id_method", "quasi_experimental")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**method=quasi_experimental**")
    text = page.locator("main").inner_text()
    assert "Lincolnshire Partners in Practice" in text and "Achieving for Children" in text
    assert "Project Crewe" not in text
    axe(page, "browse-quasi-experimental")


def test_bad_filters_show_an_error_summary(seeded_live_server, page, axe):
    page.goto(seeded_live_server.url + "/evaluations/?department=no-such-department&year=soon")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "no-such-department is not a known department code." in summary.inner_text()
    axe(page, "browse-errors")
