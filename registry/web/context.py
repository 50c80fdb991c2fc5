"""Template context shared by every page."""

from registry.comparison import MAX_COMPARED
from registry.web.compare import NOTICE_KEY, get_basket


def registry_context(request):
    """The comparison basket for the banner and the add/remove buttons.

    Slugs and a count straight from the session: no database query beyond
    loading the session, which the page does anyway. A one-off notice left by
    an add or remove is shown once, then dropped.
    """
    session = getattr(request, "session", None)
    if session is None:
        return {}
    slugs = get_basket(request)
    notice = session.pop(NOTICE_KEY, "") if NOTICE_KEY in session else ""
    return {
        "compare_slugs": slugs,
        "compare_count": len(slugs),
        "compare_max": MAX_COMPARED,
        "compare_full": len(slugs) >= MAX_COMPARED,
        "compare_notice": notice,
    }
