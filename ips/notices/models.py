"""The notices kept for each user, their preferences, and the e-mails sent.

Every row is keyed so that making it twice keeps one: a notice by (user, kind, key), an e-mail by
(user, key). A digest run again for the same date, or an event source run every few minutes,
records nothing new; an e-mail is sent by whoever claims it first (`pending` to `sending`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Notice(models.Model):
    """A notice in the user's list (the bell): what happened, and the page it concerns."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The e-mail that carried it (immediate, or in a weekly digest); empty while none has.
    delivery = models.ForeignKey(
        "ips.Delivery", on_delete=models.SET_NULL, null=True, blank=True, related_name="notices"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="notice_once_per_event")
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


def default_choices() -> dict[str, Any]:
    return {}


class NoticeSettings(models.Model):
    """A user's choices per kind of notice: e-mail on or off, and (for events) at once or in the
    weekly e-mail. A kind not chosen yet: e-mail on, events at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_settings"
    )
    choices = models.JSONField(default=default_choices, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name_plural = "notice settings"

    def __str__(self) -> str:
        return f"Notice settings of user #{self.user_id}"

    def email_on(self, kind: str) -> bool:
        return bool(self.choices.get(kind, {}).get("email", True))

    def frequency(self, kind: str) -> str:
        return str(self.choices.get(kind, {}).get("frequency", "immediate"))


class Delivery(models.Model):
    """An e-mail to one user, made once per key (`digest:2026-03-09`, `notice:41`) and sent by a
    worker that claims it; a failed send is retried (`attempts`, `error` says what kind of
    failure, never the message)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, to retry"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    key = models.CharField(max_length=100)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="delivery_once_per_key")
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"E-mail {self.key} to user #{self.user_id} ({self.get_status_display()})"
