"""Who a client is, for the throttles: one answer for the API and for sign-in.

A client's address is REMOTE_ADDR unless settings.REGISTRY_TRUSTED_PROXIES says how many
proxies in front of the app servers append to X-Forwarded-For; then it is the address the
outermost trusted proxy saw, counted from the right. Anything a client writes to the left
of that is ignored, so a made-up X-Forwarded-For earns no extra requests. This is DRF's
rule for NUM_PROXIES (settings set NUM_PROXIES from the same setting), written once here
so the sign-in lock cannot drift from it.

The counts themselves live in the default cache, the database cache (settings.CACHES), so
every gunicorn worker and every app server sees the same count.
"""
from django.conf import settings
from django.core.cache import cache

SIGN_IN_MAX_FAILURES = 5
SIGN_IN_LOCKOUT_SECONDS = 15 * 60


def client_address(request) -> str:
    if request is None:
        return "unknown"
    remote_addr = request.META.get("REMOTE_ADDR") or "unknown"
    proxies = settings.REGISTRY_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote_addr
    addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
    if not addresses:
        return remote_addr
    return addresses[-min(proxies, len(addresses))]


def sign_in_key(username, request) -> str:
    """One count per account and client address: a wrong password from one place does not
    lock the account's owner out everywhere."""
    return f"registry:sign-in:{(username or '').strip().lower()}:{client_address(request)}"


def sign_in_max_failures() -> int:
    return getattr(settings, "REGISTRY_SIGN_IN_MAX_FAILURES", SIGN_IN_MAX_FAILURES)


def sign_in_locked(username, request) -> bool:
    return cache.get(sign_in_key(username, request), 0) >= sign_in_max_failures()


def sign_in_failed(username, request) -> None:
    """Count a wrong password; the lock lasts SIGN_IN_LOCKOUT_SECONDS from the last one.
    (Read then write, not atomic: two wrong passwords in the same instant may count as one.)"""
    key = sign_in_key(username, request)
    seconds = getattr(settings, "REGISTRY_SIGN_IN_LOCKOUT_SECONDS", SIGN_IN_LOCKOUT_SECONDS)
    cache.set(key, cache.get(key, 0) + 1, seconds)


def sign_in_succeeded(username, request) -> None:
    cache.delete(sign_in_key(username, request))
