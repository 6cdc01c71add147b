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
    """Three required fields (employer, date, purpose); face to face is the usual case.

    On an employer's page (`employer=`), the employer is fixed and only its people are offered;
    elsewhere the people are grouped under their employer. The clients are a list of checkboxes
    (a filter box above them once the page's script runs). The choices offered are a help only:
    the service still refuses a person of another employer or a client of another program."""

    employer = forms.ModelChoiceField(queryset=Employer.objects.none())
    # Logged from the employer's page: the answer also refreshes that page's contacts.
    employer_page = forms.BooleanField(required=False, widget=forms.HiddenInput)
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
        queryset=Client.objects.none(),
        required=False,
        label="On behalf of",
        widget=forms.CheckboxSelectMultiple,
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
        employer: Employer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers
        people = EmployerPerson.objects.filter(employer__in=employers)
        self.fields["person"].queryset = people
        self.fields["clients"].queryset = clients
        self.fields["contacted_on"].initial = timezone.localdate()
        self.fixed_employer = employer
        if employer is not None:
            self.fields["employer"].widget = forms.HiddenInput()
            self.fields["employer"].initial = employer.pk
            self.fields["employer_page"].initial = True
            self.fields["person"].choices = [
                ("", "---------"),
                *((p.pk, str(p)) for p in people.filter(employer=employer)),
            ]
        else:
            self.fields["person"].choices = _people_by_employer(people)

    @property
    def helper(self) -> FormHelper:
        """The whole page's layout (no JS, a new tab), built only there: the fold-outs place the
        fields and button themselves."""
        helper = FormHelper()
        helper.add_input(Submit("submit", "Save employer contact"))
        return helper

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned data the service takes."""
        data = self.input_data()
        data.pop("employer_page", None)
        return data


def _people_by_employer(people: QuerySet[EmployerPerson]) -> list[Any]:
    """The people as option groups, one per employer ("Name (role)" under the employer's name),
    so that two people of the same name at two employers can be told apart."""
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for person in people.select_related("employer").order_by("employer__name", "name"):
        group = groups.setdefault(person.employer_id, (person.employer.name, []))
        group[1].append((person.pk, str(person)))
    return [("", "---------"), *groups.values()]


class EmployerPersonForm(forms.ModelForm):
    class Meta:
        model = EmployerPerson
        fields = ["name", "role", "phone", "email", "makes_hiring_decisions"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Add person"))
