"""Shared fixtures: settings overrides, the personas, logging in.

The personas (one agency with two programs, and an outsider agency):

- `agency`: Riverside Mental Health, running `program` (Harbor Works) and `other_program`
  (Bridge Team).
- `specialist`, `other_specialist`: employment specialists in `program`.
- `supervisor`: supervisor in `program`.
- `director`: director of `agency` (every program of it, read-only).
- `reviewer`: an outside fidelity reviewer of `program`; no home agency.
- `admin`: agency admin of `agency` (edits programs, manages staff, reads the audit trail).
- `outsider_director`: director of `outsider_agency` (Lakeside Services), which runs
  `outsider_program` (Summit Employment); must never see anything of `agency`.
- `no_role_user`: an account of `agency` with no role yet; sees nothing.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.cache import cache
from django.test import Client
from pytest_django.fixtures import Settings
from pytest_django.plugin import DjangoDbBlocker

from ips.models import Agency, Program, Role, User
from tests.factories import AgencyFactory, ProgramFactory, StaffRoleFactory, UserFactory
from tests.helpers import MODEL_BACKEND, dead_redis_url

# The first Redis database used by tests; xdist worker N uses TEST_REDIS_DB - N. Tests flush it,
# so they must never share the database the development server and Celery broker use (0). Two
# suites run at once (two checkouts) each set their own with the TEST_REDIS_DB variable.
TEST_REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "15"))


def _test_cache_location(location: str) -> str:
    """The cache URL pointed at a Redis database of the tests' own (one per xdist worker)."""
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "")
    worker = int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0
    parts = urlsplit(location)
    return urlunsplit(parts._replace(path=f"/{TEST_REDIS_DB - worker % 8}"))


@pytest.fixture(autouse=True, scope="session")
def _test_session_settings() -> Iterator[None]:
    """For the whole run: MD5 hashing (fast), no API rate limits, and the caches in the Redis
    database of this worker's own. Set once: changing CACHES replaces every cache connection,
    which for each of thousands of tests cost more than many of the tests.

    The API's rate limits are lifted so that a test may send as many requests as it needs;
    tests/ips/test_api_throttle.py sets them again to show that they hold."""
    from django.conf import settings as django_settings
    from django.test import override_settings

    overridden = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        API_THROTTLE_RATES={"user": None, "anon": None},
        CACHES={
            alias: {**config, "LOCATION": _test_cache_location(config["LOCATION"])}
            if config["BACKEND"].endswith("RedisCache")
            else config
            for alias, config in django_settings.CACHES.items()
        },
    )
    overridden.enable()
    yield
    overridden.disable()


@pytest.fixture(autouse=True, scope="session")
def _test_broker(_test_session_settings: None) -> Iterator[None]:
    """Tasks that tests send (`.delay()` after a commit) go to the tests' own Redis database,
    which the tests flush, never to the development broker that a running worker reads."""
    from django.conf import settings as django_settings

    from config.celery import app

    location = django_settings.CACHES["default"]["LOCATION"]
    if not str(location).startswith(("redis://", "rediss://")):
        yield
        return
    before = (app.conf.broker_url, app.conf.result_backend)
    test_location = _test_cache_location(location)
    app.conf.broker_url = app.conf.result_backend = test_location
    app._pool = None  # connections to the previous broker are not reused
    yield
    app.conf.broker_url, app.conf.result_backend = before
    app._pool = None


