"""Throttles that hold: across app-server processes, and whatever X-Forwarded-For says.

The cross-process tests start real gunicorn processes over one SQLite file, migrated by
`manage.py migrate` as a deployment is (migration 0007 makes the cache table), with
REGISTRY_ENV=production (the database cache) minus HTTPS, since the tests speak plain HTTP
on loopback. They count the wrong passwords before the sign-in lock appears, with one
server and then with two taking turns, and the API answers before the first 429.

The header tests run in this process: the address rule is the same in every process.
"""
import os
import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.test_app_servers import INHERITED_NOT, AppServer

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-passphrase-for-throttles"
LOCKED = "Too many attempts to sign in"
MAX_TRIES = 9


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A migrated SQLite registry with one account, and the environment servers need."""
    folder = tmp_path_factory.mktemp("throttle-deployment")
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'registry.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "REGISTRY_ENV": "production",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "REGISTRY_API_THROTTLE_ANON": "10/minute",
    }
    child_env = {k: v for k, v in os.environ.items() if k not in INHERITED_NOT}
    child_env.update(env, REGISTRY_DATA_DIR=str(folder / "data"), REGISTRY_USER_PASSWORD=PASSWORD)
    for command in (["migrate", "--no-input", "-v0"], ["create_user", "alex@education.gov.uk", "--role", "moderator"]):
        done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=child_env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    return folder, env


@pytest.fixture
def start_servers(deployment):
    folder, env = deployment
    started = []

    def start(count, workers=2):
        for _ in range(count):
            name = f"s{len(started)}"
            started.append(AppServer(name, folder / f"data-{name}", env, folder, workers=workers))
        return started[-count:]

    yield start
    for server in started:
        server.stop()


class Visitor:
    """One client (one cookie jar) that may speak to several servers in turn."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def open(self, url, data=None, headers=None):
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def wrong_password(self, server, email):
        _, html = self.open(server.url + "/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email, "password": "wrong"})
        status, html = self.open(server.url + "/sign-in/", data=data.encode())
        assert status == 200, html
        return LOCKED in html


def first_locked_try(servers, email):
    """The number of the first wrong password answered with the lock, the servers taking turns."""
    visitor = Visitor()
    for attempt in range(1, MAX_TRIES + 1):
        if visitor.wrong_password(servers[attempt % len(servers)], email):
            return attempt
    return None


def test_sign_in_lock_appears_at_the_same_count_on_one_server_and_on_two(start_servers):
    # the count is per account and address, so each run uses its own account name
    one = first_locked_try(start_servers(1), "alex@education.gov.uk")
    two = first_locked_try(start_servers(2), "mo@education.gov.uk")  # counted whether or not it exists
    assert one == 6, "five wrong passwords, then the lock"
    assert two == one, f"with two servers the lock came at try {two}, with one at {one}"


def test_api_throttle_counts_across_two_servers(start_servers):
    servers = start_servers(2, workers=1)
    visitor = Visitor()
    statuses = [visitor.open(servers[i % 2].url + "/api/v1/departments/?page_size=1")[0] for i in range(24)]
    assert statuses.count(200) == 10, statuses  # 10/minute, however many processes answer
    assert set(statuses[10:]) == {429}, statuses


# ---- X-Forwarded-For: made-up headers earn nothing ---------------------------------------

def rotating_forwarded_for(i):
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{i % 250}"}


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("trusted_proxies", [0, 1])
def test_api_throttle_ignores_made_up_forwarded_for(settings, fresh_cache, trusted_proxies):
    settings.REGISTRY_API_THROTTLE_RATES = {"anon": "5/minute", "user": "5/minute"}
    settings.REGISTRY_TRUSTED_PROXIES = trusted_proxies
    client = APIClient()
    # behind one proxy the proxy appends the address it saw: the client's own part is ignored
    real = {"REMOTE_ADDR": "10.0.0.2"}
    statuses = []
    for i in range(12):
        header = f"198.51.100.{i}" + (", 203.0.113.7" if trusted_proxies else "")
        statuses.append(client.get("/api/v1/departments/", HTTP_X_FORWARDED_FOR=header, **real).status_code)
    assert statuses == [200] * 5 + [429] * 7


@pytest.mark.django_db
def test_behind_a_trusted_proxy_clients_are_told_apart(settings, fresh_cache):
    """The other side of the rule: with REGISTRY_TRUSTED_PROXIES=1 two real clients behind
    the same proxy are counted apart (the proxy's own address is shared)."""
    settings.REGISTRY_API_THROTTLE_RATES = {"anon": "3/minute", "user": "3/minute"}
    settings.REGISTRY_TRUSTED_PROXIES = 1
    client = APIClient()
    for address in ("203.0.113.7", "203.0.113.8"):
        statuses = [client.get("/api/v1/departments/", REMOTE_ADDR="10.0.0.2",
                               HTTP_X_FORWARDED_FOR=address).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429], address


@pytest.mark.django_db
@pytest.mark.parametrize("trusted_proxies", [0, 1])
def test_sign_in_lock_ignores_made_up_forwarded_for(client, settings, fresh_cache, trusted_proxies):
    settings.REGISTRY_TRUSTED_PROXIES = trusted_proxies
    get_user_model().objects.create_user(username="alex@education.gov.uk", password=PASSWORD)
    locked_at = None
    for attempt in range(1, MAX_TRIES + 1):
        header = f"198.51.100.{attempt}" + (", 203.0.113.7" if trusted_proxies else "")
        response = client.post("/sign-in/", {"username": "alex@education.gov.uk", "password": "wrong"},
                               HTTP_X_FORWARDED_FOR=header)
        if LOCKED in response.content.decode():
            locked_at = attempt
            break
    assert locked_at == 6


@pytest.mark.django_db
def test_database_cache_incr_keeps_the_lock_window():
    """Django's DatabaseCache.incr would reset the expiry to the default 5 minutes on every
    wrong password; registry.cache's keeps the 15 minutes the first failure opened."""
    from datetime import UTC, timedelta

    from django.db import connection
    from django.utils import timezone

    from registry.cache import DatabaseCache

    shared = DatabaseCache("registry_cache", {})
    shared.set("sign-in-count", 1, 15 * 60)
    assert shared.incr("sign-in-count") == 2 and shared.incr("sign-in-count") == 3
    assert shared.get("sign-in-count") == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM registry_cache")
        (expires,) = cursor.fetchone()
    if isinstance(expires, str):
        from django.utils.dateparse import parse_datetime

        expires = parse_datetime(expires)
    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, UTC)
    assert timedelta(minutes=14) < expires - timezone.now() <= timedelta(minutes=15)
    with pytest.raises(ValueError):
        shared.incr("never-set")
