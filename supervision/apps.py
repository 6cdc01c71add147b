from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "supervision"

    def ready(self) -> None:
        # Imported here, not at the top: models can only load once the app registry is ready.
        from auditlog.registry import auditlog

        from clients.timeline import register_timeline_source
        from ips.notices import register_digest
        from ips.roles import Role
        from supervision import models
        from supervision.notices import specialist_digest, supervisor_digest
        from supervision.selectors import MEETING_TIMELINE_SOURCE

        register_timeline_source("team_meetings", MEETING_TIMELINE_SOURCE)
        register_digest(
            "specialist_digest",
            "Weekly digest of your own numbers and signals",
            [Role.SPECIALIST],
            specialist_digest,
        )
        register_digest(
            "supervisor_digest",
            "Weekly digest of your programs' signals, before the meeting",
            [Role.SUPERVISOR],
            supervisor_digest,
        )

        auditlog.register(models.TreatmentTeam, m2m_fields={"specialists"})
        auditlog.register(models.TeamMeeting, m2m_fields={"attendees"})
        auditlog.register(models.TeamMeetingClient)
        auditlog.register(models.SupervisionSession, m2m_fields={"specialists_present"})
        auditlog.register(models.ActionItem)
