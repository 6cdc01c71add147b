"""`python manage.py backup [--to DIR] [--keep N]`: the database and the stored reports."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from config import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the stored reports (MEDIA_ROOT) into one folder."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--to", default="backups", help="Folder for backups (./backups).")
        parser.add_argument("--keep", type=int, default=0, help="Keep only the N newest.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["to"])
        made = backups.backup(folder, now=timezone.localtime())
        self.stdout.write(self.style.SUCCESS(f"Backup written to {made}"))
        for old in backups.prune(folder, keep=options["keep"]):
            self.stdout.write(f"Removed the older backup {old}")
