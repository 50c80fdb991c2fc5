from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Evaluation registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Saves, deletes and vocabulary changes reach the search index (signals);
        # the search settings are checked by `manage.py check`.
        from registry.api import stored
        from registry.search import checks, signals  # noqa: F401 - checks register themselves

        signals.connect()
        # ... and the API's stored record bodies (registry/api/stored.py).
        stored.connect()
