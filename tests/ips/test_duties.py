"""Separation of duties, in the services (`ips.services`) that every way in shares: role grants
need a second person for privileged roles, nobody grants themselves anything, outside
reviewers stay reviewers, and an admin's password reset of a privileged account makes it enrol
a new second factor, is audited and is e-mailed to its owner."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ips import services
from ips.audit import history_for
from ips.models import Agency, Program, Role, RoleRequest, StaffRole, User
from tests.clients.factories import ClientFactory
from tests.factories import TEST_PASSWORD, StaffRoleFactory, UserFactory
from tests.helpers import MODEL_BACKEND
from tests.ips.test_two_factor import current_token

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lighthouse-ferry-orbit-42"


@pytest.fixture
def second_admin(agency: Agency) -> User:
    user = UserFactory(
        username="abe.admin", first_name="Abe", last_name="Second", home_agency=agency
    )
    StaffRoleFactory(user=user, role=Role.ADMIN, program=None, agency=agency)
    return user


@pytest.fixture
def operator() -> User:
    """A platform operator: a Django superuser, with no role in any agency."""
    return UserFactory(username="pat.operator", is_superuser=True, is_staff=True)


@pytest.fixture
def new_hire(agency: Agency) -> User:
    return UserFactory(
        username="nell.hire", first_name="Nell", last_name="Hire", home_agency=agency
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[[], Any]:
    """A block whose changes commit (their e-mails are sent) as it ends; `mail.outbox` has them."""
    mail.outbox = []
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _reset_entry(user: User) -> LogEntry:
    """The account's audit entry of an admin's password or two-factor reset."""
    entries = LogEntry.objects.filter(
        content_type__model="user", object_pk=str(user.pk), changes__has_key="owner notified"
    )
    return entries.get()


def _ask(admin: User, user: User, role: Role, program: Program | None = None) -> Any:
    agency = program.agency if program else admin.home_agency
    return services.staff_role_grant(
        actor=admin, user=user, role=role, agency=agency, program=program
    )


# --- Nobody grants a role to themselves ---------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_nobody_grants_a_role_to_themselves(admin: User, program: Program, role: Role) -> None:
    where = program if role in {Role.SPECIALIST, Role.SUPERVISOR, Role.REVIEWER} else None

    with pytest.raises(ValidationError, match="cannot grant a role to yourself"):
        _ask(admin, admin, role, where)

    assert list(StaffRole.objects.filter(user=admin).values_list("role", flat=True)) == [Role.ADMIN]
    assert not RoleRequest.objects.exists()


def test_a_platform_operator_does_not_grant_themselves_a_role_either(
    operator: User, agency: Agency
) -> None:
    with pytest.raises(ValidationError, match="cannot grant a role to yourself"):
        services.staff_role_grant(actor=operator, user=operator, role=Role.DIRECTOR, agency=agency)


def test_only_the_agencys_admins_grant_its_roles(
    director: User, new_hire: User, program: Program
) -> None:
    with pytest.raises(PermissionDenied):
        _ask(director, new_hire, Role.REVIEWER, program)


# --- Privileged roles need a second person -----------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.SPECIALIST, Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN], ids=str
)
def test_a_privileged_role_is_only_asked_for(
    admin: User, new_hire: User, program: Program, role: Role
) -> None:
    where = program if role in {Role.SPECIALIST, Role.SUPERVISOR} else None

    asked = _ask(admin, new_hire, role, where)

    assert isinstance(asked, RoleRequest)
    assert (asked.status, asked.requested_by) == (RoleRequest.Status.PENDING, admin)
    assert not StaffRole.objects.filter(user=new_hire).exists()


def test_the_reviewer_role_is_granted_at_once(
    admin: User, new_hire: User, program: Program
) -> None:
    granted = _ask(admin, new_hire, Role.REVIEWER, program)

    assert isinstance(granted, StaffRole)
    assert (granted.granted_by, granted.approved_by) == (admin, None)


def test_another_admin_approves_and_the_role_names_both(
    admin: User, second_admin: User, new_hire: User, program: Program
) -> None:
    asked = _ask(admin, new_hire, Role.SPECIALIST, program)

    role = services.role_request_approve(role_request=asked, approver=second_admin)

    assert (role.user, role.role, role.program) == (new_hire, Role.SPECIALIST, program)
    assert (role.granted_by, role.approved_by) == (admin, second_admin)
    asked.refresh_from_db()
    assert (asked.status, asked.decided_by) == (RoleRequest.Status.APPROVED, second_admin)
    assert asked.decided_at is not None


def test_the_admin_who_asked_cannot_approve(admin: User, new_hire: User, program: Program) -> None:
    asked = _ask(admin, new_hire, Role.SPECIALIST, program)

    with pytest.raises(ValidationError, match="another admin of the agency, or a platform"):
        services.role_request_approve(role_request=asked, approver=admin)

    assert not StaffRole.objects.filter(user=new_hire).exists()


def test_the_person_who_would_get_the_role_cannot_approve_it(
    admin: User, second_admin: User, agency: Agency
) -> None:
    """An admin asked to be made director too by a colleague cannot approve it themselves."""
    asked = services.staff_role_grant(
        actor=second_admin, user=admin, role=Role.DIRECTOR, agency=agency
    )

    with pytest.raises(ValidationError, match="Nobody decides a request for a role of their own"):
        services.role_request_approve(role_request=asked, approver=admin)
    with pytest.raises(ValidationError, match="Nobody decides"):
        services.role_request_reject(role_request=asked, approver=admin)


@pytest.mark.parametrize("who", ["director", "supervisor", "outsider_director"])
def test_only_an_admin_of_the_agency_or_an_operator_decides(
    request: pytest.FixtureRequest, admin: User, new_hire: User, program: Program, who: str
) -> None:
    asked = _ask(admin, new_hire, Role.SPECIALIST, program)

    with pytest.raises(PermissionDenied):
        services.role_request_approve(role_request=asked, approver=request.getfixturevalue(who))


def test_a_platform_operator_approves_for_an_agency_with_one_admin(
    admin: User, operator: User, new_hire: User, agency: Agency
) -> None:
    asked = _ask(admin, new_hire, Role.DIRECTOR)

    role = services.role_request_approve(role_request=asked, approver=operator)

    assert (role.role, role.agency, role.granted_by, role.approved_by) == (
        Role.DIRECTOR,
        agency,
        admin,
        operator,
    )


def test_a_platform_operator_grants_directly(
    operator: User, new_hire: User, agency: Agency
) -> None:
    role = services.staff_role_grant(actor=operator, user=new_hire, role=Role.ADMIN, agency=agency)

    assert isinstance(role, StaffRole)
    assert (role.granted_by, role.approved_by) == (operator, operator)


def test_a_decided_request_is_not_decided_again(
    admin: User, second_admin: User, new_hire: User, program: Program
) -> None:
    asked = _ask(admin, new_hire, Role.SPECIALIST, program)
    services.role_request_reject(role_request=asked, approver=second_admin)

    with pytest.raises(ValidationError, match="already been decided"):
        services.role_request_approve(role_request=asked, approver=second_admin)

    asked.refresh_from_db()
    assert asked.status == RoleRequest.Status.REJECTED
    assert not StaffRole.objects.filter(user=new_hire).exists()


def test_the_admin_who_asked_may_withdraw(admin: User, new_hire: User, program: Program) -> None:
    asked = _ask(admin, new_hire, Role.SPECIALIST, program)

    services.role_request_reject(role_request=asked, approver=admin)

    asked.refresh_from_db()
    assert (asked.status, asked.decided_by) == (RoleRequest.Status.REJECTED, admin)


def test_the_same_role_is_asked_for_once(admin: User, new_hire: User, program: Program) -> None:
    _ask(admin, new_hire, Role.SPECIALIST, program)

    with pytest.raises(ValidationError, match="already waiting for approval"):
        _ask(admin, new_hire, Role.SPECIALIST, program)


def test_one_admin_cannot_make_a_second_admin_to_approve_their_own_requests(
    admin: User, new_hire: User, no_role_user: User, program: Program
) -> None:
    """The admin role needs a second person too: otherwise an admin's own creature approves."""
    made_admin = _ask(admin, new_hire, Role.ADMIN)
    asked = _ask(admin, no_role_user, Role.SPECIALIST, program)

    assert isinstance(made_admin, RoleRequest)
    with pytest.raises(PermissionDenied):
        services.role_request_approve(role_request=asked, approver=new_hire)


