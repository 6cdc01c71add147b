"""Program pages: create, edit (with stale-version refusal), the minimum-wage schedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from ips.models import Agency, MinimumWage, Program, Role, User
from tests.factories import MinimumWageFactory, ProgramFactory, StaffRoleFactory, UserFactory
from tests.helpers import MODEL_BACKEND

pytestmark = pytest.mark.django_db


def _edit_data(program: Program, version: int, **changes: object) -> dict[str, object]:
    data = {
        "name": program.name,
        "site": program.site,
        "is_active": "on",
        "weekly_employer_contact_target": 6,
        "version": version,
    }
    data.update(changes)
    return data


def test_admin_edits_a_program(
    login_as: Callable[[User], Client], admin: User, program: Program
) -> None:
    client = login_as(admin)
    form = client.get(reverse("program_edit", kwargs={"pk": program.pk})).context["form"]

    response = client.post(
        reverse("program_edit", kwargs={"pk": program.pk}),
        _edit_data(program, form["version"].value(), name="Harbor Works East", site="Pier 4"),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("program_detail", kwargs={"pk": program.pk})
    program.refresh_from_db()
    assert (program.name, program.site, program.version) == ("Harbor Works East", "Pier 4", 2)


def test_program_edit_with_a_blank_name_changes_nothing(
    login_as: Callable[[User], Client], admin: User, program: Program
) -> None:
    response = login_as(admin).post(
        reverse("program_edit", kwargs={"pk": program.pk}), _edit_data(program, 1, name="")
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    program.refresh_from_db()
    assert (program.name, program.version) == ("Harbor Works", 1)


@pytest.fixture
def second_admin(admin: User, agency: Agency) -> User:
    """Another admin of the same agency, editing at the same time."""
    user = UserFactory(username="abe.admin", home_agency=agency)
    StaffRoleFactory(user=user, role=Role.ADMIN, program=None, agency=agency)
    return user


def test_stale_edit_is_refused_shows_both_versions_and_keeps_the_input(
    login_as: Callable[[User], Client], admin: User, second_admin: User, program: Program
) -> None:
    url = reverse("program_edit", kwargs={"pk": program.pk})
    first = login_as(admin)
    second = Client()
    second.force_login(second_admin, backend=MODEL_BACKEND)
    first_version = first.get(url).context["form"]["version"].value()
    second_version = second.get(url).context["form"]["version"].value()
    assert first_version == second_version == 1

    saved = first.post(url, _edit_data(program, first_version, name="Harbor East"))
    assert saved.status_code == 302
    response = second.post(url, _edit_data(program, second_version, name="Harbor West"))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="stale-differences"' in content
    assert "changed by someone else" in content
    differences = response.context["differences"]
    assert [(d.label, d.saved, d.submitted) for d in differences] == [
        ("Name", "Harbor East", "Harbor West")
    ]
    assert 'value="Harbor West"' in content  # the refused input is kept in the form
    program.refresh_from_db()
    assert (program.name, program.version) == ("Harbor East", 2)


def test_saving_again_after_a_stale_refusal_keeps_the_users_input(
    login_as: Callable[[User], Client], admin: User, second_admin: User, program: Program
) -> None:
    """The page promises "Save again to keep your input over theirs": the re-rendered form must
    carry the version now saved, or the second save is refused forever."""
    url = reverse("program_edit", kwargs={"pk": program.pk})
    second = Client()
    second.force_login(second_admin, backend=MODEL_BACKEND)
    login_as(admin).post(url, _edit_data(program, 1, name="Harbor East"))
    refused = second.post(url, _edit_data(program, 1, name="Harbor West"))
    kept_version = refused.context["form"]["version"].value()

    response = second.post(url, _edit_data(program, kept_version, name="Harbor West"))

    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.version) == ("Harbor West", 3)


def test_admin_creates_a_program(
    login_as: Callable[[User], Client], admin: User, agency: Agency
) -> None:
    response = login_as(admin).post(
        reverse("program_create", kwargs={"agency_pk": agency.pk}),
        {"name": "Canal Street Team", "site": "Canal Street"},
    )

    created = Program.objects.get(name="Canal Street Team")
    assert created.agency == agency
    assert response["Location"] == reverse("program_detail", kwargs={"pk": created.pk})


def test_program_create_refuses_a_duplicate_name_and_changes_nothing(
    login_as: Callable[[User], Client], admin: User, agency: Agency, program: Program
) -> None:
    count = Program.objects.count()

    response = login_as(admin).post(
        reverse("program_create", kwargs={"agency_pk": agency.pk}), {"name": program.name}
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Program.objects.count() == count


# --- The minimum-wage schedule -----------------------------------------------------------------


def _add_wage(client: Client, program: Program, effective_on: str, hourly: str) -> object:
    return client.post(
        reverse("minimum_wage_add", kwargs={"pk": program.pk}),
        {"effective_on": effective_on, "hourly": hourly},
    )


def test_admin_adds_a_minimum_wage(
    login_as: Callable[[User], Client], admin: User, program: Program
) -> None:
    response = _add_wage(login_as(admin), program, "2026-01-01", "16.25")

    assert response.status_code == 302
    entry = MinimumWage.objects.get(program=program)
    assert (entry.effective_on, entry.hourly) == (dt.date(2026, 1, 1), Decimal("16.25"))
    page = login_as(admin).get(reverse("program_detail", kwargs={"pk": program.pk}))
    assert "16.25" in page.content.decode()


@pytest.mark.parametrize("hourly", ["-1.00", "0", "abc"])
def test_minimum_wage_with_a_bad_amount_changes_nothing(
    login_as: Callable[[User], Client], admin: User, program: Program, hourly: str
) -> None:
    response = _add_wage(login_as(admin), program, "2026-01-01", hourly)

    assert response.status_code == 200
    assert response.context["form"].errors["hourly"]
    assert not MinimumWage.objects.filter(program=program).exists()


def test_minimum_wage_for_a_date_already_scheduled_changes_nothing(
    login_as: Callable[[User], Client], admin: User, program: Program
) -> None:
    MinimumWageFactory(program=program, effective_on=dt.date(2026, 1, 1), hourly=Decimal("15.00"))

    response = _add_wage(login_as(admin), program, "2026-01-01", "17.00")

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert list(MinimumWage.objects.filter(program=program).values_list("hourly", flat=True)) == [
        Decimal("15.00")
    ]


def test_the_same_date_is_fine_in_another_program(
    login_as: Callable[[User], Client], admin: User, program: Program, other_program: Program
) -> None:
    MinimumWageFactory(program=other_program, effective_on=dt.date(2026, 1, 1))

    response = _add_wage(login_as(admin), program, "2026-01-01", "17.00")

    assert response.status_code == 302
    assert MinimumWage.objects.filter(effective_on=dt.date(2026, 1, 1)).count() == 2


@pytest.fixture
def scheduled_program() -> Program:
    program = ProgramFactory()
    MinimumWageFactory(program=program, effective_on=dt.date(2025, 1, 1), hourly=Decimal("15.00"))
    MinimumWageFactory(program=program, effective_on=dt.date(2026, 1, 1), hourly=Decimal("15.50"))
    return program


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2024, 6, 1), Decimal("15.00")),  # before the first entry: the earliest applies
        (dt.date(2025, 1, 1), Decimal("15.00")),  # its first day
        (dt.date(2025, 12, 31), Decimal("15.00")),  # between entries
        (dt.date(2026, 1, 1), Decimal("15.50")),  # the day the second takes effect
        (dt.date(2030, 1, 1), Decimal("15.50")),  # after the last entry
    ],
)
def test_minimum_wage_on(scheduled_program: Program, day: dt.date, expected: Decimal) -> None:
    assert scheduled_program.minimum_wage_on(day) == expected


def test_minimum_wage_on_without_a_schedule_is_none(program: Program) -> None:
    assert program.minimum_wage_on(dt.date(2026, 1, 1)) is None


def test_program_factory_trait_gives_a_schedule() -> None:
    program = ProgramFactory(with_wage=True)

    assert program.minimum_wage_on(dt.date(2026, 1, 1)) == Decimal("15.00")
