"""Writes of the organisation domain. Keyword-only; each validates and is atomic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ips.models import (
    Agency,
    ApiToken,
    Archivable,
    MinimumWage,
    Program,
    Role,
    StaffRole,
    User,
)
from ips.versioning import save_versioned


def record_archive(*, record: Archivable, version: int, reason: str, actor: User | None) -> Any:
    """Archive a record (a client, a record about one, an employer) with a reason. Nothing is
    deleted; the record leaves every `visible_to` list."""
    if not reason.strip():
        raise ValidationError({"archive_reason": "Say why this record is archived."})
    if record.archived_at is not None:
        raise ValidationError("This record is already archived.")
    return save_versioned(
        type(record),
        pk=record.pk,
        expected_version=version,
        changes={"archived_at": timezone.now(), "archived_by": actor, "archive_reason": reason},
    )


@transaction.atomic
def program_create(*, agency: Agency, name: str, site: str = "") -> Program:
    """Create an IPS program (team) in the agency."""
    program = Program(agency=agency, name=name, site=site)
    program.full_clean()
    program.save()
    return program


def program_update(*, program: Program, version: int, changes: dict[str, Any]) -> Program:
    """Change a program's name, site or active flag, refusing a stale version."""
    allowed = {"name", "site", "is_active", "weekly_employer_contact_target"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    return save_versioned(Program, pk=program.pk, expected_version=version, changes=changes)


def agency_update(*, agency: Agency, version: int, changes: dict[str, Any]) -> Agency:
    """Change an agency's name or its two-factor requirement, refusing a stale version."""
    return save_versioned(Agency, pk=agency.pk, expected_version=version, changes=changes)


@transaction.atomic
def minimum_wage_add(*, program: Program, effective_on: dt.date, hourly: Decimal) -> MinimumWage:
    """Add an entry to the program's minimum-wage schedule (one per effective date)."""
    entry = MinimumWage(program=program, effective_on=effective_on, hourly=hourly)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def staff_create(
    *, agency: Agency, username: str, first_name: str, last_name: str, email: str, password: str
) -> User:
    """Create a staff account. Roles are granted separately (`staff_role_grant`)."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        home_agency=agency,
        is_active=True,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def staff_role_grant(
    *, user: User, role: str, agency: Agency, program: Program | None = None
) -> StaffRole:
    """Grant a program role (specialist, supervisor, reviewer) or agency role (director, admin)."""
    staff_role = StaffRole(user=user, role=Role(role), agency=agency, program=program)
    staff_role.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            staff_role.save()
    except IntegrityError:
        raise ValidationError("This person already holds that role there.") from None
    return staff_role


@transaction.atomic
def staff_role_revoke(*, staff_role: StaffRole) -> None:
    """Take a role away. The audit trail keeps the removed row's values."""
    staff_role.delete()


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue an API token to `user` for `days` days (API_TOKEN_DAYS, the longest, by default).

    Returns the token and its key. Only the key's digest is stored: the caller shows the key
    once, and nothing can show it again.
    """
    longest = settings.API_TOKEN_DAYS
    days = longest if days is None else days
    if not 1 <= days <= longest:
        raise ValidationError({"days": f"A token lives from 1 to {longest} days."})
    if not user.is_active:
        raise ValidationError("A deactivated account cannot be given an API token.")
    key = ApiToken.new_key()
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name.strip(),
        digest=ApiToken.digest_of(key),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    """End one API token at once. (A new password or a deactivation ends all of an account's
    tokens: `User.save`.)"""
    token.delete()


@transaction.atomic
def user_password_reset(*, user: User, password: str) -> User:
    """Set a new password chosen by an admin, and lift any login lockout on the account. The
    account's API tokens end with the old password (`User.save`)."""
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    axes_reset(username=user.username)
    return user


@transaction.atomic
def user_set_active(*, user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account. Accounts are never deleted; a deactivated one
    loses its API tokens (`User.save`)."""
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_two_factor_reset(*, user: User) -> int:
    """Remove a user's authenticator devices (a lost phone); they enrol again at next login."""
    count, _ = TOTPDevice.objects.filter(user=user).delete()
    return count
