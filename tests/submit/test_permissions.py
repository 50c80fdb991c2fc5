"""Every route of the journey and moderation, for every role: a visitor is sent
to sign in, a contributor never sees another's draft (404, not 403), only
moderators review, publish and withdraw."""

import pytest
from django.urls import reverse

from registry.models import Evaluation
from registry.services import drafts, workflow
from tests.submit.conftest import DFE, make_user
from tests.submit.helpers import answer

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "owner", "colleague", "outsider", "moderator"]
SIGN_IN = "sign-in"


@pytest.fixture
def world(db):
    """A draft, a submitted record and a published record, all owned by one contributor."""
    users = {
        "owner": make_user("owner@education.gov.uk", "Contributors", DFE),
        "colleague": make_user("colleague@education.gov.uk", "Contributors", DFE),
        "outsider": make_user("outsider@justice.gov.uk", "Contributors", "ministry-of-justice"),
        "moderator": make_user("mod@cabinetoffice.gov.uk", "Moderators"),
        "visitor": None,
    }
    owner = users["owner"]
    from registry.models import Department

    dfe = Department.objects.get(code=DFE)

    def complete(title):
        evaluation = drafts.create_draft(by=owner, title=title)
        answer(
            evaluation, "basics", {"title": title, "lead_department": dfe, "other_departments": []}, by=owner
        )
        answer(evaluation, "stage", {"stage": "ongoing"}, by=owner)
        from registry.models import DesignType

        answer(evaluation, "types", {"types": [DesignType.objects.get(code="impact")]}, by=owner)
        answer(evaluation, "summary", {"summary": "A summary."}, by=owner)
        answer(evaluation, "sharing", {"permission_to_share": True}, by=owner)
        return evaluation

    draft = drafts.create_draft(by=owner, title="Secret draft about tutoring")
    submitted = complete("Submitted record about mentoring")
    workflow.submit(submitted, by=owner)
    published = complete("Published record about coaching")
    workflow.submit(published, by=owner)
    workflow.publish(published, by=users["moderator"])
    return {
        "users": users,
        "draft": draft,
        "submitted": submitted,
        "published": Evaluation.objects.get(pk=published.pk),
    }


def url_for(world, route):
    d, s, p = world["draft"], world["submitted"], world["published"]
    return {
        "start": reverse("registry:submit-start"),
        "step": reverse("registry:submit-step", kwargs={"pk": d.pk, "step": "stage"}),
        "check": reverse("registry:submit-check", kwargs={"pk": d.pk}),
        "yours": reverse("registry:your-evaluations"),
        "queue": reverse("registry:review-queue"),
        "review": reverse("registry:review", kwargs={"pk": s.pk}),
        "withdraw": reverse("registry:evaluation-withdraw", kwargs={"slug": p.slug}),
        "revise": reverse("registry:evaluation-revise", kwargs={"slug": p.slug}),
        "draft-history": reverse("registry:evaluation-history", kwargs={"slug": d.slug}),
        "draft-page": reverse("registry:evaluation", kwargs={"slug": d.slug}),
    }[route]


