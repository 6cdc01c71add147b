"""Forms of the fidelity pages: shape and parsing only; rules live in `fidelity.services`."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q, QuerySet

from fidelity.models import SCORES, Review
from ips.forms import VersionedForm
from ips.models import LONG_TEXT_MAX_LENGTH, NOTE_MAX_LENGTH, Program, Role, User

SCORE_CHOICES = [(score, str(score)) for score in SCORES]


def _helper(submit_label: str, *, tag: bool = True) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = tag
    helper.add_input(Submit("submit", submit_label))
    return helper


def program_reviewers(program: Program) -> QuerySet[User]:
    """People holding the fidelity reviewer role on the program."""
    return User.objects.filter(
        is_active=True, roles__role=Role.REVIEWER, roles__program=program
    ).distinct()


def possible_observers(program: Program) -> QuerySet[User]:
    """The program's reviewers and supervisors, and the agency's directors and admins."""
    return User.objects.filter(
        Q(roles__program=program, roles__role__in=[Role.REVIEWER, Role.SUPERVISOR])
        | Q(
            roles__agency_id=program.agency_id,
            roles__program__isnull=True,
            roles__role__in=[Role.DIRECTOR, Role.ADMIN],
        ),
        is_active=True,
    ).distinct()


class ReviewPlanForm(forms.Form):
    kind = forms.ChoiceField(choices=Review.Kind.choices)
    window_start = forms.DateField(
        label="Review window from", widget=forms.DateInput(attrs={"type": "date"})
    )
    window_end = forms.DateField(
        label="Review window to", widget=forms.DateInput(attrs={"type": "date"})
    )
    reviewer_a = forms.ModelChoiceField(queryset=User.objects.none(), label="First reviewer")
    reviewer_b = forms.ModelChoiceField(queryset=User.objects.none(), label="Second reviewer")
    observers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reviewers = program_reviewers(program)
        self.fields["reviewer_a"].queryset = reviewers
        self.fields["reviewer_b"].queryset = reviewers
        self.fields["observers"].queryset = possible_observers(program)
        self.helper = _helper("Plan review")


class ReviewEditForm(VersionedForm):
    class Meta:
        model = Review
        fields = ["kind", "window_start", "window_end", "strengths", "recommendations"]
        widgets = {
            "window_start": forms.DateInput(attrs={"type": "date"}),
            "window_end": forms.DateInput(attrs={"type": "date"}),
            "strengths": forms.Textarea(attrs={"rows": 4}),
            "recommendations": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save review")


class ScoreForm(forms.Form):
    """A reviewer's own score of one item."""

    score = forms.TypedChoiceField(
        choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect(attrs={"class": "score"})
    )
    rationale = forms.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AgreeForm(forms.Form):
    """The agreed score of one item at consensus."""

    score = forms.TypedChoiceField(
        label="Agreed score", choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        max_length=LONG_TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    recommendation = forms.CharField(
        label="Recommendation for this item",
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class FinaliseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AmendForm(forms.Form):
    score = forms.TypedChoiceField(
        label="Corrected score", choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Why the score is corrected",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Record amendment")
