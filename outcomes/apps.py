from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _add_sqlite_median(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite has no median: give its connections the one `outcomes.definitions.Median` uses."""
    if connection.vendor == "sqlite":
        from outcomes.definitions import SqliteMedian

        connection.connection.create_aggregate("median", 1, SqliteMedian)


class OutcomesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"

    def ready(self) -> None:
        connection_created.connect(_add_sqlite_median, dispatch_uid="outcomes_sqlite_median")
