"""Doing without a dependency for a while (Redis, as the cache and as the Celery broker).

An `Outage` is what one process knows of one dependency: after a failure it is skipped for
`skip_seconds` (a request then does not wait for it again and again), and the failure is logged
at WARNING at most once per `log_every` seconds, naming the dependency and the kind of error
only: an error's message can quote a key or an address with a password in it.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)


class Outage:
    def __init__(self, name: str, *, skip_seconds: float, log_every: float) -> None:
        self.name = name
        self.skip_seconds = skip_seconds
        self.log_every = log_every
        self._lock = threading.Lock()
        self._skip_until = 0.0
        self._logged_at: float | None = None
        self._since: float | None = None

    def skipping(self) -> bool:
        """Whether a failure was seen within the last `skip_seconds`: do not try it now."""
        return time.monotonic() < self._skip_until

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._skip_until = now + self.skip_seconds
            if self._since is None:
                self._since = now
            if self._logged_at is not None and now - self._logged_at < self.log_every:
                return
            self._logged_at = now
            since = now - self._since
        logger.warning(
            "%s unavailable (%s) for %.0f s; carrying on without it",
            self.name,
            type(error).__name__,
            since,
        )

    def succeeded(self) -> None:
        if self._since is None:
            return
        with self._lock:
            if self._since is None:
                return
            since, self._since, self._logged_at = self._since, None, None
            self._skip_until = 0.0
        logger.info("%s available again after %.0f s", self.name, time.monotonic() - since)

    def reset(self) -> None:
        """Forget what was seen (tests)."""
        with self._lock:
            self._skip_until, self._logged_at, self._since = 0.0, None, None
