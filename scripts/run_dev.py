"""`make run`: migrate, seed the demo agency, start web + Celery worker + beat, stop them together.

PostgreSQL and Redis are probed first. Without PostgreSQL the site runs on SQLite; without Redis
tasks run inside the web process (CELERY_TASK_ALWAYS_EAGER) and no worker or beat is started.
Either fallback is announced.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import environ

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
PORT = os.environ.get("PORT", "8000")
URL = f"http://{HOST}:{PORT}"


def postgres_ready(url: str) -> bool:
    """Whether PostgreSQL answers at `url`; creates the database when only it is missing."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    dbname = params.pop("dbname", None) or "ips"
    try:
        with psycopg.connect(
            **params, dbname="postgres", connect_timeout=3, autocommit=True
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [dbname]
            ).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
                print(f"Created PostgreSQL database {dbname!r}.")
    except psycopg.Error as error:
        print(f"PostgreSQL is not reachable ({error.__class__.__name__}).")
        return False
    return True


def redis_ready(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError as error:
        print(f"Redis is not reachable ({error.__class__.__name__}).")
        return False


def configure() -> bool:
    """Set the environment for the children; True when Redis (and so worker and beat) is used."""
    environ.Env.read_env(ROOT / ".env")
    database_url = os.environ.get("DATABASE_URL") or "postgres://127.0.0.1:5432/ips"
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if database_url.startswith("postgres") and not postgres_ready(database_url):
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'db.sqlite3'}"
        print(
            "FALLBACK: using SQLite at db.sqlite3 instead of PostgreSQL. Every page works (the "
            "caseload and the client page through portable queries, not the ones tuned for "
            "PostgreSQL); backups (manage.py backup) need PostgreSQL."
        )
    with_redis = redis_ready(redis_url)
    if not with_redis:
        os.environ["CACHE_URL"] = "locmemcache://"
        os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
        print("FALLBACK: no Redis, so tasks run in-process; no Celery worker or beat is started.")
    return with_redis


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def start(name: str, args: list[str]) -> tuple[str, subprocess.Popen[bytes]]:
    # Each child leads its own process group, so stopping it also stops its reloader/pool children.
    return name, subprocess.Popen(args, cwd=ROOT, start_new_session=True)


def wait_for_web(timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{URL}/accounts/login/", timeout=2) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            time.sleep(0.5)
    return False


def print_logins() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from ips.demo import DEMO_PASSWORD, HEADLINE_LOGINS, LOGINS

    roles = {login.username: login for login in LOGINS}
    print(f"\nIPS case management is running at {URL}\n")
    print(f"{'login':<20} {'role':<24} agency")
    for username in HEADLINE_LOGINS:
        login = roles[username]
        print(f"{username:<20} {login.role.label:<24} {login.agency or 'outside reviewer'}")
    print(f"\nPassword for every demo login: {DEMO_PASSWORD}")
    print("Press Ctrl-C to stop web, worker and beat.\n")


def stop(children: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
    for _, child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    for name, child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in time; killing it.")
            os.killpg(child.pid, signal.SIGKILL)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    with_redis = configure()
    manage("migrate", "--noinput")
    manage("seed_demo")
    children = [start("web", [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}"])]
    if with_redis:
        celery = [PYTHON, "-m", "celery", "-A", "config"]
        children.append(start("worker", [*celery, "worker", "-l", "info", "--concurrency", "2"]))
        schedule = str(ROOT / ".celerybeat-schedule")
        children.append(start("beat", [*celery, "beat", "-l", "info", "--schedule", schedule]))
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        if not wait_for_web():
            print("The web server did not come up.")
            return 1
        print_logins()
        while all(child.poll() is None for _, child in children):
            time.sleep(1)
        ended = [name for name, child in children if child.poll() is not None]
        print(f"{', '.join(ended)} stopped; stopping the rest.")
        return 1
    except KeyboardInterrupt:
        print("\nStopping web, worker and beat.")
        return 0
    finally:
        stop(children)


if __name__ == "__main__":
    sys.exit(main())
