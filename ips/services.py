"""Writes of the organisation domain. Keyword-only; each validates and is atomic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from auditlog.models import LogEntry
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ips import access, notify
from ips.models import (
    Agency,
    ApiToken,
    Archivable,
    MinimumWage,
    Program,
    Role,
    RoleRequest,
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
    """Change a program's name, site, active flag, contact target or whether it counts
    self-employment, refusing a stale version (its self-employed jobs are judged again)."""
    allowed = {
        "name",
        "site",
        "is_active",
        "weekly_employer_contact_target",
        "counts_self_employment",
    }
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
    *,
    agency: Agency,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    actor: User | None = None,
) -> User:
    """Create a staff account. Roles are granted separately (`staff_role_grant`).

    An admin chose the password, so the account enrols an authenticator at its first login
    once it holds a privileged role (`User.must_enrol_two_factor`): the admin who knows the
    password cannot use the account to read client records without a second factor."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        home_agency=agency,
        is_active=True,
        must_enrol_two_factor=True,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


# A role's full-time equivalent unless told otherwise.
FULL_TIME = Decimal("1.00")


# --- Separation of duties ----------------------------------------------------------------------
#
# The choice: a privileged role (one that reads client records: specialist, supervisor,
# director; or the admin role, which approves those) granted by an agency admin is a *request*
# until a second person approves it: another admin of the same agency, who is neither the one
# who asked nor the one who would get the role, or a platform operator (a Django superuser, in
# the Django admin), which is how an agency with a single admin gets its grants approved.
# Platform operators grant directly (they are the second person). The reviewer role, which
# sees no client, is granted at once. The admin role needs a second person too: otherwise one
# admin could make an account of their own an admin and approve their own requests with it.
#
# For every grant: nobody grants a role to themselves, and only staff the agency employs
# (`home_agency`) hold any role but reviewer, so an outside reviewer never becomes a director,
# admin or anything else of the agency.


def is_platform_operator(user: User | None) -> bool:
    return bool(user is not None and user.is_active and user.is_superuser)


def _may_manage_staff(actor: User, agency: Agency) -> bool:
    return is_platform_operator(actor) or access.can(
        actor, access.Capability.MANAGE_STAFF, agency=agency
    )


def check_grant(
    *,
    user: User,
    role: Role,
    agency: Agency,
    program: Program | None,
    fte: Decimal = FULL_TIME,
) -> StaffRole:
    """The role as it would be saved, or a ValidationError saying why it may not be."""
    if not user.is_active:
        raise ValidationError("This account is deactivated: reactivate it first.")
    if role != Role.REVIEWER and user.home_agency_id != agency.pk:
        raise ValidationError(
            f"Only staff {agency} employs can hold this role; this account works for another "
            "agency or none (an outside fidelity reviewer can only be a reviewer here)."
        )
    staff_role = StaffRole(user=user, role=role, agency=agency, program=program, fte=fte)
    staff_role.full_clean(validate_constraints=False)
    held = StaffRole.objects.filter(user=user, role=role, agency=agency, program=program)
    if held.exists():
        raise ValidationError("This person already holds that role there.")
    return staff_role


def _save_role(staff_role: StaffRole) -> StaffRole:
    try:
        with transaction.atomic():
            staff_role.save()
    except IntegrityError:
        raise ValidationError("This person already holds that role there.") from None
    return staff_role


