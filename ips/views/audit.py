"""The audit page: who viewed or changed a given record (agency admins)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ips import audit, pages
from ips.access import Capability
from ips.models import AuditEvent

# Rows per page: a record's history, and the latest reads of the admin's agencies.
HISTORY_PAGE = 200
READS_PAGE = 100


@pages.requires(Capability.VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Recent reads in the admin's agencies (`actor`: one person's), or the whole history of one
    record, newest first, a page at a time (`before`: where the page shown last ended; nothing
    older is ever cut off)."""
    kind = request.GET.get("type", "")
    object_id = request.GET.get("id", "")
    try:
        before = audit.Position.parse(request.GET["before"]) if "before" in request.GET else None
    except ValueError:
        return pages.bad_request(request, "That link to older entries is not valid.")
    context: dict[str, object] = {
        "kinds": audit.AUDITED_KINDS,
        "kind": kind,
        "object_id": object_id,
        "paged": before is not None,
    }
    if kind and object_id:
        record = audit.record_for_audit(request.user, kind, object_id)
        page = audit.history_page(record, size=HISTORY_PAGE, before=before)
        context.update(
            record=record,
            record_label=f"{audit.AUDITED_KINDS[kind].label} #{record.pk}",
            show_values=audit.AUDITED_KINDS[kind].show_values,
            history=page.rows,
            older=page.older,
            page_size=HISTORY_PAGE,
        )
        address = {"type": kind, "id": object_id}
    else:
        reads = AuditEvent.objects.visible_to(request.user).select_related("actor", "content_type")
        address = {}
        actor = request.GET.get("actor", "")
        if actor:
            # What one person read in the admin's agencies (only events of those agencies, so
            # an id of anyone else shows nothing, not whether the account exists).
            if not actor.isdigit():
                return pages.bad_request(request, "Choose a staff account by its number.")
            reads = reads.filter(actor_id=int(actor))
            address = {"actor": actor}
        if before is not None:
            reads = reads.filter(before.older(audit.READ, "at"))
        shown = list(reads.order_by("-at", "-id")[: READS_PAGE + 1])
        last = shown[READS_PAGE - 1] if len(shown) > READS_PAGE else None
        context.update(
            reads=shown[:READS_PAGE],
            older=audit.Position(last.at, audit.READ, last.pk) if last else None,
            actor=actor,
            actor_name=str(shown[0].actor) if actor and shown else f"staff account #{actor}",
        )
    if context["older"] is not None:
        context["older_url"] = "?" + urlencode({**address, "before": context["older"].token})
    context["newest_url"] = "?" + urlencode(address)
    return render(request, "ips/audit_log.html", context)
