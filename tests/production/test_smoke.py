"""The production build, run the way production runs it, behind a stand-in for the TLS proxy.

The module builds one deployment and every check here uses it: collectstatic with DEBUG off and
the hashed manifest into a temporary STATIC_ROOT; compose's `migrate` and then `seed_demo` in a
database of its own; gunicorn and a Celery worker started with the Dockerfile's and compose's
command lines (`tests.production.deployment`) in production's environment. Requests carry
`X-Forwarded-Proto: https` and the site's Host, as the proxy passes them on, and log in through
the login form with the CSRF token like a browser.

The checks are subtests of one test, so that one xdist worker runs them all against one
deployment (`--dist loadgroup` would say so too, but it silently stopped grouping with pytest 9.2:
pytest-dev/pytest-xdist#1386); a failed check does not stop the others.

Nothing is shared with another suite or a developer's `make run`: gunicorn binds a port the OS
picks, the database is named after the test database, the Redis database is the one below the
suite's (whose xdist workers use TEST_REDIS_DB down to TEST_REDIS_DB - 7), and the files go to a
temporary folder. The processes are stopped, the database dropped and the Redis database
emptied afterwards, whatever failed.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
import pytest
import redis
from psycopg import sql

from ips.demo import DEMO_PASSWORD, HEADLINE_LOGINS
from tests.conftest import TEST_REDIS_DB
from tests.production.deployment import (
    HOST,
    REPO_ROOT,
    env_example,
    migrate_command,
    production_environ,
    web_command,
    worker_command,
)

# A name collectstatic gave a file under the manifest: its content hash before the extension.
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
# How long the build, the start and a report may take before the test gives up.
BUILD_TIMEOUT = 240
START_TIMEOUT = 60
REPORT_TIMEOUT = 90


@dataclass(frozen=True)
class Follow:
    """Open the first link of the page before it whose path matches `pattern`."""

    pattern: str


CLIENT = Follow(r"/clients/\d+/")
EMPLOYER = Follow(r"/employers/\d+/")
REVIEW = Follow(r"/fidelity/\d+/")

# Each demo role's home page and at least one page of every app it works in.
ROLE_PAGES: dict[str, list[str | Follow]] = {
    "demo-specialist": ["/", "/clients/", CLIENT, "/employers/", EMPLOYER],
    "demo-supervisor": [
        "/",
        "/clients/",
        CLIENT,
        "/employers/",
        "/supervision/",
        "/outcomes/reports/",
        "/fidelity/",
        REVIEW,
    ],
    "demo-director": [
        "/",
        "/clients/",
        CLIENT,
        "/supervision/",
        "/outcomes/reports/",
        "/fidelity/",
        "/programs/",
    ],
    "demo-reviewer": ["/", "/fidelity/", REVIEW],
    "demo-admin": ["/", "/programs/", "/staff/", "/audit/", "/fidelity/", "/api/v1/docs/"],
    "other-director": ["/", "/clients/", "/outcomes/reports/", "/fidelity/", "/programs/"],
}


# --- The deployment ----------------------------------------------------------------------------


@dataclass
class Deployment:
    """The running site: gunicorn's port, its processes and the folder of their logs."""

    port: int
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]]
    # The application's database role's URL: it must not be able to remove audit rows.
    app_database_url: str = ""
    static_checked: set[str] = field(default_factory=set)

    def log_tail(self, lines: int = 40) -> str:
        tails = []
        for log in sorted(self.logs.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            tails.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(tails)

    def assert_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited ({process.returncode})\n{self.log_tail()}")


def _database_url() -> tuple[str, str]:
    """The URL of the smoke test's database on the suite's server, and its name."""
    url = os.environ.get("DATABASE_URL") or env_example()["DATABASE_URL"]
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        pytest.fail(f"The smoke test runs on PostgreSQL, as production does, not {parts.scheme}")
    name = f"test_{parts.path.lstrip('/')}_production"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def _redis_url() -> str:
    """The Redis database below those of the suite's xdist workers (never the development 0)."""
    number = TEST_REDIS_DB - 8
    if not 1 <= number <= 15:
        pytest.fail(f"TEST_REDIS_DB={TEST_REDIS_DB} leaves no Redis database for the smoke test")
    url = os.environ.get("REDIS_URL") or env_example()["REDIS_URL"]
    return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))


