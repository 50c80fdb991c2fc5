"""The single-choice picker (pickers.js `enhanceSelect`) by keyboard alone, in Debian's
Chromium with axe on each page: Enter keeps exactly what was typed (a name not listed goes to
the "not listed" field, a listed name chooses that organisation), only an option the user
highlighted is chosen for them, and the box is described by the field's hint and error."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from registry.models import Department, Evaluation, Organisation
from tests.submit.conftest import DFE, make_user
from tests.submit.test_review_browser import rich_draft, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NOT_LISTED = "If the organisation is not listed, enter its name"


@pytest.fixture
def organisations_step(seeded_live_server, page):
    """The organisations step of a draft, signed in as its owner; returns (draft, url)."""
    base = seeded_live_server.url
    alex = make_user("alex@education.gov.uk", "Contributors", DFE)
    draft = rich_draft(alex)
    sign_in(page, base, "alex@education.gov.uk")
    url = base + reverse("registry:submit-step", kwargs={"pk": draft.pk, "step": "organisations"})
    page.goto(url)
    return draft, url


def type_in_picker(page, text, role="Evaluator"):
    """Tick the role first, then type into the picker, so Enter there is the last thing done."""
    page.get_by_label(role, exact=True).check()
    page.get_by_label("Organisation", exact=True).focus()
    page.keyboard.type(text)


def roles(draft):
    return [(r.organisation.name, r.organisation.is_govuk, r.role)
            for r in Evaluation.objects.get(pk=draft.pk).organisation_roles.select_related("organisation")]


def test_a_name_not_listed_and_enter_adds_that_name(organisations_step, page, axe):
    draft, _ = organisations_step
    before = Organisation.objects.count()
    type_in_picker(page, "Ipsos UK Research")
    page.keyboard.press("ArrowDown")  # nothing matches: no listed organisation is offered instead
    assert page.locator(".autocomplete__option--focused").count() == 0
    expect(page.locator(".registry-picker__status")).to_contain_text("Press Enter to keep what you typed")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Ipsos UK Research" in page.locator(".registry-rows").inner_text()
    assert page.locator(".govuk-error-summary").count() == 0
    assert roles(draft) == [("Ipsos UK Research", False, "evaluator")]
    assert Organisation.objects.count() == before + 1  # created plain, not matched to a listed body
    axe(page, "picker-keyboard-not-listed")


def test_a_listed_name_typed_in_full_and_enter_chooses_it(organisations_step, page, axe):
    draft, _ = organisations_step
    type_in_picker(page, "ofsted")  # case aside
    page.wait_for_selector(".autocomplete__option")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".govuk-error-summary").count() == 0
    assert [(name, role) for name, _, role in roles(draft)] == [("Ofsted", "evaluator")]
    assert Organisation.objects.filter(name__iexact="ofsted").count() == 1  # no plain copy made
    axe(page, "picker-keyboard-listed")


def test_partial_text_then_arrow_down_and_enter_chooses_the_highlighted_option(organisations_step, page, axe):
    draft, _ = organisations_step
    type_in_picker(page, "Ofst")
    page.wait_for_selector(".autocomplete__option")
    page.keyboard.press("ArrowDown")
    highlighted = page.locator(".autocomplete__option--focused").inner_text().strip()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Organisation", exact=True)).to_have_value(highlighted)
    assert page.get_by_label(NOT_LISTED).input_value() == ""  # the partial text is not kept as a name
    axe(page, "picker-keyboard-highlighted")
    with page.expect_navigation():
        page.get_by_role("button", name="Add").click()
    assert page.locator(".govuk-error-summary").count() == 0
    assert [(name, role) for name, _, role in roles(draft)] == [(highlighted, "evaluator")]


def test_the_box_is_described_by_the_hint_and_after_an_error_by_the_message(organisations_step, page, axe):
    draft, url = organisations_step
    box = page.get_by_label("Organisation", exact=True)
    assert "id_organisation-hint" in box.get_attribute("aria-describedby").split()
    box.focus()
    page.keyboard.type("Ofs")  # the plugin re-renders its input as the list opens
    page.wait_for_selector(".autocomplete__option")
    assert "id_organisation-hint" in box.get_attribute("aria-describedby").split()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")  # the box left empty: no organisation at all
    with page.expect_navigation():
        page.get_by_role("button", name="Add").click()  # no organisation and no role
    assert "Select the organisation, or enter its name if it is not listed" in page.locator(
        "#id_organisation-error").inner_text()
    described = page.get_by_label("Organisation", exact=True).get_attribute("aria-describedby").split()
    assert {"id_organisation-hint", "id_organisation-error"} <= set(described)
    assert all(page.locator(f"#{id_}").count() == 1 for id_ in described)
    axe(page, "picker-keyboard-error")
    assert roles(draft) == []


def test_a_department_not_listed_leaves_the_choice_empty_so_the_server_says_so(seeded_live_server, page, axe):
    base = seeded_live_server.url
    alex = make_user("alex@education.gov.uk", "Contributors", DFE)
    draft = rich_draft(alex)
    sign_in(page, base, "alex@education.gov.uk")
    page.goto(base + reverse("registry:submit-step", kwargs={"pk": draft.pk, "step": "basics"}))
    box = page.get_by_label("Lead department", exact=True)
    box.fill("")
    box.focus()
    page.keyboard.type("Ministry of Magic")
    page.keyboard.press("ArrowDown")
    assert page.locator(".autocomplete__option--focused").count() == 0
    expect(page.locator(".registry-picker__status")).to_have_text("No department matches Ministry of Magic.")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Select the lead department" in page.locator(".govuk-error-summary").inner_text()
    assert Evaluation.objects.get(pk=draft.pk).lead_department == Department.objects.get(code=DFE)
    axe(page, "picker-keyboard-department-not-listed")


def test_without_javascript_the_step_is_the_plain_select_and_text_field(
    seeded_live_server, organisations_step, browser
):
    _, url = organisations_step
    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    sign_in(plain, seeded_live_server.url, "alex@education.gov.uk")
    plain.goto(url)
    assert plain.locator("select#id_organisation").is_visible()
    assert plain.locator(".autocomplete__input").count() == 0
    assert plain.locator("[aria-live]").count() == 0
    assert plain.get_by_label(NOT_LISTED).is_visible()
    context.close()


def test_leaving_the_box_shows_and_announces_where_a_name_not_listed_went(organisations_step, page, axe):
    draft, _ = organisations_step
    type_in_picker(page, "NatCen Social Research", role="Funder")
    page.keyboard.press("Tab")  # the picker settles just after the box loses focus
    expect(page.get_by_label(NOT_LISTED)).to_have_value("NatCen Social Research")
    expect(page.locator(".registry-picker__status")).to_have_text(
        "NatCen Social Research is not in the list, so it has been entered as a name not listed.")
    axe(page, "picker-keyboard-left-box")
    with page.expect_navigation():
        page.get_by_role("button", name="Add").click()
    assert roles(draft) == [("NatCen Social Research", False, "funder")]
