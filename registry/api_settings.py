"""Django REST framework and drf-spectacular settings, imported by registry.settings.

Behaviour is chosen here rather than in views: who may write, how pages are
cut, which formats exist, how fast a client may ask, how errors look.
"""

import os

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # No browsable HTML renderer: an API route answers in data, errors included.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "registry.api.pagination.StablePageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "registry.api.throttling.AnonThrottle",
        "registry.api.throttling.UserThrottle",
    ],
    "EXCEPTION_HANDLER": "registry.api.exceptions.exception_handler",
    # Numbers as numbers: effect sizes, costs and p-values are JSON numbers.
    "COERCE_DECIMAL_TO_STRING": False,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "URL_FORMAT_OVERRIDE": "format",
}

# Requests per client; read at request time by registry.api.throttling, so a
# benchmark or test can raise them through the environment or settings.
REGISTRY_API_THROTTLE_RATES = {
    "anon": os.environ.get("REGISTRY_API_THROTTLE_ANON", "120/minute"),
    "user": os.environ.get("REGISTRY_API_THROTTLE_USER", "600/minute"),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Evaluation Registry API",
    "DESCRIPTION": (
        "Read the published records of the evaluation registry: evaluations with their methods, "
        "findings, dates and documents, the vocabularies they use, and full-text search; harvest "
        "them through published versions, a change feed (/changes/) and bulk dumps (/dump/). "
        "Anyone may read; signed-in users may create and update their own draft records and "
        "submit them for review (moderators publish), with a token (`Authorization: Token <key>`, "
        "created at /account/tokens/) or a session. Writes answer with quality warnings and "
        "likely duplicates. "
        "Formats: JSON (default), CSV and JSON-LD (schema.org), chosen by the Accept header "
        "or `?format=json|csv|jsonld`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI's deep links put a link inside each operation's button (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DocumentKindEnum": "registry.models.documents.DocumentKind",
        "LinkKindEnum": "registry.models.evaluations.LinkKind",
        "HitKindEnum": [("evaluation", "evaluation"), ("document", "document")],
    },
    "PREPROCESSING_HOOKS": ["registry.api.schema.drop_format_aliases"],
}
