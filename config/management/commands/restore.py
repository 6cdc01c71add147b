"""`python manage.py restore DIR`: a backup into an empty database, then `migrate`."""

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from config import backups


class Command(BaseCommand):
    help = "Restore a backup folder (from `backup`) into an empty database and MEDIA_ROOT."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", help="A folder written by `manage.py backup`.")

    def handle(self, *args: Any, **options: Any) -> None:
        backups.restore(Path(options["folder"]))
        # Newer migrations than the backup's, and the application role's grants again.
        call_command("migrate", database=backups.owner_alias(), interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Restored {options['folder']}"))
