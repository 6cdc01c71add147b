"""The staff roles: which kinds exist, and which belong to a program or to a whole agency."""

from django.db import models


class Role(models.TextChoices):
    """Staff roles. Program roles name a program; agency roles cover every program of the agency."""

    SPECIALIST = "specialist", "Employment specialist"
    SUPERVISOR = "supervisor", "Supervisor"
    REVIEWER = "reviewer", "Fidelity reviewer"
    DIRECTOR = "director", "Director"
    ADMIN = "admin", "Agency admin"


PROGRAM_ROLES = frozenset({Role.SPECIALIST, Role.SUPERVISOR, Role.REVIEWER})
AGENCY_ROLES = frozenset({Role.DIRECTOR, Role.ADMIN})