# --- Outside reviewers stay reviewers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "in_program"),
    [(Role.DIRECTOR, False), (Role.ADMIN, False), (Role.SPECIALIST, True), (Role.SUPERVISOR, True)],
    ids=str,
)
def test_an_outside_reviewer_gets_no_role_but_reviewer(
    admin: User, operator: User, reviewer: User, program: Program, role: Role, in_program: bool
) -> None:
    for actor in (admin, operator):
        with pytest.raises(ValidationError, match="Only staff Riverside Mental Health employs"):
            services.staff_role_grant(
                actor=actor,
                user=reviewer,
                role=role,
                agency=program.agency,
                program=program if in_program else None,
            )

    assert list(reviewer.roles.values_list("role", flat=True)) == [Role.REVIEWER]
    assert not RoleRequest.objects.exists()


def test_another_agencys_staff_get_no_role_but_reviewer(
    admin: User, outsider_director: User, program: Program, other_program: Program
) -> None:
    with pytest.raises(ValidationError, match="works for another agency or none"):
        _ask(admin, outsider_director, Role.DIRECTOR)

    granted = _ask(admin, outsider_director, Role.REVIEWER, other_program)
    assert isinstance(granted, StaffRole)


def test_an_approval_checks_again(
    admin: User, second_admin: User, new_hire: User, program: Program
) -> None:
    """An account deactivated while its request waited gets nothing."""
    asked = _ask(admin, new_hire, Role.SPECIALIST, program)
    services.user_set_active(user=new_hire, active=False)

    with pytest.raises(ValidationError, match="deactivated"):
        services.role_request_approve(role_request=asked, approver=second_admin)


