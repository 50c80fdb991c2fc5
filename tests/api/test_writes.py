"""Creating and updating records: signed-in users only, drafts owned by them,
changes only by the owner while draft or returned (or by staff)."""

import pytest
from rest_framework.test import APIClient

from registry.models import Evaluation
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

LIST = "/api/v1/evaluations/"
NEW = {
    "title": "Adult skills pilot",
    "summary": "A pilot of adult skills courses.",
    "stage": "planned",
    "lead_department": "department-for-education",
    "methods": ["impact", "rct"],
    "cost_amount": 125000.5,
}


def test_anonymous_writes_are_refused_with_401(client_api):
    response = client_api.post(LIST, NEW, format="json")
    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert not Evaluation.objects.filter(title=NEW["title"]).exists()


def test_token_user_creates_a_draft_they_own(user):
    response = token_client(user).post(LIST, NEW, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["visibility"] == "draft" and body["slug"] == "adult-skills-pilot"
    assert response["Location"] == body["api_url"]
    assert [d["code"] for d in body["designs"]] == ["impact", "rct"]
    assert body["cost_amount"] == 125000.5
    record = Evaluation.objects.get(slug="adult-skills-pilot")
    assert record.owner == user and record.visibility == "draft"


def test_a_record_like_a_published_one_is_created_with_a_warning_and_a_link(user):
    from registry.search import get_backend

    get_backend().rebuild()
    client = token_client(user)
    fresh = client.post(LIST, NEW, format="json").json()
    assert fresh["likely_duplicates"] == []
    crewe = Evaluation.objects.get(slug="project-crewe")
    body = client.post(LIST, {**NEW, "title": crewe.title, "summary": "The same evaluation, sent again."},
                       format="json").json()
    assert [d["slug"] for d in body["likely_duplicates"]] == ["project-crewe"]
    assert body["likely_duplicates"][0]["url"] == "http://testserver/evaluations/project-crewe/"


def test_invalid_input_gets_a_message_per_field_and_stores_nothing(user):
    bad = {
        "title": "  ",
        "stage": "someday",
        "lead_department": "nowhere",
        "cost_amount": -3,
        "methods": ["telepathy"],
        "cost_price_year": 1066,
    }
    response = token_client(user).post(LIST, bad, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"title", "stage", "lead_department", "cost_amount", "methods", "cost_price_year"}
    assert errors["title"] == ["Enter the evaluation's title."]
    assert Evaluation.objects.count() == 3


def test_malformed_json_is_a_400(user):
    response = token_client(user).post(LIST, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_owner_updates_draft_keeping_its_version_and_the_history_says_why(user):
    # As in the journey, editing a draft is not a new version: only publishing makes one.
    client = token_client(user)
    slug = client.post(LIST, NEW, format="json").json()["slug"]
    response = client.patch(
        f"{LIST}{slug}/", {"title": "Adult skills pilot (revised)", "methods": ["process"]}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Adult skills pilot (revised)" and body["version"] == 1
    latest = Evaluation.objects.get(slug=body["slug"]).history.latest()
    assert latest.history_change_reason == "Changed through the API" and latest.history_user == user
    assert [d["code"] for d in body["designs"]] == ["process"]
    assert body["summary"] == NEW["summary"]


def test_other_users_cannot_touch_a_draft(user, other_user):
    slug = token_client(user).post(LIST, NEW, format="json").json()["slug"]
    response = token_client(other_user).patch(f"{LIST}{slug}/", {"title": "Hijacked"}, format="json")
    assert response.status_code == 404
    assert Evaluation.objects.get(slug=slug).title == NEW["title"]


def test_published_records_change_only_through_review_but_moderators_edit_submissions(user, staff_user):
    # The forms' rule: a published record changes through a revision that a moderator
    # publishes, for its owner and for moderators alike; a submitted one is the moderator's to edit.
    record = Evaluation.objects.get(slug="project-crewe")
    record.owner = user
    record.save()
    owner, moderator = token_client(user), token_client(staff_user)
    for client in (owner, moderator):
        response = client.patch(f"{LIST}project-crewe/", {"title": "Renamed"}, format="json")
        assert response.status_code == 403
        assert "only while they are drafts" in response.json()["detail"]
    Evaluation.objects.filter(slug="project-crewe").update(visibility="submitted")
    response = owner.patch(f"{LIST}project-crewe/", {"title": "Renamed"}, format="json")
    assert response.status_code == 403
    response = moderator.patch(f"{LIST}project-crewe/", {"title": "Renamed by a moderator"}, format="json")
    assert response.status_code == 200
    assert Evaluation.objects.get(slug="project-crewe").title == "Renamed by a moderator"


def test_session_writes_need_the_csrf_token(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(LIST, NEW, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_delete_is_not_offered(user):
    response = token_client(user).delete(f"{LIST}project-crewe/")
    assert response.status_code == 405
    assert response.json()["status"] == 405


def test_null_characters_get_a_message_not_a_server_error(user, client_api):
    response = token_client(user).post(
        LIST, {"title": "Nul\x00 title", "lead_department": "dept\x00", "methods": ["rct\x00"]}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"title", "lead_department", "methods"}
    for url in ["/api/v1/evaluations/?department=a%00b", "/api/v1/findings/?evaluation=%00", "/api/v1/search/?q=a%00"]:
        response = client_api.get(url)
        assert response.status_code == 400, url
        assert "null character" in str(response.json()["errors"])


def test_a_field_the_api_does_not_take_is_an_error_naming_it(user):
    response = token_client(user).post(LIST, {**NEW, "evaluator": "NatCen", "slug": "mine"}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"evaluator", "slug"}
    assert "is not a field you can set" in errors["evaluator"][0]
    assert not Evaluation.objects.filter(title=NEW["title"]).exists()


def test_places_are_listed(client_api):
    from registry.models import Place

    Place.objects.create(slug="hertfordshire", name="Hertfordshire")
    body = client_api.get("/api/v1/places/").json()
    assert {"slug": "hertfordshire", "name": "Hertfordshire"} in body["results"]
    assert client_api.get("/api/v1/").json()["places"] == "http://testserver/api/v1/places/"
