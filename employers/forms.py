from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from clients.models import Client
from employers.models import Employer, EmployerContact, EmployerPerson
from ips.forms import KeyedForm, VersionedForm
from ips.models import NOTE_MAX_LENGTH, Program


class EmployerCreateForm(forms.ModelForm):
    program = forms.ModelChoiceField(queryset=Program.objects.none())
    confirm_not_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Employer
        fields = ["program", "name", "industry", "address", "notes"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        only = list(programs[:2])
        if len(only) == 1:
            self.fields["program"].initial = only[0]
            self.fields["program"].widget = forms.HiddenInput()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save employer"))


class EmployerForm(VersionedForm):
    class Meta:
        model = Employer
        fields = ["name", "industry", "address", "notes"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save employer"))


class EmployerContactQuickForm(KeyedForm):
    """Three required fields (employer, date, purpose); face to face is the usual case."""

    employer = forms.ModelChoiceField(queryset=Employer.objects.none())
    contacted_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Date")
    purpose = forms.ChoiceField(choices=EmployerContact.Purpose.choices)
    face_to_face = forms.BooleanField(required=False, initial=True, label="Face to face")
    with_hiring_manager = forms.BooleanField(
        required=False, label="With someone who makes hiring decisions"
    )
    minutes = forms.IntegerField(
        min_value=1,
        max_value=24 * 60,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="How long it took, travel included.",
    )
    by_client = forms.BooleanField(
        required=False,
        label="Made by the client on their own",
        help_text="Name the client below; you are only logging it.",
    )
    person = forms.ModelChoiceField(queryset=EmployerPerson.objects.none(), required=False)
    clients = forms.ModelMultipleChoiceField(
        queryset=Client.objects.none(), required=False, label="On behalf of"
    )
    outcome = forms.CharField(max_length=NOTE_MAX_LENGTH, required=False)
    next_step = forms.CharField(required=False, max_length=300)
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(
        self,
        *args: Any,
        employers: QuerySet[Employer],
        clients: QuerySet[Client],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers
        self.fields["person"].queryset = EmployerPerson.objects.filter(employer__in=employers)
        self.fields["clients"].queryset = clients
        self.fields["contacted_on"].initial = timezone.localdate()


class EmployerPersonForm(forms.ModelForm):
    class Meta:
        model = EmployerPerson
        fields = ["name", "role", "phone", "email", "makes_hiring_decisions"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Add person"))