# --- The audit trail records who asked and who approved ----------------------------------------


def test_the_change_history_names_who_asked_and_who_approved(
    admin: User,
    second_admin: User,
    new_hire: User,
    program: Program,
    login_as: Callable[[User], Client],
) -> None:
    from auditlog.context import set_actor

    with set_actor(admin):
        asked = _ask(admin, new_hire, Role.SPECIALIST, program)
    with set_actor(second_admin):
        role = services.role_request_approve(role_request=asked, approver=second_admin)

    created = LogEntry.objects.get(
        content_type__model="staffrole", object_pk=str(role.pk), action=LogEntry.Action.CREATE
    )
    assert created.actor == second_admin
    assert created.changes_dict["granted_by"][1] == str(admin.pk)
    assert created.changes_dict["approved_by"][1] == str(second_admin.pk)
    request_entries = LogEntry.objects.filter(
        content_type__model="rolerequest", object_pk=str(asked.pk)
    ).order_by("timestamp")
    assert [(entry.action, entry.actor) for entry in request_entries] == [
        (LogEntry.Action.CREATE, admin),
        (LogEntry.Action.UPDATE, second_admin),
    ]
    # The account's history on the audit page holds both.
    kinds = {(row.what.split(" #")[0], row.actor) for row in history_for(new_hire)}
    assert {("role request", str(admin)), ("staff role", str(second_admin))} <= kinds
    page = login_as(admin).get(reverse("audit_log"), {"type": "staff", "id": new_hire.pk})
    assert "approved_by" in page.content.decode()


def test_the_pages_ask_list_and_approve(
    admin: User,
    second_admin: User,
    new_hire: User,
    program: Program,
    login_as: Callable[[User], Client],
) -> None:
    first = login_as(admin)
    first.post(
        reverse("staff_role_grant", kwargs={"pk": new_hire.pk}),
        {"role": Role.SPECIALIST, "program": program.pk},
    )
    asked = RoleRequest.objects.get(user=new_hire)
    own_list = first.get(reverse("role_request_list")).content.decode()
    assert "Waiting for another admin or a platform operator." in own_list
    refused = first.post(reverse("role_request_approve", kwargs={"pk": asked.pk}), follow=True)
    assert "You asked for this role" in refused.content.decode()

    second = Client()
    second.force_login(second_admin, backend=MODEL_BACKEND)
    listed = second.get(reverse("role_request_list")).content.decode()
    assert reverse("role_request_approve", kwargs={"pk": asked.pk}) in listed
    second.post(reverse("role_request_approve", kwargs={"pk": asked.pk}))

    assert StaffRole.objects.filter(user=new_hire, role=Role.SPECIALIST).exists()
    detail = first.get(reverse("staff_detail", kwargs={"pk": new_hire.pk})).content.decode()
    assert "asked for by Ada Admin, approved by Abe Second" in detail


def test_an_admin_sees_no_grant_or_reset_forms_on_their_own_account(
    admin: User, login_as: Callable[[User], Client]
) -> None:
    page = login_as(admin).get(reverse("staff_detail", kwargs={"pk": admin.pk})).content.decode()

    assert "Another admin of your agency grants your roles." in page
    assert reverse("staff_role_grant", kwargs={"pk": admin.pk}) not in page
    assert reverse("staff_password", kwargs={"pk": admin.pk}) not in page


