"""Writes of notices: recording them, building the weekly digests, sending the e-mails.

Idempotent by construction: a notice is one row per (user, kind, key) and an e-mail one row per
(user, key), so a run repeated (beat twice, `send_digests` by hand after the beat, a task that
failed halfway and is run again) records and sends nothing twice. Sending claims the row
(`pending`/`failed` to `sending`) before talking to the mail server, so two workers never send
the same e-mail; one that fails is marked `failed` and retried by its task and the sweep.

Pages never send mail: they at most queue a task after their commit, so a mail server down
never slows or fails a page.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ips import access
from ips.models import StaffRole, User
from ips.notices import KINDS, WEEKLY, DigestSection, Draft, kinds_for
from ips.notices.models import Delivery, Notice, NoticeSettings
from ips.queue import send_on_commit
from ips.versioning import save_versioned

log = logging.getLogger(__name__)

# A failed e-mail is tried this many times in all (its task's retries and the sweep's).
MAX_ATTEMPTS = 6
# A send claimed this long ago and never finished: its worker died; it is sent again.
STUCK_AFTER = dt.timedelta(minutes=15)
# A pending e-mail whose message was lost (broker down) is sent again after this.
WAITING_AFTER = dt.timedelta(minutes=5)
SEND_TASK = "ips.tasks.delivery_send_task"


def absolute(url: str) -> str:
    """A link for an e-mail: the site's address, then the page's path (ids only)."""
    return url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"


def settings_of(user: User) -> NoticeSettings:
    """The user's notice preferences (the defaults until they choose)."""
    found = NoticeSettings.objects.filter(user=user).first()
    return found if found is not None else NoticeSettings(user=user)


@transaction.atomic
def notice_settings_save(*, user: User, version: int, choices: dict) -> NoticeSettings:
    """Save the user's choices per kind (`{"kind": {"email": bool, "frequency": str}}`),
    refusing a stale version (the page open in two tabs)."""
    unknown = set(choices) - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown kinds of notice: {', '.join(sorted(unknown))}")
    current, _ = NoticeSettings.objects.get_or_create(user=user)
    return save_versioned(
        NoticeSettings, pk=current.pk, expected_version=version, changes={"choices": choices}
    )


def _record(draft: Draft) -> Notice | None:
    """The notice of the draft, recorded now; None when it was recorded before."""
    try:
        with transaction.atomic():
            return Notice.objects.create(
                user_id=draft.user_id,
                kind=draft.kind,
                key=draft.key,
                title=draft.title[:300],
                url=draft.url,
            )
    except IntegrityError:
        return None


def _delivery(user: User, key: str, subject: str, lines: list[str]) -> Delivery | None:
    """The e-mail for `key`, made now; None when it was made before (or the user has no
    address)."""
    if not user.email:
        return None
    footer = [
        "",
        "--",
        "You get this e-mail because of your notice settings: " + absolute("/notices/settings/"),
    ]
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                user=user, key=key, subject=subject[:200], body="\n".join(lines + footer)
            )
    except IntegrityError:
        return None


def notices_collect(*, on: dt.date) -> list[Notice]:
    """Record the event notices due on `on` (every registered source) and make the e-mail of
    each new one whose user wants it at once. Returns the notices recorded now."""
    recorded = []
    for kind in KINDS.values():
        if kind.events is None:
            continue
        for draft in kind.events(on):
            notice = _record(draft)
            if notice is None:
                continue
            recorded.append(notice)
            _email_at_once(notice)
    return recorded


def _email_at_once(notice: Notice) -> None:
    prefs = settings_of(notice.user)
    if not prefs.email_on(notice.kind) or prefs.frequency(notice.kind) == WEEKLY:
        return
    lines = [f"Hello {notice.user.first_name or notice.user.username},", "", notice.title]
    if notice.url:
        lines.append(absolute(notice.url))
    delivery = _delivery(notice.user, f"notice:{notice.pk}", f"IPS: {notice.title}", lines)
    if delivery is not None:
        Notice.objects.filter(pk=notice.pk).update(delivery=delivery)
        send_on_commit(SEND_TASK, delivery.pk)


