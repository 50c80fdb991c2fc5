"""API routes for comparison and insights (joined into registry/api/urls.py)."""

from django.urls import path

from registry.api.compare import CompareView, InsightsView

urlpatterns = [
    path("compare/", CompareView.as_view(), name="api-compare"),
    path("insights/", InsightsView.as_view(), name="api-insights"),
]
