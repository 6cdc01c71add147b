"""Forms of the organisation pages: shape and parsing only; rules live in `ips.services`."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator

from ips.models import Agency, MinimumWage, Program, Role
from ips.versioning import StaleVersionError, carry_current_version


def _helper(submit_label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    return helper


class VersionedForm(forms.ModelForm):
    """A model form that carries the version it was rendered from."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class KeyedForm(forms.Form):
    """A create form rendered with a fresh `Idempotency-Key` in a hidden field: sent twice (a
    double tap, a retry after a lost answer) it makes one record (`ips.idempotency.form_create`).
    A form re-rendered with errors keeps the key it was sent with: nothing was made under it."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex

    def input_data(self) -> dict[str, Any]:
        """The cleaned input, without the key."""
        return {k: v for k, v in self.cleaned_data.items() if k != "idempotency_key"}


class ArchiveForm(forms.Form):
    """Archive a record: the version the user read, and why (nothing is ever deleted)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    archive_reason = forms.CharField(max_length=300, label="Why archive this record?")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Archive")


class ProgramForm(VersionedForm):
    class Meta:
        model = Program
        fields = [
            "name",
            "site",
            "is_active",
            "weekly_employer_contact_target",
            "counts_self_employment",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save program")


class ProgramCreateForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["name", "site"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Create program")


class AgencyForm(VersionedForm):
    class Meta:
        model = Agency
        fields = ["name", "requires_two_factor", "share_employers", "paper_size"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save agency settings")


class MinimumWageForm(forms.ModelForm):
    class Meta:
        model = MinimumWage
        fields = ["effective_on", "hourly"]
        widgets = {"effective_on": forms.DateInput(attrs={"type": "date"})}
        labels = {"effective_on": "Effective from", "hourly": "Hourly minimum wage"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Add to schedule")


class NewPasswordForm(forms.Form):
    password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Set password")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class StaffCreateForm(NewPasswordForm):
    username = forms.SlugField(max_length=150, label="Login name")
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    field_order = ["username", "first_name", "last_name", "email", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Create account")


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(),
        required=False,
        help_text="Needed for specialists, supervisors and reviewers; empty for agency-wide roles.",
    )
    fte = forms.DecimalField(
        label="Full-time equivalent",
        min_value=Decimal("0.05"),
        max_value=Decimal("1.00"),
        max_digits=3,
        decimal_places=2,
        initial=Decimal("1.00"),
        required=False,
        help_text="1.00 for full time, 0.50 for half time (a specialist's caseload is read "
        "per full-time equivalent).",
    )

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.helper = _helper("Grant role")


class ApiTokenForm(forms.Form):
    """Issue oneself an API token: what it is for, how long it lives, and the password again (a
    session left open must not be enough to take away a key that outlives it)."""

    name = forms.CharField(
        max_length=100,
        label="What is it for?",
        help_text="The integration or script that will use it, so that you recognise it later.",
    )
    days = forms.IntegerField(label="Days until it expires", min_value=1)
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        longest = settings.API_TOKEN_DAYS
        days = self.fields["days"]
        days.max_value = longest
        days.validators.append(MaxValueValidator(longest))
        days.widget.attrs["max"] = longest
        days.initial = longest
        self.helper = _helper("Create token")


class TokenForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\d{6}$",
        label="6-digit code from your authenticator app",
        error_messages={"invalid": "Enter the 6 digits your authenticator app shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Verify")


def add_service_errors(form: forms.BaseForm, error: Exception) -> None:
    """Put a service's error next to the fields it names (anything else at the top)."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    elif isinstance(error, ValidationError):
        form.add_error(None, error)
    elif isinstance(error, StaleVersionError):
        form.add_error(None, str(error))
        carry_current_version(form, error.current)
    else:
        raise error


class NoticeSettingsForm(forms.Form):
    """Per kind of notice the user's roles give them: e-mail on or off, and (for events) at
    once or in the weekly e-mail. Digests are weekly by nature."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, kinds: list[Any], current: Any, **kwargs: Any) -> None:
        from ips.notices import FREQUENCIES

        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["version"].initial = current.version
        for kind in kinds:
            self.fields[f"email_{kind.key}"] = forms.BooleanField(
                required=False,
                label=f"{kind.label}: by e-mail",
                initial=current.email_on(kind.key),
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            if not kind.is_digest:
                self.fields[f"frequency_{kind.key}"] = forms.ChoiceField(
                    choices=FREQUENCIES,
                    label=f"{kind.label}: when",
                    initial=current.frequency(kind.key),
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField | None]]:
        return [
            (
                kind,
                self[f"email_{kind.key}"],
                None if kind.is_digest else self[f"frequency_{kind.key}"],
            )
            for kind in self.kinds
        ]

    def choices(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {
            kind.key: {
                "email": data[f"email_{kind.key}"],
                "frequency": "weekly" if kind.is_digest else data[f"frequency_{kind.key}"],
            }
            for kind in self.kinds
        }
