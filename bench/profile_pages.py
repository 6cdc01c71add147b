"""CPU cost per request of the caseload, client and timeline pages and of a quick log, measured
in-process, for caseloads of 18, 200 and 2,000 clients, a program of 2,202 and a client with 110
contacts, so that cost against size shows.

Run by hand against the demo data (the bigger caseloads are built on the first run, synthetic
people only, see bench/caseloads.py):

    .venv/bin/python bench/profile_pages.py [--sql] [--profile "caseload 2000"] [--only "quick log"]

bench/pages.py measures what a server delivers, which on a shared machine says as much about the
other processes as about the pages. This measures what a request costs, with Django's test
client in this process (DEBUG off, each user logged in through a real session):
- CPU ms: time.process_time() per request (middleware, view, queries on the Python side,
  template), the best of several rounds, since a busy machine only ever slows a round down;
- wall ms: the same with the waits for PostgreSQL and Redis;
- calls: Python function calls per request, which machine load does not move at all;
- queries: the statements one request runs (session, user, grants and audit included);
- with `--sql`, PostgreSQL's execution time for them (EXPLAIN ANALYZE of each SELECT, without
  per-node timing, which on a virtual machine's clock costs more than many queries).
`--profile NAME` prints cProfile's top functions for one row.
Targets: caseload of 200 <= 12 ms and of 2,000 <= 15 ms, client page and the 110-contact
timeline <= 12 ms, quick log <= 8 ms.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(
    {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
        "LOG_LEVEL": "WARNING",
    }
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http.response import HttpResponseBase  # noqa: E402
from django.test import Client as Browser  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import caseloads  # noqa: E402
from bench.pages import session_cookie  # noqa: E402
from ips.calendar import today  # noqa: E402


def browser_for(username: str) -> Browser:
    name, value = session_cookie(username).split("=", 1)
    browser = Browser(secure=True)  # the session cookie is Secure when DEBUG is off
    browser.cookies[name] = value
    return browser


Request = Callable[[Browser], HttpResponseBase]


def timed(browser: Browser, request: Request, count: int) -> tuple[float, float]:
    """CPU ms and wall ms per request, over `count` requests."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        response = request(browser)
        assert response.status_code == 200, response.status_code
    return (
        (time.process_time() - cpu) * 1000 / count,
        (time.perf_counter() - wall) * 1000 / count,
    )


def best(browser: Browser, request: Request, count: int, seconds: float) -> tuple[float, float]:
    """The best round of `count` requests, rounds repeated for about `seconds` (3 at least)."""
    rounds, deadline = [], time.monotonic() + seconds
    while len(rounds) < 3 or time.monotonic() < deadline:
        rounds.append(timed(browser, request, count))
    return min(rounds)


def calls(browser: Browser, request: Request, count: int = 5) -> int:
    """Python function calls per request: a proxy for CPU cost that, unlike timings, does not
    move when other processes load the machine."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        request(browser)
    profiler.disable()
    return pstats.Stats(profiler).total_calls // count  # type: ignore[attr-defined]


def sql_ms(browser: Browser, request: Request, explain: bool) -> tuple[int, float]:
    """Statements one request runs, and (`explain`) PostgreSQL's execution time for its SELECTs
    (EXPLAIN ANALYZE with TIMING OFF; planning left out, as prepared statements mostly skip
    it)."""
    with CaptureQueriesContext(connection) as captured:
        request(browser)
    total = 0.0
    with connection.cursor() as cursor:
        for query in captured.captured_queries if explain else ():
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}")
            total += cursor.fetchone()[0][0]["Execution Time"]
    return len(captured.captured_queries), total


def getter(path: str) -> Request:
    return lambda browser: browser.get(path)


FORM_ENCODED = "application/x-www-form-urlencoded"


def quick_log(client_id: int) -> Request:
    """The caseload's quick log (htmx), as a specialist sends it."""
    path = f"/clients/{client_id}/contacts/quick/"
    data = {
        **{"where": "caseload", "purpose": "job_search", "minutes": "20"},
        **{"contacted_on": today().isoformat(), "mode": "in_person", "place": "community"},
        "with_whom": "client",
    }
    # Form-encoded, as htmx sends a form (the test client would otherwise send multipart).
    body = urlencode(data)

    def send(browser: Browser) -> HttpResponseBase:
        response = browser.post(
            path, body, content_type=FORM_ENCODED, headers={"HX-Request": "true"}
        )
        # A refused form is also a 200 (htmx swaps only 2xx): count only contacts logged.
        assert b"Logged:" in response.content, "the quick log refused the contact"
        return response

    return send


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10)
    # The best of several rounds: other processes on the machine slow a round down (CPU time
    # shared, caches evicted), never speed it up.
    parser.add_argument("--seconds", type=float, default=4, help="of rounds, per row")
    parser.add_argument("--profile", help="a row's name, e.g. 'caseload 2000'")
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--only", action="append", help="a row's name; may be repeated")
    args = parser.parse_args()

    rows: list[tuple[str, str, Request]] = [
        (subject.name, subject.username, getter(subject.path)) for subject in caseloads.build()
    ]
    writer, client_id = caseloads.writes_client()
    rows.append(("quick log", writer, quick_log(client_id)))
    rows = [row for row in rows if not args.only or row[0] in args.only]
    print(f"{'page':<15}{'CPU ms':>9}{'wall ms':>9}{'calls':>9}{'queries':>9}{'SQL ms':>9}")
    for name, username, request in rows:
        browser = browser_for(username)
        timed(browser, request, 5)  # warm up: caches, prepared statements
        cpu, wall = best(browser, request, args.requests, args.seconds)
        queries, sql = sql_ms(browser, request, args.sql)
        print(
            f"{name:<15}{cpu:>9.2f}{wall:>9.2f}{calls(browser, request):>9}"
            f"{queries:>9}{sql or '':>9.3}",
            flush=True,
        )
        if args.profile == name:
            profiler = cProfile.Profile()
            profiler.enable()
            timed(browser, request, args.requests)
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats("tottime")
            stats.print_stats(30)
            stats.sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
