"""The audit page: who viewed or changed a given record (agency admins)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ips import audit, pages
from ips.access import Capability
from ips.models import AuditEvent


@pages.requires(Capability.VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Recent reads in the admin's agencies, or the whole history of one record."""
    kind = request.GET.get("type", "")
    object_id = request.GET.get("id", "")
    context: dict[str, object] = {
        "kinds": audit.AUDITED_KINDS,
        "kind": kind,
        "object_id": object_id,
    }
    if kind and object_id:
        record = audit.record_for_audit(request.user, kind, object_id)
        context.update(
            record=record,
            record_label=f"{audit.AUDITED_KINDS[kind].label} #{record.pk}",
            show_values=audit.AUDITED_KINDS[kind].show_values,
            history=audit.history_for(record),
        )
    else:
        context["reads"] = AuditEvent.objects.visible_to(request.user).select_related(
            "actor", "content_type"
        )[:100]
    return render(request, "ips/audit_log.html", context)
