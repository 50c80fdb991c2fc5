from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from registry.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),  # for load balancers: registry/web/health.py
    path("admin/", admin.site.urls),
    path("api/v1/", include("registry.api.urls")),
    # GOV.UK Frontend's compiled CSS asks for fonts and images under /assets/.
    re_path(r"^assets/(?P<path>.+)$", RedirectView.as_view(url=static("govuk/assets/") + "%(path)s", permanent=True)),
    path("", include("registry.web.urls")),
]
