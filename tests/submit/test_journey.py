"""The journey through Django's test client: each step saves to the draft, and a
moderator's decision moves the record on."""

import pytest
from django.urls import reverse

from registry.models import Evaluation

pytestmark = pytest.mark.django_db


def errors_in(response):
    """The error summary's text, for assertion messages."""
    html = response.content.decode()
    start = html.find("govuk-error-summary__list")
    return html[start : start + 1500] if start >= 0 else html[-1500:]


def step_url(evaluation, step):
    return reverse("registry:submit-step", kwargs={"pk": evaluation.pk, "step": step})


def start_draft(client, title="Evaluation of tutoring"):
    response = client.post(
        reverse("registry:submit-start"),
        {
            "title": title,
            "lead_department": "department-for-education",
            "other_departments": ["ministry-of-justice"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Evaluation.objects.get(title=title)


def complete_draft(client, evaluation):
    posts = [
        ("stage", {"stage": "complete"}),
        ("types", {"types": ["impact", "process"]}),
        (
            "methods",
            {
                "methods_impact": ["rct", "cluster", "other_impact"],
                "describe_other_impact": "Bespoke matching",
                "methods_process": ["individual_process"],
            },
        ),
        ("summary", {"summary": "Tutoring *helped*."}),
        ("dates", {"action": "add", "category": "evaluation_start", "year": "2020", "month": "3", "status": "actual"}),
        ("dates", {"action": "continue", "category": "evaluation_end", "year": "2022", "status": "actual"}),
        ("organisations", {"action": "continue", "organisation": "department-for-education", "role": "commissioner"}),
        ("context", {"programme": "Tutoring Programme", "places": "Crewe\nCheshire East"}),
        ("policy-areas", {"action": "continue"}),
        (
            "costs",
            {
                "is_grant_funded": "yes",
                "grant_number": "G-1",
                "is_major_project": "no",
                "cost_amount": "125000",
                "cost_price_year": "2022",
            },
        ),
        ("links", {"action": "continue", "kind": "report", "url": "https://example.org/report", "title": "Report"}),
        ("uploads", {"action": "continue"}),
        (
            "findings",
            {
                "action": "continue",
                "outcome": "Attainment",
                "direction": "increase",
                "effect_size": "0.1",
                "effect_unit": "standard deviations",
                "significance": "significant",
                "statement": "Pupils made more progress.",
            },
        ),
        ("sharing", {"permission_to_share": "yes"}),
    ]
    for step, data in posts:
        response = client.post(step_url(evaluation, step), data)
        assert response.status_code == 302, (step, errors_in(response))


def test_a_contributor_completes_the_journey_and_a_moderator_publishes(client, contributor, moderator):
    client.force_login(contributor)
    evaluation = start_draft(client)
    assert evaluation.owner == contributor and evaluation.visibility == "draft"
    complete_draft(client, evaluation)
    evaluation.refresh_from_db()
    assert evaluation.stage == "complete" and evaluation.programme.name == "Tutoring Programme"
    assert set(evaluation.designs.values_list("design_type__code", flat=True)) == {
        "impact",
        "process",
        "rct",
        "cluster",
        "other_impact",
        "individual_process",
    }
    assert evaluation.designs.get(design_type__code="other_impact").description == "Bespoke matching"
    assert evaluation.event_dates.count() == 2 and evaluation.findings.count() == 1
    assert evaluation.submission.step_reached == "check"

    page = client.get(reverse("registry:submit-check", kwargs={"pk": evaluation.pk}))
    assert page.status_code == 200 and "Bespoke matching" in page.content.decode()
    response = client.post(reverse("registry:submit-check", kwargs={"pk": evaluation.pk}))
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.visibility == "submitted"
    client.logout()
    assert "Evaluation of tutoring" not in client.get(reverse("registry:browse")).content.decode()

    client.force_login(moderator)
    assert "Evaluation of tutoring" in client.get(reverse("registry:review-queue")).content.decode()
    response = client.post(reverse("registry:review", kwargs={"pk": evaluation.pk}), {"action": "publish"})
    assert response.status_code == 302
    client.logout()
    assert "Evaluation of tutoring" in client.get(reverse("registry:browse")).content.decode()
    assert client.get(evaluation.get_absolute_url()).status_code == 200


def test_going_back_shows_what_was_saved_and_a_new_session_finds_the_draft(client, contributor):
    client.force_login(contributor)
    evaluation = start_draft(client)
    client.post(step_url(evaluation, "stage"), {"stage": "ongoing"})
    client.post(step_url(evaluation, "costs"), {"cost_amount": "99.50", "is_grant_funded": "no"})
    back = client.get(step_url(evaluation, "stage")).content.decode()
    assert 'value="ongoing" checked' in back
    costs = client.get(step_url(evaluation, "costs")).content.decode()
    assert 'value="99.50"' in costs and 'value="no" checked' in costs

    client.logout()  # as when the session expires
    client.force_login(contributor)
    yours = client.get(reverse("registry:your-evaluations")).content.decode()
    assert step_url(evaluation, "links") in yours  # the step after the last one saved
    page = client.get(evaluation.get_absolute_url()).content.decode()
    assert reverse("registry:submit-check", kwargs={"pk": evaluation.pk}) in page
