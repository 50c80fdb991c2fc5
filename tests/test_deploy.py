"""Settings as a deployment uses them, each in a fresh process: `check --deploy` is
clean with the production environment the README documents, and `migrate` works in
a fresh checkout with no environment at all.

Both run `manage.py` in a subprocess because settings are read once per process:
changing them in this one would not test what the environment does.
"""
import ast
import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Variables the settings (or Django's checks) read; the test process may have some of them
# set (CI exports DATABASE_URL, tests/conftest.py DJANGO_ALLOW_ASYNC_UNSAFE for Playwright),
# so each child starts from an environment without them.
SETTINGS_VARIABLES = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "REGISTRY_DATA_DIR", "REGISTRY_SEARCH_BACKEND",
    "SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS", "DJANGO_SETTINGS_MODULE",
    "REGISTRY_ENV", "REGISTRY_TRUSTED_PROXIES",
)


def clean_environment(**variables):
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    return {**env, **variables}


def closed_port():
    """A loopback port nothing listens on: a check that tried to reach the database would fail."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_environment(**overrides):
    return clean_environment(
        DATABASE_URL=f"postgres://registry:secret@127.0.0.1:{closed_port()}/registry",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="0",
        ALLOWED_HOSTS="evaluation-registry.service.gov.uk",
        REGISTRY_SEARCH_BACKEND="postgres",
        SECURE_COOKIES="1",
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        **overrides,
    )


def manage(*args, env, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )


def test_check_deploy_is_clean_with_the_production_environment(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env=production_environment(REGISTRY_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def switched_environment(**overrides):
    """Production by the one switch: no HTTPS variable of its own."""
    return clean_environment(
        REGISTRY_ENV="production",
        DATABASE_URL=f"postgres://registry:secret@127.0.0.1:{closed_port()}/registry",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="evaluation-registry.service.gov.uk",
        REGISTRY_SEARCH_BACKEND="postgres",
        **overrides,
    )


def test_check_deploy_is_clean_with_the_production_switch_alone(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env=switched_environment(REGISTRY_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_production_switch_turns_on_every_https_setting():
    names = ("DEBUG", "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
             "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "REGISTRY_TRUSTED_PROXIES")
    assert read_settings(switched_environment(), *names) == [
        False, ("HTTP_X_FORWARDED_PROTO", "https"), True, 31536000, True, True, 0,
    ]
    # each can still be set on its own, e.g. a proxy that sends another header
    env = switched_environment(SECURE_PROXY_SSL_HEADER="X-Forwarded-Scheme", SECURE_HSTS_SECONDS="60")
    assert read_settings(env, "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS") == [
        ("HTTP_X_FORWARDED_SCHEME", "https"), 60,
    ]
    # and without the switch a laptop gets none of them
    assert read_settings(clean_environment(), *names) == [False, None, False, 0, False, False, 0]


def test_trusted_proxies_is_one_setting_for_drf_and_sign_in():
    env = switched_environment(REGISTRY_TRUSTED_PROXIES="2")
    code = ("from django.conf import settings; "
            "print(repr([settings.REGISTRY_TRUSTED_PROXIES, settings.REST_FRAMEWORK['NUM_PROXIES']]))")
    result = manage("shell", "--verbosity", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert ast.literal_eval(result.stdout.strip().splitlines()[-1]) == [2, 2]


def test_check_deploy_warns_without_the_https_settings(tmp_path):
    """The clean run above is clean because of the settings, not because the check is blind."""
    env = production_environment(REGISTRY_DATA_DIR=str(tmp_path / "data"))
    for name in ("SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        del env[name]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 1
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stderr


def read_settings(env, *names):
    """The named settings as a fresh process with this environment reads them."""
    code = f"from django.conf import settings; print(repr([getattr(settings, n, None) for n in {names!r}]))"
    result = manage("shell", "--verbosity", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_production_settings_trust_the_proxy_header_only_when_told():
    names = ("SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_PRELOAD")
    assert read_settings(production_environment(), *names) == [("HTTP_X_FORWARDED_PROTO", "https"), True, True, True]
    env = production_environment()
    del env["SECURE_PROXY_SSL_HEADER"], env["SECURE_COOKIES"]
    assert read_settings(env, *names) == [None, False, False, True]


def test_behind_the_proxy_http_is_redirected_and_https_gets_hsts():
    """The documented environment end to end through Django's middleware: a plain
    HTTP request is sent to HTTPS; one the proxy marks as HTTPS is served, with HSTS.
    (A static file, so no database is needed.)"""
    code = (
        "from django.test import Client; "
        "c = Client(HTTP_HOST='evaluation-registry.service.gov.uk'); "
        "plain = c.get('/static/registry/registry.css'); "
        "tls = c.get('/static/registry/registry.css', headers={'X-Forwarded-Proto': 'https'}); "
        "print(repr([plain.status_code, plain.get('Location'), tls.status_code, "
        "tls.get('Strict-Transport-Security')]))"
    )
    result = manage("shell", "--verbosity", "0", "-c", code, env=production_environment())
    assert result.returncode == 0, result.stderr
    assert ast.literal_eval(result.stdout.strip().splitlines()[-1]) == [
        301, "https://evaluation-registry.service.gov.uk/static/registry/registry.css",
        200, "max-age=31536000; includeSubDomains; preload",
    ]


def test_migrate_works_in_a_fresh_checkout(tmp_path):
    """No var/ folder and no environment: the embedded default makes its own folders."""
    checkout = tmp_path / "checkout"
    for part in ("registry", "fixtures", "templates", "static"):
        shutil.copytree(ROOT / part, checkout / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", checkout / "manage.py")
    assert not (checkout / "var").exists()
    result = manage("migrate", "--no-input", env=clean_environment(), cwd=checkout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (checkout / "var" / "registry.sqlite3").stat().st_size > 0
    assert (checkout / "var" / "data").is_dir()
