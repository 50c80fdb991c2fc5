"""Rows changed in place, pickers that work as plain forms, and GOV.UK messages."""

import pytest
from django.urls import reverse

from registry.models import Organisation
from registry.services import drafts
from tests.submit.helpers import field_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(contributor):
    return drafts.create_draft(by=contributor, title="Evaluation of tutoring")


@pytest.fixture
def owner(client, contributor):
    client.force_login(contributor)
    return client


def step(evaluation, slug):
    return reverse("registry:submit-step", kwargs={"pk": evaluation.pk, "step": slug})


FINDING = {"outcome": "Attainment", "statement": "Went up.", "direction": "increase", "effect_size": "0.2",
           "significance": "significant"}


def test_a_finding_is_changed_in_place_and_keeps_its_order(owner, draft, contributor):
    first = drafts.add_item(draft, "findings", FINDING, by=contributor)
    second = drafts.add_item(draft, "findings", {**FINDING, "outcome": "Attendance"}, by=contributor)
    page = owner.get(step(draft, "findings") + f"?change={first.pk}").content.decode()
    assert 'value="Attainment"' in page and "Save changes" in page
    response = owner.post(step(draft, "findings") + f"?change={first.pk}",
                          {**FINDING, "outcome": "Reading age", "action": "update"})
    assert response.status_code == 302
    assert [f.outcome for f in draft.findings.order_by("position")] == ["Reading age", "Attendance"]
    assert {f.pk for f in draft.findings.all()} == {first.pk, second.pk}


def test_a_changed_date_is_checked_without_counting_itself(owner, draft, contributor):
    start = drafts.add_item(draft, "dates", {"category": "evaluation_start", "year": 2020}, by=contributor)
    drafts.add_item(draft, "dates", {"category": "evaluation_end", "year": 2022}, by=contributor)
    url = step(draft, "dates") + f"?change={start.pk}"
    assert owner.post(url, {"category": "evaluation_start", "year": "2021", "action": "update"}).status_code == 302
    response = owner.post(url, {"category": "evaluation_start", "year": "2023", "action": "update"})
    assert "must not be after the evaluation end date" in response.content.decode()


def test_lists_show_each_rows_key_details_in_full(owner, draft, contributor):
    long_statement = "Reading improved for pupils in every one of the participating schools " * 3
    drafts.add_item(draft, "findings", {**FINDING, "statement": long_statement}, by=contributor)
    html = owner.get(step(draft, "findings")).content.decode()
    assert long_statement.strip() in html and "Statistically significant" in html and "+0.2" in html
    drafts.add_item(draft, "links", {"kind": "plan", "url": "https://example.org/plan"}, by=contributor)
    assert "Links to evaluation plans" in owner.get(step(draft, "links")).content.decode()
    drafts.add_item(draft, "dates", {"category": "evaluation_start", "year": 2020, "status": "intended"},
                    by=contributor)
    assert "Intended date" in owner.get(step(draft, "dates")).content.decode()


def test_an_organisation_not_listed_is_named_and_created_plain(owner, draft):
    response = owner.post(step(draft, "organisations"),
                          {"organisation_name": "Ipsos UK", "role": "evaluator", "action": "add"})
    assert response.status_code == 302
    ipsos = Organisation.objects.get(name="Ipsos UK")
    assert not ipsos.is_govuk and draft.organisation_roles.get().organisation == ipsos
    response = owner.post(step(draft, "organisations"), {"role": "evaluator", "action": "add"})
    assert field_error(response, "id_organisation") == "Select the organisation, or enter its name if it is not listed"


def test_closed_bodies_are_not_offered(owner, draft):
    closed = Organisation.objects.filter(govuk_status="closed").first()
    html = owner.get(step(draft, "organisations")).content.decode()
    assert closed is not None and f'value="{closed.slug}"' not in html


def test_the_lead_department_is_filled_in_from_the_users_department(owner):
    html = owner.get(reverse("registry:submit-start")).content.decode()
    assert '<option value="department-for-education" selected>' in html


