"""Signing in and out, the sign-in throttle, and `manage.py create_user`."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.submit.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_sign_in_and_out(client, contributor):
    response = client.post(reverse("registry:sign-in"), {"username": contributor.username, "password": PASSWORD})
    assert response.headers["Location"] == reverse("registry:your-evaluations")
    page = client.get(reverse("registry:your-evaluations")).content.decode()
    assert f"Signed in as {contributor.username}" in page
    assert client.get(reverse("registry:sign-out")).status_code == 200  # a page with the button, not a sign-out
    assert "Signed in as" in client.get(reverse("registry:home")).content.decode()
    client.post(reverse("registry:sign-out"))
    assert "Signed in as" not in client.get(reverse("registry:home")).content.decode()


def test_a_wrong_password_gets_a_message_in_the_error_summary(client, contributor):
    response = client.post(reverse("registry:sign-in"), {"username": contributor.username, "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "Enter a correct email address and password" in html


def test_repeated_failures_lock_the_account_for_a_while_from_that_address(client, contributor):
    for _ in range(5):
        client.post(reverse("registry:sign-in"), {"username": contributor.username, "password": "wrong"})
    response = client.post(reverse("registry:sign-in"), {"username": contributor.username, "password": PASSWORD})
    assert "Too many attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session
    other_address = client.post(
        reverse("registry:sign-in"), {"username": contributor.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert other_address.status_code == 302


def test_moderators_see_the_review_link(client, moderator, contributor):
    client.force_login(moderator)
    assert reverse("registry:review-queue") in client.get(reverse("registry:home")).content.decode()
    client.force_login(contributor)
    assert reverse("registry:review-queue") not in client.get(reverse("registry:home")).content.decode()


def test_create_user_makes_a_contributor_in_a_department(monkeypatch):
    monkeypatch.setenv("REGISTRY_USER_PASSWORD", PASSWORD)
    call_command(
        "create_user",
        "New.Person@education.gov.uk",
        "--role",
        "contributor",
        "--department",
        "department-for-education",
    )
    user = get_user_model().objects.get(username="new.person@education.gov.uk")
    assert user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == ["Contributors"]
    assert user.registry_membership.department.code == "department-for-education"


@pytest.mark.parametrize(
    "args,password,message",
    [
        (["someone@x.gov.uk", "--role", "moderator"], "password", "Password not accepted"),
        (["someone@x.gov.uk", "--role", "contributor", "--department", "ministry-of-magic"], PASSWORD, "no department"),
        (["not-an-email", "--role", "moderator"], PASSWORD, "not an email address"),
    ],
)
def test_create_user_refuses_bad_input(monkeypatch, args, password, message):
    monkeypatch.setenv("REGISTRY_USER_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        call_command("create_user", *args)
    assert not get_user_model().objects.filter(username=args[0]).exists()
