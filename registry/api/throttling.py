"""Throttles per signed-in user and per anonymous client address.

DRF's throttles copy their rates when the class is defined; these read
settings.REGISTRY_API_THROTTLE_RATES on each request so the rates can be set by
the environment (the benchmark) or by a test without reloading modules.

The client's address comes from registry.throttles.client_address, the rule the sign-in
lock uses too (REGISTRY_TRUSTED_PROXIES), and the history lives in the default cache, the
database cache every worker shares.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from registry.throttles import client_address


class _SettingsRate:
    def get_rate(self):
        return settings.REGISTRY_API_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_address(request)


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    pass


class UserThrottle(_SettingsRate, UserRateThrottle):
    pass
