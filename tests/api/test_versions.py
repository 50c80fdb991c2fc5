"""Versions through the API: every published version, each equal to the record
as the API served it when it was published; drafts never."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from registry.models import Evaluation, PublishedVersion
from registry.services import revisions, workflow
from tests.api.publishing import moderator, publish_new, publish_revision
from tests.factories import rich_evaluation

pytestmark = pytest.mark.django_db


def detail(client, slug):
    response = client.get(f"/api/v1/evaluations/{slug}/")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def history(client_api):
    """A record published, then revised twice (wording, then title and findings),
    with the API's answer right after each publication."""
    by = moderator()
    record = publish_new(by, note="First publication")
    served = [detail(client_api, record.slug)]
    publish_revision(record, by, note="Summary reworded", summary="Tutoring raised attainment in maths.")
    served.append(detail(client_api, record.slug))
    publish_revision(record, by, note="Final report", title="Evaluation of tutoring: final", findings=["Maths"])
    served.append(detail(client_api, record.slug))
    return record, served


def test_each_version_equals_the_record_as_it_was_published(client_api, history):
    record, served = history
    assert [s["version"] for s in served] == [1, 2, 3]
    for number, then in enumerate(served, start=1):
        response = client_api.get(f"/api/v1/evaluations/{record.slug}/versions/{number}/")
        assert response.status_code == 200
        assert response.json()["record"] == then
    # The record as served now has moved on from the first two.
    assert served[0]["summary"] != served[2]["summary"] and served[0]["title"] != served[2]["title"]


def test_the_list_numbers_versions_major_and_minor_with_notes_and_roles(client_api, history):
    record, _ = history
    response = client_api.get(f"/api/v1/evaluations/{record.slug}/versions/")
    assert response.status_code == 200
    versions = response.json()["versions"]
    assert [(v["number"], v["label"], v["kind"]) for v in versions] == [
        (1, "1.0", "major"), (2, "1.1", "minor"), (3, "2.0", "major"),
    ]
    assert [v["change_note"] for v in versions] == ["First publication", "Summary reworded", "Final report"]
    assert versions[1]["changed_fields"] == ["summary"]
    assert set(versions[2]["changed_fields"]) == {"title", "findings"}
    assert {v["published_by"] for v in versions} == {"a moderator of Cabinet Office"}
    assert "@" not in response.content.decode()  # never the publisher's email address
    assert versions[0]["api_url"] == f"http://testserver/api/v1/evaluations/{record.slug}/versions/1/"


def test_a_version_says_field_by_field_what_changed_from_the_one_before(client_api, history):
    record, served = history
    first = client_api.get(f"/api/v1/evaluations/{record.slug}/versions/1/").json()
    assert first["changes"] == [] and first["previous"] is None
    second = client_api.get(f"/api/v1/evaluations/{record.slug}/versions/2/").json()
    assert second["changes"] == [
        {"field": "summary", "before": served[0]["summary"], "after": served[1]["summary"]}
    ]
    assert second["previous"].endswith("/versions/1/")
    third = client_api.get(f"/api/v1/evaluations/{record.slug}/versions/3/").json()
    by_field = {c["field"]: c for c in third["changes"]}
    assert by_field["title"] == {"field": "title", "before": served[1]["title"], "after": served[2]["title"]}
    assert [f["outcome"] for f in by_field["findings"]["before"]] == ["Attainment"]
    assert [f["outcome"] for f in by_field["findings"]["after"]] == ["Maths"]


def test_a_revision_in_progress_is_never_a_version(client_api, history):
    record, served = history
    by = record.owner
    copy = revisions.start_revision(Evaluation.objects.get(pk=record.pk), by=by)
    copy.title = "A draft title nobody may see yet"
    copy.save()
    workflow.submit(copy, by=by, change_note="New title")  # waiting for review: still not published
    response = client_api.get(f"/api/v1/evaluations/{record.slug}/versions/")
    assert len(response.json()["versions"]) == 3
    assert "A draft title" not in response.content.decode()
    assert client_api.get(f"/api/v1/evaluations/{record.slug}/versions/4/").status_code == 404
    # The draft copy has an address of its own: no versions there, even for its editor.
    client_api.force_authenticate(by)
    assert client_api.get(f"/api/v1/evaluations/{copy.slug}/versions/").status_code == 404


