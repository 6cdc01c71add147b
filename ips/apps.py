from django.apps import AppConfig


class IpsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ips"
    verbose_name = "Organisation"

    def ready(self) -> None:
        # Imported when the app registry is ready: models cannot load while apps are loading.
        from ips import audit, signals  # noqa: F401  (connects the login signal)

        audit.register_changes()
