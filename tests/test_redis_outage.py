"""Life without Redis: the browser UI keeps working while the cache and the broker are
unreachable, and the work for the worker waits in the database until they are back.

Sessions are `cached_db`: the database holds them, the cache only saves reading it. The cache
(`ips.cache.DegradingRedisCache`) answers a miss when Redis cannot be reached, so a session is
read from the database instead, and nothing in a request raises. A task that cannot be sent
(`ips.queue`) leaves its row pending; pages and the API say it waits for the worker, and the
sweep (`ips.tasks.pdf_sweep_task`) sends it again once the broker is back.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients.models import Contact
from config.celery import app
from fidelity.models import Review, ReviewItem, ReviewReport
from ips.calendar import Period, today
from ips.models import Program, User
from ips.pdf import RESEND_AFTER, WAITING_RETRY_AFTER_SECONDS
from ips.tasks import pdf_sweep_task
from outcomes.models import OutcomeReport
from tests.clients.factories import ClientFactory
from tests.conftest import RedisOutage
from tests.factories import TEST_PASSWORD, MinimumWageFactory
from tests.fidelity.factories import outside_reviewer, plan_review, scale_items

pytestmark = pytest.mark.django_db


def test_with_redis_down_staff_log_in_through_the_form_read_pages_and_log_a_contact(
    client: HttpClient, redis_down: RedisOutage, program: Program, specialist: User
) -> None:
    record = ClientFactory(program=program, specialist=specialist, last_name="Okafor")

    login = client.get(reverse("login"))
    assert login.status_code == 200
    response = client.post(
        reverse("login"), {"username": specialist.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")

    assert client.get(reverse("home")).status_code == 200
    page = client.get(reverse("clients:detail", kwargs={"pk": record.pk}))
    assert page.status_code == 200
    assert "Okafor" in page.content.decode()

    logged = client.post(
        reverse("clients:contact_quick", kwargs={"pk": record.pk}),
        {"contacted_on": today().isoformat(), "minutes": "20", "purpose": "job_search"},
        follow=True,
    )

    assert logged.status_code == 200
    assert "Contact logged." in logged.content.decode()
    contact = Contact.objects.get(client=record)
    assert (contact.specialist, contact.minutes) == (specialist, 20)


def test_with_redis_down_wrong_passwords_still_lock_the_account(
    client: HttpClient, redis_down: RedisOutage, specialist: User
) -> None:
    """Failed logins are counted in the database (django-axes' database handler)."""
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": specialist.username, "password": "wrong"})

    refused = client.post(
        reverse("login"), {"username": specialist.username, "password": TEST_PASSWORD}
    )

    assert refused.status_code == 429
    assert "Account locked" in refused.content.decode()


# --- Work for the worker, with the broker down ----------------------------------------------------

WAITING = "will be generated once the worker is back"


def _quarter() -> str:
    return Period.containing("quarter", today()).label


@pytest.mark.django_db(transaction=True)
def test_a_report_asked_for_with_the_broker_down_waits_and_is_made_once_it_is_back(
    client: HttpClient,
    login_as: Callable[[User], HttpClient],
    redis_down: RedisOutage,
    program: Program,
    director: User,
) -> None:
    MinimumWageFactory(program=program)
    login_as(director)
    generate = reverse(
        "outcomes:report_generate",
        kwargs={"scope": "program", "pk": program.pk, "period": _quarter()},
    )

    page = client.post(generate, follow=True)

    assert page.status_code == 200
    assert WAITING in page.content.decode()  # the message, and the report's cell
    report = OutcomeReport.objects.get(program=program, period=_quarter())
    assert report.status == OutcomeReport.Status.PENDING
    cell = client.get(reverse("outcomes:report_status", kwargs={"pk": report.pk}))
    assert WAITING in cell.content.decode()
    api = client.get(reverse("api:program-report", kwargs={"pk": program.pk, "period": _quarter()}))
    assert api.status_code == 202
    assert WAITING in api.json()["detail"]
    assert api["Retry-After"] == str(WAITING_RETRY_AFTER_SECONDS)

    # The broker is back. Nobody asks again: the sweep, a few minutes on, sends it again.
    redis_down.end()
    OutcomeReport.objects.filter(pk=report.pk).update(
        requested_at=timezone.now() - RESEND_AFTER - dt.timedelta(seconds=1)
    )
    assert pdf_sweep_task.apply().get()["outcomes.OutcomeReport"] == 1
    broker = redis.Redis.from_url(app.conf.broker_url)
    assert broker.llen("celery") == 1  # the message is on the broker

    with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
        report = _made(report)

    assert report.status == OutcomeReport.Status.DONE
    assert report.file.read().startswith(b"%PDF")
    assert (
        "Ready"
        in client.get(reverse("outcomes:report_status", kwargs={"pk": report.pk})).content.decode()
    )


def _made(report: OutcomeReport, timeout: float = 60) -> OutcomeReport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in {OutcomeReport.Status.DONE, OutcomeReport.Status.FAILED}:
            return report
        time.sleep(0.2)
    return report


@pytest.mark.django_db(transaction=True)
def test_a_fidelity_report_downloaded_with_the_broker_down_says_it_waits_for_the_worker(
    client: HttpClient,
    login_as: Callable[[User], HttpClient],
    redis_down: RedisOutage,
    program: Program,
    reviewer: User,
) -> None:
    review = plan_review(program=program, reviewer_a=reviewer, reviewer_b=outside_reviewer(program))
    ReviewItem.objects.bulk_create(
        ReviewItem(review=review, item=item, score=4, agreed_score=4) for item in scale_items()
    )
    Review.objects.filter(pk=review.pk).update(status=Review.Status.FINAL)
    login_as(reviewer)

    response = client.get(reverse("fidelity:report", kwargs={"pk": review.pk}))

    assert response.status_code == 202
    page = response.content.decode()
    assert "waiting for the background worker" in page
    assert WAITING in page
    assert f'<meta http-equiv="refresh" content="{WAITING_RETRY_AFTER_SECONDS}">' in page
    assert ReviewReport.objects.get(review=review).status == ReviewReport.Status.PENDING
