"""Import benchmark: seconds and peak resident memory to import 50,000 client contacts and
10,000 clients from generated CSV files (synthetic people only), preview and write both.

    DATABASE_URL=postgres://127.0.0.1:5432/ips_imports .venv/bin/python bench/import.py

It migrates (once, kept) a database named after DATABASE_URL's with `bench_` in front, then, in
a fresh process per measurement, adds an agency, a program and a specialist, previews and
writes the file the way the tasks do (batches of IMPORT_BATCH_ROWS), prints the figures (wall
and CPU seconds, peak resident memory) and removes what it added. Targets: 50,000 contacts
<= 60 s, 10,000 clients <= 30 s, <= 200 MiB.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"contacts": 60.0, "clients": 30.0}
RSS_TARGET_MIB = 200


def bench_url() -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://127.0.0.1:5432/ips"))
    return urlunsplit(parts._replace(path=f"/bench_{parts.path.lstrip('/')}"))


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = bench_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.conf import settings

    # As a worker in production: with DEBUG on, Django keeps the SQL of every statement (each
    # batch insert's is megabytes) in memory and formats it, which is not the import's cost.
    settings.DEBUG = False


def prepare() -> None:
    """Create and migrate the bench database (kept between runs)."""
    import psycopg

    parts = urlsplit(bench_url())
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not found:
            connection.execute(f'CREATE DATABASE "{name}"')
    setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def clients_csv(count: int) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(
        ["external_id", "first_name", "last_name", "birth_date", "referred_on", "referral_source",
         "enrolled_on", "closed_on", "closure_reason", "employed_at_referral", "specialist"]
    )  # fmt: skip
    for n in range(count):
        born = dt.date(1960, 1, 1) + dt.timedelta(days=n % 12000)
        writer.writerow(
            [f"C-{n}", f"Synth{n}", f"Person{n % 997}", born, "2024-01-08", "self",
             "2024-01-15", "", "", "no", "bench.specialist"]
        )  # fmt: skip
    return buffer.getvalue().encode()


def contacts_csv(count: int, clients: int) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(
        ["external_id", "client_external_id", "contacted_on", "minutes", "purpose", "mode",
         "place", "note"]
    )  # fmt: skip
    for n in range(count):
        day = dt.date(2024, 2, 1) + dt.timedelta(days=n % 600)
        writer.writerow(
            [f"K-{n}", f"C-{n % clients}", day, 30, "Job search", "phone", "", "Synthetic note"]
        )  # fmt: skip
    return buffer.getvalue().encode()


def measure(kind: str, rows: int) -> None:
    """One measurement, in this (fresh) process: prints seconds and peak resident memory."""
    setup()
    from django.db import transaction

    from ips.models import Agency, Program, Role, StaffRole, User

    with transaction.atomic():
        agency = Agency.objects.create(name=f"Bench agency {time.time_ns()}")
        program = Program.objects.create(agency=agency, name="Bench program")
        user = User.objects.create_user(username="bench.specialist", password=None)
        StaffRole.objects.create(user=user, role=Role.SPECIALIST, program=program, agency=agency)
        supervisor = User.objects.create_user(username="bench.supervisor", password=None)
        StaffRole.objects.create(
            user=supervisor, role=Role.SUPERVISOR, program=program, agency=agency
        )
        clients = 10_000 if kind == "contacts" else rows
    try:
        if kind == "contacts":
            _write(program, supervisor, "clients", clients_csv(clients))
        content = clients_csv(rows) if kind == "clients" else contacts_csv(rows, clients)
        started, cpu_started = time.perf_counter(), time.process_time()
        run = _write(program, supervisor, kind, content)
        seconds = time.perf_counter() - started
        # The machine is shared: this process's CPU seconds tell its own cost apart from the
        # wait for a busy machine (the database server's CPU is not counted here).
        cpu = time.process_time() - cpu_started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ok = seconds <= TARGETS[kind] and rss <= RSS_TARGET_MIB
        print(
            f"{rows:>6} {kind:<9} {seconds:6.1f} s (target {TARGETS[kind]:.0f} s), "
            f"CPU {cpu:.1f} s  "
            f"peak RSS {rss:5.0f} MiB (target {RSS_TARGET_MIB})  created {run.created}, "
            f"errors {len(run.errors)}  {'OK' if ok else 'OVER'}"
        )
    finally:
        _clean(program)


def _write(program, actor, kind: str, content: bytes):  # type: ignore[no-untyped-def]
    from imports.models import ImportRun
    from imports.services import import_check, import_preview, import_write

    run = import_preview(
        program=program, kind=kind, file_name=f"{kind}.csv", content=content, actor=actor
    )
    if run.status == ImportRun.Status.CHECKING:  # a large file: checked as the worker does
        import_check(run_id=run.pk)
    # As `import_confirm` does, without its audit event (the bench acts for no one).
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, created=0, updated=0, skipped=0, errors=[]
    )
    import_write(run_id=run.pk)
    run.refresh_from_db()
    return run


CLIENTS_OF = "SELECT id FROM clients_client WHERE program_id = %s"


def _clean(program) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    with connection.cursor() as cursor:
        pid = program.pk
        for sql in (
            "DELETE FROM imports_importedrecord WHERE program_id = %s",
            "DELETE FROM imports_importrun WHERE program_id = %s",
            f"DELETE FROM clients_contact WHERE client_id IN ({CLIENTS_OF})",  # noqa: S608 (constants only)
            f"DELETE FROM clients_careerprofile WHERE client_id IN ({CLIENTS_OF})",  # noqa: S608 (constants only)
            "UPDATE clients_client SET current_episode_id = NULL WHERE program_id = %s",
            f"DELETE FROM clients_episode WHERE client_id IN ({CLIENTS_OF})",  # noqa: S608 (constants only)
            "DELETE FROM clients_client WHERE program_id = %s",
            "DELETE FROM ips_staffrole WHERE program_id = %s",
        ):
            cursor.execute(sql, [pid])
        cursor.execute("DELETE FROM ips_user WHERE username LIKE 'bench.%%'")
        cursor.execute("DELETE FROM ips_program WHERE id = %s", [pid])
        cursor.execute("DELETE FROM ips_agency WHERE id = %s", [program.agency_id])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "ROWS"))
    parser.add_argument("--prepare", action="store_true")
    args = parser.parse_args()
    if args.prepare:
        prepare()
        return
    if args.measure:
        measure(args.measure[0], int(args.measure[1]))
        return
    subprocess.run([sys.executable, __file__, "--prepare"], check=True)
    for kind, rows in (("clients", 10_000), ("contacts", 50_000)):
        subprocess.run([sys.executable, __file__, "--measure", kind, str(rows)], check=True)


if __name__ == "__main__":
    main()
