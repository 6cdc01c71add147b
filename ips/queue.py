"""Queueing background work by the registered name of its Celery task.

A task module imports the services it runs, so services cannot import their tasks back; they
name them instead (`send_on_commit("outcomes.tasks.report_generate_task", report.pk)`), and the
name is looked up in the Celery app when the work is sent.
"""

from __future__ import annotations

from celery import current_app
from celery.app.task import Task
from django.db import transaction


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
    reached is logged, and does not undo the committed work: what was queued waits until it is
    asked for again.
    """
    registered_task(name)  # a misspelt name fails here, inside the transaction, not after it
    signature = current_app.signature(name, args=ids)
    transaction.on_commit(signature.apply_async, robust=True)
