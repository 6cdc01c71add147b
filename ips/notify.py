"""E-mail to a member of staff about a change to their own account made by someone else (an admin
set their password, or removed their authenticator), so that a change they did not ask for is
noticed. Sent through Django's e-mail backend (EMAIL_URL) once the change is committed; a mail
that cannot be sent is logged, never a reason to undo the change.

The mail names the account, the change, who made it and when: never a client, a program's
records or anything else of the case files.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

if TYPE_CHECKING:
    from ips.models import User

log = logging.getLogger(__name__)


def describe_recipient(user: User) -> str:
    """What the audit trail says of the notice: sent to the account's address, or why not."""
    return "by e-mail" if user.email else "not notified: no e-mail address on file"


def account_changed(user: User, *, actor: User | None, what: str, then: str = "") -> None:
    """Tell `user` by e-mail that `what` happened to their account (after the commit)."""
    if not user.email:
        return
    who = f"{actor} (an agency admin)" if actor is not None else "an administrator"
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        f"Hello {user.first_name or user.username},",
        "",
        f"On {when}, {who} made this change to your IPS case management account "
        f"({user.username}): {what}.",
    ]
    if then:
        lines += ["", then]
    lines += [
        "",
        "If you did not ask for this, tell your agency's security contact or another admin "
        "at once.",
    ]
    subject = "IPS case management: a change to your account"
    body = "\n".join(lines)
    address = user.email

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:
            log.warning("Could not send the account-change notice to user #%s", user.pk)

    transaction.on_commit(send)
