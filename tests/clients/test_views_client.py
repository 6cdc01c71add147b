"""One client's pages: the page with its timeline and audit, editing (versioned), closing,
re-enrolling, archiving, and the htmx quick contact log."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient
from django.urls import reverse

from clients import services
from clients.forms import QuickContactForm
from clients.models import Client, ClosureReason, Contact, Episode
from ips.audit import history_for
from ips.calendar import today
from ips.models import AuditEvent, Program, User
from tests.clients.factories import (
    BenefitsReferralFactory,
    ClientFactory,
    ContactFactory,
    EmployerFactory,
    JobFactory,
    SupportFactory,
    days_ago,
)
from tests.factories import MinimumWageFactory
from tests.helpers import MODEL_BACKEND

pytestmark = pytest.mark.django_db

LoginAs = Callable[[User], HttpClient]
HTMX = {"HX-Request": "true"}


def url(name: str, client: Client) -> str:
    return reverse(f"clients:{name}", kwargs={"pk": client.pk})


def hidden_value(page: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} in the page"
    return match.group(1)


@pytest.fixture
def client_(program: Program, specialist: User) -> Client:
    """Jamie Rivera: referred 90 days ago, enrolled 83 days ago, on Sam's caseload."""
    return ClientFactory(
        program=program, specialist=specialist, first_name="Jamie", last_name="Rivera"
    )


# --- The client page: timeline ----------------------------------------------------------------


def test_client_page_shows_the_timeline_newest_first(
    login_as: LoginAs, client_: Client, specialist: User, program: Program
) -> None:
    MinimumWageFactory(program=program, effective_on=dt.date(2020, 1, 1), hourly=Decimal("15"))
    employer = EmployerFactory(program=program, name="Harbourside Bakery")
    ContactFactory(
        client=client_,
        specialist=specialist,
        contacted_on=days_ago(80),
        purpose=Contact.Purpose.CAREER_PROFILE,
    )
    job = JobFactory(
        client=client_,
        employer=employer,
        title="Barista",
        started_on=days_ago(70),
        ended_on=days_ago(40),
        end_reason="quit",
    )
    SupportFactory(client=client_, specialist=specialist, job=job, provided_on=days_ago(60))
    BenefitsReferralFactory(
        client=client_, referred_on=days_ago(50), planning_completed_on=days_ago(45)
    )
    ContactFactory(client=client_, specialist=specialist, contacted_on=days_ago(30), archived=True)
    services.client_close(
        client=client_,
        version=client_.version,
        closed_on=days_ago(20),
        closure_reason=ClosureReason.WORKING_STEADILY,
    )

    response = login_as(specialist).get(url("detail", client_))

    assert response.status_code == 200
    timeline = [(item.on, item.title) for item in response.context["timeline"]]
    assert timeline == [
        (days_ago(20), "Closed"),
        (days_ago(40), "Ended Barista at Harbourside Bakery"),
        (days_ago(45), "Benefits planning completed"),
        (days_ago(50), "Benefits referral to Work Incentives Planning Office"),
        (days_ago(60), "Support: On the job"),
        (days_ago(70), "Started Barista at Harbourside Bakery"),
        (days_ago(80), "Career profile — In person, community, 45 min"),
        (days_ago(83), "Enrolled"),
        (days_ago(90), "Referred"),
    ]
    page = response.content.decode()
    rendered = re.findall(r'<li class="list-group-item" data-kind="(\w+)">', page)
    assert rendered == [
        "episode",
        "job",
        "benefits",
        "benefits",
        "support",
        "job",
        "contact",
        "episode",
        "episode",
    ]
    assert "(competitive)" in page


