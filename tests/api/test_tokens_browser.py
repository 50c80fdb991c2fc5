"""The API-token page in Chromium: create, use and revoke a token, with axe checks."""

import json
import urllib.request

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.api.conftest import make_user

pytestmark = [pytest.mark.django_db(transaction=True)]


def signed_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_user_creates_uses_and_revokes_a_token(seeded_live_server, page, axe):
    user = make_user("browser-writer")
    signed_in(page, seeded_live_server, user)
    page.goto(seeded_live_server.url + "/account/tokens/")
    assert page.get_by_role("heading", level=1).inner_text() == "API token"
    axe(page, "api-tokens-empty")

    page.get_by_role("button", name="Create token").click()
    key = page.locator("#api-token-key").inner_text().strip()
    assert len(key) == 40
    axe(page, "api-tokens-created")

    request = urllib.request.Request(
        seeded_live_server.url + "/api/v1/evaluations/",
        data=json.dumps({"title": "Made in the browser test"}).encode(),
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 201

    page.goto(seeded_live_server.url + "/account/tokens/")
    page.get_by_role("button", name="Revoke token").click()
    assert "Your API token has been revoked" in page.locator("main").inner_text()
    assert "You have no API token" in page.locator("main").inner_text()
    axe(page, "api-tokens-revoked")
