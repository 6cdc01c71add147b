"""Client forms: shape and parsing only; the rules are in `clients.services`."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html

from clients.models import (
    Benefit,
    BenefitsReferral,
    CareerProfile,
    Client,
    ClosureReason,
    Contact,
    EducationEnrollment,
    Job,
    JobEndReason,
    PlanGoal,
    PlanStep,
    ReferralSource,
    Support,
)
from employers.models import Employer
from ips.calendar import today
from ips.forms import KeyedForm, VersionedForm
from ips.models import ADDRESS_MAX_LENGTH, NOTE_MAX_LENGTH, Program, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class ClientIntakeForm(forms.Form):
    """Referral (and enrollment) of a new client. No screening question exists, by design."""

    program = forms.ModelChoiceField(queryset=Program.objects.none())
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    birth_date = forms.DateField(widget=DATE, label="Date of birth")
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    address = forms.CharField(
        max_length=ADDRESS_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    specialist = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    referred_on = forms.DateField(widget=DATE, label="Referred on")
    referral_source = forms.ChoiceField(choices=ReferralSource.choices)
    enrolled_on = forms.DateField(
        widget=DATE,
        required=False,
        label="Enrolled on",
        help_text="The day the client joined a specialist's caseload. Leave empty if not yet.",
    )
    employed_at_referral = forms.BooleanField(required=False, label="Working when referred")
    confirm_not_duplicate = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label="This is a different person"
    )

    def __init__(
        self, *args: Any, programs: QuerySet[Program], specialists: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["specialist"].queryset = specialists
        if programs.count() == 1:
            self.fields["program"].initial = programs.first()
        self.fields["referred_on"].initial = today()
        self.helper = _helper("Save client")


class ClientForm(VersionedForm):
    """Edit a client's details and the dates of their current episode."""

    referred_on = forms.DateField(widget=DATE)
    referral_source = forms.ChoiceField(choices=ReferralSource.choices)
    enrolled_on = forms.DateField(widget=DATE, required=False)
    employed_at_referral = forms.BooleanField(required=False, label="Working when referred")

    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "phone",
            "email",
            "address",
            "specialist",
        ]
        widgets = {"birth_date": DATE, "address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, specialists: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialist"].queryset = specialists
        episode = self.instance.current_episode
        if episode is not None and not self.is_bound:
            for name in ("referred_on", "referral_source", "enrolled_on", "employed_at_referral"):
                self.initial[name] = getattr(episode, name)
        self.helper = _helper("Save client")


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    closed_on = forms.DateField(widget=DATE, label="Closed on")
    closure_reason = forms.ChoiceField(choices=ClosureReason.choices, label="Reason")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = today()
        self.helper = _helper("Close episode")


class ReenrollForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    referred_on = forms.DateField(widget=DATE)
    referral_source = forms.ChoiceField(choices=ReferralSource.choices)
    enrolled_on = forms.DateField(widget=DATE, required=False)
    employed_at_referral = forms.BooleanField(required=False, label="Working when referred")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referred_on"].initial = today()
        self.helper = _helper("Start a new episode")


class EnrollForm(forms.Form):
    """Enroll a referred client: the date, today unless changed."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    enrolled_on = forms.DateField(widget=DATE, label="Enrolled on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enrolled_on"].initial = today()
        self.helper = _helper("Enroll")


class QuickContactForm(KeyedForm):
    """Three required fields (date, minutes, purpose); the rest default to the usual case."""

    contacted_on = forms.DateField(widget=DATE, label="Date")
    minutes = forms.IntegerField(
        min_value=1, max_value=1440, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    # Nothing chosen until the user chooses: a purpose taken by default would be logged unread.
    purpose = forms.ChoiceField(choices=[("", "Choose…"), *Contact.Purpose.choices])
    mode = forms.ChoiceField(choices=Contact.Mode.choices, required=False)
    # Empty: from the mode (in person: the community; phone, video, text, email: remote).
    place = forms.ChoiceField(
        choices=[("", "From the mode"), *Contact.Place.choices],
        required=False,
        help_text="From the mode: in person is the community, anything else remote.",
    )
    with_whom = forms.ChoiceField(choices=Contact.WithWhom.choices, required=False)
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacted_on"].initial = today()
        self.fields["mode"].initial = Contact.Mode.IN_PERSON
        self.fields["with_whom"].initial = Contact.WithWhom.CLIENT

    @property
    def helper(self) -> FormHelper:
        """The whole page's layout (no JS, a new tab), built only there: the quick log places
        its fields and button itself."""
        return _helper("Log contact")

    def service_kwargs(self) -> dict[str, Any]:
        data = {k: v for k, v in self.input_data().items() if v not in ("", None)}
        return data

    def folded_choices(self) -> list[forms.BoundField]:
        """The fields folded under "Mode, place, with whom": all three are choices."""
        return [self["mode"], self["place"], self["with_whom"]]


class ContactForm(VersionedForm):
    class Meta:
        model = Contact
        fields = ["contacted_on", "minutes", "mode", "place", "with_whom", "purpose", "note"]
        widgets = {"contacted_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save contact")


class ProfileForm(VersionedForm):
    class Meta:
        model = CareerProfile
        exclude = ["client", "version"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in (
                "work_goal",
                "preferred_job_types",
                "preferred_places",
                "work_history",
                "education",
                "strengths",
                "disclosure",
                "benefits_held",
                "transport",
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save career profile")


class GoalForm(forms.ModelForm):
    class Meta:
        model = PlanGoal
        fields = ["kind", "text", "target_on"]
        widgets = {"target_on": DATE, "text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Add goal")


class StepForm(forms.ModelForm):
    goal = forms.ModelChoiceField(queryset=PlanGoal.objects.none())

    class Meta:
        model = PlanStep
        fields = ["goal", "text", "who", "due_on"]
        widgets = {"due_on": DATE, "text": forms.TextInput()}

    def __init__(self, *args: Any, goals: QuerySet[PlanGoal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals
        self.helper = _helper("Add step")


class EducationForm(forms.ModelForm):
    class Meta:
        model = EducationEnrollment
        fields = ["institution", "course", "started_on", "ended_on", "completed"]
        widgets = {"started_on": DATE, "ended_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save")


JOB_EMPLOYER_HELP = "Leave empty only for self-employment."


def _tips_optional(form: forms.ModelForm) -> None:
    """Most jobs have no tips or commission: an empty box means none."""
    form.fields["tips_per_hour"].required = False


def _show_minimum_wage(form: forms.ModelForm, program: Program | None) -> None:
    """Beside the hourly wage, the program's minimum wage in force on the start date (the date
    typed, else the job's or today); the wage field carries the schedule so that the page's
    script updates the sentence when the start date changes (`static/js/forms.js`)."""
    if program is None:
        return
    schedule = list(
        program.minimum_wages.order_by("effective_on").values_list("effective_on", "hourly")
    )
    field = form.fields["hourly_wage"]
    field.widget.attrs["data-minimum-wages"] = json.dumps(
        [[effective.isoformat(), f"{hourly:.2f}"] for effective, hourly in schedule]
    )
    day = _start_day(form)
    in_force = [hourly for effective, hourly in schedule if effective <= day] or [
        hourly for _, hourly in schedule[:1]
    ]
    if not in_force:
        text = "This program has no minimum-wage schedule, so no job can be judged competitive."
    else:
        text = (
            f"The program's minimum wage on {day:%Y-%m-%d}: ${in_force[-1]:.2f}. "
            "A job paying less (with tips or commission) is not competitive."
        )
    why_not = form.instance.why_not_competitive() if form.instance.pk else []
    saved = f" Saved as not competitive: {'; '.join(why_not)}." if why_not else ""
    field.help_text = format_html("<span data-minimum-wage>{}</span>{}", text, saved)


def _start_day(form: forms.ModelForm) -> dt.date:
    """The start date the form shows: as typed (when a date), else the job's, else today."""
    typed = form.data.get("started_on", "") if form.is_bound else ""
    try:
        return dt.date.fromisoformat(typed)
    except ValueError:
        return form.instance.started_on or today()


