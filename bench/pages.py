"""Page benchmark under gunicorn, at 1 and 8 concurrent users: the caseload at 18, 200 and
2,000 clients, a program of 2,202, a client page and a client with 110 contacts.

Run by hand against the demo data (`make run` once, or `manage.py seed_demo`; the bigger
caseloads are built on the first run, synthetic people only, see bench/caseloads.py):

    .venv/bin/python bench/pages.py [--seconds 15] [--workers 3] [--only "caseload 18"]

It starts gunicorn with production-like settings (DEBUG off) on 127.0.0.1:8765, logs each
page's user in through a real session, then prints requests/s and p50/p95 latency per page and
concurrency. Targets on a 2-core machine: the demo caseload (18) >= 140 requests/s at 8 users
and p95 <= 100 ms at 1 user.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
ENV = {
    **os.environ,
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "STATIC_MANIFEST": "false",
    "LOG_LEVEL": "WARNING",
}


def setup() -> None:
    """Django, in this process, with the server's settings (for sessions and the data)."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def session_cookie(username: str) -> str:
    """A logged-in session for `username`, made the way Django's login makes one."""
    setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    from ips.middleware import SESSION_LAST_SEEN, SESSION_STARTED
    from ips.models import User

    user = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "ips.authentication.UserBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SESSION_STARTED] = store[SESSION_LAST_SEEN] = time.time()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def hammer(path: str, cookie: str, users: int, seconds: float) -> tuple[list[float], int]:
    """`users` threads requesting `path` back to back for `seconds`; latencies in ms."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        mine: list[float] = []
        bad = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            bad += response.status != 200
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=run) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def wrk(path: str, cookie: str, users: int, seconds: float) -> tuple[float, float, float, int]:
    """requests/s, p50 ms, p95 ms and errors measured by wrk (a C load generator: it leaves the
    two cores to the server, which a Python generator does not)."""
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(users, 2)}",
            f"-c{users}",
            f"-d{int(seconds)}s",
            "-H",
            f"Cookie: {cookie}",
            "-s",
            str(ROOT / "bench" / "wrk_report.lua"),
            f"http://127.0.0.1:{PORT}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    requests, duration, p50, p95, errors = line.split()[1:]
    return int(requests) / float(duration), float(p50), float(p95), int(errors)


def measure(path: str, cookie: str, users: int, seconds: float) -> tuple[float, float, float, int]:
    if shutil.which("wrk"):
        return wrk(path, cookie, users, seconds)
    latencies, errors = hammer(path, cookie, users, seconds)
    rate = len(latencies) / seconds
    return rate, percentile(latencies, 50), percentile(latencies, 95), errors


def percentile(values: list[float], pct: float) -> float:
    return statistics.quantiles(values, n=100)[int(pct) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    # As deployed (docker-compose.yml, Dockerfile). On two cores shared with PostgreSQL and wrk,
    # a fourth sync worker only adds contention: ~10% fewer requests/s in measurements.
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--only", action="append", help="a row's name; may be repeated")
    args = parser.parse_args()

    setup()
    from bench import caseloads

    subjects = [s for s in caseloads.build() if not args.only or s.name in args.only]
    cookies = {s.username: session_cookie(s.username) for s in subjects}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ENV,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        for s in subjects:  # warm every worker's connections and caches
            hammer(s.path, cookies[s.username], args.workers, 1)
        print(f"{'page':<15}{'users':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
        for users in (1, 8):
            for s in subjects:
                rate, p50, p95, errors = measure(s.path, cookies[s.username], users, args.seconds)
                print(
                    f"{s.name:<15}{users:>6}{rate:>9.1f}{p50:>9.1f}{p95:>9.1f}{errors:>8}",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
