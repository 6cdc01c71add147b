"""Project-level checks: the compose file, migrations, the OpenAPI schema, deploy checks."""

from __future__ import annotations

import string
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

REPO_ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())


def test_compose_names_the_five_services(compose: dict) -> None:
    assert set(compose["services"]) == {"web", "worker", "beat", "db", "redis"}


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
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["REDIS_URL"].startswith("redis://")


def test_compose_db_and_redis_images_and_healthchecks(compose: dict) -> None:
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("db", "redis"):
        assert services[name]["healthcheck"]["test"], name


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
    response = login_as(specialist).get(reverse("api:docs"))

    assert response.status_code == 200
    assert reverse("api:schema") in response.content.decode()


def test_deploy_checks_are_clean_in_production() -> None:
    env = {
        **process_environ(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": (string.ascii_letters + string.digits)[:60],
        "ALLOWED_HOSTS": "ips.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://ips.example.org",
        # The SECURE_* variables keep their production defaults.
        **dict.fromkeys(
            [
                "SECURE_SSL_REDIRECT",
                "SECURE_HSTS_SECONDS",
                "SECURE_HSTS_INCLUDE_SUBDOMAINS",
                "SECURE_HSTS_PRELOAD",
                "TRUST_X_FORWARDED_PROTO",
                "STATIC_MANIFEST",
            ],
            "",
        ),
    }

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
    assert "no issues" in result.stdout


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
