"""Project-level checks: the compose file and Dockerfile, migrations, `make lint`, the OpenAPI
schema, deploy checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ips.models import User
from tests.helpers import process_environ
from tests.production.deployment import (
    compose_steps,
    dockerfile_cmd,
    env_example,
    migrate_command,
    production_environ,
    web_command,
    with_bind,
    worker_command,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())


def test_compose_names_the_five_services_and_the_migration(compose: dict) -> None:
    assert set(compose["services"]) == {"migrate", "web", "worker", "beat", "db", "redis"}


def test_compose_app_services_share_one_definition(compose: dict) -> None:
    """web, worker and beat merge the `x-app: &app` anchor: same image, same environment."""
    app = compose["x-app"]
    assert app["image"]
    assert app.get("environment") or app.get("env_file")
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["image"] == app["image"], name
        assert service.get("environment") == app.get("environment"), name
        assert service.get("env_file") == app.get("env_file"), name
    commands = [str(compose["services"][name].get("command")) for name in APP_SERVICES]
    assert len(set(commands)) == 3  # one image, three jobs


def test_compose_app_environment_is_production(compose: dict) -> None:
    environment = compose["x-app"]["environment"]
    assert str(environment["DEBUG"]).lower() == "false"
    assert environment["REDIS_URL"].startswith("redis://")
    # The database roles come from the env files: the application's for every service, the
    # owner's for the migrate service alone.
    assert "DATABASE_URL" not in environment
    assert compose["x-app"]["env_file"] == ".env.production"
    assert compose["services"]["migrate"]["env_file"] == [".env.production", ".env.migrate"]
    assert "postgres://ips_app:" in (REPO_ROOT / "deploy/env.production.example").read_text()
    assert "postgres://ips_owner:" in (REPO_ROOT / "deploy/env.migrate.example").read_text()


def test_compose_runs_the_migrations_first_as_the_owner(compose: dict) -> None:
    services = compose["services"]
    for name in APP_SERVICES:
        waits_for = services[name]["depends_on"]["migrate"]["condition"]
        assert waits_for == "service_completed_successfully", name
    assert "migrate" not in services["migrate"]["depends_on"]
    init = services["db"]["volumes"]
    assert "./deploy/postgres/init-roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro" in init


def test_compose_db_and_redis_images_and_healthchecks(compose: dict) -> None:
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("db", "redis"):
        assert services[name]["healthcheck"]["test"], name


def test_compose_web_runs_the_dockerfile_command_after_the_migrate_service() -> None:
    """The web service runs the image's CMD: a change to one fails here until the other follows.
    The production smoke test starts these same commands."""
    assert compose_steps("web") == [dockerfile_cmd()]
    assert migrate_command() == [
        "python",
        "manage.py",
        "migrate",
        "--database",
        "owner",
        "--noinput",
    ]


def test_the_image_serves_the_wsgi_application_with_gunicorn() -> None:
    command = dockerfile_cmd()

    assert command[:2] == ["gunicorn", "config.wsgi:application"]
    assert with_bind(command, "0.0.0.0:8000") == command  # the port compose publishes
    # What the smoke test runs: the same command on a port of its own.
    assert web_command("127.0.0.1:0") == with_bind(compose_steps("web")[-1], "127.0.0.1:0")


def test_compose_worker_and_beat_run_the_celery_app_of_config() -> None:
    assert worker_command() == compose_steps("worker")[0]
    assert worker_command()[:4] == ["celery", "-A", "config", "worker"]
    assert compose_steps("beat")[0][:4] == ["celery", "-A", "config", "beat"]


@pytest.mark.django_db
def test_migrations_are_up_to_date() -> None:
    # `--check` exits (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_openapi_schema_builds_without_warnings(tmp_path: Path) -> None:
    schema_file = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema_file))

    schema = yaml.safe_load(schema_file.read_text())
    assert "/api/v1/programs/" in schema["paths"]
    assert "/api/v1/programs/{id}/" in schema["paths"]
    assert "/api/v1/me/" in schema["paths"]


@pytest.mark.django_db
def test_api_docs_send_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get(reverse("api:docs"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_api_docs_are_shown_to_staff(login_as: Callable[[User], Client], specialist: User) -> None:
    client = login_as(specialist)
    response = client.get(reverse("api:docs"))
    # Swagger UI's start-up script comes from its own URL (the Content-Security-Policy allows
    # no inline script); it loads the schema.
    script = client.get(f"{reverse('api:docs')}?script=")

    assert response.status_code == 200
    assert f'src="{reverse("api:docs")}?script="' in response.content.decode()
    assert script.status_code == 200
    assert reverse("api:schema") in script.content.decode()


def test_deploy_checks_are_clean_in_production() -> None:
    """`check --deploy` in the environment of the image's processes (the smoke test's too)."""
    env = production_environ(
        database_url=os.environ.get("DATABASE_URL") or env_example()["DATABASE_URL"],
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    # Nothing silenced: every deploy check passes as it stands.
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout


def test_lint_checks_migrations_on_a_fresh_clone(tmp_path: Path) -> None:
    """`make lint` runs makemigrations before any .env exists, with no SECRET_KEY or DEBUG in the
    environment: the Makefile's own command, in a copy of the checkout without .env."""
    clone = _fresh_clone(tmp_path / "clone")
    recipe = subprocess.run(  # noqa: S603
        ["make", "--dry-run", "--silent", "lint", f"PY={sys.executable}"],  # noqa: S607
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    [command] = [line for line in recipe.splitlines() if "manage.py makemigrations" in line]
    # None of the variables a .env sets, except the database: makemigrations reads the migration
    # history there, and the default is the development database.
    unset = set(env_example()) - {"DATABASE_URL"}
    env = {k: v for k, v in process_environ().items() if k not in unset}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    result = subprocess.run(  # noqa: S602  (the Makefile's command line, as make runs it)
        command,
        shell=True,
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def _fresh_clone(target: Path) -> Path:
    """The working tree's files that git would clone (tracked, or new and not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = REPO_ROOT / name
        if source.is_file():  # a deleted file stays listed until the deletion is staged
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    assert not (target / ".env").exists()
    return target


def test_compose_checks_web_for_liveness_only(compose: dict) -> None:
    """Redis or the worker down must not mark web unhealthy: the site works without them."""
    probe = " ".join(compose["services"]["web"]["healthcheck"]["test"])

    assert "http://127.0.0.1:8000/healthz" in probe
    assert "readyz" not in probe


def test_the_worker_healthcheck_pings_this_worker_through_the_broker(compose: dict) -> None:
    """The compose command, run here against a worker named as in a container (celery@HOSTNAME)
    on the tests' broker: it answers; with no such worker it fails."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    test = compose["services"]["worker"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL"
    # Compose turns $$ into $; the container's shell expands $HOSTNAME.
    command = test[1].replace("$$", "$")
    env = {
        **process_environ(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": app.conf.broker_url,
        "HOSTNAME": "worker-7f3a",
        # `celery` on the PATH, as in the image.
        "PATH": f"{Path(sys.executable).parent}:{process_environ().get('PATH', '')}",
    }

    def healthcheck(command: str = command) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S602 (the compose file's own shell command)
            command,
            shell=True,
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    with start_worker(app, hostname="celery@worker-7f3a", perform_ping_check=False):
        answered = healthcheck()
    assert answered.returncode == 0, answered.stdout + answered.stderr
    assert "celery@worker-7f3a: OK" in answered.stdout

    env["HOSTNAME"] = "another-worker"
    assert "--timeout 10" in command
    assert healthcheck(command.replace("--timeout 10", "--timeout 1")).returncode != 0
