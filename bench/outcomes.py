"""Outcome roll-up benchmark on a state-size synthetic dataset.

    .venv/bin/python bench/outcomes.py [--database ips_bench_outcomes] [--reuse]

Creates its own PostgreSQL database (never the development one), migrates it and fills it with
SQL (generate_series, seconds to minutes): 300 programs in 30 agencies, 60 000 clients (some
re-enrolled, some archived), ~90 000 jobs, 4 million client contacts and 1 million employer
contacts over ten years (2016-01 to 2026-10). `--reuse` keeps a dataset made by an earlier run.

Then it prints, in one run:
- the time to roll up every program for every month and quarter (`outcome_rollups`, stored);
- the same counts by one bare SQL aggregate over the same rows (the floor), and the ratio;
- whether the two agree, number by number;
- one program-quarter recompute (median of 20 runs);
- the monthly and quarterly PDF report of one state-size program: seconds (median of 3) and
  Python heap peak, as `bench/reports.py` renders them, and the process's peak resident memory.

Targets: all-program roll-up <= 60 s and <= 3x the floor; one program-quarter <= 50 ms; monthly
PDF <= 1.5 s; quarterly PDF <= 12 s.
"""

# The SQL below is built from this module's constants only, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = 300
CLIENTS = 60_000
CLIENT_CONTACTS = 4_000_000
EMPLOYER_CONTACTS = 1_000_000
FIRST_MONTH = dt.date(2016, 1, 1)
LAST_DAY = dt.date(2026, 10, 31)


