"""Session bookkeeping at login: the absolute session limit counts from here."""

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from ips.middleware import SESSION_LAST_SEEN, SESSION_STARTED


@receiver(user_logged_in)
def start_session_clock(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED] = now
        request.session[SESSION_LAST_SEEN] = now
