"""Issue 15, in Debian's Chromium: the service basics, honest filters, record and
document pages, charts, and every main page at 320 px. axe-core must report no
violation of any impact on every page visited (the shared `axe` fixture allows
minor and moderate ones; this module does not), and each page is saved as a
screenshot at desktop width and at 320 px under test-artifacts/screenshots/issue-15/."""

import csv
import io
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import override_settings

from registry.search import get_backend
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = ARTIFACTS / "screenshots" / "issue-15"
PIP = "childrens-social-care-innovation-programme"
COMPARED = "e=project-crewe&e=lincolnshire-partners-in-practice&e=achieving-for-children-partners-in-practice"
MAIN_PAGES = {
    "home": "/",
    "browse": "/evaluations/",
    "browse-filtered": f"/evaluations/?programme={PIP}&place=lincolnshire&has_findings=true",
    "browse-no-results": "/evaluations/?method=rct&place=lincolnshire",
    "search": "/search/?q=evaluation",
    "search-no-results": "/search/?q=evaluation&method=rct&place=lincolnshire",
    "record": "/evaluations/lincolnshire-partners-in-practice/",
    "record-crewe": "/evaluations/project-crewe/",
    "documents": "/documents/",
    "document": None,  # the news item's page, found by its title
    "insights": "/insights/",
    "compare": f"/compare/?{COMPARED}",
    "api": "/about-the-api/",
    "accessibility": "/accessibility/",
    "cookies": "/cookies/",
    "privacy": "/privacy/",
    "not-found": "/no-such-page/",
}