def _server(url: str) -> psycopg.Connection:
    """A connection to the maintenance database of the server `url` is on."""
    parts = urlsplit(url)
    return psycopg.connect(
        urlunsplit(parts._replace(path="/postgres")), autocommit=True, connect_timeout=10
    )


def _drop_database(url: str, name: str) -> None:
    with _server(url) as server:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")  # FORCE: PostgreSQL 13+
        server.execute(drop.format(sql.Identifier(name)))
        server.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(f"{name}_app")))


def _create_database(url: str, name: str) -> str:
    """The database, owned by the suite's role (the schema owner), and the application's role,
    which owns nothing (deploy/postgres/init-roles.sh does the same in a container). Returns the
    application role's URL."""
    _drop_database(url, name)  # left over by a run that was killed
    role = sql.Identifier(f"{name}_app")
    with _server(url) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
        server.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(name), role)
        )
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{name}_app@{parts.hostname}:{parts.port or 5432}"))


def _flush_redis(url: str) -> None:
    with redis.Redis.from_url(url, socket_connect_timeout=5) as connection:
        connection.flushdb()


def _executable(command: list[str]) -> list[str]:
    """`command` with its program taken from this interpreter's environment, as the image's
    PATH would find it: `python` is this interpreter, `gunicorn` and `celery` sit beside it."""
    program, *arguments = command
    if program == "python":
        return [sys.executable, *arguments]
    beside = Path(sys.executable).parent / program
    assert beside.exists(), f"{program} is not installed beside {sys.executable}"
    return [str(beside), *arguments]


