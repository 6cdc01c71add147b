from django.apps import AppConfig


class IpsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ips"
    verbose_name = "Organisation"

    def ready(self) -> None:
        # Imported when the app registry is ready: models cannot load while apps are loading.
        from django.db.models.signals import post_migrate

        from ips import audit, db_roles, signals, throttle  # noqa: F401  (they connect receivers)

        audit.register_changes()
        post_migrate.connect(db_roles.grant_after_migrate, sender=self)
