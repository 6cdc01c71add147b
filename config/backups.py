"""Backup and restore: the PostgreSQL database (pg_dump's custom format) and the stored reports
under MEDIA_ROOT, side by side in one folder per backup.

A backup is taken as the schema owner when MIGRATE_DATABASE_URL is set (else as DATABASE_URL's
role); a restore goes into an empty database and is followed by `migrate`, which brings an older
backup up to date and grants the application's role again (`ips.db_roles`).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections

DATABASE_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"


def owner_alias() -> str:
    """The connection that owns the schema: the one migrations and backups use."""
    return "owner" if "owner" in settings.DATABASES else "default"


def _libpq(alias: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore, the password passed in the environment."""
    db: dict[str, Any] = connections[alias].settings_dict
    if connections[alias].vendor != "postgresql":
        raise CommandError("Backups cover PostgreSQL; the SQLite fallback is a file to copy.")
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise CommandError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


def backup(folder: Path, *, now: dt.datetime) -> Path:
    """Write a new backup folder under `folder`: the database and the stored reports."""
    target = folder / f"ips-{now:%Y%m%d-%H%M%S}"
    target.mkdir(parents=True)
    args, env = _libpq(owner_alias())
    dump = f"--file={target / DATABASE_FILE}"
    _run(["pg_dump", "--format=custom", "--no-owner", dump, *args], env)
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / MEDIA_FILE, "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname=".")
    return target


def _is_empty(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return cursor.fetchone()[0] == 0


def restore(source: Path) -> None:
    """Restore a backup folder into the (empty) database and MEDIA_ROOT."""
    dump, media = source / DATABASE_FILE, source / MEDIA_FILE
    if not dump.is_file() or not media.is_file():
        raise CommandError(f"{source} is not a backup: it needs {DATABASE_FILE} and {MEDIA_FILE}.")
    alias = owner_alias()
    if not _is_empty(alias):
        raise CommandError("Restore into an empty database: this one already has tables.")
    args, env = _libpq(alias)
    connections[alias].close()
    _run(["pg_restore", "--no-owner", "--exit-on-error", *args, str(dump)], env)
    target = Path(settings.MEDIA_ROOT)
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(media, "r:gz") as archive:
        archive.extractall(target, filter="data")


def prune(folder: Path, *, keep: int) -> list[Path]:
    """Remove all but the `keep` newest backups in `folder`; returns what was removed."""
    backups = sorted(path for path in folder.glob("ips-*") if path.is_dir())
    removed = backups[:-keep] if keep else []
    for path in removed:
        shutil.rmtree(path)
    return removed
