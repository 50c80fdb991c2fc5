"""API routes for comparison and insights (joined into registry/api/urls.py)."""

urlpatterns = []
