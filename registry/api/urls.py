"""Routes of the metadata API, /api/v1/. Unknown addresses under it answer JSON 404."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from registry.api import changes as change_views
from registry.api import compare_urls, views
from registry.api import dumps as dump_views
from registry.api import versions as version_views
from registry.api.exceptions import api_not_found

router = SimpleRouter()
router.register("evaluations", views.EvaluationViewSet, basename="evaluation")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("methods", views.DesignTypeViewSet, basename="designtype")
router.register("policy-areas", views.PolicyAreaViewSet, basename="policyarea")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("places", views.PlaceViewSet, basename="place")

urlpatterns = [
    # The index with the API's version and its latest change (registry/api/changes.py).
    path("", change_views.api_root, name="api-index"),
    path("changes/", change_views.ChangesView.as_view(), name="api-changes"),
    path("dump/", dump_views.DumpView.as_view(), name="api-dump"),
    path("dump/<str:dump_id>/<str:name>", dump_views.DumpFileView.as_view(), name="api-dump-file"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("search/", views.SearchView.as_view(), name="api-search"),
    # Spreadsheet-friendly aliases: the same lists as CSV.
    path("evaluations.csv", views.EvaluationViewSet.as_view({"get": "list"}), {"format": "csv"}, name="evaluation-csv"),
    path("findings.csv", views.FindingViewSet.as_view({"get": "list"}), {"format": "csv"}, name="finding-csv"),
    path("evaluations/<slug:slug>/versions/", version_views.VersionListView.as_view(), name="evaluation-versions"),
    path(
        "evaluations/<slug:slug>/versions/<int:number>/",
        version_views.VersionDetailView.as_view(),
        name="evaluation-version",
    ),
    *router.urls,
]
urlpatterns += compare_urls.urlpatterns
# Last: anything else under /api/v1/ is a JSON 404, never the site's HTML page.
urlpatterns += [re_path(r"^.*$", api_not_found, name="api-not-found")]
