"""Notices and digests: the weekly digest over a real SMTP server (aiosmtpd on loopback), its
counts against the dashboard, no client names, idempotent runs, failed sends retried, event
notices, preferences, and the pages of the bell."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
from collections.abc import Callable, Iterator
from email.message import Message

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from clients.demo import seed_caseloads
from clients.models import Client
from ips.calendar import today
from ips.demo import seed_organisation
from ips.models import Program, Role, User
from ips.notices import services as notices
from ips.notices.models import Delivery, Notice, NoticeSettings
from ips.tasks import deliveries_sweep_task, digests_send_task, notices_collect_task
from supervision.demo import seed_supervision
from supervision.models import ActionItem
from supervision.selectors import SupervisionWeek, dashboard
from tests.fidelity.factories import outside_reviewer, plan_review

pytestmark = pytest.mark.django_db
LoginAs = Callable[[User], HttpClient]

# Monday 9 March 2026, before the meeting: the digests count 2026-W10 (2 to 8 March).
MONDAY = dt.date(2026, 3, 9)


class Inbox:
    """What the SMTP server received: every message, parsed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:  # type: ignore[no-untyped-def]
    """A real SMTP server on loopback, and Django's SMTP backend pointed at it."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture
def demo() -> dict[str, Program]:
    with time_machine.travel(dt.datetime(2026, 3, 9, 7, 0, tzinfo=dt.UTC), tick=False):
        programs = seed_organisation()
        seed_caseloads(today=MONDAY, clients_per_specialist=6)
        seed_supervision(today=MONDAY, weeks=4)
    return programs


def _body(message: Message) -> str:
    return message.get_payload(decode=True).decode()


def _client_names() -> set[str]:
    return {
        name
        for pair in Client.objects.values_list("first_name", "last_name")
        for name in pair
        if len(name) > 2
    }


def test_demo_supervisor_digest_arrives_over_smtp_with_the_dashboard_counts(
    demo: dict, smtp: Inbox
) -> None:
    call_command("send_digests", date=MONDAY.isoformat())

    (message,) = smtp.to("demo-supervisor@example.org")
    body = _body(message)
    assert message["Subject"] == "IPS weekly digest, 9 March 2026"
    when = SupervisionWeek.last_complete(MONDAY)
    assert when.week.label == "2026-W10"
    supervisor = User.objects.get(username="demo-supervisor")
    for program in Program.objects.filter(staff_roles__user=supervisor).distinct():
        board = dashboard(program=program, when=when)
        assert f"{program}, week 2026-W10: meeting mode http://" in body
        for row in board.specialists:
            line = next(x for x in body.splitlines() if x.startswith(f"- {row.specialist}:"))
            c = row.counts
            assert f"working {c['working']} of {c['caseload']}" in line
            assert f"No contact in 30 days: {c['no_contact_30d']}" in line
            assert f"30 days after enrollment: {c['no_employer_contact_30d']}" in line
            assert f"Jobs ended in the last 30 days: {c['jobs_ended_30d']}" in line
            assert f"employer contacts {c['employer_contacts_week']} / " in line
            opened = (
                ActionItem.objects.open_on(MONDAY)
                .filter(session__program=program, specialist=row.specialist)
                .count()
            )
            assert f"open action items: {opened} " in line
    names = _client_names()
    assert names
    for each in smtp.messages:
        text = _body(each)
        assert not {name for name in names if re.search(rf"\b{re.escape(name)}\b", text)}


def test_specialist_digest_links_to_the_clients_behind_each_count_by_id_only(
    demo: dict, smtp: Inbox
) -> None:
    call_command("send_digests", date=MONDAY.isoformat())

    body = _body(smtp.to("demo-specialist@example.org")[0])
    maya = User.objects.get(username="demo-specialist")
    program = Program.objects.get(staff_roles__user=maya, staff_roles__role=Role.SPECIALIST)
    row = dashboard(
        program=program, when=SupervisionWeek.last_complete(MONDAY), only=maya
    ).specialists[0]
    assert f"No contact in 30 days: {row.counts['no_contact_30d']}" in body
    for link in re.findall(r"https?://\S+", body):
        assert re.fullmatch(r"http://127\.0\.0\.1:8000/[\w/?=&%.-]*", link), link


def test_digests_run_again_for_the_same_date_send_nothing_twice(demo: dict, smtp: Inbox) -> None:
    call_command("send_digests", date=MONDAY.isoformat())
    first = len(smtp.messages)
    notices_before = Notice.objects.count()

    call_command("send_digests", date=MONDAY.isoformat())
    digests_send_task(MONDAY.isoformat())

    assert first >= 7  # six specialists and the supervisor
    assert len(smtp.messages) == first
    assert Notice.objects.count() == notices_before
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == first


def test_a_failed_send_is_kept_and_retried_by_the_sweep(
    demo: dict,
    smtp: Inbox,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens there: the send fails
    call_command("send_digests", date=MONDAY.isoformat())
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED)
    assert failed.count() >= 7
    assert set(failed.values_list("error", flat=True)) == {"ConnectionRefusedError"}
    assert smtp.messages == []

    settings.EMAIL_PORT = working_port
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=10)):
        for delivery_id in notices.deliveries_due():
            notices.delivery_send(delivery_id)

    assert Delivery.objects.exclude(status=Delivery.Status.SENT).count() == 0
    assert len(smtp.messages) == failed.model.objects.count()


def test_the_sweep_queues_only_what_is_due(demo: dict) -> None:
    notices.digests_build(on=MONDAY)

    assert deliveries_sweep_task() == 0  # just made: their own task is on its way


def test_send_digests_refuses_a_bad_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_digests", date="9 March")
    assert Delivery.objects.count() == 0


# --- Events, preferences ---------------------------------------------------------------------


@pytest.fixture
def planned(program: Program, reviewer: User, supervisor: User):  # type: ignore[no-untyped-def]
    return plan_review(
        program=program,
        reviewer_a=reviewer,
        reviewer_b=outside_reviewer(program),
        actor=supervisor,
    )


def test_review_assigned_is_noticed_once_and_mailed_at_once(
    planned,
    reviewer: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks() as queued:
        notices_collect_task()
        notices_collect_task()

    (notice,) = Notice.objects.filter(user=reviewer, kind="review_assigned")
    assert notice.url == reverse("fidelity:detail", args=[planned.pk])
    # One e-mail per new notice, queued after the commit; the worker sends it (here, by hand).
    assert len(queued) == Delivery.objects.count()
    assert notices.delivery_send(notice.delivery_id) is True
    assert notices.delivery_send(notice.delivery_id) is False  # sent: never twice
    sent = [m for m in mail.outbox if m.to == [reviewer.email]]
    assert len(sent) == 1
    assert "Fidelity review of Harbor Works assigned to you" in sent[0].subject


def test_weekly_preference_puts_the_notice_in_the_digest_instead(planned, reviewer: User) -> None:  # type: ignore[no-untyped-def]
    NoticeSettings.objects.create(
        user=reviewer, choices={"review_assigned": {"email": True, "frequency": "weekly"}}
    )
    notices.notices_collect(on=today())
    assert Notice.objects.get(user=reviewer, kind="review_assigned").delivery is None

    delivery = notices.digest_build(user=reviewer, on=today())

    assert "Fidelity review of Harbor Works assigned to you" in delivery.body
    assert Notice.objects.get(user=reviewer, kind="review_assigned").delivery == delivery


def test_email_off_keeps_the_notice_in_app_only(planned, reviewer: User) -> None:  # type: ignore[no-untyped-def]
    off = {"email": False}
    NoticeSettings.objects.create(
        user=reviewer, choices={"review_assigned": off, "scores_due": off}
    )

    notices.notices_collect(on=today())

    assert Notice.objects.filter(user=reviewer, kind="review_assigned").count() == 1
    assert notices.digest_build(user=reviewer, on=today()) is None
    assert Delivery.objects.filter(user=reviewer).count() == 0


def test_scores_due_reminds_each_reviewer_weekly(planned, reviewer: User) -> None:  # type: ignore[no-untyped-def]
    after = planned.window_end + dt.timedelta(days=1)

    notices.notices_collect(on=after)
    notices.notices_collect(on=after + dt.timedelta(days=1))

    due = Notice.objects.filter(user=reviewer, kind="scores_due")
    assert due.count() == 1
    assert "25 items left to score" in due.get().title


# --- Pages -------------------------------------------------------------------------------------


def test_bell_counts_own_unread_notices_only(
    login_as: LoginAs, specialist: User, other_specialist: User
) -> None:
    Notice.objects.create(user=specialist, kind="x", key="1", title="Mine")
    Notice.objects.create(user=other_specialist, kind="x", key="1", title="Theirs")
    http = login_as(specialist)

    assert "1<span" in http.get(reverse("notice_count")).content.decode()
    page = http.get(reverse("notices")).content.decode()
    assert "Mine" in page
    assert "Theirs" not in page
    http.post(reverse("notices_read"))
    assert "badge" not in http.get(reverse("notice_count")).content.decode()
    assert Notice.objects.get(user=other_specialist).read_at is None


def test_settings_offer_the_kinds_of_the_role_and_refuse_a_stale_save(
    login_as: LoginAs, supervisor: User
) -> None:
    http = login_as(supervisor)
    page = http.get(reverse("notice_settings")).content.decode()
    assert "before the meeting" in page
    assert "review is assigned" not in page

    http.post(reverse("notice_settings"), {"version": 1})
    saved = NoticeSettings.objects.get(user=supervisor)
    assert saved.choices["supervisor_digest"] == {"email": False, "frequency": "weekly"}

    stale = http.post(reverse("notice_settings"), {"version": 1, "email_supervisor_digest": "on"})
    assert "changed by someone else" in stale.content.decode()
    saved.refresh_from_db()
    assert saved.choices["supervisor_digest"]["email"] is False


def test_a_role_without_notices_is_told_so_and_offered_no_form(
    login_as: LoginAs, admin: User
) -> None:
    page = login_as(admin).get(reverse("notice_settings")).content.decode()

    assert "Your role has no notices yet." in page
    assert '<form method="post" novalidate>' not in page


def test_a_supervisor_with_digest_email_off_gets_no_digest_mail(
    supervisor: User, specialist: User
) -> None:
    NoticeSettings.objects.create(user=supervisor, choices={"supervisor_digest": {"email": False}})

    assert notices.digest_build(user=supervisor, on=MONDAY) is None
    assert Notice.objects.filter(user=supervisor, kind="supervisor_digest").count() == 1


def test_a_user_without_roles_gets_nothing(no_role_user: User) -> None:
    assert notices.digest_build(user=no_role_user, on=MONDAY) is None