def test_a_draft_has_no_versions_and_a_withdrawn_record_says_gone(client_api, history):
    record, _ = history
    draft = Evaluation.objects.create(title="Draft only", slug="draft-only", visibility="draft")
    response = client_api.get(f"/api/v1/evaluations/{draft.slug}/versions/")
    assert response.status_code == 404 and response.json()["status"] == 404
    workflow.withdraw(record, by=record.owner, reason="Recorded twice.")
    for path in ("versions/", "versions/1/"):
        response = client_api.get(f"/api/v1/evaluations/{record.slug}/{path}")
        assert response.status_code == 410
        assert "Recorded twice." in response.json()["detail"]


def test_a_change_note_too_long_is_refused_and_nothing_is_published(client_api):
    by = moderator()
    record = publish_new(by)
    with pytest.raises(ValidationError) as refused:
        publish_revision(record, by, note="x" * 1001, summary="Reworded.")
    assert refused.value.message_dict == {"change_note": ["Change note must be 1000 characters or fewer"]}
    record.refresh_from_db()
    assert record.version == 1 and record.summary == "Tutoring raised attainment."
    assert PublishedVersion.objects.filter(evaluation=record).count() == 1


def test_version_requests_run_a_fixed_number_of_queries(client_api, history, django_assert_max_num_queries):
    record, _ = history
    for n in range(5):
        publish_revision(record, record.owner, summary=f"Reworded {n}.")
    with django_assert_max_num_queries(2):
        assert client_api.get(f"/api/v1/evaluations/{record.slug}/versions/").status_code == 200
    with django_assert_max_num_queries(2):
        assert client_api.get(f"/api/v1/evaluations/{record.slug}/versions/8/").status_code == 200


def test_records_published_before_versions_were_kept_get_their_current_version(client_api):
    call_command("record_versions", stdout=io.StringIO())  # any left by earlier tests' records
    by = moderator()
    kept = publish_new(by, title="Published with a version")
    seeded = [rich_evaluation(n) for n in range(3)]  # published without the service, as `seed` loads records
    draft = rich_evaluation(4, visibility="draft")
    served = {r.slug: detail(client_api, r.slug) for r in seeded}
    out = io.StringIO()
    call_command("record_versions", stdout=out)
    assert out.getvalue().strip() == "stored the current version of 3 published records that had none"
    for slug, then in served.items():
        (version,) = client_api.get(f"/api/v1/evaluations/{slug}/versions/").json()["versions"]
        assert version["label"] == "1.0" and version["published_by"] == "the registry"
        assert "earlier versions were not kept" in version["change_note"]
        assert client_api.get(f"/api/v1/evaluations/{slug}/versions/1/").json()["record"] == then
    assert PublishedVersion.objects.filter(evaluation=kept).count() == 1
    assert not PublishedVersion.objects.filter(evaluation=draft).exists()
    call_command("record_versions", stdout=out)
    assert out.getvalue().strip().endswith("stored the current version of 0 published records that had none")


def test_a_revision_is_submitted_with_a_change_note_that_its_version_keeps(client_api):
    """Through the API as through the website: a revision needs a note, and publishing
    without a note of the moderator's own keeps the editor's."""
    by = moderator()
    record = publish_new(by)
    copy = revisions.start_revision(Evaluation.objects.get(pk=record.pk), by=by)
    copy.summary = "Tutoring raised attainment in reading."
    copy.save()
    client_api.force_authenticate(by)
    submit = f"/api/v1/evaluations/{copy.slug}/submit/"
    refused = client_api.post(submit, {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["change_note"] == ["Enter what has changed, in a sentence"]
    assert Evaluation.objects.get(pk=copy.pk).visibility == "draft"
    assert client_api.post(submit, {"change_note": "x" * 1001}, format="json").status_code == 400
    assert client_api.post(submit, {"change_note": "Reading, not maths"}, format="json").status_code == 200
    assert client_api.post(f"/api/v1/evaluations/{copy.slug}/publish/", {}, format="json").status_code == 200
    versions = client_api.get(f"/api/v1/evaluations/{record.slug}/versions/").json()["versions"]
    assert [(v["number"], v["change_note"]) for v in versions] == [(1, ""), (2, "Reading, not maths")]
