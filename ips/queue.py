"""Queueing background work by the registered name of its Celery task.

A task module imports the services it runs, so services cannot import their tasks back; they
name them instead (`send_on_commit("outcomes.tasks.report_generate_task", report.pk)`), and the
name is looked up in the Celery app when the work is sent.

The broker may be unreachable (Redis down). Work is only ever sent for rows the database holds
(a stored PDF `pending`), so a message that could not be sent loses nothing: the sweep
(`ips.tasks.pdf_sweep_task`, every two minutes) sends again whatever has waited too long, once
the broker and a worker are back. A failed send is logged at WARNING at most once a minute, and
for half a minute after one this process does not try the broker again: a request never waits
on a broker it already knows is down.
"""

from __future__ import annotations

import logging

from celery import current_app
from celery.app.task import Task
from celery.canvas import Signature
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from ips.outage import Outage

logger = logging.getLogger(__name__)

BROKER = Outage("Celery broker", skip_seconds=30, log_every=60)
# What a broker that cannot be reached raises (kombu wraps most; a hung socket may not be).
UNREACHABLE = (OperationalError, RedisError, OSError)


def broker_unavailable() -> bool:
    """Whether this process failed to reach the broker within the last half minute: work asked
    for now waits in the database until the broker is back."""
    return BROKER.skipping()


def registered_task(name: str) -> Task:
    """The task registered under `name`; KeyError when no app registers one by that name.

    A worker imports every app's `tasks` module when it starts; a web process imports none by
    itself, so the first lookup there imports them.
    """
    if name not in current_app.tasks:
        current_app.autodiscover_tasks(force=True)
    return current_app.tasks[name]


def send_on_commit(name: str, *ids: int) -> None:
    """Send the task `name`, with `ids` as its arguments, once the current transaction commits
    (at once outside one), so the worker finds the rows it is given.

    The task is sent through its signature, which honours `CELERY_TASK_ALWAYS_EAGER` (the
    SQLite fallback of `make run`): the task then runs in this process. A broker that cannot be
    reached does not undo the committed work, nor fail the request: the rows the task was given
    wait in the database, and the sweep sends them again once the broker is back. Nothing waits
    for a result: none is stored (`ignore_result`), so sending never touches the result backend.
    """
    registered_task(name)  # a misspelt name fails here, inside the transaction, not after it
    signature = current_app.signature(name, args=ids)
    transaction.on_commit(lambda: _send(signature), robust=True)


def _send(signature: Signature) -> None:
    if current_app.conf.task_always_eager:
        signature.apply_async()
        return
    if BROKER.skipping():
        logger.info("Not sent (the broker is unavailable): %s %s", signature.task, signature.args)
        return
    try:
        signature.apply_async(ignore_result=True)
    except UNREACHABLE as error:
        BROKER.failed(error)
        logger.info("Not sent (the broker is unavailable): %s %s", signature.task, signature.args)
        return
    BROKER.succeeded()
