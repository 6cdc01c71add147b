"""Writes about clients. Keyword-only, validated, atomic; stale versions are refused.

Rules stated once here (forms and the API only parse):
- every date is from 2000 to the end of next year (`ips.calendar`; the models check it too), a
  date of birth within the last 120 years and before every referral;
- nothing is dated in the future except a job start (a job offer can start next week);
- a contact, support or referral falls within one of the client's episodes;
- a job's employer belongs to the client's program;
- records are archived with a reason, never deleted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from clients.models import (
    Benefit,
    BenefitsReferral,
    CareerProfile,
    Client,
    Contact,
    EducationEnrollment,
    Episode,
    Job,
    PlanGoal,
    PlanStep,
    Support,
)
from employers.models import Employer
from ips.calendar import date_out_of_range, today
from ips.models import Program, User
from ips.versioning import StaleVersionError, save_versioned

CLIENT_FIELDS = {"specialist", "first_name", "last_name", "birth_date", "phone", "email", "address"}
EPISODE_FIELDS = {
    "referred_on",
    "referral_source",
    "enrolled_on",
    "employed_at_referral",
    "closed_on",
    "closure_reason",
}


def _not_future(field: str, day: dt.date | None, what: str) -> None:
    """`day`, when given, is a date a record may carry (`ips.calendar`) and not in the future.
    Checked before the rules that compare dates, so an out-of-range date is named as such."""
    if day is None:
        return
    if problem := date_out_of_range(day):
        raise ValidationError({field: problem})
    if day > today():
        raise ValidationError({field: f"{what} cannot be in the future."})


def _within_an_episode(client: Client, field: str, day: dt.date) -> None:
    """The client is not archived, and the day falls inside one of their episodes."""
    if client.archived_at is not None:
        raise ValidationError("This client's record is archived.")
    # The current episode, when it came with the client, answers most days without a query.
    if Client.current_episode.is_cached(client):  # type: ignore[attr-defined]
        current = client.current_episode
        if current is not None and current.covers(day):
            return
    if not any(episode.covers(day) for episode in client.episodes.all()):
        raise ValidationError(
            {field: "This date is outside the client's enrollment (from referral to closure)."}
        )


def _check_specialist(program: Program, specialist: User | None) -> None:
    if specialist is None:
        return
    if not specialist.roles.filter(role="specialist", program=program).exists():
        raise ValidationError({"specialist": "Assign a specialist of the client's program."})


# --- Clients and episodes ----------------------------------------------------------------------


@transaction.atomic
def client_enroll(
    *,
    program: Program,
    first_name: str,
    last_name: str,
    birth_date: dt.date,
    referred_on: dt.date,
    referral_source: str,
    specialist: User | None = None,
    enrolled_on: dt.date | None = None,
    employed_at_referral: bool = False,
    closed_on: dt.date | None = None,
    closure_reason: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
) -> Client:
    """Take a referral (and, with `enrolled_on`, enroll). Nobody is screened out.

    With `closed_on` and a `closure_reason`, the episode is recorded already closed (a client
    served before the program used this system), under the rules of `client_close`."""
    _not_future("referred_on", referred_on, "The referral date")
    _not_future("enrolled_on", enrolled_on, "The enrollment date")
    _not_future("closed_on", closed_on, "The closure date")
    if closure_reason and closed_on is None:
        raise ValidationError(
            {"closed_on": "Give the date the episode closed, or leave out the closure reason."}
        )
    _check_specialist(program, specialist)
    client = Client(
        program=program,
        specialist=specialist,
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        phone=phone,
        email=email,
        address=address,
    )
    client.full_clean(exclude=["current_episode"])
    client.save()
    episode = Episode(
        client=client,
        referred_on=referred_on,
        referral_source=referral_source,
        enrolled_on=enrolled_on,
        employed_at_referral=employed_at_referral,
        closed_on=closed_on,
        closure_reason=closure_reason,
    )
    episode.full_clean()
    episode.save()
    client.current_episode = episode
    client.save(update_fields=["current_episode"])
    CareerProfile.objects.create(client=client)
    return client


def client_possible_duplicates(
    *, program: Program, first_name: str, last_name: str, birth_date: dt.date
) -> list[Client]:
    """Clients of the same agency with the same name and date of birth (a warning, not a block)."""
    return list(
        Client.objects.live().filter(
            program__agency_id=program.agency_id,
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            birth_date=birth_date,
        )
    )


def client_update(*, client: Client, version: int, changes: dict[str, Any]) -> Client:
    """Change the client's details and their current episode's dates, refusing a stale version."""
    unknown = set(changes) - CLIENT_FIELDS - EPISODE_FIELDS
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    for field in ("referred_on", "enrolled_on", "closed_on"):
        _not_future(field, changes.get(field), "This date")
    if "specialist" in changes:
        _check_specialist(client.program, changes["specialist"])
    with transaction.atomic():
        episode_changes = {k: v for k, v in changes.items() if k in EPISODE_FIELDS}
        if episode_changes.get("closed_on") is None and "closed_on" in episode_changes:
            episode_changes["closure_reason"] = ""
        updated = save_versioned(
            Client,
            pk=client.pk,
            expected_version=version,
            changes={k: v for k, v in changes.items() if k in CLIENT_FIELDS},
        )
        episode = updated.current_episode
        if episode is not None:
            for field, value in episode_changes.items():
                setattr(episode, field, value)
        if "birth_date" in changes:
            _born_before_referrals(updated, episode)
        if episode is not None and episode_changes:
            episode.full_clean()
            episode.save()
    return updated


def _born_before_referrals(client: Client, current: Episode | None) -> None:
    """The client's date of birth (just changed) comes before every referral of theirs, the
    current episode's as it is being changed."""
    referrals = [e.referred_on for e in client.episodes.exclude(pk=getattr(current, "pk", None))]
    if current is not None:
        referrals.append(current.referred_on)
    if any(referred < client.birth_date for referred in referrals):
        raise ValidationError(
            {"birth_date": "The date of birth must come before the client's referrals."}
        )


