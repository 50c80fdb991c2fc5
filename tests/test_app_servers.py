"""Several app servers on one PostgreSQL database, as production runs them.

Two gunicorn processes serve `registry.wsgi` on their own loopback ports, over the
test database and with their own REGISTRY_DATA_DIR, so the database is all they
share. A record goes from draft to published through server A's real forms (a
contributor submits it, a moderator publishes it, each signed in with a password
and CSRF tokens), and server B's search page finds it in the very next request:
what one server publishes, every server can find, with no shared files and no wait.

Runs only when the suite's database is PostgreSQL (`make test` runs it under
`.ci/with-postgres`); on SQLite it is skipped, since an SQLite file cannot be
shared between machines.
"""
import os
import re
import secrets
import signal
import string
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from registry.models import Department, DesignType, EvaluationDesign
from registry.services import drafts
from tests.conftest import seed_registry

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORD = "a-long-passphrase-for-two-servers"
STARTUP_SECONDS = 60
# Variables of this process the children must not inherit: they get their own.
INHERITED_NOT = {
    "DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "REGISTRY_DATA_DIR", "REGISTRY_SEARCH_BACKEND",
    "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "REGISTRY_ENV", "REGISTRY_CACHE",
    "REGISTRY_TRUSTED_PROXIES", "SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
}


def database_url():
    """The test database (pytest-django's test_<name>) as a URL the children can use."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "", safe="")
    password = ":" + urllib.parse.quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class AppServer:
    """A gunicorn process serving the registry; it binds a port the kernel picks
    (no race for a "free" port) and says which in its log."""

    def __init__(self, name, data_dir, env, log_dir, workers=2):
        self.name = name
        self.data_dir = data_dir
        self.log = log_dir / f"gunicorn-{name}.log"
        child_env = {k: v for k, v in os.environ.items() if k not in INHERITED_NOT}
        child_env.update(env, REGISTRY_DATA_DIR=str(data_dir))
        self.process = subprocess.Popen(
            [str(GUNICORN), "registry.wsgi", "--bind", "127.0.0.1:0", "--workers", str(workers), "--timeout", "60",
             "--chdir", str(ROOT), "--log-level", "info", "--error-logfile", "-"],
            cwd=ROOT, env=child_env, stdout=subprocess.DEVNULL, stderr=self.log.open("w"),
            start_new_session=True,
        )
        self.url = self._wait_for_address()

    def _wait_for_address(self):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.log.read_text())
            if found:
                return found.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"gunicorn {self.name} did not start:\n{self.log.read_text()}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # gunicorn and its workers: its own session
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Browser:
    """A visitor with a cookie jar: forms are fetched for their CSRF token and posted back."""

    def __init__(self, server):
        self.server = server
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path, params=None):
        url = self.server.url + path + ("?" + urllib.parse.urlencode(params) if params else "")
        return self._open(urllib.request.Request(url))

    def submit(self, path, fields):
        """GET the page, then POST its form with the page's CSRF token; (status, final url, html)."""
        _, _, html = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, f"no CSRF token on {path}"
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        return self._open(urllib.request.Request(self.server.url + path, data=data))

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def sign_in(self, email):
        status, url, html = self.submit("/sign-in/", {"username": email, "password": PASSWORD})
        assert status == 200 and "/sign-in/" not in url, f"{email} could not sign in on {self.server.name}: {html}"


def make_user(email, role, department=None):
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if department:
        from registry.models import Membership

        Membership.objects.create(user=user, department=department)
    return user


def complete_draft(owner, word):
    """A draft with every answer submission needs, carrying a word nothing else holds."""
    draft = drafts.create_draft(by=owner, title=f"Two servers evaluation {word}")
    draft.lead_department = Department.objects.get(code="department-for-education")
    draft.stage = "ongoing"
    draft.summary = f"A record published on one app server and found on another: {word}."
    draft.permission_to_share = True
    draft.save()
    EvaluationDesign.objects.create(evaluation=draft, design_type=DesignType.objects.get(code="process"))
    return draft


@pytest.fixture
def app_servers(transactional_db, tmp_path):
    """Servers A and B over the test database with the PostgreSQL search backend,
    each with its own data folder: the database is the only thing they share."""
    if connection.vendor != "postgresql":
        pytest.skip("several app servers need a PostgreSQL database (make test runs this under .ci/with-postgres)")
    seed_registry()  # transactional tests start from a flushed database
    env = {
        "DATABASE_URL": database_url(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "REGISTRY_SEARCH_BACKEND": "postgres",
        "REGISTRY_CACHE": "database",  # as production: throttle counts shared through the database
    }
    servers = []
    try:
        for name in ("a", "b"):
            data_dir = tmp_path / f"data-{name}"
            data_dir.mkdir()
            servers.append(AppServer(name, data_dir, env, tmp_path))
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_a_record_published_on_one_server_is_found_on_the_other_at_once(app_servers):
    server_a, server_b = app_servers
    assert server_a.url != server_b.url
    word = "".join(secrets.choice(string.ascii_lowercase) for _ in range(14))
    department = Department.objects.get(code="department-for-education")
    contributor = make_user("alex@education.gov.uk", "Contributors", department)
    make_user("mo@cabinetoffice.gov.uk", "Moderators")
    draft = complete_draft(contributor, word)
    visitor_b = Browser(server_b)

    status, _, html = visitor_b.get("/search/", {"q": word})
    assert status == 200 and draft.slug not in html, "a draft must never be found"

    author = Browser(server_a)
    author.sign_in("alex@education.gov.uk")
    status, url, html = author.submit(f"/evaluations/draft/{draft.pk}/check/", {})
    assert status == 200 and "/sign-in/" not in url, html
    assert "Evaluation submitted for review" in html  # the confirmation page (panel with reference)

    moderator = Browser(server_a)
    moderator.sign_in("mo@cabinetoffice.gov.uk")
    status, url, html = moderator.submit(f"/review/{draft.pk}/", {"action": "publish"})
    assert status == 200 and url.endswith("/review/"), html
    assert "is published" in html

    status, _, html = visitor_b.get("/search/", {"q": word})
    assert status == 200
    assert f'href="/evaluations/{draft.slug}/"' in html, f"server B did not find {word}"
    assert visitor_b.get(f"/evaluations/{draft.slug}/")[0] == 200
    for server in app_servers:  # the index is in the database, not in either server's files
        assert not (server.data_dir / "search").exists(), server.name


def test_each_server_serves_the_static_files_itself(app_servers):
    """DEBUG is off, as in production: WhiteNoise serves GOV.UK Frontend and the
    registry's own CSS, with no web server or collectstatic step in front."""
    for server in app_servers:
        for path in ("/static/govuk/govuk-frontend.min.css", "/static/registry/registry.css"):
            status, _, body = Browser(server).get(path)
            assert status == 200 and body, f"{path} on server {server.name}"
