from django.apps import AppConfig


class EmployersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "employers"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from employers.models import Employer

        auditlog.register(Employer)
