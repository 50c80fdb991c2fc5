"""The service's own pages and what every page carries: the phase banner, the
footer's links, the home page's search box and the page about the API."""

import pytest

pytestmark = pytest.mark.django_db

SERVICE_PAGES = {
    "/accessibility/": "Accessibility statement for the Evaluation Registry",
    "/cookies/": "Cookies",
    "/privacy/": "Privacy notice",
    "/about-the-api/": "The Evaluation Registry API",
}


@pytest.mark.parametrize("url, heading", SERVICE_PAGES.items())
def test_service_pages_are_in_the_govuk_layout(client, url, heading):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 class="govuk-heading-xl">{heading}</h1>' in html
    assert "govuk-service-navigation" in html and "govuk-footer" in html


@pytest.mark.parametrize("url", ["/", "/evaluations/", "/search/", "/insights/", "/about-the-api/", "/no-such-page/"])
def test_every_page_has_the_phase_banner_and_footer_links(client, url):
    html = client.get(url).content.decode()
    assert "govuk-phase-banner" in html and ">Beta<" in html
    for href in ['href="/accessibility/"', 'href="/cookies/"', 'href="/privacy/"', 'href="mailto:']:
        assert href in html, href
    assert ">Feedback</a>" in html


def test_the_api_navigation_item_opens_the_api_page_which_links_to_the_docs(client):
    home = client.get("/").content.decode()
    assert 'class="govuk-service-navigation__link" href="/about-the-api/"' in home
    response = client.get("/about-the-api/")
    html = response.content.decode()
    assert 'href="/api/v1/docs/"' in html and 'href="/api/v1/"' in html and 'href="/api/v1/schema/"' in html
    assert 'govuk-service-navigation__item--active' in html  # the API item is the current section
    assert client.get("/api/v1/").status_code == 200


def test_the_home_page_has_a_search_box(client):
    html = client.get("/").content.decode()
    assert 'action="/search/"' in html and 'name="q"' in html and 'role="search"' in html


def test_the_cookies_page_names_the_cookies_the_service_sets(client, settings):
    html = client.get("/cookies/").content.decode()
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"):
        assert f">{name}</th>" in html
    assert "does not use analytics" in html


def test_the_accessibility_statement_says_what_was_tested_known_issues_and_how_to_report(client):
    html = client.get("/accessibility/").content.decode()
    for part in ("How we tested this service", "How accessible this service is", "Feedback and contact information",
                 "Compliance status", "Enforcement procedure", "axe-core", "320 pixels"):
        assert part in html, part


def test_service_pages_run_no_queries(client, django_assert_num_queries):
    for url in SERVICE_PAGES:
        with django_assert_num_queries(0):
            client.get(url)
