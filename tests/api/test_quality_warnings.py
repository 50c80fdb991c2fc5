"""The checks before publishing (registry.quality) through the API: a write's answer
says what they found, a record's editors see it on the record, nobody else does,
and a blocking problem stops submitting and publishing with a 400, as on the website."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.models import Evaluation
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

LIST = "/api/v1/evaluations/"
COMPLETE = {
    "title": "Careers guidance in further education colleges",
    "summary": "A process evaluation of careers guidance.",
    "stage": "ongoing",
    "lead_department": "department-for-education",
    "methods": ["process"],
    "permission_to_share": True,
}


def create(client, **changes):
    response = client.post(LIST, {**COMPLETE, **changes}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_clean_record_is_answered_with_no_warnings(user):
    body = create(token_client(user))
    assert body["quality_warnings"] == []


def test_the_answer_to_a_create_lists_blocking_problems_first_with_the_field_to_change(user):
    body = create(token_client(user), permission_to_share=False,
                  links=[{"kind": "plan", "url": "https://localhost/plan"}])
    assert [(w["code"], w["level"], w["field"]) for w in body["quality_warnings"]] == [
        ("no_permission_to_share", "blocking", "permission_to_share"),
        ("internal_link", "warning", "links"),
    ]
    assert "cannot be published" in body["quality_warnings"][0]["message"]
    assert "https://localhost/plan" in body["quality_warnings"][1]["message"]
    # A warning never refuses a write: the draft is saved as sent.
    assert Evaluation.objects.get(slug=body["slug"]).permission_to_share is False


def test_an_update_answers_with_the_checks_on_the_record_as_it_now_is(user):
    client = token_client(user)
    slug = create(client, findings=[{"outcome": "Attainment", "direction": "decrease", "effect_size": 0.4,
                                      "statement": "Attainment fell."}])["slug"]
    warned = client.patch(f"{LIST}{slug}/", {"stage": "complete"}, format="json").json()
    assert [w["code"] for w in warned["quality_warnings"]] == ["direction_contradicts_effect"]
    assert warned["quality_warnings"][0]["field"] == "findings"
    rising = {"outcome": "Attainment", "direction": "increase", "effect_size": 0.4, "statement": "Attainment rose."}
    fixed = client.patch(f"{LIST}{slug}/", {"findings": [rising]}, format="json")
    assert fixed.status_code == 200 and fixed.json()["quality_warnings"] == []


def test_editors_see_the_warnings_on_the_record_and_nobody_else_does(user, other_user, staff_user, client_api):
    owner = token_client(user)
    slug = create(owner, permission_to_share=False)["slug"]
    url = f"{LIST}{slug}/"
    mine = owner.get(url).json()
    assert [w["code"] for w in mine["quality_warnings"]] == ["no_permission_to_share"]
    assert [w["code"] for w in token_client(staff_user).get(url).json()["quality_warnings"]] == [
        "no_permission_to_share"]
    # Someone else's draft is not there at all, warnings included.
    assert token_client(other_user).get(url).status_code == 404
    assert client_api.get(url).status_code == 404


def test_a_published_record_shows_the_public_no_warnings(client_api, other_user):
    for client in (client_api, token_client(other_user)):
        body = client.get(f"{LIST}project-crewe/").json()
        assert body["slug"] == "project-crewe" and "quality_warnings" not in body


def test_a_blocking_problem_refuses_submitting_with_a_400_and_the_record_stays_a_draft(user):
    client = token_client(user)
    slug = create(client, permission_to_share=False)["slug"]
    response = client.post(f"{LIST}{slug}/submit/")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["detail"] == "Check the fields listed in errors."
    assert any("cannot be published" in message for message in body["errors"]["non_field_errors"])
    assert Evaluation.objects.get(slug=slug).visibility == "draft"


def test_missing_answers_refuse_submitting_and_say_what_to_answer(user):
    client = token_client(user)
    slug = client.post(LIST, {"title": "An evaluation with little said yet"}, format="json").json()["slug"]
    errors = client.post(f"{LIST}{slug}/submit/").json()["errors"]["non_field_errors"]
    assert "Select the evaluation stage" in errors and "Enter a summary" in errors
    assert Evaluation.objects.get(slug=slug).visibility == "draft"


def test_warnings_do_not_stop_submitting(user):
    client = token_client(user)
    slug = create(client, links=[{"kind": "plan", "url": "http://plans.intranet/plan"}])["slug"]
    response = client.post(f"{LIST}{slug}/submit/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["visibility"] == "submitted"
    assert [w["code"] for w in body["quality_warnings"]] == ["internal_link"]


def test_only_the_records_editors_may_submit_it(user, other_user):
    slug = create(token_client(user))["slug"]
    other = token_client(other_user)
    assert other.post(f"{LIST}{slug}/submit/").status_code == 404
    assert other.post(f"{LIST}project-crewe/submit/").status_code == 403
    assert Evaluation.objects.get(slug=slug).visibility == "draft"


def test_publishing_is_for_moderators_and_a_blocking_problem_refuses_it(user, staff_user, client_api):
    client, moderator = token_client(user), token_client(staff_user)
    slug = create(client)["slug"]
    assert client.post(f"{LIST}{slug}/submit/").status_code == 200
    refused = client.post(f"{LIST}{slug}/publish/")
    assert refused.status_code == 403 and refused.json()["status"] == 403
    # The moderator changes the submitted record's answer (as the review page lets them) and may not publish.
    assert moderator.patch(f"{LIST}{slug}/", {"permission_to_share": False}, format="json").status_code == 200
    blocked = moderator.post(f"{LIST}{slug}/publish/")
    assert blocked.status_code == 400
    assert any("cannot be published" in m for m in blocked.json()["errors"]["non_field_errors"])
    assert client_api.get(f"{LIST}{slug}/").status_code == 404
    assert moderator.patch(f"{LIST}{slug}/", {"permission_to_share": True}, format="json").status_code == 200
    published = moderator.post(f"{LIST}{slug}/publish/")
    assert published.status_code == 200, published.content
    assert published.json()["visibility"] == "published"
    assert client_api.get(f"{LIST}{slug}/").json()["visibility"] == "published"


def test_publishing_a_draft_that_was_not_submitted_is_refused(user, staff_user):
    slug = create(token_client(user))["slug"]
    response = token_client(staff_user).post(f"{LIST}{slug}/publish/")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == ["Only a submitted record can be published."]


def test_the_schema_documents_the_warnings_and_the_workflow(client_api):
    schema = client_api.get("/api/v1/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert set(components["QualityProblem"]["properties"]) == {"code", "level", "field", "message"}
    assert components["EvaluationWritten"]["properties"]["quality_warnings"]["type"] == "array"
    assert "quality_warnings" in components["EvaluationWritten"]["required"]
    assert "quality_warnings" not in components["EvaluationForEditors"]["required"]  # editors only
    create_201 = schema["paths"]["/api/v1/evaluations/"]["post"]["responses"]["201"]
    assert create_201["content"]["application/json"]["schema"]["$ref"].endswith("/EvaluationWritten")
    for action in ("submit", "publish"):
        operation = schema["paths"][f"/api/v1/evaluations/{{slug}}/{action}/"]["post"]
        assert {"200", "400", "403"} <= set(operation["responses"])


def _queries(client, method, url, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, **kwargs)
    assert response.status_code in (200, 201), response.content
    return len(captured)


def test_an_editors_record_and_submitting_take_the_same_queries_whatever_the_record_holds(user):
    client = token_client(user)
    small = create(client, title="Small record for counting queries")["slug"]
    rows = {
        "findings": [{"outcome": f"Outcome {i}", "direction": "decrease", "effect_size": 0.1,
                      "statement": f"Outcome {i} fell."} for i in range(12)],
        "links": [{"kind": "plan", "url": f"https://localhost/{i}"} for i in range(12)],
        "event_dates": [{"category": "final_results", "year": 2020 + i % 5, "status": "intended"} for i in range(12)],
    }
    big = create(client, title="Big record for counting queries", **rows)
    assert len(big["quality_warnings"]) == 24
    assert _queries(client, "get", f"{LIST}{small}/") == _queries(client, "get", f"{LIST}{big['slug']}/")
    assert _queries(client, "post", f"{LIST}{small}/submit/") == _queries(
        client, "post", f"{LIST}{big['slug']}/submit/")


def test_an_editors_record_and_a_write_stay_within_their_query_budgets(user, django_assert_max_num_queries):
    client = token_client(user)
    with django_assert_max_num_queries(58):
        slug = create(client, links=[{"kind": "plan", "url": "https://localhost/plan"}])["slug"]
    with django_assert_max_num_queries(10):
        assert client.get(f"{LIST}{slug}/").status_code == 200
    with django_assert_max_num_queries(32):
        assert client.patch(f"{LIST}{slug}/", {"stage": "complete"}, format="json").status_code == 200


def test_publishing_takes_a_change_note_of_at_most_1000_characters(user, staff_user):
    client, moderator = token_client(user), token_client(staff_user)
    slug = create(client)["slug"]
    assert client.post(f"{LIST}{slug}/submit/").status_code == 200
    too_long = moderator.post(f"{LIST}{slug}/publish/", {"change_note": "x" * 1001}, format="json")
    assert too_long.status_code == 400 and set(too_long.json()["errors"]) == {"change_note"}
    assert Evaluation.objects.get(slug=slug).visibility == "submitted"
    published = moderator.post(f"{LIST}{slug}/publish/", {"change_note": "First published"}, format="json")
    assert published.status_code == 200 and published.json()["visibility"] == "published"