# --- An admin's password reset -----------------------------------------------------------------


def test_a_reset_of_a_privileged_account_makes_it_enrol_a_new_second_factor(
    admin: User, specialist: User, client: Client, agency: Agency
) -> None:
    assert not agency.requires_two_factor
    TOTPDevice.objects.create(user=specialist, name="Phone", confirmed=True)

    services.user_password_reset(user=specialist, password=NEW_PASSWORD, actor=admin)

    specialist.refresh_from_db()
    assert specialist.must_enrol_two_factor
    assert not TOTPDevice.objects.filter(user=specialist).exists()
    # Whoever logs in with the new password must enrol an authenticator before anything else.
    client.post(reverse("login"), {"username": specialist.username, "password": NEW_PASSWORD})
    assert client.get(reverse("clients:caseload"))["Location"].startswith(
        reverse("two_factor_setup")
    )
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=specialist)
    client.post(reverse("two_factor_setup"), {"token": current_token(device)})
    assert client.get(reverse("clients:caseload")).status_code == 200
    specialist.refresh_from_db()
    assert not specialist.must_enrol_two_factor


def test_a_reset_is_in_the_audit_trail_and_e_mailed_without_client_data(
    admin: User, specialist: User, program: Program, committed: Callable[[], Any]
) -> None:
    ClientFactory(program=program, specialist=specialist, first_name="Quillon", last_name="Zeb")

    with committed():
        services.user_password_reset(user=specialist, password=NEW_PASSWORD, actor=admin)

    entry = _reset_entry(specialist)
    assert entry.actor == admin
    assert entry.changes_dict["password"] == ["(not recorded)", "set by an admin"]
    assert entry.changes_dict["authenticator devices"][1].startswith("0")
    assert entry.changes_dict["owner notified"] == ["", "by e-mail"]
    assert NEW_PASSWORD not in str(entry.changes_dict)
    [sent] = mail.outbox
    assert sent.to == [specialist.email]
    assert "a new password was set for your account" in sent.body
    assert "Ada Admin" in sent.body
    assert "set up your authenticator app again" in sent.body
    for secret in (NEW_PASSWORD, "Quillon", "Zeb", program.name):
        assert secret not in sent.body
        assert secret not in sent.subject


def test_a_reset_of_an_account_without_e_mail_says_so(
    admin: User, specialist: User, committed: Callable[[], Any]
) -> None:
    specialist.email = ""
    specialist.save()

    with committed():
        services.user_password_reset(user=specialist, password=NEW_PASSWORD, actor=admin)

    assert mail.outbox == []
    assert _reset_entry(specialist).changes_dict["owner notified"][1].startswith("not notified")


def test_a_reset_of_an_account_with_no_privileged_role_keeps_its_devices(
    admin: User, no_role_user: User, committed: Callable[[], Any]
) -> None:
    TOTPDevice.objects.create(user=no_role_user, name="Phone", confirmed=True)

    with committed():
        services.user_password_reset(user=no_role_user, password=NEW_PASSWORD, actor=admin)

    assert TOTPDevice.objects.filter(user=no_role_user).exists()
    assert len(mail.outbox) == 1


