"""The account page where a user creates and revokes their API token."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db]

PAGE = "/account/tokens/"


def test_page_needs_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "next=/account/tokens/" in response["Location"]


def test_create_shows_the_key_once_and_it_authenticates(client, user):
    client.force_login(user)
    assert "You have no API token" in client.get(PAGE).content.decode()
    response = client.post(PAGE, {"action": "create"})
    assert response.status_code == 201
    key = Token.objects.get(user=user).key
    assert key in response.content.decode()
    assert key not in client.get(PAGE).content.decode()  # shown once only
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.post("/api/v1/evaluations/", {"title": "Via token"}, format="json").status_code == 201


def test_replace_and_revoke_stop_the_old_key(client, user):
    client.force_login(user)
    client.post(PAGE, {"action": "create"})
    old = Token.objects.get(user=user).key
    client.post(PAGE, {"action": "create"})
    assert Token.objects.get(user=user).key != old
    response = client.post(PAGE, {"action": "revoke"}, follow=True)
    assert "Your API token has been revoked" in response.content.decode()
    assert not Token.objects.filter(user=user).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api.post("/api/v1/evaluations/", {"title": "Nope"}, format="json").status_code == 401


def test_unknown_action_is_a_400_with_an_error_summary(client, user):
    client.force_login(user)
    response = client.post(PAGE, {"action": "explode"})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


def test_form_is_csrf_protected(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(PAGE, {"action": "create"}).status_code == 403
    assert not Token.objects.filter(user=user).exists()
