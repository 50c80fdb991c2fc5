"""Page routes. Each area module owns its own urlpatterns; this list joins them
under the `registry` namespace."""

from django.urls import path

from registry.web import (
    accounts,
    api_tokens,
    browse,
    compare,
    compliance,
    documents,
    feeds,
    gap_map,
    home,
    imports,
    insights,
    pages,
    records,
    search,
    submit,
)

app_name = "registry"

urlpatterns = [
    path("", home.home, name="home"),
    path("evaluations/", browse.browse, name="browse"),
    path("documents/", documents.document_list, name="documents"),
    path("documents/<int:pk>/", documents.document, name="document"),
]
urlpatterns += (
    api_tokens.urlpatterns + pages.urlpatterns
    + search.urlpatterns + compare.urlpatterns + insights.urlpatterns + accounts.urlpatterns + submit.urlpatterns
)
urlpatterns += imports.urlpatterns
urlpatterns += feeds.urlpatterns + compliance.urlpatterns + gap_map.urlpatterns
# The record page's catch-all slug comes last, so /evaluations/new/ and friends match first.
urlpatterns += [path("evaluations/<slug:slug>/", records.evaluation, name="evaluation")]