def test_client_page_shows_both_episodes_after_reenrollment(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    client = ClientFactory(program=program, specialist=specialist, closed=True)
    client = services.client_reenroll(
        client=client, version=client.version, referred_on=days_ago(3), referral_source="vr"
    )

    response = login_as(specialist).get(url("detail", client))

    titles = [item.title for item in response.context["timeline"]]
    assert titles == ["Referred", "Closed", "Enrolled", "Referred"]
    assert len(response.context["episodes"]) == 2


def test_every_view_of_the_client_page_is_audited(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    http = login_as(specialist)

    http.get(url("detail", client_))
    http.get(url("detail", client_))

    events = AuditEvent.objects.filter(subject_client_id=client_.pk)
    assert events.count() == 2
    event = events.first()
    assert event is not None
    assert (event.actor, event.action, event.agency_id) == (
        specialist,
        AuditEvent.Action.VIEW,
        client_.program.agency_id,
    )
    assert event.content_type == ContentType.objects.get_for_model(Client)
    assert event.object_id == str(client_.pk)
    assert event.path == url("detail", client_)


def test_a_refused_view_is_not_audited(
    login_as: LoginAs, client_: Client, outsider_director: User
) -> None:
    assert login_as(outsider_director).get(url("detail", client_)).status_code == 404

    assert not AuditEvent.objects.filter(subject_client_id=client_.pk).exists()


def test_changes_to_the_client_and_their_job_are_in_the_clients_history(
    login_as: LoginAs, client_: Client, specialist: User, program: Program
) -> None:
    job = JobFactory(client=client_, title="Barista")
    http = login_as(specialist)
    http.get(url("detail", client_))

    response = http.post(
        reverse("clients:job_end", kwargs={"pk": job.pk}),
        {"version": job.version, "ended_on": days_ago(1).isoformat(), "end_reason": "quit"},
    )

    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(job).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.additional_data == {"client_id": client_.pk}
    assert entry.actor == specialist
    history = history_for(client_)
    whats = {(row.kind, row.what) for row in history}
    assert ("Viewed page", f"client #{client_.pk}") in whats
    assert ("create", f"client #{client_.pk}") in whats
    assert ("update", f"job #{job.pk}") in whats
    job_change = next(row for row in history if row.what == f"job #{job.pk}" and row.changes)
    assert job_change.changes["ended_on"] == ["None", days_ago(1).isoformat()]


# --- Editing: stale versions ---------------------------------------------------------------------


def edit_data(client: Client, version: str, **overrides: object) -> dict[str, object]:
    episode = client.current_episode
    return {
        "version": version,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "birth_date": client.birth_date.isoformat(),
        "phone": client.phone,
        "email": client.email,
        "address": client.address,
        "specialist": client.specialist_id or "",
        "referred_on": episode.referred_on.isoformat(),
        "referral_source": episode.referral_source,
        "enrolled_on": episode.enrolled_on.isoformat() if episode.enrolled_on else "",
        **overrides,
    }


def test_client_edit_saves_details_and_episode_dates(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    http = login_as(specialist)
    version = hidden_value(http.get(url("edit", client_)).content.decode(), "version")

    response = http.post(
        url("edit", client_),
        edit_data(client_, version, phone="555-0100", enrolled_on=days_ago(85).isoformat()),
    )

    assert response.status_code == 302
    client_.refresh_from_db()
    assert client_.phone == "555-0100"
    assert client_.current_episode.enrolled_on == days_ago(85)
    assert client_.version == int(version) + 1


def test_client_edit_refuses_a_stale_save_and_shows_both_versions(
    login_as: LoginAs, client_: Client, specialist: User, supervisor: User
) -> None:
    sam, sue = login_as(specialist), HttpClient()
    sue.force_login(supervisor, backend=MODEL_BACKEND)
    sams_version = hidden_value(sam.get(url("edit", client_)).content.decode(), "version")
    sues_version = hidden_value(sue.get(url("edit", client_)).content.decode(), "version")

    first = sam.post(url("edit", client_), edit_data(client_, sams_version, phone="555-0001"))
    second = sue.post(url("edit", client_), edit_data(client_, sues_version, phone="555-0002"))

    assert first.status_code == 302
    assert second.status_code == 200
    page = second.content.decode()
    assert "This record was changed by someone else since you opened it." in page
    block = page[page.index('data-testid="stale-differences"') :].split("</div>", 1)[0]
    assert "555-0001" in block  # saved now
    assert "555-0002" in block  # Sue's input
    assert "Phone" in [d.label for d in second.context["differences"]]
    assert 'name="phone" value="555-0002"' in page  # her input is kept in the form
    client_.refresh_from_db()
    assert client_.phone == "555-0001"

    again = sue.post(
        url("edit", client_), edit_data(client_, hidden_value(page, "version"), phone="555-0002")
    )

    assert again.status_code == 302
    client_.refresh_from_db()
    assert client_.phone == "555-0002"
    assert client_.version == int(sams_version) + 2


def test_client_edit_stale_differences_list_only_the_fields_that_differ(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    http = login_as(specialist)
    version = str(client_.version)
    http.post(url("edit", client_), edit_data(client_, version, phone="555-0001"))

    response = http.post(url("edit", client_), edit_data(client_, version, phone="555-0002"))

    assert [d.label for d in response.context["differences"]] == ["Phone"]


def test_client_edit_rejects_a_future_birth_date_next_to_the_field(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    response = login_as(specialist).post(
        url("edit", client_),
        edit_data(client_, str(client_.version), birth_date=days_ago(-1).isoformat()),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == [
        "The date of birth cannot be in the future."
    ]
    client_.refresh_from_db()
    assert (client_.birth_date, client_.version) == (dt.date(1990, 5, 17), 1)


# --- Closing and re-enrolling through the pages ---------------------------------------------------


def test_close_then_reenroll_through_the_pages_keeps_both_episodes(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    http = login_as(specialist)
    closed = http.post(
        url("close", client_),
        {
            "version": client_.version,
            "closed_on": days_ago(10).isoformat(),
            "closure_reason": "moved",
        },
    )
    client_.refresh_from_db()

    too_early = http.post(
        url("reenroll", client_),
        {
            "version": client_.version,
            "referred_on": days_ago(10).isoformat(),
            "referral_source": "self",
        },
    )
    reenrolled = http.post(
        url("reenroll", client_),
        {
            "version": client_.version,
            "referred_on": days_ago(2).isoformat(),
            "referral_source": "self",
        },
    )

    assert closed.status_code == 302
    assert too_early.status_code == 200
    assert too_early.context["form"].errors["referred_on"] == [
        "The new referral must come after the last closure."
    ]
    assert reenrolled.status_code == 302
    assert Episode.objects.filter(client=client_).count() == 2
    client_.refresh_from_db()
    assert client_.status == "referred"


def test_reenroll_page_refuses_a_client_still_enrolled(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    response = login_as(specialist).post(
        url("reenroll", client_),
        {
            "version": client_.version,
            "referred_on": days_ago(1).isoformat(),
            "referral_source": "self",
        },
    )

    assert response.status_code == 200
    assert "The client is still enrolled; close the episode first." in response.content.decode()
    assert Episode.objects.filter(client=client_).count() == 1


# --- Enrolling a referral ----------------------------------------------------------------------


@pytest.fixture
def referred(program: Program, specialist: User) -> Client:
    """Alex Moreno: referred 90 days ago, not enrolled yet."""
    return ClientFactory(
        program=program, specialist=specialist, first_name="Alex", last_name="Moreno", referred=True
    )


def test_a_referred_clients_primary_action_is_enroll(
    login_as: LoginAs, referred: Client, client_: Client, specialist: User
) -> None:
    http = login_as(specialist)

    page = http.get(url("detail", referred)).content.decode()
    enrolled_page = http.get(url("detail", client_)).content.decode()

    assert f'<a class="btn btn-primary btn-sm" href="{url("enroll", referred)}">Enroll</a>' in page
    assert url("enroll", client_) not in enrolled_page


def test_enroll_page_defaults_to_today_and_enrolls_with_an_audited_change(
    login_as: LoginAs, referred: Client, specialist: User
) -> None:
    http = login_as(specialist)
    form = http.get(url("enroll", referred)).context["form"]
    assert form["enrolled_on"].value() == today()

    response = http.post(
        url("enroll", referred),
        {"version": referred.version, "enrolled_on": days_ago(2).isoformat()},
    )

    assert response.status_code == 302
    referred.refresh_from_db()
    assert referred.current_episode.enrolled_on == days_ago(2)
    assert referred.status == "enrolled"
    episode_type = ContentType.objects.get_for_model(Episode)
    entry = LogEntry.objects.filter(
        content_type=episode_type, object_pk=str(referred.current_episode.pk)
    ).latest("timestamp")
    assert "enrolled_on" in entry.changes_dict


@pytest.mark.parametrize(
    ("enrolled_on", "message"),
    [
        (days_ago(-1), "The enrollment date cannot be in the future."),
        (days_ago(91), "Enrollment cannot come before the referral"),
    ],
)
def test_enroll_refuses_a_future_date_or_one_before_the_referral(
    login_as: LoginAs, referred: Client, specialist: User, enrolled_on: dt.date, message: str
) -> None:
    response = login_as(specialist).post(
        url("enroll", referred), {"version": referred.version, "enrolled_on": enrolled_on}
    )

    assert response.status_code == 200
    assert message in response.context["form"].errors["enrolled_on"][0]
    referred.refresh_from_db()
    assert referred.current_episode.enrolled_on is None


def test_enroll_refuses_a_stale_version(
    login_as: LoginAs, referred: Client, specialist: User
) -> None:
    stale = referred.version
    services.client_update(client=referred, version=stale, changes={"phone": "555-0100"})

    response = login_as(specialist).post(
        url("enroll", referred), {"version": stale, "enrolled_on": days_ago(1).isoformat()}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    referred.refresh_from_db()
    assert referred.current_episode.enrolled_on is None
    assert referred.phone == "555-0100"


def test_enroll_refuses_a_client_already_enrolled(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    before = client_.current_episode.enrolled_on

    response = login_as(specialist).post(
        url("enroll", client_), {"version": client_.version, "enrolled_on": today().isoformat()}
    )

    assert "already enrolled" in response.content.decode()
    client_.refresh_from_db()
    assert client_.current_episode.enrolled_on == before


# --- Archiving ------------------------------------------------------------------------------------


def test_archiving_hides_the_client_and_deletes_nothing(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    contact = ContactFactory(client=client_, specialist=specialist)
    http = login_as(specialist)

    response = http.post(
        url("archive", client_),
        {"version": client_.version, "archive_reason": "Entered twice by mistake."},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:caseload")
    caseload = http.get(reverse("clients:caseload"), {"specialist": "all"})
    assert client_.pk not in {row.pk for row in caseload.context["rows"]}
    assert http.get(url("detail", client_)).status_code == 404
    archived = Client.objects.get(pk=client_.pk)
    assert archived.archived_at is not None
    assert archived.archived_by == specialist
    assert archived.archive_reason == "Entered twice by mistake."
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert Episode.objects.filter(client=client_).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_archiving_needs_a_reason(
    login_as: LoginAs, client_: Client, specialist: User, reason: str
) -> None:
    response = login_as(specialist).post(
        url("archive", client_), {"version": client_.version, "archive_reason": reason}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["archive_reason"] == ["This field is required."]
    client_.refresh_from_db()
    assert (client_.archived_at, client_.archive_reason, client_.version) == (None, "", 1)


# --- Quick contact log (htmx) --------------------------------------------------------------------


def quick(**overrides: object) -> dict[str, object]:
    return {
        "contacted_on": days_ago(0).isoformat(),
        "minutes": "25",
        "purpose": "job_search",
        **overrides,
    }


def test_quick_contact_form_has_three_required_fields() -> None:
    form = QuickContactForm()

    required = {name for name, field in form.fields.items() if field.required}

    assert required == {"contacted_on", "minutes", "purpose"}


def test_quick_contact_form_defaults_to_today_in_person_place_from_the_mode_client() -> None:
    form = QuickContactForm()

    assert form.fields["contacted_on"].initial == today()
    assert form.fields["mode"].initial == Contact.Mode.IN_PERSON
    assert form.fields["place"].initial is None  # from the mode: see the next test
    assert form.fields["with_whom"].initial == Contact.WithWhom.CLIENT


def test_quick_log_opened_as_a_page_can_be_sent_and_logs_the_contact(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    """The caseload's "Open the contact form" link without JS: a whole page with a button."""
    browser = login_as(specialist)

    page = browser.get(url("contact_quick", client_)).content.decode()
    sent = browser.post(url("contact_quick", client_), quick(where="detail"))

    assert page.startswith("<!doctype html>")
    assert re.search(r'<input type="submit"\s+name="submit"\s+value="Log contact"', page)
    assert '<option value="" selected>Choose…</option>' in page  # no purpose taken unread
    assert sent.status_code == 302
    assert client_.contacts.count() == 1


@pytest.mark.parametrize(
    ("mode", "place"),
    [(Contact.Mode.IN_PERSON, Contact.Place.COMMUNITY), (Contact.Mode.PHONE, Contact.Place.REMOTE)],
)
def test_quick_log_takes_the_place_from_the_mode(
    login_as: LoginAs, client_: Client, specialist: User, mode: str, place: str
) -> None:
    response = login_as(specialist).post(
        url("contact_quick", client_), quick(where="detail", mode=mode), headers=HTMX
    )

    assert response.status_code == 200
    assert client_.contacts.get().place == place


def test_quick_log_from_the_caseload_returns_the_partial_with_the_last_contact_update(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    response = login_as(specialist).post(
        url("contact_quick", client_), quick(where="caseload"), headers=HTMX
    )

    assert response.status_code == 200
    assert response.templates[0].name == "clients/_quick_contact.html"
    page = response.content.decode()
    assert f"Logged: Job search, 25 min, {days_ago(0):%Y-%m-%d}." in page
    assert f'<span id="last-contact-{client_.pk}" hx-swap-oob="true">today</span>' in page
    assert 'hx-swap-oob="afterbegin:#timeline"' not in page
    assert "<html" not in page  # a partial, not a page
    contact = Contact.objects.get()
    assert (contact.client, contact.specialist, contact.minutes) == (client_, specialist, 25)
    assert (contact.mode, contact.place, contact.with_whom) == ("in_person", "community", "client")


def test_quick_log_of_an_earlier_day_shows_the_real_last_contact_on_the_caseload(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    response = login_as(specialist).post(
        url("contact_quick", client_),
        quick(where="caseload", contacted_on=days_ago(3).isoformat()),
        headers=HTMX,
    )

    assert Contact.objects.get().contacted_on == days_ago(3)
    assert (
        f'<span id="last-contact-{client_.pk}" hx-swap-oob="true">3 days ago</span>'
        in response.content.decode()
    )


def test_quick_log_from_the_client_page_adds_the_timeline_item(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    response = login_as(specialist).post(
        url("contact_quick", client_), quick(where="detail", purpose="benefits"), headers=HTMX
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap-oob="afterbegin:#timeline"' in page
    assert "<strong>Benefits — In person, community, 25 min</strong>" in page
    assert f'id="last-contact-{client_.pk}"' not in page
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contacted_on": days_ago(-1).isoformat()}, "The contact date cannot be in the future."),
        ({"minutes": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"purpose": ""}, "This field is required."),
    ],
)
def test_quick_log_with_errors_answers_200_with_the_message_and_creates_nothing(
    login_as: LoginAs,
    client_: Client,
    specialist: User,
    overrides: dict[str, str],
    message: str,
) -> None:
    response = login_as(specialist).post(
        url("contact_quick", client_), quick(where="caseload", **overrides), headers=HTMX
    )

    assert response.status_code == 200  # htmx swaps only 2xx answers
    page = response.content.decode()
    assert f'<div class="invalid-feedback">{message}</div>' in page
    assert "Logged:" not in page
    assert "hx-swap-oob" not in page
    assert Contact.objects.count() == 0


def test_quick_log_outside_a_closed_clients_episode_is_refused(
    login_as: LoginAs, program: Program, specialist: User
) -> None:
    closed = ClientFactory(program=program, specialist=specialist, closed=True)  # 10 days ago

    response = login_as(specialist).post(
        url("contact_quick", closed), quick(contacted_on=days_ago(5).isoformat()), headers=HTMX
    )

    assert response.status_code == 200
    assert "This date is outside the client&#x27;s enrollment" in response.content.decode()
    assert Contact.objects.count() == 0


def test_quick_log_get_with_htmx_returns_the_empty_form(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    response = login_as(specialist).get(
        url("contact_quick", client_), {"where": "caseload"}, headers=HTMX
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert f'id="quick-log-{client_.pk}"' in page
    assert '<input type="hidden" name="where" value="caseload">' in page
    assert f'value="{days_ago(0):%Y-%m-%d}"' in page  # the date defaults to today
    assert not response.context["form"].is_bound
    assert "Logged:" not in page
    assert "invalid-feedback" not in page
    assert Contact.objects.count() == 0


def test_quick_log_without_htmx_redirects_to_the_client(
    login_as: LoginAs, client_: Client, specialist: User
) -> None:
    response = login_as(specialist).post(url("contact_quick", client_), quick())

    assert response.status_code == 302
    assert response["Location"] == url("detail", client_)
    assert Contact.objects.count() == 1


def test_quick_log_is_refused_to_the_read_only_director(
    login_as: LoginAs, client_: Client, director: User
) -> None:
    response = login_as(director).post(url("contact_quick", client_), quick(), headers=HTMX)

    assert response.status_code == 403
    assert Contact.objects.count() == 0


def test_job_edit_link_only_for_editors(
    login_as: LoginAs, client_: Client, director: User, specialist: User
) -> None:
    job = JobFactory(client=client_)
    edit = reverse("clients:job_edit", kwargs={"pk": job.pk})

    assert edit in login_as(specialist).get(url("detail", client_)).content.decode()
    assert edit not in login_as(director).get(url("detail", client_)).content.decode()


def test_client_page_keeps_archive_apart_and_offers_call_and_mail(
    login_as: Callable[[User], HttpClient], specialist: User, program: Program
) -> None:
    client = ClientFactory(
        program=program, specialist=specialist, phone="(555) 010-2030", email="sam@example.org"
    )

    html = login_as(specialist).get(reverse("clients:detail", args=[client.pk])).content.decode()

    archive = reverse("clients:archive", args=[client.pk])
    before, danger = html.split('data-testid="danger-zone"')
    assert archive in danger
    assert archive not in before  # not among the routine actions
    assert 'href="tel:5550102030"' in html
    assert 'href="mailto:sam@example.org"' in html
