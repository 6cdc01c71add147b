"""A password validator that refuses trivially repeated or sequential passwords.

Django's validators catch short, common, all-numeric passwords and ones close to the user's
name; they let through `aaaaaaaaaaaa`, `abcdefghijkl`, `qwertyuiopas` or `1qaz2wsx3edc`, which
any guessing tool tries first. This one looks at runs: stretches of at least three characters
where each one repeats the previous one or is its neighbour in the alphabet, the digits (9 is
followed by 0), a keyboard row or a keyboard column, in either direction. A password refused
has fewer than `min_other` characters outside such runs, or is one piece typed again and again
(`passwordpassword`, `abc1abc1abc1`).
"""

from __future__ import annotations

import itertools
from typing import Any

from django.core.exceptions import ValidationError

SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    # The rows of a US keyboard, one after the other, and its columns.
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "qwertyuiopasdfghjklzxcvbnm",
    *("1qaz", "2wsx", "3edc", "4rfv", "5tgb", "6yhn", "7ujm", "8ik,", "9ol.", "0p;/"),
    # Shifted digits (!@#$…), typed along the same row.
    "~!@#$%^&*()_+",
)


def _neighbours() -> frozenset[tuple[str, str]]:
    pairs = set()
    for sequence in SEQUENCES:
        for first, second in itertools.pairwise(sequence):
            pairs.add((first, second))
            pairs.add((second, first))
    return frozenset(pairs)


NEIGHBOURS = _neighbours()
RUN = 3  # a run is this many characters or more


def _linked(first: str, second: str) -> bool:
    return first == second or (first, second) in NEIGHBOURS


def characters_outside_runs(password: str) -> int:
    """How many characters of `password` are not part of a run (case does not matter)."""
    text = password.lower()
    outside = 0
    start = 0
    for end in range(1, len(text) + 1):
        if end == len(text) or not _linked(text[end - 1], text[end]):
            length = end - start
            if length < RUN:
                outside += length
            start = end
    return outside


def is_repeated_piece(password: str) -> bool:
    """Whether `password` is one shorter piece typed two or more times over (case ignored)."""
    text = password.lower()
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return True
    return False


class RepeatedOrSequentialValidator:
    """Refuse passwords made (almost) only of repeated or sequential characters."""

    message = (
        "This password is made of repeated or sequential characters (such as aaaa, 1234, abcd "
        "or the qwerty row of the keyboard), which are guessed first. Choose a less predictable "
        "one, such as a few unrelated words."
    )

    def __init__(self, min_other: int = 4) -> None:
        self.min_other = min_other

    def validate(self, password: str, user: Any = None) -> None:
        if is_repeated_piece(password) or characters_outside_runs(password) < self.min_other:
            raise ValidationError(self.message, code="password_repeated_or_sequential")

    def get_help_text(self) -> str:
        return (
            "Your password can't be mostly repeated or sequential characters (such as aaaa, "
            "1234, abcd or qwerty)."
        )
