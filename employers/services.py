"""Writes about employers. Keyword-only, validated; stale versions are refused."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from employers.models import Employer
from ips.models import Program, User
from ips.versioning import save_versioned

EDITABLE = {"name", "industry", "address", "notes"}


def employer_possible_duplicates(
    *, program: Program, name: str, exclude_id: int | None = None
) -> list[Employer]:
    """Employers of the program with a similar name: a warning at entry, never a block."""
    similar = Employer.objects.filter(program=program, archived_at__isnull=True).similar_to(name)
    if exclude_id is not None:
        similar = similar.exclude(pk=exclude_id)
    return list(similar.order_by("name")[:10])


@transaction.atomic
def employer_create(
    *,
    program: Program,
    name: str,
    industry: str = "",
    address: str = "",
    notes: str = "",
    actor: User | None = None,
) -> Employer:
    """Add an employer to the program, shared by all its specialists."""
    if not name.strip():
        raise ValidationError({"name": "Give the employer's name."})
    employer = Employer(
        program=program,
        name=name.strip(),
        industry=industry,
        address=address,
        notes=notes,
        created_by=actor,
    )
    employer.full_clean(exclude=["name_key"])
    employer.save()
    return employer


def employer_update(*, employer: Employer, version: int, changes: dict[str, Any]) -> Employer:
    """Change an employer's details, refusing a stale version."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    return save_versioned(Employer, pk=employer.pk, expected_version=version, changes=changes)