class JobStartForm(forms.ModelForm):
    employer = forms.ModelChoiceField(
        queryset=Employer.objects.none(), required=False, help_text=JOB_EMPLOYER_HELP
    )

    class Meta:
        model = Job
        fields = [
            "employer",
            "self_employed",
            "title",
            "job_type",
            "started_on",
            "hours_per_week",
            "hourly_wage",
            "tips_per_hour",
            "set_aside",
            "set_aside_kind",
        ]
        widgets = {"started_on": DATE}

    def __init__(
        self,
        *args: Any,
        employers: QuerySet[Employer],
        program: Program | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers
        self.fields["started_on"].initial = today()
        _tips_optional(self)
        _show_minimum_wage(self, program)
        self.helper = _helper("Record job start")

    def clean_tips_per_hour(self) -> Decimal:
        return self.cleaned_data.get("tips_per_hour") or Decimal("0")


class JobForm(VersionedForm):
    employer = forms.ModelChoiceField(
        queryset=Employer.objects.none(), required=False, help_text=JOB_EMPLOYER_HELP
    )

    class Meta:
        model = Job
        fields = [
            "employer",
            "self_employed",
            "title",
            "job_type",
            "started_on",
            "ended_on",
            "end_reason",
            "hours_per_week",
            "hourly_wage",
            "tips_per_hour",
            "set_aside",
            "set_aside_kind",
        ]
        widgets = {"started_on": DATE, "ended_on": DATE}

    def __init__(
        self,
        *args: Any,
        employers: QuerySet[Employer],
        program: Program | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers
        _tips_optional(self)
        _show_minimum_wage(self, program)
        self.helper = _helper("Save job")

    def clean_tips_per_hour(self) -> Decimal:
        return self.cleaned_data.get("tips_per_hour") or Decimal("0")


class JobEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    ended_on = forms.DateField(widget=DATE, label="Last day")
    end_reason = forms.ChoiceField(choices=JobEndReason.choices, label="Why it ended")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = today()
        self.helper = _helper("Record job end")


class SupportForm(forms.ModelForm):
    job = forms.ModelChoiceField(
        queryset=Job.objects.none(),
        required=False,
        help_text="The job the support is for (the client's job at the time if left empty).",
    )

    class Meta:
        model = Support
        fields = ["provided_on", "kind", "provider", "job", "note"]
        widgets = {"provided_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, jobs: QuerySet[Job], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["job"].queryset = jobs
        self.fields["provided_on"].initial = today()
        # The usual case, so the form stays quick: left out, the specialist gave it.
        self.fields["provider"].required = False
        self.fields["provider"].initial = Support.Provider.SPECIALIST
        self.helper = _helper("Record support")

    def clean_provider(self) -> str:
        return self.cleaned_data.get("provider") or Support.Provider.SPECIALIST


class BenefitsReferralForm(forms.ModelForm):
    benefits = forms.MultipleChoiceField(
        choices=Benefit.choices, widget=forms.CheckboxSelectMultiple, label="Benefits concerned"
    )

    class Meta:
        model = BenefitsReferral
        fields = ["referred_on", "counselor", "benefits", "planning_completed_on", "note"]
        widgets = {
            "referred_on": DATE,
            "planning_completed_on": DATE,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["referred_on"].initial = today()
        self.helper = _helper("Save referral")


class BenefitsReferralEditForm(VersionedForm, BenefitsReferralForm):
    pass
