"""Bad input gets a clear message beside the field and stores nothing invalid;
typed HTML is shown as text; every form carries a CSRF token."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from registry.models import Document, Evaluation
from registry.services import drafts

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(contributor):
    return drafts.create_draft(by=contributor, title="Evaluation of tutoring")


@pytest.fixture
def owner_client(client, contributor):
    client.force_login(contributor)
    return client


def step(evaluation, slug):
    return reverse("registry:submit-step", kwargs={"pk": evaluation.pk, "step": slug})


def field_error(response, field_id):
    """The message shown beside the field (and linked from the summary)."""
    html = response.content.decode()
    assert f'href="#{field_id}"' in html, "the error summary links to the field"
    match = re.search(
        rf'id="{re.escape(field_id.rsplit("_", 1)[0] if field_id.endswith("_0") else field_id)}-error"[^>]*>(.*?)</p>',
        html,
        re.S,
    )
    assert match, f"no error message beside {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip()


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"category": "evaluation_start", "year": "1899"}, "id_year", "The year must be between 1900 and 2100"),
        ({"category": "evaluation_start", "year": "2101"}, "id_year", "The year must be between 1900 and 2100"),
        (
            {"category": "evaluation_start", "year": "twenty"},
            "id_year",
            "The year must be a number between 1900 and 2100",
        ),
        (
            {"category": "evaluation_start", "year": "2020", "month": "13"},
            "id_month",
            "The month must be between 1 and 12",
        ),
        (
            {"category": "evaluation_start", "year": "2020", "month": "0"},
            "id_month",
            "The month must be between 1 and 12",
        ),
        ({"category": "no-such-event", "year": "2020"}, "id_category", "Select one of the events listed"),
        ({"category": "other", "year": "2020"}, "id_description", "Describe the event when its category is Other"),
    ],
)
def test_bad_event_dates_are_refused_beside_the_field(owner_client, draft, data, field, message):
    response = owner_client.post(step(draft, "dates"), {"action": "add", **data})
    assert response.status_code == 200
    assert field_error(response, field) == message
    assert not draft.event_dates.exists()
    assert f'value="{data["year"]}"' in response.content.decode()  # what was typed stays


def test_an_end_date_before_its_start_is_refused(owner_client, draft):
    owner_client.post(
        step(draft, "dates"), {"action": "add", "category": "evaluation_start", "year": "2020", "month": "6"}
    )
    response = owner_client.post(
        step(draft, "dates"), {"action": "add", "category": "evaluation_end", "year": "2020", "month": "3"}
    )
    assert "must not be before the evaluation start date (June 2020)" in field_error(response, "id_year")
    assert list(draft.event_dates.values_list("category", flat=True)) == ["evaluation_start"]
    response = owner_client.post(step(draft, "dates"), {"action": "add", "category": "evaluation_end", "year": "2019"})
    assert "must not be before" in field_error(response, "id_year")
    response = owner_client.post(step(draft, "dates"), {"action": "add", "category": "evaluation_end", "year": "2021"})
    assert response.status_code == 302
    response = owner_client.post(
        step(draft, "dates"), {"action": "add", "category": "evaluation_start", "year": "2022"}
    )
    assert "must not be after the evaluation end date (2021)" in field_error(response, "id_year")
    assert draft.event_dates.count() == 2


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.org/x", "example.org"])
def test_only_web_links_are_accepted(owner_client, draft, url):
    response = owner_client.post(step(draft, "links"), {"action": "add", "kind": "report", "url": url})
    assert field_error(response, "id_url") == "Enter a web address starting with http:// or https://"
    assert not draft.links.exists()


def test_unknown_codes_posted_by_hand_are_refused(owner_client, draft):
    response = owner_client.post(step(draft, "basics"), {"title": "T", "lead_department": "ministry-of-magic"})
    assert field_error(response, "id_lead_department") == "Select a lead department from the list"
    response = owner_client.post(
        step(draft, "basics"),
        {"title": "T", "lead_department": "department-for-education", "other_departments": ["ministry-of-magic"]},
    )
    assert "“ministry-of-magic” is not a known department" in field_error(response, "id_other_departments_0")
    draft.refresh_from_db()
    assert draft.title == "Evaluation of tutoring" and draft.lead_department is None

    response = owner_client.post(step(draft, "types"), {"types": ["impact", "astrology"]})
    assert "“astrology” is not a known evaluation type" in field_error(response, "id_types_0")
    assert not draft.designs.exists()
    owner_client.post(step(draft, "types"), {"types": ["impact"]})
    response = owner_client.post(step(draft, "methods"), {"methods_impact": ["rct", "individual_process"]})
    assert "is not a method of this type" in field_error(response, "id_methods_impact_0")
    assert list(draft.designs.values_list("design_type__code", flat=True)) == ["impact"]
    response = owner_client.post(step(draft, "methods"), {"methods_impact": ["other_impact"]})
    assert field_error(response, "id_describe_other_impact") == "Describe the other method you used"


def test_text_over_its_maximum_length_is_refused(owner_client, draft):
    response = owner_client.post(
        step(draft, "basics"), {"title": "x" * 256, "lead_department": "department-for-education"}
    )
    assert field_error(response, "id_title") == "Title must be 255 characters or fewer (it has 256)"
    response = owner_client.post(step(draft, "summary"), {"summary": "y" * 10001})
    assert "Summary must be 10000 characters or fewer" in field_error(response, "id_summary")
    draft.refresh_from_db()
    assert draft.title == "Evaluation of tutoring" and draft.summary == ""


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"cost_amount": "-5"}, "id_cost_amount", "The cost cannot be negative"),
        ({"cost_amount": "lots"}, "id_cost_amount", "Enter the cost in pounds, like £125,000 or 125000"),
        ({"cost_price_year": "1066"}, "id_cost_price_year", "The price year must be between 1900 and 2100"),
        ({"is_grant_funded": "maybe"}, "id_is_grant_funded_0", "Select one of the options"),
        (
            {"is_grant_funded": "no", "grant_number": "G-1"},
            "id_grant_number",
            "Leave the number blank unless you answered yes",
        ),
    ],
)
def test_bad_costs_are_refused(owner_client, draft, data, field, message):
    response = owner_client.post(step(draft, "costs"), data)
    assert field_error(response, field) == message
    draft.refresh_from_db()
    assert draft.cost_amount is None and draft.cost_price_year is None and draft.is_grant_funded is None


def test_uploads_of_an_unaccepted_type_or_size_are_refused(owner_client, draft, settings):
    response = owner_client.post(
        step(draft, "uploads"),
        {
            "action": "add",
            "file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00binary", content_type="application/octet-stream"),
        },
    )
    assert "files of this type are not accepted" in field_error(response, "id_file")
    settings.REGISTRY_MAX_UPLOAD_BYTES = 10
    response = owner_client.post(
        step(draft, "uploads"),
        {"action": "add", "file": SimpleUploadedFile("report.txt", b"a report longer than ten bytes")},
    )
    assert "The file must be smaller than" in field_error(response, "id_file")
    assert not Document.objects.filter(evaluations=draft).exists()


def test_an_accepted_upload_joins_the_knowledge_base_linked_to_the_draft(owner_client, draft):
    response = owner_client.post(
        step(draft, "uploads"),
        {
            "action": "add",
            "title": "Tutoring report",
            "kind": "report",
            "language": "en",
            "file": SimpleUploadedFile("tutoring.txt", b"Tutoring raised attainment in Crewe schools."),
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(evaluations=draft)
    assert document.title == "Tutoring report" and "attainment" in document.text
    assert not Document.objects.visible().filter(pk=document.pk).exists()  # not public while the record is a draft


def test_html_typed_into_fields_is_shown_as_text(owner_client, draft):
    script = "<script>alert('x')</script><b>bold</b>"
    owner_client.post(step(draft, "basics"), {"title": script, "lead_department": "department-for-education"})
    owner_client.post(step(draft, "summary"), {"summary": f"Intro {script} [link](javascript:alert(1))"})
    owner_client.post(
        step(draft, "findings"),
        {
            "action": "add",
            "outcome": script,
            "direction": "increase",
            "significance": "not_reported",
            "statement": script,
        },
    )
    for url in (
        reverse("registry:submit-check", kwargs={"pk": draft.pk}),
        step(draft, "findings"),
        step(draft, "stage"),
    ):
        html = owner_client.get(url).content.decode()
        assert "<script>alert" not in html and "javascript:alert" not in html
        assert "&lt;script&gt;alert" in html or "alert(&#x27;x&#x27;)" in html


FORM_PAGES = [
    "basics",
    "stage",
    "types",
    "methods",
    "summary",
    "dates",
    "organisations",
    "context",
    "policy-areas",
    "costs",
    "links",
    "uploads",
    "findings",
    "sharing",
]


def test_every_form_carries_a_csrf_token_and_posts_without_one_are_refused(contributor, moderator, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(contributor)
    draft.event_dates.create(category="evaluation_start", year=2020)
    urls = [step(draft, slug) for slug in FORM_PAGES] + [
        reverse("registry:submit-start"),
        reverse("registry:submit-check", kwargs={"pk": draft.pk}),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        forms = html.count('method="post"')
        assert forms and html.count("csrfmiddlewaretoken") == forms, url
        assert client.post(url, {"stage": "complete"}).status_code == 403, url
    assert Evaluation.objects.get(pk=draft.pk).stage == ""
    client.force_login(moderator)
    for url in (reverse("registry:review", kwargs={"pk": draft.pk}),):
        html = client.get(url).content.decode()
        assert html.count("csrfmiddlewaretoken") == html.count('method="post"')
