"""The client timeline's items, and the registry through which higher floors add to it.

A client's page shows records of apps above the clients app (the treatment-team meetings that
discussed the client). Those apps register a source here when they start (their
`AppConfig.ready`), so that this app never imports them: a source takes the client and yields
`TimelineItem`s in one query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clients.models import Client


@dataclass(frozen=True)
class TimelineItem:
    """One event on a client's timeline."""

    on: dt.date
    kind: str
    title: str
    detail: str
    order: int = 0


TimelineSource = Callable[["Client"], Iterable[TimelineItem]]

_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(key: str, source: TimelineSource) -> None:
    """Add `source`'s items to every client timeline (registering the same key again replaces)."""
    _SOURCES[key] = source


def contributed_items(client: Client) -> Iterator[TimelineItem]:
    """The items every registered source gives for `client`."""
    for source in _SOURCES.values():
        yield from source(client)
