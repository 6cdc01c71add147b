"""The repeated-or-sequential password validator (`ips.passwords`), alone and in the settings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ips.models import User
from ips.passwords import RepeatedOrSequentialValidator
from tests.factories import TEST_PASSWORD

TRIVIAL = [
    "aaaaaaaaaaaa",
    "123456789012",
    "abcdefghijkl",
    "ABCDEFGHIJKL",
    "lkjihgfedcba",
    "qwertyuiop",
    "qwertyuiopas",
    "poiuytrewq12",
    "asdfghjkl;'z",
    "1qaz2wsx3edc",
    "abcabcabcabc",
    "121212121212",
    "passwordpassword",
    "!@#$%^&*()_+",
    "aaaa1111bbbb2222",
]
FINE = [
    TEST_PASSWORD,
    "lighthouse-ferry-orbit-42",
    "Tr0ub4dor&3x-mango",
    "my dog spot 2024",
    # A short run inside an otherwise fine password is no reason to refuse it.
    "Summer picnic abc 7",
]


@pytest.mark.parametrize("password", TRIVIAL)
def test_trivial_passwords_are_refused_with_a_clear_message(password: str) -> None:
    with pytest.raises(ValidationError) as refused:
        RepeatedOrSequentialValidator().validate(password)

    assert refused.value.error_list[0].code == "password_repeated_or_sequential"
    assert "repeated or sequential characters" in refused.value.messages[0]


@pytest.mark.parametrize("password", FINE)
def test_ordinary_passwords_pass(password: str) -> None:
    RepeatedOrSequentialValidator().validate(password)


@pytest.mark.parametrize("password", ["123456789012", "abcdefghijkl", "qwertyuiopas"])
def test_the_settings_use_it(password: str) -> None:
    with pytest.raises(ValidationError, match="repeated or sequential"):
        validate_password(password)


@pytest.mark.django_db
def test_the_password_change_page_refuses_a_sequential_password(
    login_as: Callable[[User], Client], specialist: User
) -> None:
    response = login_as(specialist).post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "abcdefghijklm",
            "new_password2": "abcdefghijklm",
        },
    )

    assert response.status_code == 200
    assert "repeated or sequential characters" in response.content.decode()
    specialist.refresh_from_db()
    assert specialist.check_password(TEST_PASSWORD)