def client_close(
    *, client: Client, version: int, closed_on: dt.date, closure_reason: str
) -> Client:
    """Close the current episode. Job endings never close a client; only this does."""
    if client.current_episode is None or client.current_episode.closed_on is not None:
        raise ValidationError("This client is already closed.")
    return client_update(
        client=client,
        version=version,
        changes={"closed_on": closed_on, "closure_reason": closure_reason},
    )


@transaction.atomic
def client_reenroll(
    *,
    client: Client,
    version: int,
    referred_on: dt.date,
    referral_source: str,
    enrolled_on: dt.date | None = None,
    employed_at_referral: bool = False,
) -> Client:
    """Start a new episode for a closed client; earlier episodes stay as they were."""
    # Lock the client row only: PostgreSQL refuses FOR UPDATE on the nullable side of the outer
    # join that select_related("current_episode") makes.
    locked = (
        Client.objects.select_for_update(of=("self",))
        .select_related("current_episode")
        .get(pk=client.pk)
    )
    if locked.version != version:
        raise StaleVersionError(locked)
    previous = locked.current_episode
    if previous is not None and previous.closed_on is None:
        raise ValidationError("The client is still enrolled; close the episode first.")
    _not_future("referred_on", referred_on, "The referral date")
    _not_future("enrolled_on", enrolled_on, "The enrollment date")
    if previous is not None and referred_on <= previous.closed_on:
        raise ValidationError({"referred_on": "The new referral must come after the last closure."})
    episode = Episode(
        client=locked,
        referred_on=referred_on,
        referral_source=referral_source,
        enrolled_on=enrolled_on,
        employed_at_referral=employed_at_referral,
    )
    episode.full_clean()
    episode.save()
    locked.current_episode = episode
    locked.version += 1
    locked.save(update_fields=["current_episode", "version"])
    return locked


def episode_enroll(*, client: Client, version: int, enrolled_on: dt.date) -> Client:
    """Enroll a referred client: their current episode gets its enrollment date (not in the
    future, not before the referral), refusing a stale version and a client already enrolled or
    closed. Through `client_update`, so the change is audited like any other."""
    episode = client.current_episode
    if episode is None or episode.closed_on is not None:
        raise ValidationError("This client is closed; re-enroll them instead.")
    if episode.enrolled_on is not None:
        raise ValidationError(f"This client is already enrolled ({episode.enrolled_on:%Y-%m-%d}).")
    _not_future("enrolled_on", enrolled_on, "The enrollment date")
    if enrolled_on < episode.referred_on:
        raise ValidationError(
            {
                "enrolled_on": "Enrollment cannot come before the referral "
                f"({episode.referred_on:%Y-%m-%d})."
            }
        )
    return client_update(client=client, version=version, changes={"enrolled_on": enrolled_on})


# --- Profile, plan, education ------------------------------------------------------------------


