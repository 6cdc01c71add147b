from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import QuerySet

from employers.models import Employer
from ips.forms import VersionedForm
from ips.models import Program


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
