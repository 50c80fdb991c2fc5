"""/healthz, for a load balancer: can this app server reach its database and its search?

Cheap on purpose, since it is asked every few seconds: one `SELECT 1`, and one search with
no words (the newest evaluation: no ranking, no spelling suggestions, no facets). No
session is read or written (no cookie is set) and no CSRF token is needed. 200 when both
answer, 503 otherwise; the body names what failed. The error's class and first line are
shown (not a traceback); the full error goes to the log.
"""
import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from registry.search import SearchQuery, get_backend

logger = logging.getLogger(__name__)
PROBE = SearchQuery(text="", kinds=("evaluation",), sort="newest", page_size=1, facets=False, correct=False)


def _describe(error):
    first_line = (str(error).strip().splitlines() or [""])[0][:200]
    return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__


def database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure is the answer, not a 500
        logger.exception("healthz: database check failed")
        return _describe(error)
    return "ok"


def search_status():
    try:
        get_backend().run_search(PROBE)
    except Exception as error:
        logger.exception("healthz: search check failed")
        return _describe(error)
    return "ok"


@csrf_exempt
@require_safe
@never_cache
def healthz(request):
    checks = {"database": database_status(), "search": search_status()}
    healthy = all(status == "ok" for status in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