def _start(name: str, command: list[str], env: dict[str, str], logs: Path) -> subprocess.Popen:
    """Start `command` in a process group of its own (stopping it stops its children too)."""
    with (logs / f"{name}.log").open("wb") as log:
        return subprocess.Popen(  # noqa: S603  (the Dockerfile's and compose's commands)
            _executable(command),
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _finish(name: str, process: subprocess.Popen, logs: Path, timeout: float) -> None:
    """Wait for a build step; a failure shows its output."""
    try:
        returncode = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        returncode = None
    output = (logs / f"{name}.log").read_text(errors="replace")
    assert returncode == 0, f"{name} failed ({returncode}):\n{output[-4000:]}"


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (a graceful stop), SIGKILL if it has not ended in 20 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _listening_port(process: subprocess.Popen, log: Path) -> int:
    """The port gunicorn bound (`--bind 127.0.0.1:0`), from its log."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())
        if found:
            return int(found.group(1))
        assert process.poll() is None, f"gunicorn exited:\n{log.read_text()[-4000:]}"
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not listen in time:\n{log.read_text()[-4000:]}")


@pytest.fixture
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("production")
    logs = root / "logs"
    logs.mkdir()
    owner_url, database = _database_url()
    redis_url = _redis_url()
    with ExitStack() as cleanup:
        cleanup.callback(_drop_database, owner_url, database)
        app_url = _create_database(owner_url, database)
        # Every process connects as the application's role; the migrate service alone also
        # holds the owner's URL, as compose's env files arrange.
        env = production_environ(
            database_url=app_url,
            redis_url=redis_url,
            STATIC_ROOT=str(root / "static"),
            MEDIA_ROOT=str(root / "media"),
        )
        owner_env = {**env, "MIGRATE_DATABASE_URL": owner_url}
        cleanup.callback(_flush_redis, redis_url)
        _flush_redis(redis_url)

        # The build: collectstatic beside migrate and then seed_demo (each takes seconds); the
        # web and the worker start, once the static files and the schema are there, while the
        # demo is seeded.
        static = _start(
            "collectstatic", ["python", "manage.py", "collectstatic", "--noinput"], env, logs
        )
        cleanup.callback(_stop, static)
        migrate = _start("migrate", migrate_command(), owner_env, logs)
        _finish("migrate", migrate, logs, BUILD_TIMEOUT)
        seed = _start("seed_demo", ["python", "manage.py", "seed_demo"], env, logs)
        cleanup.callback(_stop, seed)
        _finish("collectstatic", static, logs, BUILD_TIMEOUT)

        processes = {}
        for name, command in (
            ("web", web_command("127.0.0.1:0")),
            ("worker", worker_command()),
        ):
            processes[name] = _start(name, command, env, logs)
            cleanup.callback(_stop, processes[name])
        _finish("seed_demo", seed, logs, BUILD_TIMEOUT)
        port = _listening_port(processes["web"], logs / "web.log")
        site = Deployment(port=port, logs=logs, processes=processes, app_database_url=app_url)
        # The first request waits for a gunicorn worker to load Django.
        ProxiedBrowser(site, timeout=START_TIMEOUT).get("/accounts/login/")
        yield site


# --- A browser behind the proxy ----------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    cookies: SimpleCookie

    @property
    def text(self) -> str:
        return self.body.decode()

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


class ProxiedBrowser:
    """Requests as they reach gunicorn from the TLS-terminating proxy: the site's Host and
    `X-Forwarded-Proto: https` on every one (unless `https=False`: a plain-HTTP request passed
    through). Cookies are kept and sent back like a browser's; redirects are not followed."""

    def __init__(self, site: Deployment, *, https: bool = True, timeout: float = 30) -> None:
        self.site = site
        self.https = https
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, form: dict[str, str] | None = None, referer: str = ""
    ) -> Response:
        headers = {"Host": HOST, "User-Agent": "production-smoke-test"}
        if self.https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # What a browser sends with a form posted from the site's own page.
            headers["Origin"] = f"https://{HOST}"
            headers["Referer"] = f"https://{HOST}{referer or path}"
        connection = http.client.HTTPConnection("127.0.0.1", self.site.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read(), SimpleCookie())
        finally:
            connection.close()
        for set_cookie in response.headers.get_all("Set-Cookie") or []:
            response.cookies.load(set_cookie)
        for name, morsel in response.cookies.items():
            if morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, *, status: int = 200) -> Response:
        response = self.request("GET", path)
        self._expect(response, "GET", path, status)
        return response

    def post(self, path: str, form: dict[str, str], *, referer: str, status: int) -> Response:
        response = self.request("POST", path, form=form, referer=referer)
        self._expect(response, "POST", path, status)
        return response

    def _expect(self, response: Response, method: str, path: str, status: int) -> None:
        assert response.status == status, (
            f"{method} {path}: {response.status} (Location: {response.header('Location')}), "
            f"expected {status}\n{self.site.log_tail()}"
        )

    def log_in(self, username: str) -> Response:
        """Through the login form: GET it, POST the credentials with its CSRF token."""
        form = self.get("/accounts/login/")
        token = _csrf_token(form.text)
        return self.post(
            "/accounts/login/",
            {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
            referer="/accounts/login/",
            status=302,
        )


def _csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "The page has no form with a CSRF token"
    return found.group(1)


def _check_static_files(browser: ProxiedBrowser, html: str, site: Deployment) -> int:
    """Every static file the page names has a hashed name and is served, cacheable for good."""
    names = set(re.findall(r'(?:href|src)="(/static/[^"?#]+)', html))
    for name in sorted(names - site.static_checked):
        assert HASHED_NAME.search(name), f"{name} is not a hashed name"
        response = browser.get(name)
        assert "immutable" in response.header("Cache-Control"), name
        site.static_checked.add(name)
    return len(names)


# --- The checks --------------------------------------------------------------------------------


def test_the_production_build_serves_every_role(
    deployment: Deployment, subtests: pytest.Subtests
) -> None:
    with subtests.test("a plain HTTP request is redirected to HTTPS"):
        check_plain_http_is_redirected(deployment)
    with subtests.test("HTTPS answers carry HSTS; the login page names hashed static files"):
        check_hsts_and_static_files(deployment)
    for username in HEADLINE_LOGINS:
        with subtests.test("logs in through the form and opens its pages", username=username):
            check_role(deployment, username)
    with subtests.test("a director's report is rendered by the worker and downloaded"):
        check_report(deployment)
    with subtests.test("the application's database role cannot remove audit rows"):
        check_audit_trail_is_out_of_reach(deployment)


def check_audit_trail_is_out_of_reach(deployment: Deployment) -> None:
    """After the pages above, the audit trail holds their reads; the role the web and worker run
    as may read it and nothing more."""
    with psycopg.connect(deployment.app_database_url, autocommit=True) as database:
        (reads,) = database.execute("SELECT count(*) FROM ips_auditevent").fetchone()
        assert reads > 0
        for statement in (
            "DELETE FROM ips_auditevent",
            "UPDATE auditlog_logentry SET id = id",
            "TRUNCATE ips_auditevent, ips_auditeventclient, auditlog_logentry",
            "ALTER TABLE ips_auditevent DISABLE TRIGGER ALL",
            "SET session_replication_role = replica",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                database.execute(statement)


def check_plain_http_is_redirected(deployment: Deployment) -> None:
    response = ProxiedBrowser(deployment, https=False).request("GET", "/accounts/login/?next=/")

    assert response.status == 301
    assert response.header("Location") == f"https://{HOST}/accounts/login/?next=/"


def check_hsts_and_static_files(deployment: Deployment) -> None:
    browser = ProxiedBrowser(deployment)
    response = browser.get("/accounts/login/")

    assert response.header("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert _check_static_files(browser, response.text, deployment) >= 3  # CSS, Bootstrap, htmx


def check_role(deployment: Deployment, username: str) -> None:
    browser = ProxiedBrowser(deployment)

    logged_in = browser.log_in(username)

    assert logged_in.header("Location") == "/"
    session = logged_in.cookies["sessionid"]
    assert session["secure"], session.OutputString()
    assert session["httponly"], session.OutputString()
    assert logged_in.cookies["csrftoken"]["secure"]  # rotated at login
    page = None
    texts = []
    for step in ROLE_PAGES[username]:
        if isinstance(step, Follow):
            assert page is not None
            links = re.findall(rf'href="({step.pattern})"', page.text)
            assert links, f"{username}: no link to {step.pattern} on the page before"
            path = links[0]
        else:
            path = step
        page = browser.get(path)
        assert page.header("Content-Type").startswith("text/html"), path
        _check_static_files(browser, page.text, deployment)
        texts.append(page.text)
    if username == "other-director":  # another agency's: its own program, none of the demo's
        assert any("Lakeshore IPS Team" in text for text in texts)
        assert not any("Riverside IPS Team" in text for text in texts)


def check_report(deployment: Deployment) -> None:
    browser = ProxiedBrowser(deployment)
    browser.log_in("demo-director")
    reports = browser.get("/outcomes/reports/")
    found = re.search(r'action="(/outcomes/reports/generate/)"', reports.text)
    program = re.search(r'<option value="program-(\d+)"', reports.text)
    quarter = re.search(r'<option value="(\d{4}-Q[1-4])"', reports.text)
    assert found, "The reports page has no form to make a report"
    assert program, "The reports page offers no program"
    assert quarter, "The reports page offers no quarter"
    form = reports.text[found.start() :]

    requested = browser.post(
        found.group(1),
        {
            "csrfmiddlewaretoken": _csrf_token(form),
            "report": f"program-{program.group(1)}",
            "period": quarter.group(1),
        },
        referer="/outcomes/reports/",
        status=302,
    )
    program, quarter = program.group(1), quarter.group(1)

    assert requested.header("Location") == "/outcomes/reports/"
    # The API answers 202 until the worker has stored the PDF, then the PDF.
    url = f"/api/v1/programs/{program}/reports/{quarter}.pdf"
    deadline = time.monotonic() + REPORT_TIMEOUT
    while (answer := browser.request("GET", url)).status == 202:
        deployment.assert_running()
        assert time.monotonic() < deadline, f"No report after {REPORT_TIMEOUT} s\n" + (
            deployment.log_tail()
        )
        time.sleep(0.5)
    assert answer.status == 200, f"{answer.status}: {answer.text[:500]}\n{deployment.log_tail()}"
    assert answer.header("Content-Type") == "application/pdf"
    assert answer.body.startswith(b"%PDF-")
    # The reports page now links the same file.
    page = browser.get("/outcomes/reports/")
    download = re.search(r'href="(/outcomes/reports/\d+/download/)"', page.text)
    assert download, "The reports page links no PDF"
    assert browser.get(download.group(1)).body == answer.body
