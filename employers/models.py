"""Employers: the businesses specialists develop relationships with, shared within a program."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import StrIndex

from ips.models import Archivable

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from ips.models import User

_SUFFIXES = re.compile(r"\b(inc|llc|ltd|co|corp|corporation|company|the)\b")


def normalise_employer_name(name: str) -> str:
    """Lower case, no punctuation or legal suffixes: 'The Bean Co.' and 'bean' compare equal."""
    words = re.sub(r"[^a-z0-9 ]+", " ", name.lower())
    return " ".join(_SUFFIXES.sub(" ", words).split())


class EmployerQuerySet(models.QuerySet["Employer"]):
    def visible_to(self, user: User | AnonymousUser) -> EmployerQuerySet:
        """Employers of the programs where the user may see clients."""
        from ips import access

        return self.filter(
            program_id__in=access.program_ids_for(user, access.Capability.VIEW_CLIENTS)
        )

    def similar_to(self, name: str) -> EmployerQuerySet:
        """Employers whose normalised name contains, or is contained in, that of `name`."""
        key = normalise_employer_name(name)
        if not key:
            return self.none()
        return (
            self.exclude(name_key="")
            .annotate(_within=StrIndex(Value(key), F("name_key")))
            .filter(Q(name_key__contains=key) | Q(_within__gt=0))
        )


class Employer(Archivable):
    """A business. Belongs to the program whose specialists develop it."""

    program = models.ForeignKey("ips.Program", on_delete=models.PROTECT, related_name="employers")
    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    industry = models.CharField(max_length=120, blank=True)
    address = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EmployerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_key = normalise_employer_name(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
