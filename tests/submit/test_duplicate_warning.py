"""The journey warns when a draft looks like a published record (registry.search.duplicates):
on the page after the title is saved, on the title's page and on "Check your answers",
with links to the published records, and never stops the contributor. Only published
records are offered: never a draft, someone else's or one's own, nor a withdrawn record.

Every test runs on each search backend the database allows (whoosh everywhere,
PostgreSQL's own when the suite runs on PostgreSQL), against a real rebuilt index."""

import pytest
from django.db import connection
from django.urls import reverse

from registry.models import Evaluation
from registry.search import get_backend
from registry.services import workflow
from tests.conftest import ARTIFACTS
from tests.submit.test_journey import complete_draft, step_url

pytestmark = pytest.mark.django_db

BACKENDS = {
    "whoosh": "registry.search.whoosh_backend.WhooshBackend",
    "postgres": "registry.search.postgres_backend.PostgresBackend",
}
WARNING = "This evaluation may already be in the registry"
CREWE = "/evaluations/project-crewe/"
PIP = "/evaluations/lincolnshire-partners-in-practice/"


@pytest.fixture(params=sorted(BACKENDS))
def index(request, settings, registry_data_dir):
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL search backend needs the suite to run on PostgreSQL")
    settings.REGISTRY_SEARCH_BACKEND = BACKENDS[request.param]
    settings.REGISTRY_DATA_DIR = registry_data_dir / "duplicate-warning-tests"
    backend = get_backend()
    backend.rebuild()
    return backend


def start_draft(client, title):
    """Question 1 answered: the new draft (the seed may hold a published record of the same title)."""
    response = client.post(reverse("registry:submit-start"),
                           {"title": title, "lead_department": "department-for-education"})
    assert response.status_code == 302
    return Evaluation.objects.filter(title=title, visibility="draft").latest("pk")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_new_draft_titled_like_a_published_record_is_warned_on_the_next_page_and_carries_on(
        index, client, contributor):
    client.force_login(contributor)
    response = client.post(reverse("registry:submit-start"), {
        "title": "Project Crewe research report", "lead_department": "department-for-education"})
    draft = Evaluation.objects.get(title="Project Crewe research report")
    assert response.status_code == 302
    assert response["Location"] == step_url(draft, "stage") + "?similar=1"
    html = page(client, response["Location"])
    assert WARNING in html
    assert f'<a class="govuk-link" href="{CREWE}">Project Crewe Research Report</a>' in html
    # A warning, not a stop: the journey carries on from the same page.
    moved_on = client.post(response["Location"], {"stage": "complete"})
    assert moved_on.status_code == 302 and moved_on["Location"] == step_url(draft, "types")
    assert Evaluation.objects.get(pk=draft.pk).stage == "complete"


def test_a_title_like_no_record_gets_no_warning(index, client, contributor):
    client.force_login(contributor)
    draft = start_draft(client, "Evaluation of maths tutoring in Year 6")
    response = client.get(reverse("registry:submit-check", kwargs={"pk": draft.pk}))
    assert WARNING not in response.content.decode()
    assert WARNING not in page(client, step_url(draft, "basics"))
    assert WARNING not in page(client, step_url(draft, "stage"))


def test_retitling_a_draft_warns_on_the_title_page_and_the_next(index, client, contributor):
    client.force_login(contributor)
    draft = start_draft(client, "Evaluation of maths tutoring in Year 6")
    response = client.post(step_url(draft, "basics"), {
        "title": "Lincolnshire Partners in Practice programme evaluation",
        "lead_department": "department-for-education"})
    assert response.status_code == 302 and response["Location"].endswith("?similar=1")
    assert PIP in page(client, response["Location"])
    html = page(client, step_url(draft, "basics"))
    assert WARNING in html and PIP in html
    # The page after the next one is not warned again; "Check your answers" is.
    assert WARNING not in page(client, step_url(draft, "types"))


def test_check_your_answers_lists_the_likely_duplicates_and_submitting_still_works(index, client, contributor):
    client.force_login(contributor)
    draft = start_draft(client, "Project Crewe Research Report")
    complete_draft(client, draft)
    check = reverse("registry:submit-check", kwargs={"pk": draft.pk})
    html = page(client, check)
    assert WARNING in html and CREWE in html
    assert client.post(check).status_code == 302
    assert Evaluation.objects.get(pk=draft.pk).visibility == "submitted"


