"""Review, revisions of published records, withdrawal and the version history."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from registry.models import Department, DesignType, Evaluation, Submission
from registry.services import drafts, workflow
from tests.submit.helpers import answer

pytestmark = pytest.mark.django_db


def complete_draft(owner, title="Evaluation of tutoring"):
    evaluation = drafts.create_draft(by=owner, title=title)
    dfe = Department.objects.get(code="department-for-education")
    answer(evaluation, "basics", {"title": title, "lead_department": dfe, "other_departments": []}, by=owner)
    answer(evaluation, "stage", {"stage": "ongoing"}, by=owner)
    answer(evaluation, "types", {"types": [DesignType.objects.get(code="impact")]}, by=owner)
    answer(evaluation, "summary", {"summary": "Tutoring raised attainment."}, by=owner)
    answer(evaluation, "sharing", {"permission_to_share": True}, by=owner)
    drafts.add_item(evaluation, "dates", {"category": "evaluation_start", "year": 2020, "month": 3}, by=owner)
    return evaluation


@pytest.fixture
def published(contributor, moderator):
    evaluation = complete_draft(contributor)
    workflow.submit(evaluation, by=contributor)
    return workflow.publish(evaluation, by=moderator)


def test_an_incomplete_draft_cannot_be_submitted(client, contributor):
    draft = drafts.create_draft(by=contributor, title="Half done")
    with pytest.raises(ValidationError):
        workflow.submit(draft, by=contributor)
    client.force_login(contributor)
    response = client.post(reverse("registry:submit-check", kwargs={"pk": draft.pk}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Select the lead department" in html and "Enter a summary" in html
    assert Evaluation.objects.get(pk=draft.pk).visibility == "draft"


def test_a_returned_record_shows_the_comments_and_can_be_changed_and_resubmitted(client, contributor, moderator):
    evaluation = complete_draft(contributor)
    workflow.submit(evaluation, by=contributor)
    client.force_login(moderator)
    response = client.post(
        reverse("registry:review", kwargs={"pk": evaluation.pk}), {"action": "return", "comment": ""}
    )
    assert "Enter what needs to change" in response.content.decode()
    client.post(
        reverse("registry:review", kwargs={"pk": evaluation.pk}),
        {"action": "return", "comment": "Please add the <b>end date</b>."},
    )
    evaluation.refresh_from_db()
    assert evaluation.visibility == "returned"

    client.force_login(contributor)
    yours = client.get(reverse("registry:your-evaluations")).content.decode()
    assert "Please add the &lt;b&gt;end date&lt;/b&gt;." in yours and "Returned for changes" in yours
    response = client.post(
        reverse("registry:submit-step", kwargs={"pk": evaluation.pk, "step": "dates"}),
        {"action": "continue", "category": "evaluation_end", "year": "2022"},
    )
    assert response.status_code == 302
    assert client.post(reverse("registry:submit-check", kwargs={"pk": evaluation.pk})).status_code == 302
    assert Evaluation.objects.get(pk=evaluation.pk).visibility == "submitted"


def test_your_evaluations_links_back_to_the_step_where_the_user_stopped(client, contributor):
    draft = drafts.create_draft(by=contributor, title="Stopped early")
    client.force_login(contributor)
    client.post(reverse("registry:submit-step", kwargs={"pk": draft.pk, "step": "stage"}), {"stage": "planned"})
    html = client.get(reverse("registry:your-evaluations")).content.decode()
    assert reverse("registry:submit-step", kwargs={"pk": draft.pk, "step": "types"}) in html
    assert "Continue at “Evaluation types”" in html


def test_changes_to_a_published_record_go_through_review_while_it_stays_visible(
    client, contributor, moderator, published
):
    slug, version = published.slug, published.version
    client.force_login(contributor)
    response = client.post(reverse("registry:evaluation-revise", kwargs={"slug": slug}))
    copy = Evaluation.objects.get(submission__revision_of=published)
    assert response.headers["Location"] == reverse("registry:submit-check", kwargs={"pk": copy.pk})
    client.post(
        reverse("registry:submit-step", kwargs={"pk": copy.pk, "step": "basics"}),
        {"title": "Evaluation of tutoring, revised", "lead_department": "department-for-education"},
    )
    client.post(
        reverse("registry:submit-step", kwargs={"pk": copy.pk, "step": "dates"}),
        {"action": "add", "category": "evaluation_end", "year": "2023"},
    )
    # Changes to a published record say what changed: the note is published with the version.
    check_url = reverse("registry:submit-check", kwargs={"pk": copy.pk})
    assert 'name="change_note"' in client.get(check_url).content.decode()
    refused = client.post(check_url, {"change_note": "  "})
    assert refused.status_code == 400
    assert "Enter what has changed, in a sentence" in refused.content.decode()
    assert refused.content.decode().count('href="#id_change_note"') == 1  # the error summary links to the box
    copy.refresh_from_db()
    assert copy.visibility == "draft"
    too_long = client.post(check_url, {"change_note": "x" * 1001})
    assert too_long.status_code == 400 and "What has changed? must be 1000 characters or fewer" in (
        too_long.content.decode())
    assert client.post(check_url, {"change_note": "Added the final report's end date"}).status_code == 302

    client.logout()
    page = client.get(reverse("registry:evaluation", kwargs={"slug": slug}))
    assert "Evaluation of tutoring" in page.content.decode() and "revised" not in page.content.decode()
    assert "revised" not in client.get(reverse("registry:browse")).content.decode()

    client.force_login(moderator)
    assert "Changes to a published record" in client.get(reverse("registry:review-queue")).content.decode()
    note = "“Added the final report&#x27;s end date”"
    assert note in client.get(reverse("registry:review", kwargs={"pk": copy.pk})).content.decode()
    assert note in client.get(reverse("registry:review-publish", kwargs={"pk": copy.pk})).content.decode()
    client.post(reverse("registry:review", kwargs={"pk": copy.pk}), {"action": "publish"})
    published.refresh_from_db()
    assert published.slug == slug and published.title == "Evaluation of tutoring, revised"
    assert published.version == version + 1 and published.visibility == "published"
    assert published.event_dates.count() == 2
    assert not Evaluation.objects.filter(pk=copy.pk).exists()
    assert not Submission.objects.filter(revision_of=published).exists()

    client.logout()
    history = client.get(reverse("registry:evaluation-history", kwargs={"slug": slug})).content.decode()
    assert "Published version 1" in history and "Published version 2" in history
    assert '<del><span class="govuk-visually-hidden">Removed: </span>Evaluation of tutoring</del>' in history
    assert "Evaluation of tutoring, revised</ins>" in history
    assert "Evaluation end: 2023</ins>" in history
    assert "Step saved" not in history  # visitors see published versions only
    versions = client.get(f"/api/v1/evaluations/{slug}/versions/").json()["versions"]
    assert versions[-1]["number"] == version + 1
    assert versions[-1]["change_note"] == "Added the final report's end date"


def test_editors_see_every_change_in_the_history_with_who_made_it(client, contributor, published):
    client.force_login(contributor)
    html = client.get(reverse("registry:evaluation-history", kwargs={"slug": published.slug})).content.decode()
    assert "Changes saved" in html and contributor.username in html
    assert "Step saved" not in html  # a run of saves by one person is one row


def test_history_says_who_and_when_in_words(client, contributor, published):
    html = client.get(reverse("registry:evaluation-history", kwargs={"slug": published.slug})).content.decode()
    import re

    assert re.search(r"Published by a moderator on \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d\d[ap]m", html)
    assert "+00:00" not in html


def test_withdrawn_records_answer_410_with_when_and_why(client, moderator, published):
    client.force_login(moderator)
    response = client.post(reverse("registry:evaluation-withdraw", kwargs={"slug": published.slug}), {"reason": ""})
    assert "Enter why the record is withdrawn" in response.content.decode()
    client.post(
        reverse("registry:evaluation-withdraw", kwargs={"slug": published.slug}), {"reason": "A duplicate record."}
    )
    client.logout()
    response = client.get(reverse("registry:evaluation", kwargs={"slug": published.slug}))
    assert response.status_code == 410 and "A duplicate record." in response.content.decode()
    assert "Evaluation of tutoring" not in client.get(reverse("registry:browse")).content.decode()


def test_only_a_submitted_record_can_be_published(contributor, moderator):
    draft = complete_draft(contributor)
    with pytest.raises(ValidationError):
        workflow.publish(draft, by=moderator)
    assert Evaluation.objects.get(pk=draft.pk).visibility == "draft"


def test_visitors_history_is_chosen_by_the_published_flag_not_by_the_wording_of_a_reason(
    client, contributor, moderator, published
):
    entries = list(published.history.order_by("history_date", "history_id"))
    assert [e.history_change_reason for e in entries if e.published] == ["Published version 1"]
    # A copy edit of the reason changes nothing: the flag decides.
    published.history.filter(published=True).update(history_change_reason="Made public (v1)")
    published.history.filter(history_change_reason="Step saved: summary").update(
        history_change_reason="Published in error? no: a draft step"
    )
    history = client.get(reverse("registry:evaluation-history", kwargs={"slug": published.slug})).content.decode()
    assert "Published version 1" in history  # said from the flag and the version, not the reason's words
    assert "a draft step" not in history


def test_changes_since_returned_name_what_the_record_says_not_its_review_state(client, contributor, moderator):
    draft = complete_draft(contributor)
    workflow.submit(draft, by=contributor)
    workflow.return_for_changes(draft, by=moderator, comment="Add the end date.")
    draft.refresh_from_db()
    drafts.add_item(draft, "dates", {"category": "evaluation_end", "year": 2023}, by=contributor)
    workflow.submit(draft, by=contributor)
    client.force_login(moderator)
    html = client.get(reverse("registry:review", kwargs={"pk": draft.pk})).content.decode()
    changed = html.split("registry-changes-since-returned", 1)[1].split("</dl>", 1)[0]
    assert "Evaluation end: 2023" in changed
    assert "Visibility" not in changed and "Returned" not in changed and "Submitted" not in changed