@pytest.fixture(autouse=True)
def _test_settings(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """Media in a temporary folder and an empty cache for every test (the run's own settings:
    `_test_session_settings`).

    The cache holds sessions and login state; clearing it keeps them from leaking between tests.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    reset_outages()
    cache.clear()
    yield
    cache.clear()


# --- The test databases -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: DjangoDbBlocker,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's test database, except that the xdist workers share one migration run:
    the first worker to need a database migrates a template (under a file lock) and each worker's
    database is a copy of it (`CREATE DATABASE … TEMPLATE`: a second, where migrating takes ten
    and every worker would do it at once)."""
    from django.db import connection

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")
    if not run or connection.vendor != "postgresql" or django_db_keepdb:
        # One process, another database or --reuse-db: pytest-django's way.
        from django.test.utils import setup_databases, teardown_databases

        keep = {"keepdb": True} if django_db_keepdb and not django_db_createdb else {}
        with django_db_blocker.unblock():
            databases = setup_databases(verbosity=0, interactive=False, **keep)
        yield
        if not django_db_keepdb:
            with django_db_blocker.unblock():
                teardown_databases(databases, verbosity=0)
        return
    own = connection.settings_dict["TEST"]["NAME"]
    template = f"{own.rsplit('_gw', 1)[0]}_template_{run[:12]}"
    with django_db_blocker.unblock():
        with (Path(tempfile.gettempdir()) / f"{template}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not _database_exists(template):
                _migrate_into(template)
            _copy_database(template, own)
        original = connection.settings_dict["NAME"]
        _use_database(own)
    yield
    with django_db_blocker.unblock():
        connection.creation.destroy_test_db(original, verbosity=0)
        try:
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{template}"')
        except Exception:  # noqa: S110 (another worker is still copying it: it drops it)
            pass


def _database_exists(name: str) -> bool:
    from django.db import connection

    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _migrate_into(template: str) -> None:
    """Create and migrate the database `template` as Django creates a test database."""
    from django.db import connection

    test_settings = connection.settings_dict["TEST"]
    own = test_settings["NAME"]
    test_settings["NAME"] = template
    try:
        original = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    finally:
        test_settings["NAME"] = own
    connection.close()
    _use_database(original)


def _copy_database(source: str, target: str) -> None:
    from django.db import connection

    connection.close()
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def _use_database(name: str) -> None:
    from django.conf import settings as django_settings
    from django.db import connection

    connection.close()
    django_settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


# --- The order of the run ----------------------------------------------------------------------

# The production smoke test takes over a minute of one worker. pytest-django runs the tests
# without a database last, so it would end the run with the other worker idle: it goes first.
FIRST = ("tests/production/",)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(FIRST))


# --- The personas ------------------------------------------------------------------------------


def make_organisation() -> SimpleNamespace:
    """The agencies and programs the personas work in, as the fixtures below name them."""
    agency = AgencyFactory(name="Riverside Mental Health")
    outsider_agency = AgencyFactory(name="Lakeside Services")
    return SimpleNamespace(
        agency=agency,
        program=ProgramFactory(agency=agency, name="Harbor Works", site="Main Street"),
        other_program=ProgramFactory(agency=agency, name="Bridge Team", site="Hill Road"),
        outsider_agency=outsider_agency,
        outsider_program=ProgramFactory(
            agency=outsider_agency, name="Summit Employment", site="Lake Drive"
        ),
    )


@pytest.fixture
def agency() -> Agency:
    return AgencyFactory(name="Riverside Mental Health")


@pytest.fixture
def program(agency: Agency) -> Program:
    return ProgramFactory(agency=agency, name="Harbor Works", site="Main Street")


@pytest.fixture
def other_program(agency: Agency) -> Program:
    return ProgramFactory(agency=agency, name="Bridge Team", site="Hill Road")


@pytest.fixture
def outsider_agency() -> Agency:
    return AgencyFactory(name="Lakeside Services")


@pytest.fixture
def outsider_program(outsider_agency: Agency) -> Program:
    return ProgramFactory(agency=outsider_agency, name="Summit Employment", site="Lake Drive")


def _person(username: str, first: str, last: str, agency: Agency | None) -> User:
    return UserFactory(username=username, first_name=first, last_name=last, home_agency=agency)


# Who each persona is: login, names, role, and where the role is held ("program": `program`,
# "agency": `agency`, "outsider": `outsider_program`'s agency; None: no role at all).
PERSONAS: dict[str, tuple[str, str, str, Role | None, str]] = {
    "specialist": ("sam.specialist", "Sam", "Specialist", Role.SPECIALIST, "program"),
    "other_specialist": ("tara.specialist", "Tara", "Colleague", Role.SPECIALIST, "program"),
    "supervisor": ("sue.supervisor", "Sue", "Supervisor", Role.SUPERVISOR, "program"),
    "director": ("dan.director", "Dan", "Director", Role.DIRECTOR, "agency"),
    "reviewer": ("rita.reviewer", "Rita", "Reviewer", Role.REVIEWER, "program"),
    "admin": ("ada.admin", "Ada", "Admin", Role.ADMIN, "agency"),
    "outsider_director": ("olive.outsider", "Olive", "Outsider", Role.DIRECTOR, "outsider"),
    "no_role_user": ("nora.norole", "Nora", "Norole", None, "agency"),
}


def make_persona(
    name: str, *, program: Program | None = None, agency: Agency | None = None
) -> User:
    """Create persona `name` with its role in `program` (program roles) or `agency` (agency
    roles, and the home agency of the role-less account). Reviewers come from outside."""
    username, first, last, role, where = PERSONAS[name]
    if where == "program":
        assert program is not None
        home = None if role == Role.REVIEWER else program.agency
        user = _person(username, first, last, home)
        StaffRoleFactory(user=user, role=role, program=program)
        return user
    assert agency is not None
    user = _person(username, first, last, agency)
    if role is not None:
        StaffRoleFactory(user=user, role=role, program=None, agency=agency)
    return user


@pytest.fixture
def specialist(program: Program) -> User:
    return make_persona("specialist", program=program)


@pytest.fixture
def other_specialist(program: Program) -> User:
    return make_persona("other_specialist", program=program)


@pytest.fixture
def supervisor(program: Program) -> User:
    return make_persona("supervisor", program=program)


@pytest.fixture
def director(agency: Agency) -> User:
    return make_persona("director", agency=agency)


@pytest.fixture
def reviewer(program: Program) -> User:
    return make_persona("reviewer", program=program)


@pytest.fixture
def admin(agency: Agency) -> User:
    return make_persona("admin", agency=agency)


@pytest.fixture
def outsider_director(outsider_program: Program) -> User:
    return make_persona("outsider_director", agency=outsider_program.agency)


@pytest.fixture
def no_role_user(agency: Agency) -> User:
    return make_persona("no_role_user", agency=agency)


# --- Logging in --------------------------------------------------------------------------------


@pytest.fixture
def login_as(client: Client) -> Callable[[User], Client]:
    """Log a persona into the test client (no password round trip; axes is not involved)."""

    def log_in(user: User) -> Client:
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return log_in


# --- Redis down --------------------------------------------------------------------------------


class RedisOutage:
    """Redis unreachable: the cache and the Celery broker point at a dead port until `end()`
    points them back at the tests' own Redis database."""

    def __init__(self, settings: Settings) -> None:
        from config.celery import app

        self.settings, self.app = settings, app
        self.live_caches = settings.CACHES
        self.live_broker = (app.conf.broker_url, app.conf.result_backend)
        self.live_redis_url = settings.REDIS_URL
        self.dead_url = dead_redis_url()

    def begin(self) -> None:
        self.settings.CACHES = {
            alias: {**config, "LOCATION": self.dead_url}
            if config["BACKEND"].endswith("RedisCache")
            else config
            for alias, config in self.live_caches.items()
        }
        self.settings.REDIS_URL = self.dead_url
        point_broker(self.app, self.dead_url)
        reset_outages()

    def end(self, *, forget_outages: bool = True) -> None:
        """Redis is back; the outages this process saw are forgotten too, as if their skip
        windows had passed, unless `forget_outages` is False."""
        self.settings.CACHES = self.live_caches
        self.settings.REDIS_URL = self.live_redis_url
        point_broker(self.app, *self.live_broker)
        if forget_outages:
            reset_outages()


@pytest.fixture
def redis_down(settings: Settings) -> Iterator[RedisOutage]:
    """Redis unreachable for this test (the cache and the broker); `redis_down.end()` ends it."""
    outage = RedisOutage(settings)
    outage.begin()
    yield outage
    outage.end()


def point_broker(app: object, broker: str, backend: str | None = None) -> None:
    """Point the Celery app at another broker; pooled connections to the old one are dropped."""
    app.conf.broker_url, app.conf.result_backend = broker, backend or broker  # type: ignore[attr-defined]
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


def reset_outages() -> None:
    """Forget the outages this process has seen of the cache and the broker."""
    from ips.cache import reset_outages as reset_cache_outages
    from ips.queue import BROKER

    reset_cache_outages()
    BROKER.reset()
