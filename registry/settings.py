"""Settings for the evaluation registry.

Everything that differs between a laptop and production comes from the
environment: DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS, REGISTRY_DATA_DIR.
With none of them set, the registry runs on an SQLite file under var/.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# The embedded default (no DATABASE_URL) is a laptop: a fixed key is fine there.
# Anywhere with a real database the key must come from the environment.
SECRET_KEY = env("SECRET_KEY") or (None if env("DATABASE_URL") else "insecure-embedded-default-key")
if not SECRET_KEY:
    raise RuntimeError("Set SECRET_KEY in the environment when DATABASE_URL is set.")
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]

REGISTRY_DATA_DIR = Path(env("REGISTRY_DATA_DIR", str(BASE_DIR / "var" / "data")))
# "whoosh" (the embedded default: files under REGISTRY_DATA_DIR) or "postgres" (rows in the
# PostgreSQL database, shared by every app server); a dotted class path also works.
SEARCH_BACKENDS = {
    "whoosh": "registry.search.whoosh_backend.WhooshBackend",
    "postgres": "registry.search.postgres_backend.PostgresBackend",
}
REGISTRY_SEARCH_BACKEND = SEARCH_BACKENDS.get(env("REGISTRY_SEARCH_BACKEND", "whoosh"),
                                              env("REGISTRY_SEARCH_BACKEND", "whoosh"))
# Meaning-based retrieval (registry/search/meaning.py): on when the wordllama package is installed; "0" turns it off.
REGISTRY_MEANING_SEARCH = env("REGISTRY_MEANING_SEARCH", "1").strip() != "0"
REGISTRY_MAX_UPLOAD_BYTES = int(env("REGISTRY_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
REGISTRY_PAGE_SIZE = 20

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "registry.apps.RegistryConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the others, so responses they make themselves (400 for a bad Host, 403 for a
    # missing CSRF token) carry the Content Security Policy too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "registry.urls"
WSGI_APPLICATION = "registry.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "registry.web.context.registry_context",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'registry.sqlite3'}"),
        conn_max_age=60,
    )
}
if not env("DATABASE_URL"):
    # The embedded default makes its own folders, so `manage.py migrate` works in a fresh
    # checkout (SQLite creates the file but not its folder: "unable to open database file").
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    REGISTRY_DATA_DIR.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's engine plus a before-commit hook (see registry/db/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "registry.db.postgresql"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
# Served straight from the finders, so `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = REGISTRY_DATA_DIR / "media"
MEDIA_URL = "/media/"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS, for production (README "Deploying"). REGISTRY_ENV=production is the one switch: it
# turns on every setting below (and the ones `check --deploy` asks for), each of which can
# still be set on its own. Off by default because a laptop serves plain http://127.0.0.1,
# where secure-only cookies would never be sent back.
REGISTRY_ENV = env("REGISTRY_ENV", "development").strip().lower()
PRODUCTION = REGISTRY_ENV == "production"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600) if PRODUCTION else "0"))
# A service on a subdomain of service.gov.uk sends includeSubDomains and preload with HSTS,
# as GOV.UK's service manual asks; either can be turned off with its variable set to 0.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Behind a proxy that ends TLS, Django sees plain HTTP: the header the proxy sets (and strips
# from clients), e.g. SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto, says the visitor used HTTPS.
# Without it SECURE_SSL_REDIRECT would redirect every request forever. Set it only when the
# proxy overwrites the header, or a client could claim HTTPS for itself. Production assumes
# X-Forwarded-Proto; SECURE_PROXY_SSL_HEADER= (empty) turns it off.
_proxy_ssl_header = env("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto" if PRODUCTION else "").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# A load balancer probes /healthz over plain HTTP inside the network: answer it, don't redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# How many proxies in front of the app servers append to X-Forwarded-For (0: none, the
# client's address is REMOTE_ADDR). The API throttle (DRF's NUM_PROXIES) and the sign-in
# throttle both read it (registry/throttles.py), so a made-up header earns nothing.
REGISTRY_TRUSTED_PROXIES = int(env("REGISTRY_TRUSTED_PROXIES", "0"))
# Origins allowed to post forms when the proxy's address differs from the Host it passes on,
# e.g. https://evaluation-registry.service.gov.uk (comma-separated).
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# Content Security Policy (django-csp) on every response: scripts, styles, images and fonts
# come from this site only, and no inline script, style attribute or event handler runs.
# Inline elements are let through one by one, never by 'unsafe-inline':
# - base.html's one-line js-enabled class switch, by its hash (the one GOV.UK Frontend
#   publishes for its template). A hash, not the nonce, because the page must work where no
#   request is at hand to carry a nonce (Django renders 400.html without one), and as a file
#   it would be one more blocking request before every page paints.
# - Swagger UI's set-up script and style (templates/drf_spectacular/swagger_ui.html), by the
#   request's nonce ({{ CSP_NONCE }}).
# The record page's JSON-LD (<script type="application/ld+json">) needs neither: a data block is
# never run, so the policy does not apply to it.
# img-src allows data: because Swagger UI's stylesheet draws its icons as data: SVGs.
# require-trusted-types-for 'script' is left out: GOV.UK Frontend keeps working under it, but
# Swagger UI and accessible-autocomplete (the journey's pickers) write strings to innerHTML
# with no Trusted Types policy; tried in Chromium, the pickers stopped working.
CSP_JS_ENABLED_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, CSP_JS_ENABLED_HASH, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"registry": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")}},
}

LOGIN_URL = "registry:sign-in"
LOGIN_REDIRECT_URL = "registry:your-evaluations"
LOGOUT_REDIRECT_URL = "registry:home"

# The API's settings (REST_FRAMEWORK, SPECTACULAR_SETTINGS) live beside the API.
from registry.api_settings import *  # noqa: E402,F401,F403

# DRF's own reading of X-Forwarded-For follows the same count as the sign-in throttle.
REST_FRAMEWORK["NUM_PROXIES"] = REGISTRY_TRUSTED_PROXIES  # noqa: F405

REGISTRY_CONTACT_EMAIL = env("REGISTRY_CONTACT_EMAIL", "evaluation.registry@cabinetoffice.gov.uk")

# Counts that must hold across gunicorn workers and app servers (the sign-in lock, the API
# throttles) live in the database every server already shares: no Redis to run. The table
# is made by migration 0007 (createcachetable), so `migrate` is the only set-up step.
# A single process (runserver, the in-process tests) keeps them in memory instead: there is
# nothing to share, and a request's query count stays the count of its own work (the
# database cache costs a read and a write per throttled request). REGISTRY_CACHE=database
# or memory chooses either way; production (REGISTRY_ENV=production) defaults to database.
REGISTRY_CACHE = env("REGISTRY_CACHE", "database" if PRODUCTION else "memory").strip().lower()
if REGISTRY_CACHE not in {"database", "memory"}:
    raise RuntimeError("REGISTRY_CACHE must be 'database' or 'memory'.")
if REGISTRY_CACHE == "database" and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Every throttled request then writes to SQLite. A transaction that reads first and writes
    # later cannot wait for another writer ("database is locked" at once, measured under
    # load_test); one that takes the write lock at BEGIN waits its turn, up to the timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
CACHES = {
    "default": {
        "BACKEND": "registry.cache.DatabaseCache",  # incr keeps the expiry: registry/cache.py
        "LOCATION": "registry_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    } if REGISTRY_CACHE == "database" else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    },
}
