"""`manage.py backup` and `restore`: a backup restores into a fresh database, the stored reports
come back, and the application answers on the copy."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from pytest_django.fixtures import Settings

from config.backups import prune
from ips.models import Program, User
from tests.clients.factories import ClientFactory
from tests.helpers import process_environ

REPO_ROOT = Path(__file__).resolve().parents[2]

# The answer of the restored copy: log in as the specialist and open the caseload.
ANSWER = """
from django.test import Client
from ips.models import User
browser = Client()
backend = "ips.authentication.UserBackend"
browser.force_login(User.objects.get(username="sam.specialist"), backend)
page = browser.get("/clients/", HTTP_HOST="127.0.0.1")
print(page.status_code, "Zebrowska" in page.content.decode())
"""


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """An empty database beside the test one; dropped afterwards."""
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restored"
    admin = psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _manage(database: str, media: Path, *args: str) -> subprocess.CompletedProcess[str]:
    settings_dict = connection.settings_dict
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    user = f"{settings_dict['USER']}@" if settings_dict["USER"] else ""
    env = {
        **process_environ(),
        "DATABASE_URL": f"postgres://{user}{host}:{port}/{database}",
        "MEDIA_ROOT": str(media),
        "DEBUG": "true",
    }
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_and_the_app_answers_on_it(
    tmp_path: Path, settings: Settings, specialist: User, program: Program, fresh_database: str
) -> None:
    ClientFactory(
        program=program, specialist=specialist, first_name="Quillon", last_name="Zebrowska"
    )
    report = Path(settings.MEDIA_ROOT) / "reports" / "program-1-2026-Q1.pdf"
    report.parent.mkdir(parents=True)
    report.write_bytes(b"%PDF-1.7 stored report")

    call_command("backup", to=str(tmp_path / "backups"))
    (made,) = (tmp_path / "backups").iterdir()
    restored_media = tmp_path / "restored-media"
    restored = _manage(fresh_database, restored_media, "restore", str(made))
    answer = _manage(fresh_database, restored_media, "shell", "-v", "0", "-c", ANSWER)

    assert restored.returncode == 0, restored.stderr
    assert (
        restored_media / "reports" / "program-1-2026-Q1.pdf"
    ).read_bytes() == report.read_bytes()
    assert answer.stdout.split() == ["200", "True"], answer.stderr


@pytest.mark.django_db
def test_restore_refuses_a_database_that_has_tables(tmp_path: Path) -> None:
    (tmp_path / "database.dump").write_bytes(b"")
    (tmp_path / "media.tar.gz").write_bytes(b"")

    with pytest.raises(CommandError, match="empty database"):
        call_command("restore", str(tmp_path))


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a backup"):
        call_command("restore", str(tmp_path))


def test_backups_are_pruned_to_the_newest(tmp_path: Path) -> None:
    for stamp in ("20260101-010000", "20260102-010000", "20260103-010000"):
        (tmp_path / f"ips-{stamp}").mkdir()

    removed = prune(tmp_path, keep=2)

    assert [path.name for path in removed] == ["ips-20260101-010000"]
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "ips-20260102-010000",
        "ips-20260103-010000",
    ]
