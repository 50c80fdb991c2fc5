"""Shared fixtures: a seeded database, a private data folder for the search
index and uploads, and a real Chromium (Debian's package) with an axe check.

Tests run against the database DATABASE_URL names: SQLite by default, a real
PostgreSQL 15 server under `make test-postgres`.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps as django_apps

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def seed_registry():
    """Vocabularies and the three seed records, as `manage.py seed` loads them."""
    from registry.seeding.records import load_records
    from registry.seeding.vocabularies import load_vocabularies

    load_vocabularies(django_apps)
    load_records()


@pytest.fixture(scope="session", autouse=True)
def registry_data_dir(tmp_path_factory):
    """Keep the search index and uploaded files of a test run out of var/."""
    from django.conf import settings

    data_dir = tmp_path_factory.mktemp("registry-data")
    settings.REGISTRY_DATA_DIR = data_dir
    settings.MEDIA_ROOT = data_dir / "media"
    return data_dir


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, registry_data_dir):
    """The test database holds the vocabularies (data migration) and the seed records."""
    with django_db_blocker.unblock():
        seed_registry()


@pytest.fixture
def seeded_live_server(transactional_db, live_server):
    """A live server over a seeded database. Transactional tests flush the
    database after each test, so the seed is loaded again for each."""
    seed_registry()
    return live_server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


# Reports every Content Security Policy violation in any frame of the page to Python as it
# happens (securitypolicyviolation events), so a violation on a page the test has since left
# still counts.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__registryCspViolation(`${event.effectiveDirective} refused ${event.blockedURI || 'inline'}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber} (${(event.sample || '').slice(0, 60)})`);
});
"""


def watch_csp(context):
    """A list that fills with the CSP violations of every page in `context`, as the pages
    report them (so a context with JavaScript off reports none)."""
    violations = []

    def on_violation(text):
        violations.append(text)

    context.expose_function("__registryCspViolation", on_violation)
    context.add_init_script(_CSP_LISTENER)
    return violations


@pytest.fixture
def page(browser):
    """A fresh browser page. The test fails at teardown if any page it opened broke the
    Content Security Policy (registry/settings.py): nothing inline may run or style."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    violations = watch_csp(context)
    page = context.new_page()
    yield page
    context.close()
    assert not violations, "Content Security Policy violations:\n" + "\n".join(dict.fromkeys(violations))


def assert_accessible(page, name=None):
    """Run axe-core on the page; fail on any violation, of any impact (minor included).
    With a name, also save a full-page screenshot under test-artifacts/."""
    from axe_playwright_python.sync_playwright import Axe

    if name:
        (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    violations = results.response["violations"]  # of any impact, minor included
    assert not violations, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in violations
    )


@pytest.fixture
def axe():
    return assert_accessible


@pytest.fixture(autouse=True)
def _allow_async_unsafe_for_playwright():
    # Playwright's sync API runs an event loop in the test thread; Django's ORM
    # must still be usable from the test body alongside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    yield
