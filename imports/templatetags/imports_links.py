"""`{% program_spreadsheets program %}`: a program page's links to its import page and its list
exports, each shown only to the roles allowed to follow it (the pages check again)."""

from __future__ import annotations

from typing import Any

from django import template

from imports.lists import PROGRAM_LISTS
from ips import access
from ips.access import Capability

register = template.Library()


@register.inclusion_tag("imports/_program_links.html", takes_context=True)
def program_spreadsheets(context: dict[str, Any], program: Any) -> dict[str, Any]:
    user = context["request"].user
    return {
        "program": program,
        "can_import": access.can(user, Capability.IMPORT_RECORDS, program=program),
        "can_export": access.can(user, Capability.VIEW_CLIENTS, program=program),
        "lists": PROGRAM_LISTS,
    }
