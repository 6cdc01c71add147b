"""The synthetic demo agency: logins and structure shared by `seed_demo`, `make run` and tests.

Every person here is invented. Running the seed again finds everything in place and changes
nothing (passwords included: they are set only when an account is first created).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from ips.models import Agency, MinimumWage, Program, Role, StaffRole, User

DEMO_PASSWORD = "ips-demo-2026"  # noqa: S105  (synthetic demo accounts only)
DEMO_AGENCY = "Demo Agency"
OTHER_AGENCY = "Other Agency"
MINIMUM_WAGES = [(dt.date(2025, 1, 1), Decimal("15.00")), (dt.date(2026, 1, 1), Decimal("15.50"))]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    first_name: str
    last_name: str
    role: Role
    agency: str
    programs: tuple[str, ...] = ()


PROGRAMS = {
    DEMO_AGENCY: [
        ("Riverside IPS Team", "Riverside Clinic"),
        ("Northgate IPS Team", "Northgate Center"),
    ],
    OTHER_AGENCY: [("Lakeshore IPS Team", "Lakeshore Clinic")],
}
RIVERSIDE, NORTHGATE = (name for name, _ in PROGRAMS[DEMO_AGENCY])
LAKESHORE = PROGRAMS[OTHER_AGENCY][0][0]

LOGINS = [
    DemoLogin("demo-specialist", "Maya", "Okafor", Role.SPECIALIST, DEMO_AGENCY, (RIVERSIDE,)),
    DemoLogin("demo-specialist-2", "Luis", "Hartman", Role.SPECIALIST, DEMO_AGENCY, (RIVERSIDE,)),
    DemoLogin(
        "demo-specialist-3", "Priya", "Lindqvist", Role.SPECIALIST, DEMO_AGENCY, (RIVERSIDE,)
    ),
    DemoLogin("demo-specialist-4", "Sam", "Whitfield", Role.SPECIALIST, DEMO_AGENCY, (NORTHGATE,)),
    DemoLogin(
        "demo-specialist-5", "Noor", "Castellano", Role.SPECIALIST, DEMO_AGENCY, (NORTHGATE,)
    ),
    DemoLogin(
        "demo-specialist-6", "Jonah", "Abernethy", Role.SPECIALIST, DEMO_AGENCY, (NORTHGATE,)
    ),
    DemoLogin(
        "demo-supervisor", "Grace", "Mbeki", Role.SUPERVISOR, DEMO_AGENCY, (RIVERSIDE, NORTHGATE)
    ),
    DemoLogin("demo-director", "Owen", "Fairbanks", Role.DIRECTOR, DEMO_AGENCY),
    DemoLogin("demo-admin", "Ines", "Rowe", Role.ADMIN, DEMO_AGENCY),
    # An outside reviewer: assigned to a program, employed by no agency here.
    DemoLogin("demo-reviewer", "Ruth", "Calloway", Role.REVIEWER, "", (RIVERSIDE,)),
    DemoLogin("other-director", "Felix", "Moreau", Role.DIRECTOR, OTHER_AGENCY),
]

# The logins printed by `make run` and listed in the README, one per role.
HEADLINE_LOGINS = [
    "demo-specialist",
    "demo-supervisor",
    "demo-director",
    "demo-reviewer",
    "demo-admin",
    "other-director",
]


def _account(login: DemoLogin, agencies: dict[str, Agency]) -> User:
    user, created = User.objects.get_or_create(
        username=login.username,
        defaults={
            "first_name": login.first_name,
            "last_name": login.last_name,
            "email": f"{login.username}@example.org",
            "home_agency": agencies.get(login.agency),
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed_organisation() -> dict[str, Program]:
    """Create (or find) the demo agencies, programs, schedules, accounts and roles."""
    agencies = {name: Agency.objects.get_or_create(name=name)[0] for name in PROGRAMS}
    programs: dict[str, Program] = {}
    for agency_name, rows in PROGRAMS.items():
        for name, site in rows:
            # Riverside counts self-employment as competitive; Northgate does not.
            program, _ = Program.objects.get_or_create(
                agency=agencies[agency_name],
                name=name,
                defaults={"site": site, "counts_self_employment": name == RIVERSIDE},
            )
            programs[name] = program
            for effective_on, hourly in MINIMUM_WAGES:
                MinimumWage.objects.get_or_create(
                    program=program, effective_on=effective_on, defaults={"hourly": hourly}
                )
    for login in LOGINS:
        user = _account(login, agencies)
        if login.programs:
            for program_name in login.programs:
                program = programs[program_name]
                StaffRole.objects.get_or_create(
                    user=user, role=login.role, program=program, agency=program.agency
                )
        else:
            StaffRole.objects.get_or_create(
                user=user, role=login.role, program=None, agency=agencies[login.agency]
            )
    return programs