def test_pickers_are_plain_fields_without_javascript(owner, draft):
    html = owner.get(step(draft, "basics")).content.decode()
    assert 'data-registry-picker="autocomplete"' in html and 'data-registry-picker="multiple"' in html
    assert 'type="checkbox" value="ministry-of-justice"' in html  # other departments: checkboxes
    assert "Hold Ctrl" not in html
    response = owner.post(step(draft, "basics"), {"title": "T", "lead_department": "department-for-education",
                                                  "other_departments": ["ministry-of-justice"]})
    assert response.status_code == 302
    assert [d.code for d in draft.other_departments.all()] == ["ministry-of-justice"]


def test_other_method_boxes_are_revealed_by_their_checkbox(owner, draft, contributor):
    from registry.models import DesignType
    from tests.submit.helpers import answer

    answer(draft, "types", {"types": [DesignType.objects.get(code="impact")]}, by=contributor)
    html = owner.get(step(draft, "methods")).content.decode()
    assert 'data-aria-controls="conditional-id_methods_impact_' in html
    assert "govuk-checkboxes__conditional--hidden" in html


@pytest.mark.parametrize("typed", ["£1,250,000", "1250000", "£ 1,250,000.00"])
def test_money_is_accepted_as_people_write_it(owner, draft, typed):
    response = owner.post(step(draft, "costs"), {"cost_amount": typed})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.cost_amount == 1250000


def test_messages_say_what_to_do(owner, draft):
    response = owner.post(step(draft, "findings"), {**FINDING, "outcome": "", "action": "add"})
    assert field_error(response, "id_outcome") == "Enter the outcome"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("report.md", b"# Report\n\nTutoring helped.", content_type="text/markdown")
    response = owner.post(step(draft, "uploads"), {"file": upload, "month": "13", "year": "2021", "action": "add"})
    html = response.content.decode()
    assert "Ensure this value" not in html and "The month must be a number from 1 to 12" in html
    assert "choose it again" in html


def test_question_pages_count_pages_not_questions(owner, draft):
    html = owner.get(step(draft, "stage")).content.decode()
    assert "Page 2 of 14" in html and "Question" not in html


def test_a_finding_records_its_intervention_interval_p_value_and_sample(owner, draft):
    answers = {**FINDING, "intervention": "Future4Me", "effect_size": "-11", "effect_unit": "percentage points",
               "ci_lower": "-14.2", "ci_upper": "-7.8", "ci_level": "95", "p_value": "0.03",
               "sample_size": "1,250", "action": "add"}
    assert owner.post(step(draft, "findings"), answers).status_code == 302
    finding = draft.findings.get()
    assert (finding.intervention, finding.sample_size) == ("Future4Me", 1250)
    assert [str(v.normalize()) for v in (finding.ci_lower, finding.ci_upper, finding.ci_level, finding.p_value)] == [
        "-14.2", "-7.8", "95", "0.03"]
    listed = owner.get(step(draft, "findings")).content.decode()
    assert "(intervention: Future4Me)" in listed
    assert "effect -11 percentage points, 95% CI -14.2 to -7.8, p = 0.03, sample of 1,250" in listed
    check = owner.get(reverse("registry:submit-check", kwargs={"pk": draft.pk})).content.decode()
    assert "Future4Me, Attainment: Went up." in check


@pytest.mark.parametrize(("name", "typed", "message"), [
    ("p_value", "1.5", "P-value must be between 0 and 1"),
    ("p_value", "small", "Enter the p-value as a number, like 0.03"),
    ("ci_level", "120", "Confidence level, per cent must be between 0 and 100"),
    ("sample_size", "12.5", "Enter the sample size as a whole number, like 1250"),
    ("sample_size", "-3", "Sample size must be 0 or more"),
    ("ci_upper", "-20", "The upper end of the confidence interval must not be below the lower end"),
])
def test_a_findings_numbers_get_messages_and_nothing_is_saved(owner, draft, name, typed, message):
    answers = {**FINDING, "ci_lower": "-14.2", "action": "add", name: typed}
    response = owner.post(step(draft, "findings"), answers)
    assert response.status_code == 200
    assert field_error(response, f"id_{name}") == message
    assert not draft.findings.exists()
