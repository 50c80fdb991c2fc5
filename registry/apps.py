from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Evaluation registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Saves, deletes and vocabulary changes reach the search index after commit.
        from registry.search import signals

        signals.connect()
