"""The API token pages: a user's own tokens (issue, list, revoke) and an agency admin's list of
its staff's tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ips.models import ApiToken, User
from ips.services import api_token_create
from tests.factories import TEST_PASSWORD
from tests.helpers import assert_private_response

pytestmark = pytest.mark.django_db


def works(key: str) -> bool:
    response = Client(headers={"Authorization": f"Token {key}"}).get(reverse("api:me"))
    return response.status_code == 200


def issue(client: Client, **fields: object) -> object:
    data = {"name": "Calendar sync", "days": 30, "password": TEST_PASSWORD, **fields}
    return client.post(reverse("api_tokens"), data)


# --- Own tokens ---------------------------------------------------------------------------------


def test_user_sees_their_own_tokens_and_no_one_elses(
    specialist: User, other_specialist: User, login_as: Callable[[User], Client]
) -> None:
    api_token_create(user=specialist, name="Payroll export")
    api_token_create(user=other_specialist, name="Colleague's script")

    response = login_as(specialist).get(reverse("api_tokens"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Payroll export" in content
    assert "Colleague" not in content
    assert_private_response(response)


def test_user_creates_a_token_and_sees_its_key_once(
    specialist: User, login_as: Callable[[User], Client]
) -> None:
    client = login_as(specialist)

    response = issue(client)

    assert response.status_code == 200
    assert_private_response(response)  # no-store: the key stays in no cache
    token = ApiToken.objects.get(user=specialist)
    key = response.context["key"]
    assert key in response.content.decode()
    assert token.digest == ApiToken.digest_of(key)
    assert token.name == "Calendar sync"
    assert (token.expires_at - token.created_at).days == 30
    assert works(key)
    listing = client.get(reverse("api_tokens")).content.decode()
    assert "Calendar sync" in listing
    assert key not in listing


def test_creating_a_token_needs_the_users_password(
    specialist: User, login_as: Callable[[User], Client]
) -> None:
    response = issue(login_as(specialist), password="not-my-password")

    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_lives_at_most_api_token_days(
    specialist: User, login_as: Callable[[User], Client]
) -> None:
    response = issue(login_as(specialist), days=91)

    assert response.status_code == 200
    assert "less than or equal to 90" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_user_revokes_their_own_token(specialist: User, login_as: Callable[[User], Client]) -> None:
    token, key = api_token_create(user=specialist, name="Payroll export")
    _, kept_key = api_token_create(user=specialist, name="Calendar sync")

    response = login_as(specialist).post(reverse("api_token_revoke", kwargs={"pk": token.pk}))

    assert response.status_code == 302
    assert response["Location"] == reverse("api_tokens")
    assert not works(key)
    assert works(kept_key)


def test_nobody_revokes_another_users_token_from_their_own_page(
    specialist: User, admin: User, login_as: Callable[[User], Client]
) -> None:
    token, key = api_token_create(user=specialist, name="Payroll export")

    response = login_as(admin).post(reverse("api_token_revoke", kwargs={"pk": token.pk}))

    assert response.status_code == 404
    assert works(key)


def test_issue_and_revocation_by_page_are_in_the_change_history_with_who(
    specialist: User, login_as: Callable[[User], Client]
) -> None:
    client = login_as(specialist)
    key = issue(client).context["key"]
    token = ApiToken.objects.get()
    client.post(reverse("api_token_revoke", kwargs={"pk": token.pk}))

    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ApiToken), object_pk=str(token.pk)
    ).order_by("timestamp")

    assert [(entry.action, entry.actor) for entry in entries] == [
        (LogEntry.Action.CREATE, specialist),
        (LogEntry.Action.DELETE, specialist),
    ]
    assert not any(
        key in str(entry.changes) or token.digest in str(entry.changes) for entry in entries
    )


# --- Agency admins ------------------------------------------------------------------------------


def test_admin_lists_the_tokens_of_their_agencys_staff_only(
    admin: User,
    specialist: User,
    reviewer: User,
    outsider_director: User,
    login_as: Callable[[User], Client],
) -> None:
    api_token_create(user=specialist, name="Payroll export")
    api_token_create(user=reviewer, name="Review notes sync")
    api_token_create(user=outsider_director, name="Lakeside dashboard")

    response = login_as(admin).get(reverse("staff_api_tokens"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Payroll export" in content
    # An outside reviewer holds a role in the agency: listed, but another agency's account.
    assert "Review notes sync" in content
    assert "another agency's account" in content
    assert "Lakeside dashboard" not in content


def test_admin_revokes_a_staff_members_token(
    admin: User, specialist: User, login_as: Callable[[User], Client]
) -> None:
    token, key = api_token_create(user=specialist, name="Payroll export")

    response = login_as(admin).post(reverse("staff_api_token_revoke", kwargs={"pk": token.pk}))

    assert response.status_code == 302
    assert response["Location"] == reverse("staff_api_tokens")
    assert not works(key)
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(ApiToken), action=LogEntry.Action.DELETE
    )
    assert entry.actor == admin
    assert entry.additional_data == {"user_id": specialist.pk}


def test_admin_cannot_revoke_a_token_of_another_agencys_account(
    admin: User, reviewer: User, outsider_director: User, login_as: Callable[[User], Client]
) -> None:
    client = login_as(admin)
    reviewers, reviewers_key = api_token_create(user=reviewer, name="Review notes sync")
    outsiders, outsiders_key = api_token_create(user=outsider_director, name="Lakeside dashboard")

    seen_elsewhere = client.post(reverse("staff_api_token_revoke", kwargs={"pk": reviewers.pk}))
    unseen = client.post(reverse("staff_api_token_revoke", kwargs={"pk": outsiders.pk}))

    assert seen_elsewhere.status_code == 403
    assert unseen.status_code == 404
    assert works(reviewers_key)
    assert works(outsiders_key)


@pytest.mark.parametrize("persona", ["specialist", "supervisor", "director", "no_role_user"])
def test_only_admins_see_the_staff_token_pages(
    persona: str, request: pytest.FixtureRequest, login_as: Callable[[User], Client]
) -> None:
    user = request.getfixturevalue(persona)
    token, key = api_token_create(user=user, name="Own script")
    client = login_as(user)

    listing = client.get(reverse("staff_api_tokens"))
    revoke = client.post(reverse("staff_api_token_revoke", kwargs={"pk": token.pk}))

    assert listing.status_code == 403
    assert revoke.status_code == 404
    assert works(key)


def test_the_accounts_audit_history_shows_its_tokens(
    admin: User, specialist: User, login_as: Callable[[User], Client]
) -> None:
    api_token_create(user=specialist, name="Payroll export")

    response = login_as(admin).get(reverse("audit_log"), {"type": "staff", "id": specialist.pk})

    content = response.content.decode()
    assert "api token #" in content
    assert "Payroll export" in content


def test_wrong_passwords_on_the_token_form_count_towards_the_lockout(
    specialist: User, login_as: Callable[[User], Client], settings: object
) -> None:
    client = login_as(specialist)
    statuses = [
        issue(client, password="not-my-password").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)  # type: ignore[attr-defined]
    ]

    login = Client().post(
        reverse("login"), {"username": specialist.username, "password": TEST_PASSWORD}
    )

    assert statuses[0] == 200
    assert login.status_code == 429
    assert not ApiToken.objects.exists()


def test_a_session_short_of_its_second_factor_issues_no_token(
    specialist: User, login_as: Callable[[User], Client]
) -> None:
    TOTPDevice.objects.create(user=specialist, name="Phone", confirmed=True)
    client = login_as(specialist)  # password only: the device is not verified yet

    shown = client.get(reverse("api_tokens"))
    posted = issue(client)

    verify = reverse("two_factor_verify")
    assert shown.status_code == posted.status_code == 302
    assert shown["Location"].startswith(verify)
    assert posted["Location"].startswith(verify)
    assert not ApiToken.objects.exists()
