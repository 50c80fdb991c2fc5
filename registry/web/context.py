"""Template context shared by every page."""

from registry.comparison import MAX_COMPARED
from registry.web.compare import NOTICE_KEY, get_basket

# Which navigation item a page belongs to, by the name of its route.
NAV_SECTIONS = {
    "browse": "browse", "evaluation": "browse", "search": "search", "documents": "documents",
    "document": "documents", "compare": "compare", "insights": "insights", "about-the-api": "api",
}


def nav_section(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.url_name in NAV_SECTIONS:
        return NAV_SECTIONS[match.url_name]
    return "api" if request.path.startswith("/api/") else ""


def registry_context(request):
    """The comparison basket for the banner and the add/remove buttons.

    Slugs and a count straight from the session: no database query beyond
    loading the session, which the page does anyway. A one-off notice left by
    an add or remove is shown once, then dropped.
    """
    session = getattr(request, "session", None)
    if session is None:
        return {"nav_section": nav_section(request)}
    slugs = get_basket(request)
    notice = session.pop(NOTICE_KEY, "") if NOTICE_KEY in session else ""
    return {
        "compare_slugs": slugs,
        "compare_count": len(slugs),
        "compare_max": MAX_COMPARED,
        "compare_full": len(slugs) >= MAX_COMPARED,
        "compare_notice": notice,
        "nav_section": nav_section(request),
    }
