"""Records about a client: contacts, profile, plan, education, jobs, supports, benefits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clients import services
from clients.forms import (
    BenefitsReferralEditForm,
    BenefitsReferralForm,
    ContactForm,
    EducationForm,
    GoalForm,
    JobEndForm,
    JobForm,
    JobStartForm,
    ProfileForm,
    StepForm,
    SupportForm,
)
from clients.models import BenefitsReferral, CareerProfile, Client, Contact, Job, PlanGoal, PlanStep
from clients.views.common import client_for, form_page
from employers.models import Employer
from ips import access, pages
from ips.calendar import today
from ips.forms import add_service_errors
from ips.versioning import StaleVersionError, show_stale


def _save(
    request: HttpRequest,
    form: Any,
    client: Client,
    title: str,
    message: str | Callable[[Any], str],
    write: Callable[[dict[str, Any]], Model],
) -> HttpResponse:
    """Validate, call the service, and go back to the client; or re-render with the errors."""
    differences = []
    if form.is_valid():
        try:
            saved = write(dict(form.cleaned_data))
        except StaleVersionError as stale:
            differences = show_stale(form, stale)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message if isinstance(message, str) else message(saved))
            return redirect("clients:detail", pk=client.pk)
    return form_page(request, form, title=title, client=client, differences=differences)


def _versioned(update: Callable[..., Model], key: str, record: Model) -> Callable[[dict], Model]:
    def write(data: dict[str, Any]) -> Model:
        version = data.pop("version")
        return update(**{key: record}, version=version, changes=data)

    return write


def _record_for(request: HttpRequest, queryset: Any, pk: int) -> Any:
    """A record about a client, for editing: 404 unless visible, 403 unless the user may edit
    clients in its program."""
    return pages.record_for(
        request,
        queryset.select_related("client__program"),
        needs=access.Capability.EDIT_CLIENTS,
        pk=pk,
    )


def _employers_for(client: Client) -> Any:
    return Employer.objects.filter(program=client.program, archived_at__isnull=True)


@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _record_for(request, Contact.objects, pk)
    form = ContactForm(request.POST or None, instance=contact)
    return _save(
        request,
        form,
        contact.client,
        "Edit contact",
        "Contact saved.",
        _versioned(services.contact_update, "contact", contact),
    )


@login_required
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request, pk, write=True)
    profile, _ = CareerProfile.objects.get_or_create(client=client)
    form = ProfileForm(request.POST or None, instance=profile)
    return _save(
        request,
        form,
        client,
        f"Career profile — {client}",
        "Career profile saved.",
        _versioned(services.profile_update, "profile", profile),
    )


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The employment plan: goals with their steps, and forms to add more."""
    client = client_for(request, pk)
    goals = (
        PlanGoal.objects.visible_to(request.user).filter(client=client).prefetch_related("steps")
    )
    return render(
        request,
        "clients/plan.html",
        {
            "client": client,
            "goals": goals,
            "goal_form": GoalForm(),
            "step_form": StepForm(goals=goals),
            "can_edit": access.can(
                request.user, access.Capability.EDIT_CLIENTS, program=client.program
            ),
        },
    )


@login_required
def goal_new(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request, pk, write=True)
    form = GoalForm(request.POST or None)
    return _save(
        request,
        form,
        client,
        f"New goal — {client}",
        "Goal added.",
        lambda data: services.goal_add(client=client, **data),
    )


@login_required
def step_new(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request, pk, write=True)
    form = StepForm(request.POST or None, goals=PlanGoal.objects.live().filter(client=client))
    return _save(
        request,
        form,
        client,
        f"New step — {client}",
        "Step added.",
        lambda data: services.step_add(**data),
    )


@login_required
@require_POST
def step_done(request: HttpRequest, pk: int) -> HttpResponse:
    step = _step_for(request, pk)
    services.step_done(step=step, done_on=today())
    messages.success(request, "Step marked done.")
    return redirect("clients:plan", pk=step.goal.client_id)


def _step_for(request: HttpRequest, pk: int) -> PlanStep:
    return pages.record_for(
        request,
        PlanStep.objects.select_related("goal__client__program"),
        needs=access.Capability.EDIT_CLIENTS,
        pk=pk,
    )


@login_required
def education_new(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request, pk, write=True)
    form = EducationForm(request.POST or None)
    return _save(
        request,
        form,
        client,
        f"Education or training — {client}",
        "Saved.",
        lambda data: services.education_add(client=client, **data),
    )


@login_required
def job_new(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request, pk, write=True)
    form = JobStartForm(
        request.POST or None, employers=_employers_for(client), program=client.program
    )
    return _save(
        request,
        form,
        client,
        f"Job start — {client}",
        lambda job: _job_saved("Job start recorded.", job),
        lambda data: services.job_start_record(client=client, actor=request.user, **data),
    )


@login_required
def job_edit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _record_for(request, Job.objects, pk)
    form = JobForm(
        request.POST or None,
        instance=job,
        employers=_employers_for(job.client),
        program=job.client.program,
    )
    return _save(
        request,
        form,
        job.client,
        f"Edit job — {job}",
        lambda saved: _job_saved("Job saved.", saved),
        _versioned(services.job_update, "job", job),
    )


def _job_saved(done: str, job: Job) -> str:
    """The message after saving a job: whether it is competitive, and if not, why."""
    why_not = job.why_not_competitive()
    if not why_not:
        return f"{done} It is a competitive job."
    return f"{done} Not competitive: {'; '.join(why_not)}."


@login_required
def job_end(request: HttpRequest, pk: int) -> HttpResponse:
    job = _record_for(request, Job.objects, pk)
    form = JobEndForm(request.POST or None, initial={"version": job.version})
    return _save(
        request,
        form,
        job.client,
        f"Job ended — {job}",
        "Job end recorded. The client stays enrolled.",
        lambda data: services.job_end_record(job=job, **data),
    )


@login_required
def support_new(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request, pk, write=True)
    form = SupportForm(request.POST or None, jobs=Job.objects.live().filter(client=client))
    return _save(
        request,
        form,
        client,
        f"Follow-along support — {client}",
        "Support recorded.",
        lambda data: services.support_record(client=client, specialist=request.user, **data),
    )


@login_required
def benefits_new(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(request, pk, write=True)
    form = BenefitsReferralForm(request.POST or None)
    return _save(
        request,
        form,
        client,
        f"Benefits referral — {client}",
        "Referral saved.",
        lambda data: services.benefits_referral_record(client=client, actor=request.user, **data),
    )


@login_required
def benefits_edit(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _record_for(request, BenefitsReferral.objects, pk)
    form = BenefitsReferralEditForm(request.POST or None, instance=referral)
    return _save(
        request,
        form,
        referral.client,
        "Edit benefits referral",
        "Referral saved.",
        _versioned(services.benefits_referral_update, "referral", referral),
    )
