from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "supervision"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from supervision import models

        auditlog.register(models.TreatmentTeam, m2m_fields={"specialists"})
        auditlog.register(models.TeamMeeting, m2m_fields={"attendees"})
        auditlog.register(models.TeamMeetingClient)
        auditlog.register(models.SupervisionSession, m2m_fields={"specialists_present"})
        auditlog.register(models.ActionItem)
