"""The service's own information pages: the accessibility statement, cookies,
privacy and the page about the API. Plain templates; nothing is queried."""

from django.conf import settings
from django.shortcuts import render
from django.urls import path

PAGES = {
    "accessibility": "registry/pages/accessibility.html",
    "cookies": "registry/pages/cookies.html",
    "privacy": "registry/pages/privacy.html",
    "about-the-api": "registry/pages/api.html",
}


def page(name):
    template = PAGES[name]

    def view(request):
        return render(request, template, {
            "session_days": settings.SESSION_COOKIE_AGE // 86400,
            "csrf_days": (settings.CSRF_COOKIE_AGE or 0) // 86400,
            "max_upload_mb": settings.REGISTRY_MAX_UPLOAD_BYTES // (1024 * 1024),
        })

    view.__name__ = view.__qualname__ = name.replace("-", "_")
    return view


urlpatterns = [path(f"{name}/", page(name), name=name) for name in PAGES]