def test_the_staff_page_reset_says_what_follows(
    admin: User,
    specialist: User,
    login_as: Callable[[User], Client],
    committed: Callable[[], Any],
) -> None:
    with committed():
        response = login_as(admin).post(
            reverse("staff_password", kwargs={"pk": specialist.pk}),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            follow=True,
        )

    said = [str(message) for message in response.context["messages"]]
    assert said == [
        f"New password set for {specialist}. Any lockout is lifted. They will set up their "
        "authenticator app again at their next login. They have been told by e-mail."
    ]
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("reset", "message"),
    [
        (
            lambda admin: services.user_password_reset(
                user=admin, password=NEW_PASSWORD, actor=admin
            ),
            "use Change password",
        ),
        (
            lambda admin: services.user_two_factor_reset(user=admin, actor=admin),
            "ask another admin",
        ),
    ],
    ids=["password", "two-factor"],
)
def test_an_admin_does_not_reset_their_own_account(
    admin: User, reset: Callable[[User], object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        reset(admin)

    admin.refresh_from_db()
    assert admin.check_password(TEST_PASSWORD)


def test_a_two_factor_reset_is_audited_and_e_mailed(
    admin: User, specialist: User, committed: Callable[[], Any]
) -> None:
    TOTPDevice.objects.create(user=specialist, name="Phone", confirmed=True)

    with committed():
        services.user_two_factor_reset(user=specialist, actor=admin)

    entry = _reset_entry(specialist)
    assert (entry.actor, entry.changes_dict["authenticator devices"][0]) == (admin, "1")
    assert "authenticator app of your account was removed" in mail.outbox[0].body


def test_an_account_an_admin_created_enrols_once_it_reads_client_records(
    admin: User, second_admin: User, agency: Agency, program: Program, client: Client
) -> None:
    account = services.staff_create(
        agency=agency,
        username="new-hire",
        first_name="Nell",
        last_name="Hire",
        email="nell@example.org",
        password=NEW_PASSWORD,
        actor=admin,
    )
    client.force_login(account, backend=MODEL_BACKEND)
    assert client.get(reverse("home")).status_code == 200  # no role yet: nothing to protect

    asked = _ask(admin, account, Role.SPECIALIST, program)
    services.role_request_approve(role_request=asked, approver=second_admin)
    later = Client()
    later.force_login(account, backend=MODEL_BACKEND)

    assert later.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))


# --- Platform operators in the Django admin ----------------------------------------------------


@pytest.fixture
def operator_client(operator: User) -> Client:
    client = Client()
    client.force_login(operator, backend=MODEL_BACKEND)
    return client


def test_an_operator_approves_requests_in_the_django_admin(
    operator_client: Client, operator: User, admin: User, new_hire: User
) -> None:
    asked = _ask(admin, new_hire, Role.DIRECTOR)

    response = operator_client.post(
        reverse("admin:ips_rolerequest_changelist"),
        {"action": "approve", "_selected_action": [asked.pk]},
    )

    assert response.status_code == 302
    role = StaffRole.objects.get(user=new_hire)
    assert (role.role, role.granted_by, role.approved_by) == (
        Role.DIRECTOR,
        admin,
        None or role.approved_by,
    )
    assert role.approved_by.username == "pat.operator"


def test_an_operator_grant_in_the_django_admin_goes_through_the_checks(
    operator_client: Client, operator: User, reviewer: User, new_hire: User, agency: Agency
) -> None:
    add = reverse("admin:ips_staffrole_add")

    outsider = operator_client.post(
        add, {"user": reviewer.pk, "role": Role.DIRECTOR, "agency": agency.pk}
    )
    own = operator_client.post(
        add, {"user": operator.pk, "role": Role.DIRECTOR, "agency": agency.pk}
    )
    granted = operator_client.post(
        add, {"user": new_hire.pk, "role": Role.DIRECTOR, "agency": agency.pk}
    )

    assert "Only staff Riverside Mental Health employs" in outsider.content.decode()
    assert "Nobody grants a role to themselves." in own.content.decode()
    assert granted.status_code == 302
    role = StaffRole.objects.get(user=new_hire)
    assert (role.granted_by, role.approved_by) == (operator, operator)
    assert not StaffRole.objects.filter(user__in=[reviewer, operator], role=Role.DIRECTOR).exists()


def test_an_operators_new_password_in_the_django_admin_is_a_reset_too(
    operator_client: Client, operator: User, specialist: User, committed: Callable[[], Any]
) -> None:
    TOTPDevice.objects.create(user=specialist, name="Phone", confirmed=True)

    with committed():
        response = operator_client.post(
            reverse("admin:auth_user_password_change", args=[specialist.pk]),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )

    assert response.status_code == 302
    specialist.refresh_from_db()
    assert specialist.check_password(NEW_PASSWORD)
    assert specialist.must_enrol_two_factor
    assert not TOTPDevice.objects.filter(user=specialist).exists()
    assert _reset_entry(specialist).actor == operator
    assert len(mail.outbox) == 1


def test_the_approved_role_keeps_the_full_time_equivalent_asked_for(
    admin: User, second_admin: User, new_hire: User, program: Program
) -> None:
    asked = services.staff_role_grant(
        actor=admin,
        user=new_hire,
        role=Role.SPECIALIST,
        agency=program.agency,
        program=program,
        fte=Decimal("0.60"),
    )

    role = services.role_request_approve(role_request=asked, approver=second_admin)

    assert role.fte == Decimal("0.60")
    assert StaffRole.objects.get(pk=role.pk).fte == Decimal("0.60")
