"""Notices: what the product tells people without being asked, in the app (the bell) and by
e-mail, per each user's preferences.

The base knows nothing of the domain: apps register their kinds of notice here when they start
(`AppConfig.ready`), as the client timeline's sources are registered. A kind is either

- a weekly **digest** section (`register_digest`): a function that, for a user and a date, gives
  a few counted lines with links (a specialist's own signals, a program's before the meeting),
  or None when the user has nothing of that kind; or
- an **event** (`register_event`): a function that, for a date, gives the notices due then
  (a report ready, a review assigned), each with a key that makes recording it idempotent.

What a notice or digest says: counts, staff and program names, and links carrying ids. Never a
client's name or anything else of a case file: an e-mail leaves the system.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ips.roles import Role

if TYPE_CHECKING:
    from ips.models import User

WEEKLY = "weekly"
IMMEDIATE = "immediate"
FREQUENCIES = ((IMMEDIATE, "As it happens"), (WEEKLY, "In the weekly e-mail"))


@dataclass(frozen=True)
class DigestSection:
    """One section of a weekly digest: a title, lines of counts (each with its link), and the
    page the in-app notice opens."""

    title: str
    lines: list[str]
    url: str


@dataclass(frozen=True)
class Draft:
    """An event notice to record for a user: `key` names the event (`report:12`), so recording
    it twice keeps one."""

    user_id: int
    kind: str
    key: str
    title: str
    url: str


@dataclass(frozen=True)
class NoticeKind:
    """A kind of notice: who may get it (roles), what it is called on the preferences page, and
    how it is made (a digest section, or events)."""

    key: str
    label: str
    roles: frozenset[Role]
    digest: Callable[[User, dt.date], DigestSection | None] | None = None
    events: Callable[[dt.date], Iterable[Draft]] | None = None
    help: str = field(default="")

    @property
    def is_digest(self) -> bool:
        return self.digest is not None


KINDS: dict[str, NoticeKind] = {}


def register_digest(
    key: str,
    label: str,
    roles: Iterable[Role],
    build: Callable[[User, dt.date], DigestSection | None],
    *,
    help: str = "",
) -> None:
    """Register a weekly digest section (at app start-up)."""
    KINDS[key] = NoticeKind(key, label, frozenset(roles), digest=build, help=help)


def register_event(
    key: str,
    label: str,
    roles: Iterable[Role],
    find: Callable[[dt.date], Iterable[Draft]],
    *,
    help: str = "",
) -> None:
    """Register a kind of event notice and the function that finds those due (at start-up)."""
    KINDS[key] = NoticeKind(key, label, frozenset(roles), events=find, help=help)


def kinds_for(roles: Iterable[Role]) -> list[NoticeKind]:
    """The kinds a holder of `roles` may get, in the order they were registered."""
    held = frozenset(roles)
    return [kind for kind in KINDS.values() if kind.roles & held]
