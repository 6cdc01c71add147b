from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class SqliteMedian:
    """The `median` aggregate for SQLite connections (the development fallback only)."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        if not self.values:
            return None
        ordered = sorted(self.values)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return float(ordered[middle])
        return (ordered[middle - 1] + ordered[middle]) / 2


def _add_sqlite_median(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite has no median: give its connections the one `outcomes.definitions.Median` uses."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("median", 1, SqliteMedian)


class OutcomesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"

    def ready(self) -> None:
        connection_created.connect(_add_sqlite_median, dispatch_uid="outcomes_sqlite_median")
