"""The cache: Django's own Redis backend, made to degrade instead of raising when Redis is down.

The cache only ever saves work here (sessions are `cached_db`: the database holds them), so an
unreachable Redis must not fail a request. `DegradingRedisCache` answers as an empty cache that
stores nothing (a miss, `False`, nothing stored) when Redis cannot be reached, skips Redis for a
few seconds after a failure (a request does not wait for it again and again), and logs the
outage at WARNING at most once a minute, with the kind of error only (never a key: a session
key is a credential). Connections time out after `socket_connect_timeout`/`socket_timeout`
(OPTIONS), so a Redis that hangs costs a request at most that.

`MAX_TIMEOUT` (seconds, beside `TIMEOUT`) caps how long anything stays in the cache. Writes and
deletes that Redis missed during an outage leave their old copies behind, so a session that
ended (logged out, expired, replaced at login) while Redis was unreachable could be read back
from its stale copy once Redis returns: with the cap, for `MAX_TIMEOUT` seconds at most.

Django's RedisCache rather than django-redis: it is already the backend here, and
django-redis's IGNORE_EXCEPTIONS retries Redis on every call and logs every failure with its
traceback, where this skips Redis for a moment and logs once a minute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from ips.outage import Outage

_MISSING = object()

# After a failure, Redis is left alone for this long before the next call tries it again.
SKIP_SECONDS = 5
LOG_EVERY_SECONDS = 60

# One per Redis location, shared by every alias and thread that uses it: one outage, one log.
_outages: dict[tuple[str, ...], Outage] = {}


def outage_for(servers: list[str]) -> Outage:
    key = tuple(servers)
    if key not in _outages:
        _outages[key] = Outage(
            "Cache (Redis)", skip_seconds=SKIP_SECONDS, log_every=LOG_EVERY_SECONDS
        )
    return _outages[key]


def reset_outages() -> None:
    """Forget every outage seen (tests)."""
    for outage in _outages.values():
        outage.reset()


class DegradingRedisCache(RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        cap = params.get("MAX_TIMEOUT")
        self.max_timeout: int | None = None if cap is None else int(cap)
        self.outage = outage_for(self._servers)

    def get_backend_timeout(self, timeout: Any = DEFAULT_TIMEOUT) -> int | None:
        seconds = super().get_backend_timeout(timeout)
        if self.max_timeout is None:
            return seconds
        return self.max_timeout if seconds is None else min(seconds, self.max_timeout)

    def _guard(self, fallback: Any, method: Callable[..., Any], *args: Any) -> Any:
        """`method(self, *args)` against Redis, or `fallback` when Redis cannot be reached."""
        if self.outage.skipping():
            return fallback
        try:
            result = method(self, *args)
        except RedisError as error:
            self.outage.failed(error)
            return fallback
        self.outage.succeeded()
        return result

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._guard(False, RedisCache.add, key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guard(default, RedisCache.get, key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._guard(None, RedisCache.set, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard(False, RedisCache.touch, key, timeout, version)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._guard(False, RedisCache.delete, key, version)

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._guard({}, RedisCache.get_many, keys, version)

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._guard(False, RedisCache.has_key, key, version)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        result = self._guard(_MISSING, RedisCache.incr, key, delta, version)
        if result is _MISSING:
            raise ValueError("The key is not in the cache (the cache is unavailable).")
        return result

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[Any]:
        # What could not be stored: every key, when Redis could not be reached.
        return self._guard(list(data), RedisCache.set_many, data, timeout, version)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._guard(None, RedisCache.delete_many, keys, version)

    def clear(self) -> bool:
        return self._guard(False, RedisCache.clear)