# route, method, data, expected status per role (visitor, owner, colleague, outsider, moderator)
MATRIX = [
    ("start", "get", None, (SIGN_IN, 200, 200, 200, 200)),
    ("step", "get", None, (SIGN_IN, 200, 404, 404, 200)),
    ("step", "post", {"stage": "complete"}, (SIGN_IN, 302, 404, 404, 302)),
    ("check", "get", None, (SIGN_IN, 200, 404, 404, 200)),
    ("check", "post", {}, (SIGN_IN, 400, 404, 404, 400)),
    ("yours", "get", None, (SIGN_IN, 200, 200, 200, 200)),
    ("queue", "get", None, (SIGN_IN, 404, 404, 404, 200)),
    ("review", "get", None, (SIGN_IN, 404, 404, 404, 200)),
    ("review", "post", {"action": "publish"}, (SIGN_IN, 404, 404, 404, 302)),
    ("withdraw", "get", None, (SIGN_IN, 404, 404, 404, 200)),
    ("withdraw", "post", {"reason": "Duplicate"}, (SIGN_IN, 404, 404, 404, 302)),
    ("revise", "post", {}, (SIGN_IN, 302, 404, 404, 302)),
    ("draft-history", "get", None, (404, 200, 404, 404, 200)),
    ("draft-page", "get", None, (404, 200, 404, 404, 200)),
]
CASES = [
    pytest.param(route, method, data, role, expected[i], id=f"{method}-{route}-{role}")
    for route, method, data, expected in MATRIX
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize("route,method,data,role,expected", CASES)
def test_each_route_answers_each_role(client, world, route, method, data, role, expected):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    url = url_for(world, route)
    response = client.post(url, data) if method == "post" else client.get(url)
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith(reverse("registry:sign-in") + "?next=")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ["visitor", "colleague", "outsider"])
def test_who_may_not_change_a_record_changes_nothing(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    client.post(url_for(world, "step"), {"stage": "complete"})
    client.post(url_for(world, "review"), {"action": "publish"})
    client.post(url_for(world, "withdraw"), {"reason": "No"})
    world["draft"].refresh_from_db()
    world["submitted"].refresh_from_db()
    world["published"].refresh_from_db()
    assert world["draft"].stage == ""
    assert world["submitted"].visibility == "submitted"
    assert world["published"].visibility == "published"


def test_a_contributor_sees_their_own_drafts_only(client, world):
    client.force_login(world["users"]["outsider"])
    page = client.get(reverse("registry:browse")).content.decode()
    assert "Published record about coaching" in page
    assert "Secret draft" not in page and "Submitted record" not in page
    client.force_login(world["users"]["owner"])
    yours = client.get(reverse("registry:your-evaluations")).content.decode()
    assert "Secret draft" in yours and "Submitted record" in yours


def test_a_co_editor_from_the_department_may_edit(client, world):
    owner, colleague = world["users"]["owner"], world["users"]["colleague"]
    client.force_login(owner)
    response = client.post(
        reverse("registry:submit-step", kwargs={"pk": world["draft"].pk, "step": "basics"}),
        {
            "title": "Secret draft about tutoring",
            "lead_department": DFE,
            "co_editors": [colleague.username],
        },
    )
    assert response.status_code == 302
    client.force_login(colleague)
    assert client.get(url_for(world, "step")).status_code == 200
    assert "Secret draft" in client.get(reverse("registry:your-evaluations")).content.decode()


def test_a_co_editor_from_another_department_is_refused(client, world):
    client.force_login(world["users"]["owner"])
    response = client.post(
        reverse("registry:submit-step", kwargs={"pk": world["draft"].pk, "step": "basics"}),
        {
            "title": "Secret draft about tutoring",
            "lead_department": DFE,
            "co_editors": ["outsider@justice.gov.uk"],
        },
    )
    assert response.status_code == 200
    assert "is not a known colleague in your department" in response.content.decode()
    assert not world["draft"].submission.co_editors.exists()


def test_a_submitted_record_is_read_only_for_its_owner(client, world):
    client.force_login(world["users"]["owner"])
    url = reverse("registry:submit-step", kwargs={"pk": world["submitted"].pk, "step": "stage"})
    response = client.post(url, {"stage": "complete"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/check/")
    world["submitted"].refresh_from_db()
    assert world["submitted"].stage == "ongoing"


@pytest.mark.parametrize("role", ["visitor", "outsider"])
def test_drafts_never_reach_other_people_through_the_api_or_search(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    for url in ("/api/v1/evaluations/", "/api/v1/evaluations.csv", "/search/?q=tutoring+mentoring+coaching"):
        body = client.get(url).content.decode()
        assert "Secret draft" not in body and "Submitted record" not in body, url
    assert "coaching" in client.get("/api/v1/evaluations/").content.decode()
