"""Fixtures for the API tests: a client, users with tokens, generous throttle
rates (one test lowers them on purpose) and a fresh throttle history."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def api_settings(settings):
    settings.REGISTRY_API_THROTTLE_RATES = {"anon": "100000/minute", "user": "100000/minute"}
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def client_api():
    return APIClient()


def make_user(username, *, staff=False):
    """A contributor (or, with staff, a moderator), as create_user makes them."""
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username=username, password="a-long-test-password-1", is_staff=staff)
    user.groups.add(Group.objects.get_or_create(name="Moderators" if staff else "Contributors")[0])
    return user


@pytest.fixture
def user(db):
    return make_user("writer")


@pytest.fixture
def other_user(db):
    return make_user("someone-else")


@pytest.fixture
def staff_user(db):
    return make_user("moderator", staff=True)


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client