def digest_recipients() -> Iterable[User]:
    """Active staff holding a role somewhere: those who may have something to be told."""
    with_roles = StaffRole.objects.values("user_id")
    return User.objects.filter(is_active=True, pk__in=with_roles).order_by("pk")


def digest_sections(user: User, on: dt.date) -> list[tuple[str, DigestSection]]:
    """(kind, section) of every digest the user's roles give them that has something to say."""
    sections = []
    for kind in kinds_for(access.roles_of(user)):
        if kind.digest is not None and (section := kind.digest(user, on)) is not None:
            sections.append((kind.key, section))
    return sections


def digest_build(*, user: User, on: dt.date) -> Delivery | None:
    """The user's weekly digest for `on`: an in-app notice per section, and one e-mail with the
    sections and the notices they chose to get weekly. Made once per user and date: None when
    made before, or when there is nothing to send."""
    prefs = settings_of(user)
    sections = digest_sections(user, on)
    for kind, section in sections:
        _record(Draft(user.pk, kind, on.isoformat(), section.title, section.url))
    emailed = [(kind, section) for kind, section in sections if prefs.email_on(kind)]
    weekly = [
        n
        for n in Notice.objects.filter(user=user, delivery__isnull=True)
        if n.kind in KINDS and not KINDS[n.kind].is_digest and prefs.email_on(n.kind)
    ]
    if not emailed and not weekly:
        return None
    lines = [f"Hello {user.first_name or user.username},", ""]
    for _, section in emailed:
        lines += [section.title, "", *section.lines, ""]
    if weekly:
        lines += ["Notices of the week", ""]
        lines += [f"- {n.title}" + (f": {absolute(n.url)}" if n.url else "") for n in weekly]
    subject = f"IPS weekly digest, {on:%-d %B %Y}"
    with transaction.atomic():
        delivery = _delivery(user, f"digest:{on.isoformat()}", subject, lines)
        if delivery is not None:
            Notice.objects.filter(pk__in=[n.pk for n in weekly]).update(delivery=delivery)
    return delivery


def digests_build(*, on: dt.date) -> list[Delivery]:
    """Every user's digest for `on` (those made before are left as they are). Each user's is
    committed on its own: a run that fails halfway is simply run again."""
    made = []
    for user in digest_recipients():
        delivery = digest_build(user=user, on=on)
        if delivery is not None:
            made.append(delivery)
    return made


def delivery_send(delivery_id: int) -> bool:
    """Send the e-mail if no one else is sending or has sent it: True when sent now, False when
    it was not this call's to send. A failure marks it failed (to retry) and is raised."""
    claimable = Q(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED]) | Q(
        status=Delivery.Status.SENDING, updated_at__lt=timezone.now() - STUCK_AFTER
    )
    claimed = (
        Delivery.objects.filter(claimable, pk=delivery_id, attempts__lt=MAX_ATTEMPTS)
        .select_related("user")
        .first()
    )
    if claimed is None or not Delivery.objects.filter(claimable, pk=delivery_id).update(
        status=Delivery.Status.SENDING, attempts=claimed.attempts + 1, updated_at=timezone.now()
    ):
        return False
    message = EmailMessage(
        claimed.subject, claimed.body, settings.DEFAULT_FROM_EMAIL, [claimed.user.email]
    )
    try:
        message.send()
    except Exception as error:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED, error=type(error).__name__, updated_at=timezone.now()
        )
        log.warning("Could not send e-mail #%s (%s)", delivery_id, type(error).__name__)
        raise
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), error="", updated_at=timezone.now()
    )
    return True


def deliveries_due() -> list[int]:
    """E-mails to send again: failed ones with tries left, pending ones whose message was lost,
    and sends whose worker died."""
    now = timezone.now()
    due = (
        Q(status=Delivery.Status.FAILED, updated_at__lt=now - WAITING_AFTER)
        | Q(status=Delivery.Status.PENDING, updated_at__lt=now - WAITING_AFTER)
        | Q(status=Delivery.Status.SENDING, updated_at__lt=now - STUCK_AFTER)
    )
    return list(
        Delivery.objects.filter(due, attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)
    )


def notices_mark_read(*, user: User) -> int:
    """Mark every unread notice of the user read; returns how many."""
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