def profile_update(
    *, profile: CareerProfile, version: int, changes: dict[str, Any]
) -> CareerProfile:
    """Update the career profile, refusing a stale version."""
    return save_versioned(CareerProfile, pk=profile.pk, expected_version=version, changes=changes)


@transaction.atomic
def goal_add(
    *,
    client: Client,
    text: str,
    kind: str = PlanGoal.Kind.EMPLOYMENT,
    target_on: dt.date | None = None,
) -> PlanGoal:
    """Add a goal to the client's employment plan."""
    goal = PlanGoal(client=client, text=text, kind=kind, target_on=target_on)
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def step_add(*, goal: PlanGoal, text: str, who: str, due_on: dt.date | None = None) -> PlanStep:
    """Add a step (and who takes it) to a plan goal."""
    step = PlanStep(goal=goal, text=text, who=who, due_on=due_on)
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def step_done(*, step: PlanStep, done_on: dt.date) -> PlanStep:
    """Mark a plan step done on a day."""
    _not_future("done_on", done_on, "The date done")
    step.done_on = done_on
    step.save(update_fields=["done_on"])
    return step


@transaction.atomic
def education_add(
    *,
    client: Client,
    institution: str,
    started_on: dt.date,
    course: str = "",
    ended_on: dt.date | None = None,
    completed: bool = False,
) -> EducationEnrollment:
    """Record school or training the client enrolled in."""
    enrollment = EducationEnrollment(
        client=client,
        institution=institution,
        course=course,
        started_on=started_on,
        ended_on=ended_on,
        completed=completed,
    )
    enrollment.full_clean()
    enrollment.save()
    return enrollment


# --- Contacts ----------------------------------------------------------------------------------


@transaction.atomic
def contact_log(
    *,
    client: Client,
    specialist: User,
    contacted_on: dt.date,
    minutes: int,
    purpose: str,
    mode: str = Contact.Mode.IN_PERSON,
    place: str | None = None,
    with_whom: str = Contact.WithWhom.CLIENT,
    note: str = "",
) -> Contact:
    """Log a contact. Not in the future, and within one of the client's episodes. Without a
    place, an in-person contact took place in the community and any other is remote."""
    _not_future("contacted_on", contacted_on, "The contact date")
    _within_an_episode(client, "contacted_on", contacted_on)
    contact = Contact(
        client=client,
        specialist=specialist,
        contacted_on=contacted_on,
        minutes=minutes,
        purpose=purpose,
        mode=mode,
        place=place or Contact.default_place(mode),
        with_whom=with_whom,
        note=note,
    )
    # The client and the specialist are loaded records already (the client through the
    # caller's access check), so their existence is not asked again; the minutes' check
    # constraint is the field's own validators (1 to 1,440), which full_clean runs, and the
    # database enforces it still. Five statements fewer for the most frequent write.
    contact.full_clean(exclude=["client", "specialist"], validate_constraints=False)
    contact.save()
    return contact


def contact_update(*, contact: Contact, version: int, changes: dict[str, Any]) -> Contact:
    """Correct a contact, refusing a stale version and dates outside the client's episodes."""
    if "contacted_on" in changes:
        _not_future("contacted_on", changes["contacted_on"], "The contact date")
        _within_an_episode(contact.client, "contacted_on", changes["contacted_on"])
    return save_versioned(Contact, pk=contact.pk, expected_version=version, changes=changes)


# --- Jobs --------------------------------------------------------------------------------------


def _check_employer(client: Client, employer: Employer | None) -> None:
    """The employer, when there is one (self-employment may have none), is a live employer of
    the client's program."""
    if employer is None:
        return
    if employer.program_id != client.program_id or employer.archived_at is not None:
        raise ValidationError({"employer": "Choose an employer of the client's program."})


