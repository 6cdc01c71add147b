from django.apps import AppConfig


class EmployersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "employers"

    def ready(self) -> None:
        # Imported when the app registry is ready: models cannot load while apps are loading.
        from auditlog.registry import auditlog

        from employers.models import Employer, EmployerContact, EmployerPerson

        auditlog.register(Employer)
        auditlog.register(EmployerPerson)
        auditlog.register(EmployerContact, m2m_fields={"clients"})