def server_url(database: str) -> str:
    """The DATABASE_URL of the development settings, pointed at `database`."""
    sys.path.insert(0, str(ROOT))
    import environ

    env = environ.Env()
    environ.Env.read_env(ROOT / ".env", overwrite=False)
    url = env.str("DATABASE_URL", default="postgres://127.0.0.1:5432/ips")
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def create_database(url: str, database: str, reuse: bool) -> bool:
    """Create the benchmark database; True when a dataset is already there to reuse."""
    admin = urlunsplit(urlsplit(libpq(url))._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists and reuse:
            with psycopg.connect(libpq(url)) as bench:
                try:
                    count = bench.execute("SELECT count(*) FROM clients_client").fetchone()[0]
                except psycopg.errors.UndefinedTable:
                    count = 0
            if count == CLIENTS:
                return True
        if exists:
            conn.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    return False


GENERATE = [
    # Agencies, programs, a yearly minimum-wage schedule per program.
    """INSERT INTO ips_agency (id, name, requires_two_factor, created_at, version, share_employers,
                               paper_size)
       SELECT a, 'Agency ' || a, false, now(), 1, false, 'letter' FROM generate_series(1, 30) a""",
    f"""INSERT INTO ips_program (id, name, site, is_active, created_at, version, agency_id,
                                weekly_employer_contact_target, counts_self_employment)
       SELECT p, 'Program ' || p, '', true, now(), 1, (p - 1) / 10 + 1, 6, true
       FROM generate_series(1, {PROGRAMS}) p""",
    f"""INSERT INTO ips_minimumwage (effective_on, hourly, program_id)
       SELECT make_date(y, 1, 1), 7.25 + 0.75 * (y - 2016) + (p % 5) * 0.25, p
       FROM generate_series(1, {PROGRAMS}) p, generate_series(2016, 2026) y""",
    # Five specialists per program (user id = 5 * (program - 1) + k), twenty employers each.
    f"""INSERT INTO ips_user (id, password, is_superuser, username, first_name, last_name, email,
                             is_staff, is_active, date_joined, home_agency_id,
                             must_enrol_two_factor)
       SELECT u, '!', false, 'bench-' || u, 'Spec', 'Ialist ' || u, '', false, true, now(),
              ((u - 1) / 5) / 10 + 1, false
       FROM generate_series(1, {PROGRAMS * 5}) u""",
    f"""INSERT INTO employers_employer (id, name, name_key, industry, address, notes, created_at,
                                       version, program_id, archive_reason)
       SELECT e, 'Employer ' || e, 'employer ' || e, 'Retail', '', '', now(), 1,
              (e - 1) / 20 + 1, ''
       FROM generate_series(1, {PROGRAMS * 20}) e""",
    # Clients: program = n mod 300; 1 % archived.
    f"""INSERT INTO clients_client (id, archived_at, archive_reason, version, first_name,
                                   last_name, birth_date, phone, email, address, created_at,
                                   program_id, specialist_id)
       SELECT n, CASE WHEN n % 100 = 7 THEN now() END,
              CASE WHEN n % 100 = 7 THEN 'Entered twice' ELSE '' END, 1, 'Client', 'No ' || n,
              DATE '1980-01-01' + n % 9000, '', '', '', now(), (n - 1) % {PROGRAMS} + 1,
              5 * ((n - 1) % {PROGRAMS}) + n % 5 + 1
       FROM generate_series(1, {CLIENTS}) n""",
    # First episodes: referred over ten years; 70 % closed after 6 months to 2.5 years.
    f"""INSERT INTO clients_episode (id, referred_on, referral_source, enrolled_on,
                                    employed_at_referral, closed_on, closure_reason, client_id)
       SELECT n, r, 'self', r + 7 + n % 20, false,
              CASE WHEN n % 10 < 7 AND r + 7 + n % 20 + 180 + (n * 37) % 720 <= DATE '{LAST_DAY}'
                   THEN r + 7 + n % 20 + 180 + (n * 37) % 720 END,
              CASE WHEN n % 10 < 7 AND r + 7 + n % 20 + 180 + (n * 37) % 720 <= DATE '{LAST_DAY}'
                   THEN 'chose_to_stop' ELSE '' END,
              n
       FROM (SELECT n, DATE '{FIRST_MONTH}' + (n * 7919) % 3750 AS r
             FROM generate_series(1, {CLIENTS}) n) s""",
    # Re-enrollment: a second episode for one closed client in three.
    f"""INSERT INTO clients_episode (id, referred_on, referral_source, enrolled_on,
                                    employed_at_referral, closed_on, closure_reason, client_id)
       SELECT {CLIENTS} + e.client_id, e.closed_on + 30 + e.client_id % 60, 'self',
              e.closed_on + 35 + e.client_id % 60, false, NULL, '', e.client_id
       FROM (SELECT client_id::int AS client_id, closed_on FROM clients_episode) e
       WHERE e.closed_on IS NOT NULL AND e.client_id % 3 = 0
         AND e.closed_on + 35 + e.client_id % 60 <= DATE '{LAST_DAY}'""",
    "ANALYZE clients_client",
    "ANALYZE clients_episode",
    """UPDATE clients_client c SET current_episode_id = latest.id
       FROM (SELECT client_id, max(id) AS id FROM clients_episode GROUP BY client_id) latest
       WHERE latest.client_id = c.id""",
    # Jobs: one or two per first episode (some after closure), wages around the minimum wage,
    # one in 23 set aside, 60 % ended; 1 in 50 archived.
    # `competitive` is stored by the application afterwards (`refresh_competitive`).
    f"""INSERT INTO clients_job (archived_at, archive_reason, version, title, job_type, started_on,
                                ended_on, hours_per_week, hourly_wage, set_aside, end_reason,
                                created_at, client_id, employer_id, competitive, self_employed,
                                tips_per_hour, set_aside_kind)
       SELECT CASE WHEN (n * k) % 50 = 3 THEN now() END, '', 1, 'Job', 'retail', s,
              CASE WHEN (n + k) % 10 < 6 AND s + 30 + (n * k * 13) % 570 <= DATE '{LAST_DAY}'
                   THEN s + 30 + (n * k * 13) % 570 END,
              10 + (n * k) % 31, 7.25 + 0.75 * (extract(year FROM s) - 2016)
                                 + ((n * k) % 9 - 1) * 0.5, (n * k) % 23 = 0,
              CASE WHEN (n + k) % 10 < 6 AND s + 30 + (n * k * 13) % 570 <= DATE '{LAST_DAY}'
                   THEN 'quit' ELSE '' END,
              now(), n, 20 * ((n - 1) % {PROGRAMS}) + (n * k) % 20 + 1, false, false, 0, ''
       FROM (SELECT e.client_id::int AS n, k,
                    e.enrolled_on + 20 + (e.client_id::int * k * 37) % 400 AS s
             FROM clients_episode e, generate_series(1, 2) k
             WHERE e.id <= {CLIENTS} AND (k = 1 OR e.client_id % 2 = 0)) j
       WHERE s <= DATE '{LAST_DAY}'""",
    f"""INSERT INTO clients_educationenrollment (archive_reason, version, institution, course,
                                                started_on, ended_on, completed, client_id)
       SELECT '', 1, 'College', '', e.enrolled_on + 10, e.enrolled_on + 200, false, e.client_id
       FROM clients_episode e WHERE e.id <= {CLIENTS} AND e.client_id % 17 = 0""",
    # Client contacts: ~67 per client, inside the first episode's first two years.
    f"""INSERT INTO clients_contact (archive_reason, version, contacted_on, minutes, mode, place,
                                    with_whom, purpose, note, created_at, client_id,
                                    specialist_id)
       SELECT '', 1, least(e.enrolled_on + (g * 13) % 700, DATE '{LAST_DAY}'), 30,
              'in_person', 'community', 'client', 'job_search', '', now(), e.client_id,
              5 * ((e.client_id - 1) % {PROGRAMS}) + e.client_id % 5 + 1
       FROM generate_series(1, {CLIENT_CONTACTS}) g
       JOIN clients_episode e ON e.id = g % {CLIENTS} + 1""",
    # Employer contacts: 70 % face to face; 60 % on a client's behalf.
    f"""INSERT INTO employers_employercontact (id, archive_reason, version, contacted_on,
                                              face_to_face, with_hiring_manager, purpose,
                                              outcome, next_step, note, created_at,
                                              employer_id, specialist_id, by_client)
       SELECT g, '', 1, least(e.enrolled_on + (g * 7) % 90, DATE '{LAST_DAY}'), g % 10 < 7,
              g % 3 = 0, 'introduce', '', '', '', now(),
              20 * ((e.client_id - 1) % {PROGRAMS}) + g % 20 + 1,
              5 * ((e.client_id - 1) % {PROGRAMS}) + e.client_id % 5 + 1, false
       FROM generate_series(1, {EMPLOYER_CONTACTS}) g
       JOIN clients_episode e ON e.id = g % {CLIENTS} + 1""",
    f"""INSERT INTO employers_employercontact_clients (employercontact_id, client_id)
       SELECT g, g % {CLIENTS} + 1 FROM generate_series(1, {EMPLOYER_CONTACTS}) g
       WHERE g % 10 < 6""",
]

SEQUENCES = [
    ("ips_agency", "id"),
    ("ips_program", "id"),
    ("ips_user", "id"),
    ("employers_employer", "id"),
    ("clients_client", "id"),
    ("clients_episode", "id"),
    ("employers_employercontact", "id"),
]


def generate(url: str) -> None:
    with psycopg.connect(libpq(url)) as conn:
        for statement in GENERATE:
            started = time.perf_counter()
            count = conn.execute(statement).rowcount
            table = " ".join(statement.split()[: 3 if statement.startswith("INSERT") else 2])
            print(f"  {table:<36} {count:>9} rows  {time.perf_counter() - started:6.1f} s")
        for table, column in SEQUENCES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"(SELECT max({column}) FROM {table}))"
            )
        conn.commit()


