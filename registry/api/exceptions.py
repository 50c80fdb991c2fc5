"""Errors as JSON, always: one shape for every status, a message per field for 400s.

{"status": 400, "detail": "Check the fields listed.", "errors": {"title": ["This field is required."]}}
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("registry.api")


def _flatten(detail):
    """DRF error details (nested lists/dicts of ErrorDetail) as plain strings."""
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def error_body(status_code, detail, errors=None):
    body = {"status": status_code, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def exception_handler(exc, context):
    request = context.get("request")
    if request is not None:
        # Errors are JSON whatever format was asked for (a CSV of an error helps nobody).
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    response = drf_exception_handler(exc, context)
    if response is None:
        # An unexpected error: still JSON on an API route, and logged as the bug it is.
        logger.exception("Unhandled error in API view", exc_info=exc)
        return JsonResponse(error_body(500, "Something went wrong on our side. The error has been logged."), status=500)
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        if isinstance(errors, list):
            errors = {"non_field_errors": errors}
        response.data = error_body(400, "Check the fields listed in errors.", errors)
    else:
        if isinstance(exc, Http404):
            detail = str(exc) or "Not found."
        elif isinstance(exc, PermissionDenied):
            detail = str(exc) or "You do not have permission to do this."
        else:
            detail = _flatten(getattr(exc, "detail", str(exc)))
        if not isinstance(detail, str):
            detail = "; ".join(detail) if isinstance(detail, list) else str(detail)
        response.data = error_body(response.status_code, detail)
    return response


def api_not_found(request, *args, **kwargs):
    """The last route under /api/: an unknown address answers JSON, not the site's HTML 404 page."""
    return JsonResponse(
        error_body(404, f"No API endpoint at {request.path}. See /api/v1/docs/."), status=status.HTTP_404_NOT_FOUND
    )
