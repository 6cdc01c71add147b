"""Assertions shared by several test modules."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# What a page listing clients adds to its queries: the bulk read event and the clients it names
# (two INSERTs, `ips.reads`).
LIST_READ = 2
# The same through the API, which reads the caller's grants for it (pages read them anyway).
API_LIST_READ = 1 + LIST_READ


def clients_read_by(user: object) -> set[int]:
    """Every client whose read by `user` the audit trail holds: viewed records about them, and
    the lists that named them."""
    from ips.models import AuditEvent, AuditEventClient

    viewed = AuditEvent.objects.filter(actor=user, subject_client_id__isnull=False)
    listed = AuditEventClient.objects.filter(event__actor=user)
    return set(viewed.values_list("subject_client_id", flat=True)) | set(
        listed.values_list("client_id", flat=True)
    )


# Logging in without a password skips axes' backend, which cannot load a user from a session.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def assert_constant_queries(client: Client, url: str, add_rows: Callable[[int], object]) -> int:
    """Render `url` at a few rows and at ten more; the query count must not change.

    A first request warms the session (the two-factor check is then remembered for a minute), so
    the counts are those of a user already working. Returns the count, for the caller to pin
    with a comment listing the queries.
    """
    assert client.get(url).status_code == 200
    add_rows(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add_rows(10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), "\n".join(q["sql"] for q in large)
    return len(small)


def process_environ() -> dict[str, str]:
    """The environment for a subprocess that stands for a real deployment: the test process's,
    minus what only the tests set (the browser tests allow async-unsafe database access)."""
    import os

    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def dead_redis_url() -> str:
    """A Redis URL at which nothing listens: a port bound and closed again, so connecting is
    refused at once (an outage of Redis, without touching the real one)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"
