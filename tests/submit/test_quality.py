"""Quality checks before publishing (registry/quality.py): one list of rules,
shown to the contributor and the moderator, blocking only where a record cannot
be published, and held by the services whichever door asks."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from registry import quality
from registry.models import EvaluationOrganisation, Organisation, Place, Programme
from registry.services import drafts, workflow
from tests.submit.helpers import answer
from tests.submit.test_review import complete_draft

pytestmark = pytest.mark.django_db


def codes(evaluation):
    return {p.code: p.level for p in quality.problems(evaluation)}


def test_a_clean_record_has_no_problems(contributor):
    assert quality.problems(complete_draft(contributor)) == []


def test_no_permission_to_share_blocks_submitting_and_publishing(contributor, moderator):
    draft = complete_draft(contributor)
    answer(draft, "sharing", {"permission_to_share": False}, by=contributor)
    assert codes(draft) == {"no_permission_to_share": quality.BLOCKING}
    with pytest.raises(ValidationError, match="do not have permission to share"):
        workflow.submit(draft, by=contributor)
    # A record that reached review some other way cannot be published either.
    draft.visibility = "submitted"
    draft.save()
    with pytest.raises(ValidationError, match="cannot be published"):
        workflow.publish(draft, by=moderator)


@pytest.mark.parametrize("direction, size", [("decrease", "4"), ("increase", "-0.5"), ("no_change", "3")])
def test_a_direction_that_contradicts_the_effect_warns(contributor, direction, size):
    draft = complete_draft(contributor)
    drafts.add_item(draft, "findings", {"outcome": "Attainment", "statement": "It changed.", "direction": direction,
                                        "effect_size": size, "significance": "not_reported"}, by=contributor)
    assert codes(draft) == {"direction_contradicts_effect": quality.WARNING}
    assert "Attainment" in quality.warnings(draft)[0].message


def test_dates_links_and_places_that_look_wrong_warn(contributor):
    draft = complete_draft(contributor)  # has an evaluation start in March 2020
    drafts.add_item(draft, "dates", {"category": "evaluation_start", "year": 2021, "status": "intended"},
                    by=contributor)
    drafts.add_item(draft, "dates", {"category": "final_results", "year": 2099, "status": "actual"}, by=contributor)
    drafts.add_item(draft, "links", {"kind": "plan", "url": "https://localhost/plan"}, by=contributor)
    drafts.add_item(draft, "links", {"kind": "report", "url": "http://10.1.2.3/report"}, by=contributor)
    drafts.add_item(draft, "links", {"kind": "report", "url": "https://www.gov.uk/report"}, by=contributor)
    draft.places.add(Place.objects.create(name="x", slug="x"))
    found = quality.warnings(draft)
    assert [p.code for p in found].count("internal_link") == 2
    assert {"event_repeated", "actual_date_in_future", "place_name_too_short"} <= {p.code for p in found}
    assert not quality.blocking(draft)
    workflow.submit(draft, by=contributor)  # warnings never refuse


def test_names_too_short_to_be_names_warn_wherever_they_were_typed(contributor):
    draft = complete_draft(contributor)
    draft.programme = Programme.objects.create(name="P", slug="p-one-letter")
    draft.save()
    EvaluationOrganisation.objects.create(
        evaluation=draft, organisation=Organisation.objects.create(name="I.", slug="i-dot"), role="evaluator")
    EvaluationOrganisation.objects.create(
        evaluation=draft, organisation=Organisation.objects.create(name="IFS", slug="ifs-test"), role="partner")
    draft.places.add(Place.objects.create(name="-", slug="dash"))
    found = {p.code: p.message for p in quality.warnings(draft)}
    assert found["programme_name_too_short"].startswith("The programme “P” is too short to be a name")
    assert found["organisation_name_too_short"].startswith("The organisation “I.” is too short")
    assert "IFS" not in found["organisation_name_too_short"]  # three letters is a name
    assert found["place_name_too_short"].startswith("The place “-” is too short")
    assert not quality.blocking(draft)


def test_an_end_before_its_start_warns_when_it_arrived_in_any_order(contributor):
    draft = complete_draft(contributor)
    draft.event_dates.create(category="evaluation_end", year=2019)  # past the journey's own check
    assert "end_before_start" in codes(draft)


@pytest.mark.parametrize("url, internal", [
    ("https://localhost/plan", True), ("http://127.0.0.1:8000/", True), ("https://[::1]/", True),
    ("https://intranet/plan", True), ("https://files.corp/x", True), ("https://192.168.0.4/", True),
    ("https://www.gov.uk/x", False), ("https://8.8.8.8/", False),
])
def test_internal_addresses(url, internal):
    assert quality.is_internal_address(url) is internal


def test_check_your_answers_offers_no_submit_without_permission(client, contributor):
    draft = complete_draft(contributor)
    answer(draft, "sharing", {"permission_to_share": False}, by=contributor)
    client.force_login(contributor)
    html = client.get(reverse("registry:submit-check", kwargs={"pk": draft.pk})).content.decode()
    assert "This record cannot be published" in html
    assert "Submit for review" not in html
    assert client.post(reverse("registry:submit-check", kwargs={"pk": draft.pk})).status_code == 400


def test_the_moderator_sees_warnings_and_no_publish_button_when_blocked(client, contributor, moderator):
    draft = complete_draft(contributor)
    drafts.add_item(draft, "links", {"kind": "plan", "url": "https://localhost/plan"}, by=contributor)
    workflow.submit(draft, by=contributor)
    client.force_login(moderator)
    url = reverse("registry:review", kwargs={"pk": draft.pk})
    html = client.get(url).content.decode()
    assert "https://localhost/plan points to a computer or network the public cannot reach" in html
    assert reverse("registry:review-publish", kwargs={"pk": draft.pk}) in html
    draft.permission_to_share = False
    draft.save()
    html = client.get(url).content.decode()
    assert reverse("registry:review-publish", kwargs={"pk": draft.pk}) not in html
    assert client.post(url, {"action": "publish"}).status_code == 400


def test_the_api_write_path_reports_the_same_checks(contributor):
    from registry.models import Department

    evaluation = drafts.create_record({"title": "Through the API", "permission_to_share": False,
                                       "lead_department": Department.objects.get(code="department-for-education"),
                                       "links": [{"kind": "plan", "url": "https://localhost/plan"}]}, by=contributor)
    assert {p.code for p in evaluation.quality_problems} == {"no_permission_to_share", "internal_link"}


def test_the_publish_confirmation_repeats_the_warnings_still_open(client, contributor, moderator):
    draft = complete_draft(contributor)
    drafts.add_item(draft, "links", {"kind": "plan", "url": "https://localhost/plan"}, by=contributor)
    workflow.submit(draft, by=contributor)
    client.force_login(moderator)
    html = client.get(reverse("registry:review-publish", kwargs={"pk": draft.pk})).content.decode()
    assert "Are you sure you want to publish this record?" in html and 'id="publish-warnings"' in html
    assert "https://localhost/plan points to a computer or network the public cannot reach" in html
    clean = complete_draft(contributor)
    workflow.submit(clean, by=contributor)
    html = client.get(reverse("registry:review-publish", kwargs={"pk": clean.pk})).content.decode()
    assert "Are you sure you want to publish this record?" in html and 'id="publish-warnings"' not in html
