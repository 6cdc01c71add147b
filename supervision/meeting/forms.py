"""Forms of meeting mode: shape and parsing only; the rules live in `supervision.meeting.services`.

Each form names the program it writes to; the view has already resolved it among the programs
the user supervises, and passes its specialists as the choices.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from ips.models import NOTE_MAX_LENGTH, User
from supervision.forms import DATE


class MeetingItemForm(forms.Form):
    """A new action item typed in place, under one specialist's numbers."""

    specialist = forms.ModelChoiceField(queryset=User.objects.none())
    text = forms.CharField(label="New action item", max_length=500)
    due_on = forms.DateField(label="Due", required=False, widget=DATE)

    def __init__(self, *args: Any, specialists: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialist"].queryset = specialists
        self.fields["text"].error_messages["required"] = "Write the goal or action."


class MeetingSessionForm(forms.Form):
    """The meeting's attendance and notes; `session` and `version` say what the page showed
    (empty: no session recorded today when the page was opened)."""

    session = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    specialists_present = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False
    )
    notes = forms.CharField(
        label="Meeting notes",
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, specialists: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialists_present"].queryset = specialists
