"""The audit page: who viewed or changed a given record (agency admins)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ips import audit, pages
from ips.access import Capability

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
        # What one person read in the admin's agencies (only events of those agencies, so an id
        # of anyone else shows nothing, not whether the account exists).
        actor = request.GET.get("actor", "")
        if actor and not actor.isdigit():
            return pages.bad_request(request, "Choose a staff account by its number.")
        reads = audit.reads_page(
            request.user, actor_id=int(actor) if actor else None, size=READS_PAGE, before=before
        )
        named = str(reads.events[0].actor) if reads.events else f"staff account #{actor}"
        context.update(reads=reads.events, older=reads.older, actor=actor, actor_name=named)
        address = {"actor": actor} if actor else {}
    if context["older"] is not None:
        context["older_url"] = "?" + urlencode({**address, "before": context["older"].token})
    context["newest_url"] = "?" + urlencode(address)
    return render(request, "ips/audit_log.html", context)