def vacuum(url: str) -> None:
    """As autovacuum leaves a settled database: the statistics and the visibility map up to date
    (without them, every job looks non-competitive to the planner and index-only scans visit
    the table)."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def periods() -> list:
    from ips.calendar import Period

    months, quarters = [], []
    month = Period.containing("month", FIRST_MONTH)
    while month.last <= LAST_DAY:
        months.append(month)
        month = month.next()
    quarter = Period.containing("quarter", FIRST_MONTH)
    while quarter.last <= LAST_DAY:
        quarters.append(quarter)
        quarter = quarter.next()
    return months + quarters


# The floor: the same counts for every program and period in one statement, written by hand.
FLOOR = """
WITH periods(label, first_day, last_day) AS (
    SELECT * FROM unnest(%s::text[], %s::date[], %s::date[])),
live_clients AS (SELECT id, program_id FROM clients_client WHERE archived_at IS NULL),
episodes AS (
    SELECT e.client_id, c.program_id, e.enrolled_on, e.closed_on
    FROM clients_episode e JOIN live_clients c ON c.id = e.client_id
    WHERE e.enrolled_on IS NOT NULL),
-- Competitive (section 4.1): not set aside (any kind), self-employment only where the program
-- counts it, the cash wage plus tips or commission per hour at least the minimum wage in force
-- on the start date (before the first entry, the earliest).
competitive AS (
    SELECT j.client_id, c.program_id, j.started_on, j.ended_on FROM clients_job j
    JOIN live_clients c ON c.id = j.client_id JOIN ips_program g ON g.id = c.program_id
    WHERE j.archived_at IS NULL AND NOT j.set_aside AND j.set_aside_kind = ''
      AND (NOT j.self_employed OR g.counts_self_employment)
      AND j.hourly_wage + j.tips_per_hour >= coalesce(
        (SELECT w.hourly FROM ips_minimumwage w WHERE w.program_id = c.program_id
           AND w.effective_on <= j.started_on ORDER BY w.effective_on DESC LIMIT 1),
        (SELECT w.hourly FROM ips_minimumwage w WHERE w.program_id = c.program_id
           ORDER BY w.effective_on LIMIT 1))),
