from django.apps import AppConfig


class ClientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clients"

    def ready(self) -> None:
        # Imported when the app registry is ready: models cannot load while apps are loading.
        from auditlog.registry import auditlog
        from django.db.models import QuerySet

        from clients import models, signals  # noqa: F401 (connects the receivers)
        from ips import access
        from ips.audit import register_audited_kind
        from ips.reads import register_client_agencies

        for model in (
            models.Client,
            models.Episode,
            models.CareerProfile,
            models.PlanGoal,
            models.PlanStep,
            models.EducationEnrollment,
            models.Contact,
            models.Job,
            models.Support,
            models.BenefitsReferral,
        ):
            # A job's stored `competitive` is derived (`refresh_competitive`): no one changes it.
            derived = ["competitive"] if model is models.Job else None
            auditlog.register(model, exclude_fields=derived)

        def audited_clients(user: object) -> QuerySet:
            # Agency admins audit clients by number; they never read the records themselves.
            return models.Client.objects.filter(
                program__agency_id__in=access.agency_ids_for(user, access.Capability.VIEW_AUDIT)
            )

        register_audited_kind("client", "Client", audited_clients, show_values=False)

        def client_agencies(client_ids: list[int]) -> dict[int, int]:
            return dict(
                models.Client.objects.filter(id__in=client_ids).values_list(
                    "id", "program__agency_id"
                )
            )

        register_client_agencies(client_agencies)
