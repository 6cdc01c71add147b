from django.apps import AppConfig


class FidelityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "fidelity"
    verbose_name = "Fidelity reviews"

    def ready(self) -> None:
        # Imported when the app registry is ready: models cannot load while apps are loading.
        from auditlog.registry import auditlog
        from django.db.models import QuerySet

        from fidelity import models
        from ips import access
        from ips.audit import register_audited_kind

        auditlog.register(models.Review, m2m_fields={"observers"})
        auditlog.register(models.ReviewerScore)
        auditlog.register(models.ReviewItem)
        auditlog.register(models.Amendment)
        # Not `ReviewReport`: it is made from the review, changes only through the stored-PDF
        # pipeline's conditional UPDATEs, and its downloads are in the read audit as exports.

        def audited_reviews(user: object) -> QuerySet:
            return models.Review.objects.filter(
                program__agency_id__in=access.agency_ids_for(user, access.Capability.VIEW_AUDIT)
            )

        register_audited_kind("fidelity_review", "Fidelity review", audited_reviews)