in_period AS (
    SELECT p.label, p.first_day, p.last_day, e.*
    FROM periods p JOIN episodes e
      ON e.enrolled_on <= p.last_day AND (e.closed_on IS NULL OR e.closed_on >= p.first_day)),
caseload AS (SELECT label, program_id, count(DISTINCT client_id) AS n FROM in_period GROUP BY 1, 2),
working AS (
    SELECT i.label, i.program_id, count(DISTINCT i.client_id) AS n FROM in_period i
    WHERE EXISTS (SELECT 1 FROM competitive j WHERE j.client_id = i.client_id
        AND j.started_on <= least(coalesce(i.closed_on, i.last_day), i.last_day)
        AND (j.ended_on IS NULL OR j.ended_on >= greatest(i.enrolled_on, i.first_day)))
    GROUP BY 1, 2),
starts AS (
    SELECT p.label, c.program_id, j.client_id, j.started_on
    FROM periods p JOIN competitive j ON j.started_on BETWEEN p.first_day AND p.last_day
    JOIN live_clients c ON c.id = j.client_id
    WHERE EXISTS (SELECT 1 FROM episodes e WHERE e.client_id = j.client_id
        AND e.enrolled_on <= j.started_on
        AND (e.closed_on IS NULL OR e.closed_on >= j.started_on))),
job_starts AS (SELECT label, program_id, count(*) AS n FROM starts GROUP BY 1, 2),
first_ever AS (SELECT client_id, min(started_on) AS first_on FROM competitive GROUP BY 1),
first_starts AS (
    SELECT s.label, s.program_id, count(DISTINCT s.client_id) AS n
    FROM starts s JOIN periods p ON p.label = s.label
    JOIN first_ever f ON f.client_id = s.client_id AND f.first_on >= p.first_day
    GROUP BY 1, 2),
education AS (
    SELECT i.label, i.program_id, count(DISTINCT i.client_id) AS n FROM in_period i
    WHERE EXISTS (SELECT 1 FROM clients_educationenrollment d WHERE d.client_id = i.client_id
        AND d.archived_at IS NULL AND d.started_on <= i.last_day
        AND (d.ended_on IS NULL OR d.ended_on >= i.first_day))
    GROUP BY 1, 2),
-- Job endings: competitive jobs ended in the period while the client was enrolled (as starts).
endings AS (
    SELECT p.label, j.program_id, count(*) AS n
    FROM periods p JOIN competitive j ON j.ended_on BETWEEN p.first_day AND p.last_day
    WHERE EXISTS (SELECT 1 FROM episodes e WHERE e.client_id = j.client_id
        AND e.enrolled_on <= j.ended_on
        AND (e.closed_on IS NULL OR e.closed_on >= j.ended_on))
    GROUP BY 1, 2)
SELECT c.label, c.program_id, c.n, coalesce(w.n, 0), coalesce(s.n, 0), coalesce(f.n, 0),
       coalesce(d.n, 0)
