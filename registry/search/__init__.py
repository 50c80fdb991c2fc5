"""The search layer. Views, the API and commands use only this package's
interface (`get_backend()` and the types in `base`); the engine behind it is
chosen by the REGISTRY_SEARCH_BACKEND setting."""
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from registry.search.base import (  # noqa: F401
    FacetValue,
    Hit,
    SearchBackend,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
)


@cache
def _backend(path, data_dir):
    return import_string(path)(data_dir)


def get_backend() -> SearchBackend:
    """The configured backend; SearchUnavailable when its class cannot be loaded."""
    try:
        return _backend(settings.REGISTRY_SEARCH_BACKEND, str(settings.REGISTRY_DATA_DIR))
    except ImportError as error:
        raise SearchUnavailable(f"Search backend {settings.REGISTRY_SEARCH_BACKEND} cannot be loaded") from error
