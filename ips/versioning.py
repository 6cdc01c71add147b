"""Optimistic concurrency: every editable record carries a `version`; a stale save is refused.

Services call `save_versioned`; forms carry the version they were rendered with; views show the
user what changed (`stale_differences`) and keep their input; the API answers 409 Conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models, transaction
from django.forms import BaseForm, ModelForm

M = TypeVar("M", bound=models.Model)


class StaleVersionError(Exception):
    """The record changed since the editor loaded it; `current` is what is saved now."""

    def __init__(self, current: models.Model) -> None:
        super().__init__("This record was changed by someone else since you opened it.")
        self.current = current


def save_versioned(model: type[M], *, pk: int, expected_version: int, changes: dict[str, Any]) -> M:
    """Apply `changes` to the row if it is still at `expected_version`, and bump the version.

    The row is locked for the check-and-write, so two concurrent saves cannot both pass. The
    save goes through `Model.save()`, so the change audit (django-auditlog) records it.
    """
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=pk)
        if current.version != expected_version:  # type: ignore[attr-defined]
            raise StaleVersionError(current)
        for field, value in changes.items():
            setattr(current, field, value)
        current.version += 1  # type: ignore[attr-defined]
        current.full_clean()
        current.save()
    return current


@dataclass(frozen=True)
class Difference:
    """A field whose saved value differs from what the user submitted."""

    label: str
    saved: Any
    submitted: Any


def carry_current_version(form: BaseForm, current: models.Model) -> None:
    """Re-render the refused form with the version now saved, keeping the user's input.

    "Save again" then deliberately writes their input over the other change, instead of being
    refused as stale over and over.
    """
    data = form.data.copy()
    data["version"] = current.version  # type: ignore[attr-defined]
    form.data = data


def stale_differences(form: ModelForm, current: models.Model) -> list[Difference]:
    """Fields where the now-saved record differs from the user's (kept) input."""
    differences = []
    for name, field in form.fields.items():
        if name == "version" or name not in form.cleaned_data:
            continue
        saved = getattr(current, name, None)
        submitted = form.cleaned_data[name]
        if saved != submitted:
            differences.append(Difference(str(field.label or name), saved, submitted))
    return differences


def show_stale(form: ModelForm, stale: StaleVersionError) -> list[Difference]:
    """Explain a refused save on its form: the error, what differs, and the version now saved
    (so that saving again deliberately keeps the user's input). Returns the differences."""
    differences = stale_differences(form, stale.current)
    form.add_error(None, str(stale))
    carry_current_version(form, stale.current)
    return differences
