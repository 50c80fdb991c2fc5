"""Who a client is, for the throttles: one answer for the API and for sign-in.

A client's address is REMOTE_ADDR unless settings.REGISTRY_TRUSTED_PROXIES says how many
proxies in front of the app servers append to X-Forwarded-For; then it is the address the
outermost trusted proxy saw, counted from the right. Anything a client writes to the left
of that is ignored, so a made-up X-Forwarded-For earns no extra requests. This is DRF's
rule for NUM_PROXIES (settings set NUM_PROXIES from the same setting), written once here
so the sign-in lock (registry/web/accounts.py) cannot drift from it.

The counts themselves live in the default cache: in production the database cache
(settings.CACHES, registry/cache.py), so every gunicorn worker and app server sees the same.
"""
from django.conf import settings


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