@transaction.atomic
def job_start_record(
    *,
    client: Client,
    employer: Employer | None,
    title: str,
    job_type: str,
    started_on: dt.date,
    hours_per_week: Decimal,
    hourly_wage: Decimal,
    set_aside: bool = False,
    set_aside_kind: str = "",
    self_employed: bool = False,
    tips_per_hour: Decimal = Decimal("0"),
    ended_on: dt.date | None = None,
    end_reason: str = "",
    actor: User | None = None,
) -> Job:
    """Record a job start. Whether it is competitive is derived, never entered.

    Self-employment may have no employer; every other job names one. A named kind of set-aside
    work sets the job aside. Tips or commission per hour count toward the minimum wage.

    With `ended_on` and an `end_reason`, the job is recorded already ended (one held before it
    was entered here), under the rules of `job_end_record`."""
    if client.archived_at is not None:
        raise ValidationError("This client's record is archived.")
    _not_future("ended_on", ended_on, "The end date")
    if end_reason and ended_on is None:
        raise ValidationError(
            {"ended_on": "Give the date the job ended, or leave out the end reason."}
        )
    _check_employer(client, employer)
    job = Job(
        client=client,
        employer=employer,
        title=title,
        job_type=job_type,
        started_on=started_on,
        hours_per_week=hours_per_week,
        hourly_wage=hourly_wage,
        tips_per_hour=tips_per_hour,
        self_employed=self_employed,
        set_aside=set_aside,
        set_aside_kind=set_aside_kind,
        ended_on=ended_on,
        end_reason=end_reason,
        created_by=actor,
    )
    job.full_clean()
    job.save()
    return job


def job_update(*, job: Job, version: int, changes: dict[str, Any]) -> Job:
    """Correct a job (including its end), refusing a stale version."""
    if changes.get("employer") is not None:
        _check_employer(job.client, changes["employer"])
    _not_future("ended_on", changes.get("ended_on"), "The end date")
    if changes.get("ended_on") is None and "ended_on" in changes:
        changes = {**changes, "end_reason": ""}
    return save_versioned(Job, pk=job.pk, expected_version=version, changes=changes)


def job_end_record(*, job: Job, version: int, ended_on: dt.date, end_reason: str) -> Job:
    """Record that a job ended. The client stays enrolled: supports and the next search go on."""
    return job_update(
        job=job, version=version, changes={"ended_on": ended_on, "end_reason": end_reason}
    )


# --- Supports and benefits ---------------------------------------------------------------------


@transaction.atomic
def support_record(
    *,
    client: Client,
    specialist: User,
    provided_on: dt.date,
    kind: str,
    job: Job | None = None,
    provider: str = Support.Provider.SPECIALIST,
    note: str = "",
) -> Support:
    """Record a follow-along support (`specialist` records it; `provider` gave it). No time
    limit applies."""
    _not_future("provided_on", provided_on, "The support date")
    _within_an_episode(client, "provided_on", provided_on)
    if job is not None and (job.client_id != client.pk or job.archived_at is not None):
        raise ValidationError({"job": "Choose one of this client's jobs."})
    support = Support(
        client=client,
        specialist=specialist,
        provided_on=provided_on,
        kind=kind,
        provider=provider,
        job=job,
        note=note,
    )
    support.full_clean()
    support.save()
    return support


def _check_benefits(benefits: list[str]) -> list[str]:
    unknown = sorted(set(benefits) - set(Benefit.values))
    if unknown:
        raise ValidationError({"benefits": f"Unknown benefits: {', '.join(unknown)}"})
    return sorted(set(benefits), key=Benefit.values.index)


@transaction.atomic
def benefits_referral_record(
    *,
    client: Client,
    referred_on: dt.date,
    counselor: str,
    benefits: list[str],
    planning_completed_on: dt.date | None = None,
    note: str = "",
    actor: User | None = None,
) -> BenefitsReferral:
    """Refer the client to a benefits counselor."""
    _not_future("referred_on", referred_on, "The referral date")
    _not_future("planning_completed_on", planning_completed_on, "The planning date")
    _within_an_episode(client, "referred_on", referred_on)
    referral = BenefitsReferral(
        client=client,
        referred_on=referred_on,
        counselor=counselor,
        benefits=_check_benefits(benefits),
        planning_completed_on=planning_completed_on,
        note=note,
        created_by=actor,
    )
    referral.full_clean()
    referral.save()
    return referral


def benefits_referral_update(
    *, referral: BenefitsReferral, version: int, changes: dict[str, Any]
) -> BenefitsReferral:
    """Update a referral (typically: planning completed on), refusing a stale version."""
    _not_future("planning_completed_on", changes.get("planning_completed_on"), "The planning date")
    if "referred_on" in changes:
        _not_future("referred_on", changes["referred_on"], "The referral date")
        _within_an_episode(referral.client, "referred_on", changes["referred_on"])
    if "benefits" in changes:
        changes = {**changes, "benefits": _check_benefits(changes["benefits"])}
    return save_versioned(
        BenefitsReferral, pk=referral.pk, expected_version=version, changes=changes
    )