def test_drafts_and_withdrawn_records_are_never_offered(index, client, contributor, colleague, moderator):
    client.force_login(colleague)
    theirs = start_draft(client, "Evaluation of the National Tutoring Programme in secondary schools")
    complete_draft(client, theirs)
    workflow.submit(theirs, by=colleague)
    Evaluation.objects.filter(slug="achieving-for-children-partners-in-practice").update(visibility="withdrawn")
    index.rebuild()
    client.force_login(contributor)
    response = client.post(reverse("registry:submit-start"), {
        "title": "Evaluation of the National Tutoring Programme in secondary schools",
        "lead_department": "department-for-education"})
    assert not response["Location"].endswith("?similar=1")
    mine = Evaluation.objects.filter(owner=contributor).get()
    retitled = client.post(step_url(mine, "basics"), {
        "title": "Achieving for Children Partners in Practice (PiP) programme evaluation",
        "lead_department": "department-for-education"})
    assert not retitled["Location"].endswith("?similar=1")
    for url in (step_url(mine, "basics"), reverse("registry:submit-check", kwargs={"pk": mine.pk})):
        html = client.get(url).content.decode()
        assert WARNING not in html
        assert theirs.slug not in html and "achieving-for-children-partners-in-practice" not in html


def test_a_revision_is_not_warned_about_the_record_it_revises(index, client, moderator):
    client.force_login(moderator)
    response = client.post(reverse("registry:evaluation-revise", kwargs={"slug": "project-crewe"}))
    assert response.status_code == 302
    copy = Evaluation.objects.get(submission__revision_of__slug="project-crewe")
    html = page(client, reverse("registry:submit-check", kwargs={"pk": copy.pk}))
    assert "These are changes to the published record" in html and WARNING not in html
    assert WARNING not in page(client, step_url(copy, "basics"))


def test_a_published_title_is_shown_escaped(index, client, contributor):
    Evaluation.objects.filter(slug="project-crewe").update(title="Project Crewe <em>Research</em> Report")
    index.rebuild()
    client.force_login(contributor)
    draft = start_draft(client, "Project Crewe Research Report")
    html = page(client, step_url(draft, "basics"))
    assert "Project Crewe &lt;em&gt;Research&lt;/em&gt; Report" in html
    assert "<em>Research</em>" not in html


def test_warned_pages_take_a_fixed_number_of_queries(index, client, contributor, django_assert_max_num_queries):
    client.force_login(contributor)
    draft = start_draft(client, "Project Crewe Research Report")
    complete_draft(client, draft)
    with django_assert_max_num_queries(30):
        assert WARNING in page(client, step_url(draft, "stage") + "?similar=1")
    with django_assert_max_num_queries(30):
        assert WARNING in page(client, reverse("registry:submit-check", kwargs={"pk": draft.pk}))


@pytest.mark.django_db(transaction=True)
def test_the_warning_in_chromium_is_accessible_and_fits_320_pixels(seeded_live_server, page, axe, settings,
                                                                    registry_data_dir):
    from tests.submit.conftest import DFE, make_user
    from tests.submit.test_journey_browser import continue_, sign_in

    settings.REGISTRY_DATA_DIR = registry_data_dir / "duplicate-warning-browser"
    get_backend().rebuild()
    base = seeded_live_server.url
    make_user("alex@education.gov.uk", "Contributors", DFE)
    sign_in(page, base, "alex@education.gov.uk")
    page.goto(base + "/evaluations/new/")
    page.get_by_label("Title").fill("Project Crewe research report")
    continue_(page)
    page.wait_for_url("**/stage/?similar=1")
    warning = page.locator("#likely-duplicates")
    assert WARNING in warning.inner_text()
    assert warning.get_by_role("link", name="Project Crewe Research Report").get_attribute("href") == CREWE
    axe(page, "submit-likely-duplicates")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "submit-likely-duplicates-320.png"), full_page=True)
    page.get_by_label("A complete evaluation report").check()
    continue_(page)
    page.wait_for_url("**/types/")
