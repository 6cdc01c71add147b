"""Whose outcome numbers a request may read: one program's (its supervisors, the agency's
directors), or a whole agency's (its directors alone). Pages and the API ask here, so both
answer alike: 404 to whoever may not see the program or agency, 403 to a role without outcomes.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ips import access, pages
from ips.access import Capability
from ips.models import Agency, Program
from outcomes.reports.context import Scope

NO_OUTCOMES = "Your role does not include outcome reports."


def program_scope(request: HttpRequest, pk: int) -> Scope:
    """Program `pk`, when the user may read its outcome numbers."""
    program = pages.record_for(
        request, Program.objects.select_related("agency"), needs=Capability.VIEW_OUTCOMES, pk=pk
    )
    return Scope(agency=program.agency, program=program)


def agency_scope(request: HttpRequest, pk: int) -> Scope:
    """Agency `pk` as a whole: an agency role granting outcomes there (a program role shows a
    share of the agency, never all of it)."""
    agency = pages.record_for(request, Agency.objects, pk=pk)
    allowed = access.agency_wide_ids_for(request.user, Capability.VIEW_OUTCOMES)
    if not allowed.filter(agency_id=agency.pk).exists():
        raise PermissionDenied(NO_OUTCOMES)
    return Scope(agency=agency)
