"""A deployment as the Dockerfile and docker-compose.yml describe it, for tests to run.

The commands come from those two files, so a test that starts a process here runs what the
image runs; the environment is production's (`production_environ`).
"""

from __future__ import annotations

import json
import secrets
import shlex
from pathlib import Path

import yaml

from tests.helpers import process_environ

REPO_ROOT = Path(__file__).resolve().parents[2]
# The site's name in ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS, as a proxy passes it on.
HOST = "ips.example.org"


def dockerfile_cmd() -> list[str]:
    """The Dockerfile's CMD (the last one, as Docker takes it), in exec form."""
    lines = (REPO_ROOT / "Dockerfile").read_text().splitlines()
    commands = [line.removeprefix("CMD ") for line in lines if line.startswith("CMD ")]
    assert commands, "The Dockerfile has no CMD"
    command = json.loads(commands[-1])  # the shell form would hide the process behind sh
    assert isinstance(command, list), "The Dockerfile's CMD must be a JSON list (exec form)"
    return command


def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())


def compose_steps(service: str) -> list[list[str]]:
    """What a compose service's `command:` runs, one argument list per command: `sh -c "a && b"`
    is the two commands a and b."""
    command = compose()["services"][service]["command"]
    argv = shlex.split(command) if isinstance(command, str) else [str(arg) for arg in command]
    if argv[:2] == ["sh", "-c"]:
        assert len(argv) == 3, argv
        return [shlex.split(step) for step in argv[2].split("&&")]
    return [argv]


def with_bind(command: list[str], bind: str) -> list[str]:
    """`command` listening on `bind` instead of the container's address and port."""
    at = command.index("--bind") + 1
    return [*command[:at], bind, *command[at + 1 :]]


def migrate_command() -> list[str]:
    """What the migrate service runs (as the schema owner) before the others start."""
    return compose_steps("migrate")[0]


def web_command(bind: str) -> list[str]:
    """The image's CMD (which compose's web service runs), on `bind`."""
    return with_bind(dockerfile_cmd(), bind)


def worker_command() -> list[str]:
    """Compose's Celery worker."""
    return compose_steps("worker")[0]


def env_example() -> dict[str, str]:
    """The variables `.env.example` lists, with its values."""
    pairs = {}
    for line in (REPO_ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def production_environ(*, database_url: str, redis_url: str, **more: str) -> dict[str, str]:
    """The environment of the image's processes, pointed at `database_url` and `redis_url`.

    Every variable of `.env.example` is set, to its example value unless compose or production
    sets it: the settings read a checkout's `.env` for anything unset, and a developer's values
    must not leak in. Then compose's own `environment:` (DEBUG off, the proxy's header trusted;
    its MEDIA_ROOT is the container's, so a test that writes files passes its own in `more`),
    what `.env.production` holds (a random SECRET_KEY of 64 characters, the host, the trusted
    origin), and `more`.
    """
    return {
        **process_environ(),
        **env_example(),
        **{name: str(value) for name, value in compose()["x-app"]["environment"].items()},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        **more,
    }
