"""Throttles per signed-in user and per anonymous client address.

DRF's throttles copy their rates when the class is defined; these read
settings.REGISTRY_API_THROTTLE_RATES on each request so the rates can be set by
the environment (the benchmark) or by a test without reloading modules.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _SettingsRate:
    def get_rate(self):
        return settings.REGISTRY_API_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    pass


class UserThrottle(_SettingsRate, UserRateThrottle):
    pass
