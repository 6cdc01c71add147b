"""Session bookkeeping at login (the absolute session limit counts from here), and the refusal to
delete change-history rows through the ORM."""

import time
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.http import HttpRequest

from ips.middleware import SESSION_LAST_SEEN, SESSION_STARTED


@receiver(user_logged_in)
def start_session_clock(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED] = now
        request.session[SESSION_LAST_SEEN] = now


@receiver(pre_delete, sender=LogEntry)
def refuse_change_history_delete(sender: Any, instance: LogEntry, **kwargs: Any) -> None:
    """The change history is append-only: deleting an entry (or a queryset of them, which sends
    this for each row) is refused before any SQL runs; PostgreSQL refuses it too."""
    raise ValidationError("The audit trail is append-only.")