def staff_role_grant(
    *,
    actor: User,
    user: User,
    role: str,
    agency: Agency,
    program: Program | None = None,
    fte: Decimal = FULL_TIME,
) -> StaffRole | RoleRequest:
    """Grant a program role (specialist, supervisor, reviewer) or agency role (director, admin),
    as `actor`: a StaffRole at once for the reviewer role or a platform operator, otherwise a
    pending RoleRequest that a second person approves (`role_request_approve`)."""
    role = Role(role)
    if actor.pk == user.pk:
        raise ValidationError(
            "You cannot grant a role to yourself: another admin of the agency must ask for it."
        )
    if not _may_manage_staff(actor, agency):
        raise PermissionDenied("Only the agency's admins grant its roles.")
    staff_role = check_grant(user=user, role=role, agency=agency, program=program, fte=fte)
    if is_platform_operator(actor):
        staff_role.granted_by = staff_role.approved_by = actor
        return _save_role(staff_role)
    if role not in access.PRIVILEGED_ROLES:
        staff_role.granted_by = actor
        return _save_role(staff_role)
    request = RoleRequest(
        user=user, role=role, agency=agency, program=program, fte=fte, requested_by=actor
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError(
            "This role is already waiting for approval for this person there."
        ) from None
    return request


def _decide(role_request: RoleRequest, approver: User) -> RoleRequest:
    """The request locked for a decision by `approver`, or why they may not decide it."""
    locked = (
        RoleRequest.objects.select_for_update().select_related("agency").get(pk=role_request.pk)
    )
    if locked.status != RoleRequest.Status.PENDING:
        raise ValidationError("This request has already been decided.")
    if approver.pk == locked.user_id:
        raise ValidationError("Nobody decides a request for a role of their own.")
    if not _may_manage_staff(approver, locked.agency):
        raise PermissionDenied("Only the agency's admins or a platform operator decide this.")
    return locked


@transaction.atomic
def role_request_approve(*, role_request: RoleRequest, approver: User) -> StaffRole:
    """The second person's approval: the role is granted, naming who asked and who approved.

    The approver is another admin of the agency or a platform operator; never the admin who
    asked, nor the person who gets the role."""
    locked = _decide(role_request, approver)
    if approver.pk == locked.requested_by_id:
        raise ValidationError(
            "You asked for this role: another admin of the agency, or a platform operator, "
            "must approve it."
        )
    staff_role = check_grant(
        user=locked.user,
        role=Role(locked.role),
        agency=locked.agency,
        program=locked.program,
        fte=locked.fte,
    )
    staff_role.granted_by_id = locked.requested_by_id
    staff_role.approved_by = approver
    _save_role(staff_role)
    locked.status = RoleRequest.Status.APPROVED
    locked.decided_by = approver
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return staff_role


@transaction.atomic
def role_request_reject(*, role_request: RoleRequest, approver: User) -> RoleRequest:
    """Turn a request down (the admin who asked may withdraw it too); nothing is granted."""
    locked = _decide(role_request, approver)
    locked.status = RoleRequest.Status.REJECTED
    locked.decided_by = approver
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


@transaction.atomic
def staff_role_revoke(*, staff_role: StaffRole) -> None:
    """Take a role away. The audit trail keeps the removed row's values."""
    staff_role.delete()


# --- Passwords and second factors set by an admin ----------------------------------------------


def holds_privileged_role(user: User) -> bool:
    """Whether the account reads client records, or decides who does (`PRIVILEGED_ROLES`)."""
    return StaffRole.objects.filter(user=user, role__in=sorted(access.PRIVILEGED_ROLES)).exists()


def _refuse_own_account(actor: User | None, user: User, what: str) -> None:
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(f"You cannot {what} of your own account here: {ADVICE[what]}")


ADVICE = {
    "reset the password": "use Change password, which asks for the current one.",
    "reset the two-factor authentication": "ask another admin of your agency.",
}


def _audit_account_change(user: User, actor: User | None, changes: dict[str, list[str]]) -> None:
    """An entry in the account's change history (the audit page), for a change that its row
    does not show: a password (never stored in the history) or authenticator devices."""
    LogEntry.objects.log_create(
        user, action=LogEntry.Action.UPDATE, changes=changes, actor=actor, force_log=True
    )


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
def user_password_reset(*, user: User, password: str, actor: User | None = None) -> User:
    """Set a new password chosen by an admin (`actor`), and lift any login lockout on the account.

    The admin now knows the password. So that they cannot use the account to read client
    records: a holder of a privileged role loses their authenticator devices and must enrol a
    new one at next login (any account enrols one once it gets such a role). The reset is
    recorded in the account's audit history and e-mailed to its owner (no client data). The
    account's API tokens end with the old password (`User.save`)."""
    _refuse_own_account(actor, user, "reset the password")
    validate_password(password, user)
    user.set_password(password)
    user.must_enrol_two_factor = True
    user.save(update_fields=["password", "must_enrol_two_factor"])
    axes_reset(username=user.username)
    changes = {"password": ["(not recorded)", "set by an admin"]}
    privileged = holds_privileged_role(user)
    if privileged:
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        changes["authenticator devices"] = [str(removed), "0: a new one is enrolled at next login"]
    changes["owner notified"] = ["", notify.describe_recipient(user)]
    _audit_account_change(user, actor, changes)
    notify.account_changed(
        user,
        actor=actor,
        what="a new password was set for your account",
        then=(
            "At your next login you will be asked to set up your authenticator app again."
            if privileged
            else ""
        ),
    )
    return user


@transaction.atomic
def user_set_active(*, user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account. Accounts are never deleted; a deactivated one
    loses its API tokens (`User.save`)."""
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_two_factor_reset(*, user: User, actor: User | None = None) -> int:
    """Remove a user's authenticator devices (a lost phone); they enrol again at next login.
    Recorded in the account's audit history and e-mailed to its owner."""
    _refuse_own_account(actor, user, "reset the two-factor authentication")
    count, _ = TOTPDevice.objects.filter(user=user).delete()
    _audit_account_change(
        user,
        actor,
        {
            "authenticator devices": [str(count), "0: removed by an admin"],
            "owner notified": ["", notify.describe_recipient(user)],
        },
    )
    notify.account_changed(
        user,
        actor=actor,
        what="the authenticator app of your account was removed",
        then="At your next login you may be asked to set up your authenticator app again.",
    )
    return count