FROM caseload c
LEFT JOIN working w USING (label, program_id)
LEFT JOIN job_starts s USING (label, program_id)
LEFT JOIN first_starts f USING (label, program_id)
LEFT JOIN education d USING (label, program_id)
UNION ALL
SELECT label, program_id, NULL, NULL, NULL, NULL, n FROM endings
"""


def floor(url: str, every: list) -> tuple[float, dict]:
    labels = [p.label for p in every]
    firsts = [p.first for p in every]
    lasts = [p.last for p in every]
    with psycopg.connect(libpq(url)) as conn:
        started = time.perf_counter()
        rows = conn.execute(FLOOR, [labels, firsts, lasts]).fetchall()
        seconds = time.perf_counter() - started
    numbers: dict = {}
    for label, program, caseload, working, starts, first, last in rows:
        entry = numbers.setdefault((program, label), {})
        if caseload is None:
            entry["job_endings"] = last
        else:
            entry.update(
                caseload=caseload,
                working=working,
                job_starts=starts,
                first_job_starts=first,
                in_education=last,
            )
    return seconds, numbers


def compare(floor_numbers: dict) -> int:
    """How many (program, period, number) differ between the stored roll-ups and the floor."""
    from outcomes.models import OutcomeRollup

    names = ("caseload", "working", "job_starts", "first_job_starts", "in_education", "job_endings")
    differences = 0
    for row in OutcomeRollup.objects.values("program_id", "period", *names).iterator():
        expected = floor_numbers.get((row["program_id"], row["period"]), {})
        for name in names:
            if row[name] != expected.get(name, 0):
                differences += 1
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="ips_bench_outcomes")
    parser.add_argument("--reuse", action="store_true", help="keep an existing dataset")
    options = parser.parse_args()
    url = server_url(options.database)

    reused = create_database(url, options.database, options.reuse)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    # As production runs: DEBUG off (with it on, Django keeps every query's text and time).
    os.environ.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "false",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    from ips.calendar import Period
    from outcomes.models import OutcomeRollup
    from outcomes.services import outcome_rollup, outcome_rollups

    call_command("migrate", verbosity=0)
    if reused:
        print(f"Reusing the dataset in {options.database}.")
    else:
        print(f"Generating the dataset in {options.database}:")
        started = time.perf_counter()
        generate(url)
        from clients.models import Job, refresh_competitive

        refresh_competitive(Job.objects.all())
        vacuum(url)
        print(f"  generated in {time.perf_counter() - started:.0f} s")

    every = periods()
    OutcomeRollup.objects.all().delete()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    stored = outcome_rollups(periods=every)
    rollup_seconds = time.perf_counter() - started

    floor_seconds, floor_numbers = floor(url, every)
    differences = compare(floor_numbers)

    quarter = Period.parse("2025-Q1")
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        outcome_rollup(period=quarter, program_ids=[150])
        timings.append(time.perf_counter() - started)
    one = statistics.median(timings) * 1000

    pdfs = render_pdfs(program_id=150)

    ratio = rollup_seconds / floor_seconds
    print()
    print(
        f"Machine: {os.cpu_count()} cores; load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end (other work on the machine slows every figure)."
    )
    print(f"Periods: {len(every)} ({every[0].label} .. {every[-1].label}); programs: {PROGRAMS}")
    print(f"All-program roll-up, every period: {rollup_seconds:7.1f} s  ({stored} rows stored)")
    print(f"Bare SQL floor (same counts):       {floor_seconds:7.1f} s")
    print(f"Ratio roll-up / floor:              {ratio:7.2f}x")
    print(f"Numbers differing from the floor:   {differences}")
    print(f"One program-quarter recompute:      {one:7.1f} ms (median of 20)")
    for kind, seconds, peak in pdfs:
        label = f"{kind.capitalize()} PDF (program 150):"
        print(f"{label:<36}{seconds:7.2f} s  heap peak {peak:.1f} MiB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Process peak resident memory:       {rss:7.0f} MiB")
    print()
    monthly, quarterly = pdfs[0][1], pdfs[1][1]
    print(
        "Targets: roll-up <= 60 s: {}; <= 3x floor: {}; one program-quarter <= 50 ms: {}; "
        "monthly PDF <= 1.5 s: {}; quarterly PDF <= 12 s: {}".format(
            "met" if rollup_seconds <= 60 else "MISSED",
            "met" if ratio <= 3 else "MISSED",
            "met" if one <= 50 else "MISSED",
            "met" if monthly <= 1.5 else "MISSED",
            "met" if quarterly <= 12 else "MISSED",
        )
    )


def render_pdfs(*, program_id: int) -> list[tuple[str, float, float]]:
    """Seconds (median of 3) and Python heap peak (MiB) of the last closed month's and quarter's
    PDF report of one state-size program, built as the report task builds it
    (`bench/reports.py` `render_once`)."""
    import importlib.util

    from ips.calendar import Period, today
    from ips.models import Program

    spec = importlib.util.spec_from_file_location(
        "bench_reports", Path(__file__).with_name("reports.py")
    )
    bench_reports = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_reports)
    program = Program.objects.select_related("agency").get(pk=program_id)
    results = []
    for kind in ("month", "quarter"):
        period = Period.containing(kind, today()).previous()
        runs = [bench_reports.render_once(program, period) for _ in range(3)]
        seconds = statistics.median(run[0] + run[1] for run in runs)
        peak = bench_reports.render_once(program, period, trace=True)[2] / 2**20
        results.append(("monthly" if kind == "month" else "quarterly", seconds, peak))
    return results


if __name__ == "__main__":
    main()
