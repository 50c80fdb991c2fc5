from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Evaluation registry"
    default_auto_field = "django.db.models.BigAutoField"
