"""`make run` without PostgreSQL: the site on SQLite (`scripts/run_dev.py`'s fallback).

Pages whose reads are hand-written for PostgreSQL take portable paths on any other database. A
subprocess does what the fallback does on a fresh SQLite file (migrate, seed the demo agency),
then opens the main pages as the demo logins and logs a contact the way the client page does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import process_environ

ROOT = Path(__file__).resolve().parents[2]

# Run in the subprocess; prints the status of every page opened, by path, as JSON (also when
# a step fails: the pages that answered until then).
SCRIPT = r"""
import io, json, re
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
from clients.models import Contact
from ips.calendar import today
from ips.demo import DEMO_PASSWORD

call_command("migrate", verbosity=0)
call_command("seed_demo", stdout=io.StringIO())
setup_test_environment()
answers = {}

def logged_in(username):
    http = Client(raise_request_exception=False)
    response = http.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, (username, response.status_code)
    return http

def visit(http, path, **headers):
    response = http.get(path, headers=headers)
    answers[path] = response.status_code
    return response.content.decode()

def first_link(page, pattern):
    return re.search(f'href="({pattern})"', page).group(1)

def open_pages():
    specialist = logged_in("demo-specialist")
    visit(specialist, "/")
    client = first_link(visit(specialist, "/clients/"), r"/clients/\d+/")
    visit(specialist, client)
    visit(specialist, client + "?page=2")
    visit(specialist, client + "?page=2&from=1", **{"HX-Request": "true"})
    visit(specialist, "/clients/?status=enrolled&working=no&no_contact=30")
    visit(specialist, "/employers/")
    contacts = Contact.objects.count()
    logged = specialist.post(
        client + "contacts/quick/",
        {"purpose": "job_support", "minutes": "25", "contacted_on": today().isoformat()},
        headers={"HX-Request": "true"},
    )
    answers["quick log"] = logged.status_code
    assert Contact.objects.count() == contacts + 1, "the quick log saved no contact"
    supervisor = logged_in("demo-supervisor")
    visit(supervisor, "/clients/?specialist=all")
    visit(supervisor, "/supervision/")
    director = logged_in("demo-director")
    visit(director, first_link(visit(director, "/outcomes/reports/"), r"/outcomes/programs/\d+/"))

try:
    open_pages()
finally:
    print(json.dumps(answers))
"""


def test_the_main_pages_work_on_the_sqlite_fallback(tmp_path: Path) -> None:
    environment = {
        **process_environ(),
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MIGRATE_DATABASE_URL": "",
        "CACHE_URL": "locmemcache://",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "ERROR",
    }

    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    printed = done.stdout.strip().splitlines()
    answers = json.loads(printed[-1]) if printed else {}
    failed = {path: status for path, status in answers.items() if status != 200}
    assert failed == {}, done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(answers) == 12
