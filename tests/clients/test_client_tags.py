"""Template filters of the client pages (clients/templatetags/client_tags.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse, set_script_prefix

from clients.templatetags.client_tags import days_since, iso_date, options, pk_url


@pytest.mark.parametrize("day", [dt.date(2026, 3, 2), dt.date(999, 12, 31), None])
def test_iso_date_prints_what_the_date_filter_prints(day: dt.date | None) -> None:
    assert iso_date(day) == date_filter(day, "Y-m-d")


def test_days_since() -> None:
    today = dt.date(2026, 3, 2)

    assert days_since(None, today) == "never"
    assert days_since(today, today) == "today"
    assert days_since(dt.date(2026, 3, 1), today) == "1 day ago"
    assert days_since(dt.date(2026, 2, 18), today) == "12 days ago"


@pytest.mark.parametrize("route", ["clients:detail", "clients:contact_quick", "clients:job_edit"])
@pytest.mark.parametrize("pk", [1, 7, 918273645, 2**40])
def test_pk_url_is_what_url_reverses(route: str, pk: int) -> None:
    assert pk_url(pk, route) == reverse(route, args=[pk])


def test_pk_url_follows_the_script_prefix() -> None:
    try:
        set_script_prefix("/ips/")
        assert pk_url(12, "clients:detail") == "/ips/clients/12/"
    finally:
        set_script_prefix("/")
    assert pk_url(12, "clients:detail") == "/clients/12/"


_LOOP = Template(
    "{% with chosen=chosen %}{% for value, label in choices %}"
    '<option value="{{ value }}"{% if chosen == value %} selected{% endif %}>{{ label }}</option>'
    "{% endfor %}{% endwith %}"
)


@pytest.mark.parametrize("chosen", ["", "b", "<x>", None, "none of them"])
def test_options_prints_what_the_template_loop_prints(chosen: str | None) -> None:
    choices = [("", "Choose"), ("a", "A & B"), ("b", 'Say "b"'), ("<x>", "<script>")]

    printed = options(choices, chosen)

    assert printed == _LOOP.render(Context({"choices": choices, "chosen": chosen}))
    assert printed.count(" selected") == (chosen in dict(choices))
    assert "<script>" not in printed