def axe_clean(page, name):
    """A full-page screenshot, then axe-core: no violations of any impact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    violations = Axe().run(page).response["violations"]
    assert not violations, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in violations
    )


@pytest.fixture
def site(seeded_live_server, registry_data_dir):
    """The seeded live server with a whoosh index of its records."""
    with override_settings(
        REGISTRY_DATA_DIR=registry_data_dir / "issue-15-browser",
        REGISTRY_SEARCH_BACKEND="registry.search.whoosh_backend.WhooshBackend",
    ):
        get_backend().rebuild()
        yield seeded_live_server


def document_url(site):
    from registry.models import Document

    return Document.objects.get(title__startswith="Two Children’s Social Care").get_absolute_url()


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_each_main_page_fits_320_px_and_passes_axe_at_both_widths(site, page, name):
    url = site.url + (MAIN_PAGES[name] or document_url(site))
    page.goto(url)
    axe_clean(page, f"{name}-desktop")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    axe_clean(page, f"{name}-320")
    # Anything wider than the screen scrolls inside its own box, which a keyboard can reach and which has a name.
    for box in page.locator(".registry-scroll, .registry-chart-wrap").all():
        if box.evaluate("el => el.scrollWidth > el.clientWidth"):
            assert box.get_attribute("tabindex") == "0"
            assert box.get_attribute("aria-label") or box.get_attribute("aria-labelledby")


def test_phase_banner_footer_links_and_the_api_page(site, page):
    page.goto(site.url + "/")
    banner = page.locator(".govuk-phase-banner")
    assert "Beta" in banner.inner_text() and banner.get_by_role("link", name="give your feedback by email").count()
    footer = page.locator("footer")
    for name in ("Accessibility statement", "Cookies", "Privacy", "Feedback", "API"):
        assert footer.get_by_role("link", name=name, exact=True).count() == 1, name
    footer.get_by_role("link", name="Accessibility statement").click()
    page.wait_for_url("**/accessibility/")
    assert "How we tested this service" in page.locator("main").inner_text()

    page.locator(".govuk-service-navigation").get_by_role("link", name="API").click()
    page.wait_for_url("**/about-the-api/")
    assert page.get_by_role("heading", level=1).inner_text() == "The Evaluation Registry API"
    page.get_by_role("link", name="The API’s root").click()
    page.wait_for_url("**/api/v1/")
    assert "evaluations" in page.content()
    page.goto(site.url + "/about-the-api/")
    page.get_by_role("link", name="API documentation").click()
    page.wait_for_url("**/api/v1/docs/")


def test_home_page_search_box(site, page):
    page.goto(site.url + "/")
    page.get_by_label("Search evaluations and documents").fill("reoffending")
    page.get_by_label("Search evaluations and documents").press("Enter")
    page.wait_for_url("**/search/?q=reoffending")
    assert "Lincolnshire" in page.locator("#search-results").inner_text()


def test_filters_from_a_link_show_as_tags_and_are_removed_with_the_keyboard(site, page):
    page.goto(site.url + f"/evaluations/?programme={PIP}&place=lincolnshire")
    tags = page.locator("#selected-filters")
    assert "Programme: Children’s Social Care Innovation Programme" in tags.inner_text()
    assert "Place: Lincolnshire" in tags.inner_text()
    assert page.locator("#id_programme").input_value() == PIP  # the control shows it too
    assert "Showing 1 to 1 of 1 evaluation" in page.locator("#result-count").inner_text()
    axe_clean(page, "browse-tags")
    page.get_by_role("link", name="Remove this filter: Place: Lincolnshire").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/evaluations/?programme={PIP}")
    assert "Showing 1 to 2 of 2 evaluations" in page.locator("#result-count").inner_text()
    assert "Place: Lincolnshire" not in page.locator("#selected-filters").inner_text()


def test_every_filter_has_a_control_and_the_method_list_reads_in_tree_order(site, page):
    page.goto(site.url + "/evaluations/")
    labels = page.locator("#id_method option").all_inner_texts()
    labels = [label.replace("\xa0", " ").strip() for label in labels]
    assert len(labels) == len(set(labels))
    assert labels.index("Quasi-experimental method") < labels.index("Interrupted time series analysis") < labels.index(
        "Theory-based methods"
    )
    page.select_option("#id_programme", PIP)
    page.select_option("#id_organisation", "ecorys")
    page.select_option("#id_has_findings", "true")
    page.select_option("#id_place", "richmond-upon-thames")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**place=richmond-upon-thames**")
    text = page.locator("main").inner_text()
    assert "Achieving for Children" in text and "Lincolnshire Partners" not in text
    for tag in ("Programme:", "Organisation: Ecorys", "Findings: With structured findings", "Place: Richmond"):
        assert tag in page.locator("#selected-filters").inner_text(), tag
    axe_clean(page, "browse-all-controls")


def test_unknown_codes_and_zero_results_name_the_filters(site, page):
    page.goto(site.url + "/evaluations/?method=no-such-method")
    assert "no-such-method is not a known method code." in page.locator(".govuk-error-summary").inner_text()
    assert "(not recognised)" in page.locator("#selected-filters").inner_text()
    axe_clean(page, "browse-unknown-method")

    page.goto(site.url + "/search/?q=evaluation&method=no-such-method")
    assert "“no-such-method” is not a known method code." in page.locator(".govuk-error-summary").inner_text()
    axe_clean(page, "search-unknown-method")

    page.goto(site.url + "/search/?q=evaluation&method=rct&place=lincolnshire")
    main = page.locator("main").inner_text()
    assert "No results for “evaluation” with these filters." in main and "Check the spelling" not in main
    page.locator("#no-results").get_by_role("link", name="remove the filter Place: Lincolnshire").click()
    page.wait_for_url("**/search/?q=evaluation&method=rct")
    assert "Project Crewe" in page.locator("#search-results").inner_text()


def test_results_download_as_the_apis_csv(site, page):
    page.goto(site.url + "/evaluations/?method=quasi_experimental")
    with page.expect_download() as download:
        page.locator("#results-csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    api = page.request.get(site.url + "/api/v1/evaluations/?format=csv&method=quasi_experimental")
    api_rows = list(csv.reader(io.StringIO(api.body().decode("utf-8-sig"))))
    assert rows[0] == api_rows[0] and sorted(rows[1:]) == sorted(api_rows[1:]) and len(rows) == 3

    page.goto(site.url + "/search/?q=reoffending")
    with page.expect_download() as download:
        page.locator("#results-csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == api_rows[0] and [row[0] for row in rows[1:]] == ["lincolnshire-partners-in-practice"]


def test_a_findings_outcome_and_intervention_are_separate_labelled_parts(site, page):
    page.goto(site.url + "/evaluations/lincolnshire-partners-in-practice/")
    card = page.locator(".registry-finding").filter(has_text="Reoffending rate")
    title = card.locator(".govuk-summary-card__title")
    assert title.locator(".registry-finding__label").inner_text().startswith("Outcome")
    assert title.inner_text().endswith("\nReoffending rate among young people supported")
    assert card.locator(".govuk-summary-list__row").filter(has_text="Intervention").locator("dd").inner_text() == (
        "Future4Me"
    )
    assert page.locator(".govuk-caption-s").count() == 0  # a class GOV.UK Frontend does not have


def test_a_document_page_shows_what_is_known_and_says_what_is_not(site, page):
    page.goto(site.url + document_url(site))
    main = page.locator("main").inner_text()
    assert "Not provided" not in main
    assert "The registry does not know where this document was published, who published it or when." in main
    assert page.locator("main").get_by_role("link", name="Lincolnshire Partners in Practice (PiP) programme evaluation")


def test_comparison_says_not_applicable_and_keeps_chart_labels_whole(site, page):
    page.goto(site.url + f"/compare/?{COMPARED}")
    row = page.locator("tr").filter(has=page.locator("th", has_text="Quasi-experimental methods"))
    crewe_cell = row.locator("td").first
    assert crewe_cell.inner_text().startswith("Not applicable")
    assert "No Quasi-experimental methods listed" not in page.locator("main").inner_text()
    timeline = page.locator("svg#compare-timeline, svg[aria-labelledby^='compare-timeline']").first
    words = " ".join(timeline.locator("text").all_text_contents())
    assert "…" not in words
    assert "(PiP) programme evaluation" in " ".join(timeline.locator("tspan").all_text_contents())
    effects = page.locator("svg[aria-labelledby^='effects-0']")
    assert "supported" in " ".join(effects.locator("tspan").all_text_contents())


def test_charts_scale_with_a_viewbox_and_scroll_inside_their_box_on_a_phone(site, page):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(site.url + "/insights/")
    for chart in page.locator("svg.registry-chart").all():
        assert chart.get_attribute("viewBox") and chart.get_attribute("width") == "100%"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    box = page.locator(".registry-chart-wrap").nth(1)
    box.focus()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("Chart:")


def test_the_year_chart_says_how_many_records_have_no_dates(site, page):
    page.goto(site.url + "/insights/")
    assert "2 published evaluations have no event dates" in page.locator("#years-undated").inner_text()


def test_the_moderators_upload_page_fits_320_px(site, page, django_user_model):
    from django.test import Client

    user = django_user_model.objects.create_user("moderator", password="a-long-password-1", is_staff=True)
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site.url}])
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(site.url + "/documents/upload/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    axe_clean(page, "document-upload-320")



def assert_no_violations(page, state):
    def where(node):
        return node["target"], node["any"][0]["message"] if node["any"] else ""

    violations = Axe().run(page).response["violations"]
    assert not violations, f"{state}: " + "; ".join(
        f"{v['id']} ({v['impact']}) {[where(n) for n in v['nodes']][:3]}" for v in violations)


def test_the_api_docs_pass_axe_opened_run_and_at_320_px(site, page):
    """Swagger UI is third-party; its failures are repaired by settings (no deep links inside
    buttons), the page's stylesheet (colours) and static/registry/api_docs.js (landmarks,
    headings, names, focusable scroll boxes), which reapplies them as Swagger UI redraws."""
    page.goto(site.url + "/api/v1/docs/")
    listing = page.locator(".opblock", has=page.locator(".opblock-summary-path", has_text="/api/v1/evaluations/"))
    listing.first.wait_for(timeout=20_000)
    assert_no_violations(page, "loaded")
    operation = listing.first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    operation.locator(".live-responses-table tr.response .response-col_status").first.wait_for(timeout=20_000)
    assert_no_violations(page, "a list run")
    write = page.locator(".opblock-post").first
    write.locator(".opblock-summary").click()
    write.get_by_role("button", name="Try it out").click()
    write.locator("textarea.body-param__text").wait_for()
    assert_no_violations(page, "a write opened")
    page.get_by_role("button", name="Authorize").first.click()
    page.get_by_role("dialog", name="Available authorizations").wait_for()
    assert_no_violations(page, "the Authorize window")
    page.locator("button.close-modal").click()
    page.set_viewport_size({"width": 320, "height": 800})
    page.wait_for_timeout(50)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_no_violations(page, "320 px")
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "api-docs-320.png"))
