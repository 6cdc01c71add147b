"""Synthetic caseloads of the sizes the page benchmarks compare, built in the bench database.

The demo specialist's caseload (18 clients, `seed_demo`) is the small one. The bigger ones go to
synthetic specialists of a program of their own in the demo agency ("Bench IPS Team"), so that
the demo programs' numbers stay as seeded:
- `bench-specialist-200` and `bench-specialist-2000`, with caseloads of that size;
- `bench-specialist-timeline`, with one client who has exactly 110 contacts;
- `bench-specialist-writes`, with one client the quick-log benchmark logs contacts for.
Every person is invented (the demo's generator, seeded). Built once; later runs find them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SIZES = (18, 200, 2000)
TIMELINE_CONTACTS = 110
BENCH_PROGRAM = "Bench IPS Team"


@dataclass(frozen=True)
class Subject:
    """What one benchmark row requests, as whom."""

    name: str
    username: str
    path: str


def _specialist(username: str, program: object) -> int:
    from ips.models import Role, StaffRole, User

    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": "Bench",
            "last_name": username.rsplit("-", 1)[-1].title(),
            "home_agency": program.agency,  # type: ignore[attr-defined]
        },
    )
    if created:
        user.set_unusable_password()
        user.save()
    StaffRole.objects.get_or_create(
        user=user,
        role=Role.SPECIALIST,
        program=program,
        agency=program.agency,  # type: ignore[attr-defined]
    )
    return user.pk


def _caseload_of(username: str, size: int, program: object, today: dt.date) -> None:
    from clients.demo import seed_caseload
    from clients.models import Client

    specialist_id = _specialist(username, program)
    have = Client.objects.filter(specialist_id=specialist_id).count()
    if have < size:
        print(f"building {size - have} synthetic clients for {username} …", flush=True)
        seed_caseload(
            program=program,  # type: ignore[arg-type]
            specialist_id=specialist_id,
            clients=size - have,
            today=today,
            seed=f"{username}:{have}",
        )


def _timeline_client(program: object, today: dt.date) -> int:
    """The client of `bench-specialist-timeline`, topped up to exactly 110 live contacts."""
    from clients.models import Client, Contact

    _caseload_of("bench-specialist-timeline", 1, program, today)
    client = Client.objects.filter(specialist__username="bench-specialist-timeline").get()
    episode = client.current_episode
    assert episode is not None
    assert episode.enrolled_on is not None
    live = Contact.objects.live().filter(client=client)
    missing = TIMELINE_CONTACTS - live.count()
    if missing > 0:
        days = max((today - episode.enrolled_on).days, 1)
        Contact.objects.bulk_create(
            Contact(
                client=client,
                specialist_id=client.specialist_id,
                contacted_on=episode.enrolled_on + dt.timedelta(days=i * days // missing),
                minutes=30,
                purpose=Contact.Purpose.JOB_SEARCH,
                note="Followed up on two job leads.",
            )
            for i in range(missing)
        )
    elif missing < 0:
        ids = list(live.order_by("id").values_list("id", flat=True)[:-missing])
        Contact.objects.filter(id__in=ids).update(archived_at=dt.datetime.now(tz=dt.UTC))
    return client.pk


def writes_client() -> tuple[str, int]:
    """The username and client the quick-log benchmark writes for (after `build`)."""
    from clients.models import Client

    client = Client.objects.filter(specialist__username="bench-specialist-writes").get()
    return "bench-specialist-writes", client.pk


def build() -> list[Subject]:
    """Make sure the caseloads exist (building what is missing), then say what to request."""
    from django.db import connection

    from clients.models import Client
    from ips.calendar import today
    from ips.demo import DEMO_AGENCY
    from ips.models import Agency, Program

    agency = Agency.objects.filter(name=DEMO_AGENCY).first()
    first = Client.objects.filter(specialist__username="demo-specialist").order_by("id").first()
    if agency is None or first is None:
        raise SystemExit("No demo data: run `python manage.py seed_demo` first.")
    program, _ = Program.objects.get_or_create(
        agency=agency, name=BENCH_PROGRAM, defaults={"site": "Benchmarks"}
    )
    day = today()
    for size in SIZES[1:]:
        _caseload_of(f"bench-specialist-{size}", size, program, day)
    timeline_client = _timeline_client(program, day)
    _caseload_of("bench-specialist-writes", 1, program, day)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # statistics for what was just loaded, as seed_demo does
    subjects = [Subject("caseload 18", "demo-specialist", "/clients/")]
    subjects += [
        Subject(f"caseload {size}", f"bench-specialist-{size}", "/clients/") for size in SIZES[1:]
    ]
    subjects += [
        Subject(
            f"program {Client.objects.filter(program=program).count()}",
            f"bench-specialist-{SIZES[-1]}",
            "/clients/?specialist=all",
        ),
        Subject("client", "demo-specialist", f"/clients/{first.pk}/"),
        Subject(
            f"timeline {TIMELINE_CONTACTS}",
            "bench-specialist-timeline",
            f"/clients/{timeline_client}/",
        ),
    ]
    return subjects
