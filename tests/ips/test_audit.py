"""The audit trail: reads (AuditEvent), changes (django-auditlog), append-only, the audit page."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils.timezone import localtime

from ips.audit import CHANGE, Position, audit_read, history_for, history_page
from ips.models import AuditEvent, Program, User
from ips.views import audit as audit_views

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(specialist: User, program: Program) -> AuditEvent:
    return audit_read(actor=specialist, obj=program, agency_id=program.agency_id)


def test_audit_read_records_who_read_what(specialist: User, program: Program) -> None:
    event = audit_read(
        actor=specialist,
        obj=program,
        agency_id=program.agency_id,
        action=AuditEvent.Action.API,
        subject_client_id=7,
    )

    saved = AuditEvent.objects.get()
    assert saved == event
    assert saved.actor == specialist
    assert saved.action == AuditEvent.Action.API
    assert saved.agency_id == program.agency_id
    assert saved.content_type == ContentType.objects.get_for_model(Program)
    assert saved.object_id == str(program.pk)
    assert saved.subject_client_id == 7


def test_audit_event_refuses_update_through_the_model(event: AuditEvent) -> None:
    event.path = "/changed/"
    with pytest.raises(ValidationError, match="append-only"):
        event.save()
    with pytest.raises(ValidationError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(path="/changed/")

    assert AuditEvent.objects.get(pk=event.pk).path == ""


def test_audit_event_refuses_delete_through_the_model(event: AuditEvent) -> None:
    with pytest.raises(ValidationError, match="append-only"):
        event.delete()
    with pytest.raises(ValidationError, match="append-only"):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ips_auditevent SET path = '/changed/' WHERE id = %s",
        "DELETE FROM ips_auditevent WHERE id = %s",
    ],
)
def test_database_trigger_refuses_raw_changes_to_reads(event: AuditEvent, sql: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"):  # noqa: SIM117
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).path == ""


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE auditlog_logentry SET changes_text = 'x' WHERE id = %s",
        "DELETE FROM auditlog_logentry WHERE id = %s",
    ],
)
def test_database_trigger_refuses_raw_changes_to_change_log(program: Program, sql: str) -> None:
    entry = LogEntry.objects.get_for_object(program).get()

    with pytest.raises(DatabaseError, match="append-only"):  # noqa: SIM117
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])

    assert LogEntry.objects.filter(pk=entry.pk).exists()


def _edit(client: Client, program: Program, **changes: object) -> object:
    data = {
        "name": program.name,
        "site": program.site,
        "is_active": "on",
        "weekly_employer_contact_target": 6,
    }
    data["version"] = program.version
    data.update(changes)
    return client.post(reverse("program_edit", kwargs={"pk": program.pk}), data)


def test_program_edit_on_the_page_is_logged_with_before_and_after(
    login_as: Callable[[User], Client], admin: User, program: Program
) -> None:
    response = _edit(login_as(admin), program, name="Harbor Works East")

    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(program).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin
    assert entry.changes_dict["name"] == ["Harbor Works", "Harbor Works East"]
    assert entry.changes_dict["version"] == ["1", "2"]


def test_audit_page_shows_reads_and_changes_of_a_program(
    login_as: Callable[[User], Client], admin: User, specialist: User, program: Program
) -> None:
    client = login_as(admin)
    _edit(client, program, name="Harbor Works East")
    audit_read(actor=specialist, obj=program, agency_id=program.agency_id)

    response = client.get(reverse("audit_log"), {"type": "program", "id": program.pk})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Harbor Works → Harbor Works East" in content
    assert "Sam Specialist" in content  # the read
    assert "Ada Admin" in content  # the change
    assert [row.kind for row in response.context["history"]].count("Viewed page") == 1


def test_audit_page_hides_a_program_of_another_agency(
    login_as: Callable[[User], Client], admin: User, outsider_program: Program
) -> None:
    response = login_as(admin).get(
        reverse("audit_log"), {"type": "program", "id": outsider_program.pk}
    )

    assert response.status_code == 404


@pytest.mark.parametrize(("kind", "object_id"), [("nonsense", "1"), ("program", "abc")])
def test_audit_page_answers_404_to_unknown_kinds_and_ids(
    login_as: Callable[[User], Client], admin: User, kind: str, object_id: str
) -> None:
    response = login_as(admin).get(reverse("audit_log"), {"type": kind, "id": object_id})

    assert response.status_code == 404


def test_audit_page_is_refused_to_a_director(
    login_as: Callable[[User], Client], director: User, program: Program
) -> None:
    response = login_as(director).get(reverse("audit_log"), {"type": "program", "id": program.pk})

    assert response.status_code == 403


def test_history_merges_reads_and_changes_newest_first(
    admin: User, specialist: User, program: Program, django_assert_num_queries
) -> None:
    audit_read(actor=specialist, obj=program, agency_id=program.agency_id)
    audit_read(actor=admin, obj=program, agency_id=program.agency_id)

    with django_assert_num_queries(2):  # reads, changes (the content type is cached already)
        rows = history_for(program)

    assert [row.kind for row in rows] == ["Viewed page", "Viewed page", "create"]
    assert [row.at for row in rows] == sorted((row.at for row in rows), reverse=True)


def test_audit_page_of_a_client_names_who_but_shows_no_client_data(
    login_as: Callable[[User], Client], admin: User, specialist: User, program: Program
) -> None:
    from clients import services
    from tests.clients.factories import ClientFactory

    client = ClientFactory(program=program, first_name="Wilhelmina", last_name="Quarrie")
    services.client_update(client=client, version=client.version, changes={"phone": "555-0199"})
    audit_read(
        actor=specialist, obj=client, agency_id=program.agency_id, subject_client_id=client.pk
    )

    response = login_as(admin).get(reverse("audit_log"), {"type": "client", "id": client.pk})

    content = response.content.decode()
    assert response.status_code == 200
    assert f"Client #{client.pk}" in content
    assert "Sam Specialist" in content
    assert "phone" in content
    assert "Wilhelmina" not in content
    assert "555-0199" not in content


# --- The history a page at a time ----------------------------------------------------------------

NOON = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)


def _read_at(at: dt.datetime, actor: User, program: Program) -> None:
    """A read of `program` at `at` exactly (reads of one request share their time)."""
    content_type = ContentType.objects.get_for_model(Program)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ips_auditevent (at, actor_id, action, agency_id, content_type_id,"
            " object_id, path) VALUES (%s, %s, 'view', %s, %s, %s, '')",
            [at, actor.pk, program.agency_id, content_type.pk, str(program.pk)],
        )


def _change_at(at: dt.datetime, program: Program) -> None:
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Program),
        object_pk=str(program.pk),
        object_id=program.pk,
        object_repr=str(program),
        action=LogEntry.Action.UPDATE,
        changes={"name": ["a", "b"]},
        timestamp=at,
    )


@pytest.fixture
def long_history(specialist: User, program: Program) -> int:
    """Reads and changes of `program`, many of them at one instant: how many rows in all."""
    second = dt.timedelta(seconds=1)
    for at in (NOON, NOON, NOON, NOON - second, NOON + second, NOON, NOON - 2 * second):
        _read_at(at, specialist, program)
    for at in (NOON, NOON, NOON - second):
        _change_at(at, program)
    reads = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Program), object_id=str(program.pk)
    )
    return reads.count() + LogEntry.objects.get_for_object(program).count()


@pytest.mark.parametrize("size", [1, 2, 3, 5, 200])
def test_history_pages_show_every_row_once_newest_first(
    program: Program, long_history: int, size: int
) -> None:
    seen, before = [], None
    for _ in range(long_history + 1):  # a cursor that does not advance fails, not loops
        page = history_page(program, size=size, before=before)
        assert len(page.rows) <= size
        seen += [row.position for row in page.rows]
        if page.older is None:
            break
        before = Position.parse(page.older.token)  # through the address, as the page does

    assert len(seen) == long_history == 11
    assert len(set(seen)) == long_history
    assert seen == sorted(seen, reverse=True)


@pytest.mark.parametrize(
    "token", ["", "1-0", "a-0-1", "1-2-1", "1-0-1-1", "-1-0-1", "1.5-0-1", f"{2**70}-0-1"]
)
def test_a_position_is_digits_a_source_and_an_id_or_refused(token: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(token)}$"):  # names what it refused
        Position.parse(token)


def test_a_position_survives_the_address() -> None:
    position = Position(NOON + dt.timedelta(microseconds=123), CHANGE, 42)

    assert Position.parse(position.token) == position


def test_audit_page_leads_to_older_entries_until_the_first(
    login_as: Callable[[User], Client],
    admin: User,
    program: Program,
    long_history: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(audit_views, "HISTORY_PAGE", 4)
    browser = login_as(admin)
    address: str | None = f"{reverse('audit_log')}?type=program&id={program.pk}"
    rows, pages = 0, 0
    while address and pages <= long_history:
        pages += 1
        response = browser.get(address)
        assert response.status_code == 200
        page = response.content.decode()
        rows += page.count("<tr><td>")
        older = re.search(r'href="(\?[^"]*before=[^"]*)">Older entries', page)
        address = reverse("audit_log") + html.unescape(older.group(1)) if older else None

    # Every row of the program's history, once.
    assert address is None
    assert rows == long_history


def test_audit_page_leads_to_older_reads_of_the_agency(
    login_as: Callable[[User], Client],
    admin: User,
    specialist: User,
    program: Program,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(audit_views, "READS_PAGE", 2)
    for minutes in (1, 2, 3):
        _read_at(NOON - dt.timedelta(minutes=minutes), specialist, program)
    browser = login_as(admin)

    first = browser.get(reverse("audit_log")).content.decode()
    older = re.search(r'href="(\?before=[^"]*)">Older reads', first)
    second = browser.get(reverse("audit_log") + html.unescape(older.group(1))).content.decode()

    assert first.count("<tr><td>") == 2
    shown = [f"{localtime(NOON - dt.timedelta(minutes=m)):%Y-%m-%d %H:%M}" for m in (1, 2, 3)]
    assert [day in first for day in shown] == [True, True, False]
    assert second.count("<tr><td>") == 1
    assert shown[2] in second
    assert ">Older reads</a>" not in second
    assert "Back to the newest" in second


@pytest.mark.parametrize("before", ["x", "1-9-1", "12-0"])
def test_a_bad_link_to_older_entries_is_400_with_a_message(
    login_as: Callable[[User], Client], admin: User, program: Program, before: str
) -> None:
    response = login_as(admin).get(
        reverse("audit_log"), {"type": "program", "id": program.pk, "before": before}
    )

    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_audit_page_shows_what_one_person_read_in_the_agency_only(
    login_as: Callable[[User], Client],
    admin: User,
    specialist: User,
    director: User,
    program: Program,
    outsider_program: Program,
) -> None:
    for minutes in (1, 2):
        _read_at(NOON - dt.timedelta(minutes=minutes), specialist, program)
    _read_at(NOON, director, program)
    _read_at(NOON, specialist, outsider_program)  # another agency's trail: not this admin's
    browser = login_as(admin)

    latest = browser.get(reverse("audit_log")).content.decode()
    theirs = browser.get(reverse("audit_log"), {"actor": specialist.pk}).content.decode()
    staff_page = browser.get(reverse("audit_log"), {"type": "staff", "id": specialist.pk})

    assert f'<a href="?actor={specialist.pk}">Sam Specialist</a>' in latest
    assert "by Sam Specialist" in theirs
    assert theirs.count("<tr><td>") == 2
    assert f'href="?actor={director.pk}"' not in theirs
    assert f'<a href="?actor={specialist.pk}">What Sam Specialist read</a>' in (
        staff_page.content.decode()
    )


def test_audit_page_of_someone_who_read_nothing_here_shows_nothing_about_them(
    login_as: Callable[[User], Client],
    admin: User,
    outsider_director: User,
    outsider_program: Program,
) -> None:
    """An account of another agency, whose reads are in that agency's trail: neither its name
    nor anything it read there."""
    _read_at(NOON, outsider_director, outsider_program)

    response = login_as(admin).get(reverse("audit_log"), {"actor": outsider_director.pk})

    page = response.content.decode()
    assert response.status_code == 200
    assert f"by staff account #{outsider_director.pk}" in page
    assert str(outsider_director) not in page
    assert "No reads recorded yet." in page


def test_audit_page_refuses_an_actor_that_is_not_a_number(
    login_as: Callable[[User], Client], admin: User
) -> None:
    response = login_as(admin).get(reverse("audit_log"), {"actor": "sam"})

    assert response.status_code == 400
    assert "by its number" in response.content.decode()
