"""`auditlogflush` refuses: the audit trail is append-only (this command shadows
django-auditlog's, which deletes or truncates the change history)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Refuses: the audit trail is append-only and is never flushed by the application."

    def add_arguments(self, parser: Any) -> None:
        # Accept auditlog's own options so that no invocation slips past to a different error.
        parser.add_argument("-y", "--yes", action="store_true")
        parser.add_argument("-b", "--before-date")
        parser.add_argument("-t", "--truncate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(
            "The audit trail is append-only: it is never flushed. Retention beyond the "
            "legal period is an operator's task on the database, not the application's."
        )
