"""CPU cost per request of the caseload and client pages, measured in-process.

Run by hand against the demo data:

    .venv/bin/python bench/profile_pages.py [--sql] [--profile caseload|client]

bench/pages.py measures what a server delivers, which on a shared machine says as much about the
other processes as about the pages. This measures what a request costs, with Django's test
client in this process (DEBUG off, the demo specialist logged in through a real session):
- CPU ms: time.process_time() per request (middleware, view, queries on the Python side,
  template), the best of several rounds, since a busy machine only ever slows a round down;
- wall ms: the same with the waits for PostgreSQL and Redis;
- calls: Python function calls per request, which machine load does not move at all;
- with `--sql`, the queries one request runs and PostgreSQL's execution time for them
  (EXPLAIN ANALYZE of each SELECT).
`--profile` prints cProfile's top functions for one page.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

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
from django.test import Client as Browser  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.pages import first_client_path, session_cookie  # noqa: E402


def browser_for(username: str) -> Browser:
    name, value = session_cookie(username).split("=", 1)
    browser = Browser(secure=True)  # the session cookie is Secure when DEBUG is off
    browser.cookies[name] = value
    return browser


def timed(browser: Browser, path: str, count: int) -> tuple[float, float]:
    """CPU ms and wall ms per request, over `count` requests."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return (
        (time.process_time() - cpu) * 1000 / count,
        (time.perf_counter() - wall) * 1000 / count,
    )


def calls(browser: Browser, path: str, count: int = 20) -> int:
    """Python function calls per request: a proxy for CPU cost that, unlike timings, does not
    move when other processes load the machine."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        browser.get(path)
    profiler.disable()
    return pstats.Stats(profiler).total_calls // count  # type: ignore[attr-defined]


def sql_ms(browser: Browser, path: str) -> tuple[int, float]:
    """Statements one request runs, and PostgreSQL's execution time for its SELECTs (EXPLAIN
    ANALYZE; planning left out, as prepared statements mostly skip it)."""
    with CaptureQueriesContext(connection) as captured:
        browser.get(path)
    total = 0.0
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            total += cursor.fetchone()[0][0]["Execution Time"]
    return len(captured.captured_queries), total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=25)
    # The best of several rounds: other processes on the machine slow a round down (CPU time
    # shared, caches evicted), never speed it up.
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--user", default="demo-specialist")
    parser.add_argument("--profile", choices=["caseload", "client"])
    parser.add_argument("--sql", action="store_true")
    args = parser.parse_args()

    browser = browser_for(args.user)
    pages = {"caseload": "/clients/", "client": first_client_path(args.user)}
    for path in pages.values():
        timed(browser, path, 20)  # warm up: caches, prepared statements
    print(f"{'page':<10}{'CPU ms':>9}{'wall ms':>9}{'calls':>9}{'queries':>9}{'SQL ms':>9}")
    for name, path in pages.items():
        cpu, wall = min(timed(browser, path, args.requests) for _ in range(args.rounds))
        queries, sql = sql_ms(browser, path) if args.sql else (0, 0.0)
        print(
            f"{name:<10}{cpu:>9.2f}{wall:>9.2f}{calls(browser, path):>9}"
            f"{queries or '':>9}{sql or '':>9.3}"
        )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        timed(browser, pages[args.profile], args.requests)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats("tottime")
        stats.print_stats(30)
        stats.sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
