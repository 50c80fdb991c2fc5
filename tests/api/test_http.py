"""HTTP behaviour: conditional requests, throttling, JSON errors, docs."""

import pytest

from registry.models import Evaluation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/evaluations/", "/api/v1/evaluations/project-crewe/"])
def test_etag_and_last_modified_give_304(client_api, url):
    first = client_api.get(url)
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    again = client_api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    Evaluation.objects.get(slug="project-crewe").save()  # a change gives a new representation
    changed = client_api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_etag_differs_by_format(client_api):
    json_etag = client_api.get("/api/v1/evaluations/")["ETag"]
    assert client_api.get("/api/v1/evaluations/", {"format": "csv"}, HTTP_IF_NONE_MATCH=json_etag).status_code == 200


def test_throttle_answers_429_with_retry_after(client_api, settings):
    settings.REGISTRY_API_THROTTLE_RATES = {"anon": "3/minute", "user": "3/minute"}
    statuses = [client_api.get("/api/v1/departments/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client_api.get("/api/v1/departments/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"].lower()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nothing-here/",
        "/api/v1/evaluations/x/y/z/",
        "/api/v1/documents/999999/",
        "/api/v1/evaluations/?format=xml",
        "/api/v1/evaluations/?page=0",
    ],
)
def test_unknown_api_addresses_answer_json_404(client_api, url):
    response = client_api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == 404


def test_not_acceptable_is_json(client_api):
    response = client_api.get("/api/v1/evaluations/", HTTP_ACCEPT="image/png")
    assert response.status_code == 406
    assert response.json()["status"] == 406


def test_schema_and_docs_are_served_without_a_cdn(client_api):
    schema = client_api.get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/evaluations/", "/api/v1/search/", "/api/v1/findings/", "/api/v1/methods/"} <= set(paths)
    docs = client_api.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar" in html or "/static/" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_api_docs_url_name_resolves():
    from django.urls import reverse

    assert reverse("api-docs") == "/api/v1/docs/"
