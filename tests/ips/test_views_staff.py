"""Staff administration pages: accounts, roles, passwords, deactivation, agency settings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ips.models import Agency, Program, Role, RoleRequest, StaffRole, User
from tests.factories import TEST_PASSWORD, StaffRoleFactory, UserFactory
from tests.helpers import MODEL_BACKEND

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lighthouse-ferry-orbit-42"


def _messages(response: object) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def admin_client(login_as: Callable[[User], Client], admin: User) -> Client:
    return login_as(admin)


@pytest.fixture
def second_admin(agency: Agency) -> User:
    """Another agency admin of `agency`: the second person of a privileged grant."""
    user = UserFactory(
        username="abe.admin", first_name="Abe", last_name="Second", home_agency=agency
    )
    StaffRoleFactory(user=user, role=Role.ADMIN, program=None, agency=agency)
    return user


@pytest.fixture
def second_admin_client(second_admin: User) -> Client:
    client = Client()
    client.force_login(second_admin, backend=MODEL_BACKEND)
    return client


# --- Accounts ----------------------------------------------------------------------------------


def test_admin_creates_an_account_in_their_agency(admin_client: Client, agency: Agency) -> None:
    response = admin_client.post(
        reverse("staff_create"),
        {
            "username": "new-hire",
            "first_name": "Nell",
            "last_name": "Hire",
            "email": "nell@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    account = User.objects.get(username="new-hire")
    assert response["Location"] == reverse("staff_detail", kwargs={"pk": account.pk})
    assert account.home_agency == agency
    assert account.is_active
    assert account.check_password(NEW_PASSWORD)
    assert not account.roles.exists()


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("short", "short", "too short"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords differ."),
        ("123456789012345", "123456789012345", "entirely numeric"),
    ],
)
def test_account_with_a_bad_password_is_not_created(
    admin_client: Client, password1: str, password2: str, message: str
) -> None:
    count = User.objects.count()

    response = admin_client.post(
        reverse("staff_create"),
        {
            "username": "new-hire",
            "first_name": "Nell",
            "last_name": "Hire",
            "password1": password1,
            "password2": password2,
        },
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == count


def test_accounts_are_never_deleted(specialist: User) -> None:
    with pytest.raises(ValidationError, match="never deleted"):
        specialist.delete()

    assert User.objects.filter(pk=specialist.pk).exists()


# --- Roles -------------------------------------------------------------------------------------


def test_admin_asks_for_a_program_role_and_another_admin_approves_it(
    admin_client: Client,
    second_admin_client: Client,
    admin: User,
    second_admin: User,
    no_role_user: User,
    other_program: Program,
) -> None:
    response = admin_client.post(
        reverse("staff_role_grant", kwargs={"pk": no_role_user.pk}),
        {"role": Role.SUPERVISOR, "program": other_program.pk},
    )

    assert response.status_code == 302
    assert not StaffRole.objects.filter(user=no_role_user).exists()
    request = RoleRequest.objects.get(user=no_role_user)
    assert "a second person must approve it" in _messages(admin_client.get(response["Location"]))[0]

    second_admin_client.post(reverse("role_request_approve", kwargs={"pk": request.pk}))

    role = StaffRole.objects.get(user=no_role_user)
    assert (role.role, role.program, role.agency) == (
        Role.SUPERVISOR,
        other_program,
        other_program.agency,
    )
    assert (role.granted_by, role.approved_by) == (admin, second_admin)


def test_admin_asks_for_an_agency_role(
    admin_client: Client, no_role_user: User, agency: Agency
) -> None:
    admin_client.post(
        reverse("staff_role_grant", kwargs={"pk": no_role_user.pk}), {"role": Role.DIRECTOR}
    )

    request = RoleRequest.objects.get(user=no_role_user)
    assert (request.role, request.program, request.agency) == (Role.DIRECTOR, None, agency)
    assert request.status == RoleRequest.Status.PENDING


def test_admin_grants_the_reviewer_role_at_once(
    admin_client: Client, admin: User, no_role_user: User, program: Program
) -> None:
    response = admin_client.post(
        reverse("staff_role_grant", kwargs={"pk": no_role_user.pk}),
        {"role": Role.REVIEWER, "program": program.pk},
    )

    role = StaffRole.objects.get(user=no_role_user)
    assert (role.role, role.granted_by, role.approved_by) == (Role.REVIEWER, admin, None)
    assert "Role granted." in _messages(admin_client.get(response["Location"]))


@pytest.mark.parametrize(
    ("role", "program_fixture", "message"),
    [
        (Role.SPECIALIST, None, "This role belongs to a program: choose one."),
        (Role.ADMIN, "program", "This role covers the whole agency: leave it empty."),
        (Role.SPECIALIST, "outsider_program", "Choose a role (and a program for program roles)."),
        ("superuser", None, "Choose a role (and a program for program roles)."),
    ],
)
def test_role_grant_with_bad_input_changes_nothing(
    request: pytest.FixtureRequest,
    admin_client: Client,
    no_role_user: User,
    role: str,
    program_fixture: str | None,
    message: str,
) -> None:
    data = {"role": role}
    if program_fixture:
        data["program"] = request.getfixturevalue(program_fixture).pk

    response = admin_client.post(reverse("staff_role_grant", kwargs={"pk": no_role_user.pk}), data)

    assert message in _messages(admin_client.get(response["Location"]))
    assert not StaffRole.objects.filter(user=no_role_user).exists()


def test_granting_a_role_twice_changes_nothing(
    admin_client: Client, specialist: User, program: Program
) -> None:
    response = admin_client.post(
        reverse("staff_role_grant", kwargs={"pk": specialist.pk}),
        {"role": Role.SPECIALIST, "program": program.pk},
    )

    assert "This person already holds that role there." in _messages(
        admin_client.get(response["Location"])
    )
    assert StaffRole.objects.filter(user=specialist).count() == 1


def test_admin_revokes_a_role_and_the_audit_keeps_it(
    admin_client: Client, specialist: User
) -> None:
    role = StaffRole.objects.get(user=specialist)

    response = admin_client.post(reverse("staff_role_revoke", kwargs={"pk": role.pk}))

    assert response["Location"] == reverse("staff_detail", kwargs={"pk": specialist.pk})
    assert not StaffRole.objects.filter(user=specialist).exists()
    deleted = LogEntry.objects.get(
        content_type__model="staffrole", object_pk=str(role.pk), action=LogEntry.Action.DELETE
    )
    assert deleted.changes_dict["role"][0] == Role.SPECIALIST


def test_revoked_role_takes_access_away(
    admin_client: Client, specialist: User, program: Program
) -> None:
    admin_client.post(
        reverse("staff_role_revoke", kwargs={"pk": StaffRole.objects.get(user=specialist).pk})
    )
    client = Client()
    client.force_login(specialist, backend=MODEL_BACKEND)

    assert client.get(reverse("program_detail", kwargs={"pk": program.pk})).status_code == 404


# --- Passwords and deactivation ----------------------------------------------------------------


def test_admin_resets_a_password(admin_client: Client, specialist: User) -> None:
    response = admin_client.post(
        reverse("staff_password", kwargs={"pk": specialist.pk}),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    specialist.refresh_from_db()
    assert specialist.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("short", "short", "too short"),
        ("password12345", "password12345", "too common"),
        (NEW_PASSWORD, "something-else-entirely", "The two passwords differ."),
    ],
)
def test_password_reset_with_a_bad_password_changes_nothing(
    admin_client: Client, specialist: User, password1: str, password2: str, message: str
) -> None:
    response = admin_client.post(
        reverse("staff_password", kwargs={"pk": specialist.pk}),
        {"password1": password1, "password2": password2},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    specialist.refresh_from_db()
    assert specialist.check_password(TEST_PASSWORD)


def test_deactivated_account_can_no_longer_log_in(admin_client: Client, specialist: User) -> None:
    their_session = Client()
    their_session.force_login(specialist, backend=MODEL_BACKEND)

    response = admin_client.post(
        reverse("staff_set_active", kwargs={"pk": specialist.pk}), {"active": "0"}
    )

    assert response.status_code == 302
    specialist.refresh_from_db()
    assert not specialist.is_active
    assert User.objects.filter(pk=specialist.pk).exists()
    login = Client().post(
        reverse("login"), {"username": specialist.username, "password": TEST_PASSWORD}
    )
    assert login.status_code == 200
    assert "Please enter a correct username and password" in login.content.decode()
    # A session opened before the deactivation is dead too.
    assert their_session.get(reverse("home")).status_code == 302


def test_admin_reactivates_an_account(admin_client: Client, specialist: User) -> None:
    specialist.is_active = False
    specialist.save()

    admin_client.post(reverse("staff_set_active", kwargs={"pk": specialist.pk}), {"active": "1"})

    specialist.refresh_from_db()
    assert specialist.is_active


def test_admin_cannot_deactivate_themselves(admin_client: Client, admin: User) -> None:
    response = admin_client.post(
        reverse("staff_set_active", kwargs={"pk": admin.pk}), {"active": "0"}
    )

    assert "You cannot deactivate your own account." in _messages(
        admin_client.get(response["Location"])
    )
    admin.refresh_from_db()
    assert admin.is_active


def test_outside_reviewer_is_listed_but_managed_by_no_agency(
    admin_client: Client, reviewer: User
) -> None:
    """The reviewer holds a role here, so the admin sees them; their password is not ours."""
    page = admin_client.get(reverse("staff_detail", kwargs={"pk": reviewer.pk}))
    assert page.status_code == 200
    assert not page.context["can_manage_account"]

    for name, data in [
        ("staff_password", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}),
        ("staff_set_active", {"active": "0"}),
        ("staff_two_factor_reset", {}),
    ]:
        response = admin_client.post(reverse(name, kwargs={"pk": reviewer.pk}), data)
        assert response.status_code == 403, name

    reviewer.refresh_from_db()
    assert reviewer.is_active
    assert reviewer.check_password(TEST_PASSWORD)


# --- Another agency's admin --------------------------------------------------------------------


@pytest.fixture
def outsider_admin_client(outsider_agency: Agency) -> Client:
    outsider_admin = UserFactory(username="otto.admin", home_agency=outsider_agency)
    StaffRoleFactory(user=outsider_admin, role=Role.ADMIN, program=None, agency=outsider_agency)
    client = Client()
    client.force_login(outsider_admin, backend=MODEL_BACKEND)
    return client


@pytest.mark.parametrize(
    ("method", "name", "data"),
    [
        ("get", "staff_detail", {}),
        ("post", "staff_password", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}),
        ("post", "staff_set_active", {"active": "0"}),
        ("post", "staff_two_factor_reset", {}),
        ("post", "staff_role_grant", {"role": Role.DIRECTOR}),
    ],
)
def test_admin_of_another_agency_gets_404_for_these_accounts(
    outsider_admin_client: Client, specialist: User, method: str, name: str, data: dict
) -> None:
    response = getattr(outsider_admin_client, method)(
        reverse(name, kwargs={"pk": specialist.pk}), data
    )

    assert response.status_code == 404
    specialist.refresh_from_db()
    assert specialist.is_active
    assert specialist.check_password(TEST_PASSWORD)
    assert specialist.roles.count() == 1


def test_admin_of_another_agency_cannot_revoke_our_roles(
    outsider_admin_client: Client, specialist: User
) -> None:
    role = StaffRole.objects.get(user=specialist)

    response = outsider_admin_client.post(reverse("staff_role_revoke", kwargs={"pk": role.pk}))

    assert response.status_code == 404
    assert StaffRole.objects.filter(pk=role.pk).exists()


def test_admin_of_another_agency_does_not_list_our_staff(
    outsider_admin_client: Client, specialist: User
) -> None:
    response = outsider_admin_client.get(reverse("staff_list"))

    assert response.status_code == 200
    assert specialist.username not in response.content.decode()
    assert "otto.admin" in response.content.decode()


# --- Agency settings ---------------------------------------------------------------------------


def test_admin_turns_on_two_factor_for_the_agency(admin_client: Client, agency: Agency) -> None:
    response = admin_client.post(
        reverse("agency_settings", kwargs={"pk": agency.pk}),
        {
            "name": agency.name,
            "requires_two_factor": "on",
            "paper_size": agency.paper_size,
            "version": agency.version,
        },
    )

    assert response["Location"] == reverse("home")
    agency.refresh_from_db()
    assert agency.requires_two_factor
    assert agency.version == 2


def test_stale_agency_settings_are_refused(admin_client: Client, agency: Agency) -> None:
    url = reverse("agency_settings", kwargs={"pk": agency.pk})
    admin_client.post(url, {"name": "Riverside Health", "paper_size": "letter", "version": 1})

    response = admin_client.post(
        url, {"name": "Riverside Care", "paper_size": "letter", "version": 1}
    )

    assert response.status_code == 200
    assert 'data-testid="stale-differences"' in response.content.decode()
    agency.refresh_from_db()
    assert (agency.name, agency.version) == ("Riverside Health", 2)
