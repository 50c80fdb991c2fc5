"""The Content Security Policy header on every kind of HTML page, and the pages
themselves: every inline script or style they still hold is one the header lets
through by its nonce or its hash, and no element carries a style attribute or an
on...= handler. The browser tests (tests/conftest.py's `page`) fail on any
violation Chromium reports; these tests need no browser and cover the pages the
browser tests do not visit (error pages, the API docs, a signed-in page)."""

import base64
import hashlib
import math
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path

pytestmark = pytest.mark.django_db

COMPARED = "e=project-crewe&e=lincolnshire-partners-in-practice"
PAGES = {
    "home": ("/", 200),
    "browse": ("/evaluations/?method=rct", 200),
    "search": ("/search/?q=evaluation", 200),
    "record": ("/evaluations/project-crewe/", 200),
    "documents": ("/documents/", 200),
    "compare": (f"/compare/?{COMPARED}", 200),
    "insights": ("/insights/", 200),
    "about the API": ("/about-the-api/", 200),
    "API docs": ("/api/v1/docs/", 200),
    "sign-in": ("/sign-in/", 200),
    "not found": ("/no-such-page/", 404),
}


def _boom(request):
    raise RuntimeError("a bug, to see the 500 page")


def _forbidden(request):
    raise PermissionDenied


# The site's routes plus two that fail, for the 403 and 500 pages (test_error_pages...).
urlpatterns = [path("boom/", _boom), path("forbidden/", _forbidden), path("", include("registry.urls"))]


def directives(response):
    """The header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    policy = {}
    for part in header.split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


class InlineParts(HTMLParser):
    """Inline scripts and styles with their nonces, and attributes a strict policy refuses."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.inline = []  # (tag, nonce, text) of what would run or style
        self.data_blocks = []  # <script type="application/ld+json">: data, never run
        self.refused = []  # style="" and on...= attributes
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.refused += [f"<{tag} {name}>" for name in attrs if name == "style" or name.startswith("on")]
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._open = ["data", None, ""]
        elif tag in {"script", "style"} and "src" not in attrs:
            self._open = [tag, attrs.get("nonce"), ""]

    def handle_data(self, data):
        if self._open:
            self._open[2] += data

    def handle_endtag(self, tag):
        if self._open and self._open[0] == "data" and tag == "script":
            self.data_blocks.append(self._open[2])
            self._open = None
        elif self._open and tag == self._open[0]:
            self.inline.append(tuple(self._open))
            self._open = None


def assert_strict(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    for name, sources in policy.items():
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, name
        assert not {"*", "http:", "https:", "'unsafe-hashes'"} & set(sources), name
    for name in ("script-src", "style-src"):
        assert [s for s in policy[name] if not s.startswith(("'nonce-", "'sha256-"))] == ["'self'"], name

    page = InlineParts()
    page.feed(response.content.decode())
    assert page.refused == []
    for tag, nonce, text in page.inline:
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        allowed = policy[f"{tag}-src"]
        assert f"'nonce-{nonce}'" in allowed or f"'sha256-{digest}'" in allowed, (tag, text[:80])
    return policy, page


@pytest.mark.parametrize("name", PAGES)
def test_every_kind_of_page_sends_the_strict_policy_and_holds_nothing_it_refuses(client, name):
    url, status = PAGES[name]
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert_strict(response)


def test_the_js_enabled_switch_runs_by_its_hash_and_the_json_ld_is_a_data_block(client):
    policy, page = assert_strict(client.get("/evaluations/project-crewe/"))
    switch = [text for tag, nonce, text in page.inline if tag == "script" and "js-enabled" in text]
    assert len(switch) == 1
    digest = base64.b64encode(hashlib.sha256(switch[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy["script-src"]
    # The record's JSON-LD is the page's only other inline script, and a browser never runs it.
    assert [text for tag, nonce, text in page.inline if tag == "script"] == switch
    assert len(page.data_blocks) == 1 and '"@context": "https://schema.org"' in page.data_blocks[0]


def test_each_response_has_its_own_nonce(client):
    first = directives(client.get("/api/v1/docs/"))["script-src"]
    second = directives(client.get("/api/v1/docs/"))["script-src"]
    assert [s for s in first if s.startswith("'nonce-")] != [s for s in second if s.startswith("'nonce-")]


def test_signed_in_pages(client, django_user_model):
    user = django_user_model.objects.create_user("csp-contributor", password="a-long-password-1")
    client.force_login(user)
    for url in ["/your-evaluations/", "/account/tokens/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)
        assert "Sign out" in response.content.decode()  # the header's sign-out button, styled by class


@override_settings(ROOT_URLCONF=__name__)
def test_error_pages_bad_request_forbidden_and_server_error():
    bad_host = Client().get("/", HTTP_HOST="not-an-allowed-host.example")
    assert bad_host.status_code == 400
    assert_strict(bad_host)
    forbidden = Client().get("/forbidden/")
    assert forbidden.status_code == 403
    assert_strict(forbidden)
    server_error = Client(raise_request_exception=False).get("/boom/")
    assert server_error.status_code == 500
    assert_strict(server_error)


def test_a_form_posted_without_its_csrf_token_is_refused_on_a_page_within_the_policy():
    response = Client(enforce_csrf_checks=True).post("/sign-in/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert_strict(response)


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_and_runs_a_request_under_the_policy(seeded_live_server, page):
    """In Chromium: the API docs list the operations and "Try it out" fetches an answer; the
    `page` fixture fails the test on any violation of the policy."""
    page.goto(seeded_live_server.url + "/api/v1/docs/")
    operation = page.locator(".opblock", has=page.locator(".opblock-summary-path", has_text="/api/v1/departments/"))
    operation.first.wait_for(timeout=20_000)
    assert page.locator(".opblock").count() > 20
    operation.first.locator(".opblock-summary").click()
    operation.first.get_by_role("button", name="Try it out").click()
    operation.first.get_by_role("button", name="Execute").click()
    status = operation.first.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for(timeout=20_000)
    assert status.inner_text().strip() == "200"
    assert '"count": ' in operation.first.locator(".live-responses-table").inner_text()  # the list, as JSON


@pytest.mark.django_db(transaction=True)
def test_charts_keep_their_size_limits_without_style_attributes(seeded_live_server, page):
    """The charts' max- and min-width, once style="" attributes, now come from registry.css
    by each chart's data-size: up to its drawn width, and scrolling in its box below 70%."""
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(seeded_live_server.url + "/insights/")
    charts = page.locator("svg.registry-chart").all()
    assert charts
    for chart in charts:
        size = int(chart.get_attribute("data-size"))
        css = chart.evaluate(
            "c => [getComputedStyle(c).maxWidth, getComputedStyle(c).minWidth, c.getBoundingClientRect().width]"
        )
        assert css[:2] == [f"{size}px", f"{math.ceil(size * 0.7)}px"]
        assert css[2] >= math.ceil(size * 0.7)  # wider than the phone: it scrolls in its box
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
