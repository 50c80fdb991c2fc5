"""Comparing records and reading insights in Debian's Chromium, with axe checks."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

SEEDS = ["project-crewe", "lincolnshire-partners-in-practice", "achieving-for-children-partners-in-practice"]


def test_comparing_the_three_seed_records_reads_well(seeded_live_server, page, axe):
    page.goto(seeded_live_server.url + "/compare/?" + "&".join(f"e={slug}" for slug in SEEDS))
    assert page.get_by_role("heading", level=1).inner_text() == "Compare evaluations"
    headers = page.locator("table.registry-compare thead th").all_inner_texts()
    assert "Project Crewe Research Report" in headers[0]
    assert "Lincolnshire Partners in Practice" in headers[1]
    impact = page.locator("tr", has=page.get_by_role("rowheader", name="Impact methods"))
    assert "Randomised control trial (RCT)" in impact.inner_text()
    assert "Quasi-experimental method" in impact.inner_text()
    assert "Differs" in impact.inner_text()
    process = page.locator("tr", has=page.get_by_role("rowheader", name="Process methods")).inner_text()
    assert "Individual interviews" in process
    assert (
        "Cost-benefit analysis"
        in page.locator("tr", has=page.get_by_role("rowheader", name="Value for money methods")).inner_text()
    )
    findings = page.locator("table.registry-findings-compared").inner_text()
    assert "Reoffending rate among young people supported" in findings and "-11 percentage points" in findings
    assert page.locator("svg[role=img] title", has_text="Effect sizes in percentage points").count() == 1
    axe(page, "compare-seed-records")

    page.get_by_role("link", name="Show only differences").click()
    page.wait_for_url("**show=differences**")
    assert page.get_by_role("rowheader", name="Lead department").count() == 0  # the same for all three
    assert page.get_by_role("rowheader", name="Impact methods").count() == 1
    axe(page, "compare-seed-records-differences")


def test_visitor_builds_a_comparison_from_record_pages_without_javascript(seeded_live_server, browser, axe):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        for slug in SEEDS[:2]:
            page.goto(f"{seeded_live_server.url}/evaluations/{slug}/")
            page.get_by_role("button", name="to comparison").click()
            page.wait_for_url(f"**/evaluations/{slug}/")
            assert page.get_by_role("button", name="from comparison").is_visible()
        banner = page.get_by_role("region", name="Your comparison")
        assert "2 of 4 evaluations chosen" in banner.inner_text()
        banner.get_by_role("link", name="View comparison").click()
        page.wait_for_url("**/compare/")
        assert "Comparing 2 evaluations from your comparison" in page.locator("main").inner_text()
        page.get_by_role("button", name="Remove Project Crewe Research Report from comparison").click()
        page.wait_for_url("**/compare/")
        assert "Comparing 1 evaluation" in page.locator("main").inner_text()
        page.get_by_role("button", name="Clear comparison").click()
        page.wait_for_url("**/compare/")
        assert "You have not chosen any evaluations to compare." in page.locator("main").inner_text()
        # (axe needs JavaScript; the pages are checked with it in the other tests.)
    finally:
        context.close()


def test_comparison_banner_and_buttons_pass_axe(seeded_live_server, page, axe):
    page.goto(seeded_live_server.url + "/evaluations/project-crewe/")
    page.get_by_role("button", name="Add Project Crewe Research Report to comparison").click()
    page.wait_for_load_state()
    assert "Added Project Crewe Research Report to your comparison." in page.get_by_role("status").first.inner_text()
    axe(page, "record-with-comparison-banner")
    page.goto(seeded_live_server.url + "/compare/")
    assert "Comparing 1 evaluation" in page.locator("main").inner_text()
    axe(page, "compare-one-from-basket")
    page.get_by_role("button", name="Clear comparison").click()
    page.wait_for_load_state()
    assert "You have not chosen any evaluations to compare." in page.locator("main").inner_text()
    axe(page, "compare-empty")


def test_insights_page_reads_well(seeded_live_server, page, axe):
    page.goto(seeded_live_server.url + "/insights/")
    assert page.get_by_role("heading", level=1).inner_text() == "Insights"
    matrix = page.locator("table.registry-matrix")
    assert "Department for Education" in matrix.inner_text()
    assert "Randomised control trial (RCT)" in matrix.inner_text()
    assert page.locator("svg.registry-chart[role=img]").count() == 2
    axe(page, "insights")
    page.locator("table.registry-matrix").get_by_role("link", name="2", exact=True).first.click()
    page.wait_for_url("**/evaluations/?department=department-for-education&method=**")
    assert "Showing 1 to 2 of 2 evaluations" in page.locator("main").inner_text()


def test_four_rich_records_and_a_busy_registry_stay_readable(seeded_live_server, page, axe):
    from tests.factories import FindingFactory, rich_evaluation

    records = [rich_evaluation(i) for i in range(12)]
    FindingFactory(
        evaluation=records[0],
        outcome="Outcome 1",
        effect_size="1.5",
        effect_unit="points",
        ci_lower="0.5",
        ci_upper="2.5",
        ci_level=95,
        significance="significant",
    )
    page.goto(seeded_live_server.url + "/compare/?" + "&".join(f"e={r.slug}" for r in records[:4]))
    assert page.locator("table.registry-compare thead th").count() == 4
    axe(page, "compare-four-rich-records")
    page.goto(seeded_live_server.url + "/insights/")
    assert page.locator("table.registry-matrix thead th").count() > 10
    axe(page, "insights-busy-registry")
