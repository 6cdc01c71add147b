"""The scale's Services section, first part: benefits planning (12), the career profile (14),
rapid job search (15), employer contact and its quality (17, 18), assertive engagement (25).
The jobs and follow-along (19-23) are in `section_services_jobs`. (The section of the fidelity
scale, not a layer of writes.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from clients.models import BenefitsReferral, ClosureReason, Contact, Episode, Job
from employers.models import EmployerContact
from fidelity.evidence.registry import (
    Indicator,
    Pseudonyms,
    Window,
    indicator,
    indicator_result,
    not_available,
    percent_label,
    rows_of,
    score_from,
    specialists_in_post,
    staff_name,
)
from ips.calendar import today
from outcomes import definitions
from outcomes.definitions import COUNTED_EMPLOYER_CONTACT, DaysBetween

# --- Item 12: benefits planning ---------------------------------------------------------------

# Planning offered before nearly every job start: a trained planner before the job (a 4); the
# 5 also needs planning at later changes of hours or pay, and help reporting earnings.
BEFORE_NEARLY_EVERY_START = 0.90


def _planned_first() -> Exists:
    """A referral to benefits planning made on or before the job's start."""
    return Exists(
        BenefitsReferral.objects.live().filter(
            client=OuterRef("client"), referred_on__lte=OuterRef("started_on")
        )
    )


def _job_starts(window: Window) -> Any:
    """Jobs started in the window."""
    return Job.objects.live().filter(
        client__in=window.clients(),
        started_on__range=(window.period.first, window.period.last),
    )


@indicator(
    "benefits_planning_offered", item=12, label="Job starts with benefits planning offered first"
)
def benefits_planning_offered(window: Window) -> Indicator:
    """Of the jobs started in the window, the share whose client was referred to a benefits
    (work-incentives) planner on or before the start. 90 % or more suggests a 4 (planning by a
    trained person before the job); the 5 (planning again when hours or pay change, help
    reporting earnings) and anchors 1-3 (what specialists do themselves) are for interview."""
    counts = _job_starts(window).aggregate(
        starts=Count("id"), planned=Count("id", filter=Q(_planned_first()))
    )
    if not counts["starts"]:
        return indicator_result(window, "benefits_planning_offered", None, "")
    share = counts["planned"] / counts["starts"]
    return indicator_result(
        window,
        "benefits_planning_offered",
        share,
        percent_label(share),
        suggested=4 if share >= BEFORE_NEARLY_EVERY_START else None,
        detail=f"{counts['planned']} of {counts['starts']} job starts had planning offered "
        "before the start",
    )


@rows_of("benefits_planning_offered")
def _benefits_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    return [
        {
            "Client": names.name(row["client_id"]),
            "Job started (day of the window)": (row["started_on"] - window.period.first).days + 1,
            "Planning offered before the start": "yes" if row["planned_first"] else "no",
        }
        for row in _job_starts(window)
        .annotate(planned_first=_planned_first())
        .order_by("started_on", "id")
        .values("client_id", "started_on", "planned_first")
    ]


# --- Item 14: the career profile --------------------------------------------------------------

# A profile is written up once its client has been enrolled this long.
PROFILE_DAYS = 30
DOCUMENTED = (
    ~Q(profile__work_goal="") & ~Q(profile__strengths="") & ~Q(profile__work_history="")
) & Q(profile__isnull=False)


def _profiles(window: Window) -> dict[str, int]:
    """Clients served and enrolled 30 days or more by the window's end, how many have a written
    profile (a work goal, strengths and work history); and the jobs started or ended in the
    window, how many were followed by an update of their client's profile. Two queries."""
    settled = window.period.last - dt.timedelta(days=PROFILE_DAYS)
    served = definitions.caseload(window.period, window.clients()).filter(
        current_episode__enrolled_on__lte=settled
    )
    clients = served.aggregate(total=Count("id"), documented=Count("id", filter=DOCUMENTED))
    first, last = window.period.first, window.period.last
    changed_on = Coalesce(
        Subquery(
            Job.objects.filter(pk=OuterRef("pk"), ended_on__range=(first, last)).values("ended_on")[
                :1
            ]
        ),
        F("started_on"),
        output_field=DateField(),
    )
    jobs = (
        Job.objects.live()
        .filter(client__in=window.clients())
        .filter(Q(started_on__range=(first, last)) | Q(ended_on__range=(first, last)))
        .annotate(changed_on=changed_on)
        .aggregate(
            total=Count("id"),
            updated=Count("id", filter=Q(client__profile__updated_at__date__gte=F("changed_on"))),
        )
    )
    return {**clients, "jobs": jobs["total"], "updated": jobs["updated"]}


@indicator(
    "profile_documented_and_updated", item=14, label="Career profiles written and kept up to date"
)
def profile_documented_and_updated(window: Window) -> Indicator:
    """The share of clients served (enrolled 30 days or more) with a written career profile,
    and of the jobs started or ended in the window followed by an update of the profile. Both
    90 % or more suggest a 5 (a full profile, updated with each job); written but not updated
    after jobs, a 4. Otherwise no score: anchors 1-3 turn on how the assessment is done."""
    found = _profiles(window)
    if not found["total"]:
        return indicator_result(window, "profile_documented_and_updated", None, "")
    documented = found["documented"] / found["total"]
    updated = found["updated"] / found["jobs"] if found["jobs"] else None
    suggested = None
    if documented >= 0.9 and updated is not None:
        suggested = 5 if updated >= 0.9 else 4
    update_text = (
        f"{found['updated']} of {found['jobs']} job starts and endings followed by an update"
        if found["jobs"]
        else "no job started or ended in the window, so updates cannot be read"
    )
    return indicator_result(
        window,
        "profile_documented_and_updated",
        documented,
        f"{percent_label(documented)} of profiles written; {update_text}",
        suggested=suggested,
        detail=f"{found['documented']} of {found['total']} clients enrolled {PROFILE_DAYS} days "
        f"or more have a work goal, strengths and work history written; {update_text}",
    )


# --- Item 15: rapid job search ----------------------------------------------------------------

RAPID_DAYS = 30


def _enrolled(window: Window) -> Any:
    episodes = Episode.objects.filter(client__in=window.clients())
    return definitions.enrolled_in(window.period, episodes)


def _as_of(window: Window) -> dt.date:
    """The window's last day, or today while it runs."""
    return min(window.period.last, today())


def _days_to_contact(window: Window) -> Any:
    """Days from enrollment to the first face-to-face employer contact made by the client or on
    their behalf; a client not contacted by the window's end counts the days so far."""
    end = Value(_as_of(window), output_field=DateField())
    contacted = Least(Coalesce(F("first_employer_contact_on"), end), end, output_field=DateField())
    return Greatest(DaysBetween(contacted, F("enrolled_on")), Value(0))


@indicator("days_to_employer_contact", item=15, label="Mean days to first employer contact")
def days_to_employer_contact(window: Window) -> Indicator:
    """Mean days from enrollment to the first face-to-face employer contact (by the client or
    the specialist) over every client enrolled in the window: one not yet contacted by the
    window's end (today while it runs) counts the days so far, and is never left out. Beside
    it, the share contacted within 30 days."""
    end = _as_of(window)
    in_time = Q(first_employer_contact_on__lte=end) & Q(
        first_employer_contact_on__lte=F("enrolled_on") + dt.timedelta(days=RAPID_DAYS)
    )
    row = _enrolled(window).aggregate(
        enrolled=Count("id"),
        contacted=Count("id", filter=Q(first_employer_contact_on__lte=end)),
        rapid=Count("id", filter=in_time),
        mean=Avg(_days_to_contact(window)),
    )
    if not row["enrolled"]:
        return indicator_result(window, "days_to_employer_contact", None, "")
    mean, rapid = float(row["mean"]), row["rapid"] / row["enrolled"]
    # ≤30 days → 5, 31-60 → 4, 61-150 → 3, 151-270 → 2, ≥271 → 1.
    suggested = 5 - sum(mean > edge for edge in (30, 60, 150, 270))
    return indicator_result(
        window,
        "days_to_employer_contact",
        mean,
        f"{mean:.1f} days; {percent_label(rapid)} contacted within {RAPID_DAYS} days",
        suggested=suggested,
        detail=f"{row['contacted']} of {row['enrolled']} clients enrolled in the window have met "
        "an employer (or one met them with the client); the others count their days so far",
    )


@rows_of("days_to_employer_contact")
def _enrolled_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    end = _as_of(window)
    rows = _enrolled(window).annotate(days=_days_to_contact(window)).order_by("enrolled_on", "id")
    return [
        {
            "Client": names.name(row.client_id),
            "Days to first employer contact": row.days
            if row.first_employer_contact_on and row.first_employer_contact_on <= end
            else f"none yet ({row.days} so far)",
        }
        for row in rows
    ]


# --- Item 17: frequent employer contact -------------------------------------------------------

# What the item counts: a specialist's face-to-face job-development contact with someone who
# hires (the weekly target's condition), not a support visit for someone already working.
JOB_DEVELOPMENT = COUNTED_EMPLOYER_CONTACT & ~Q(purpose=EmployerContact.Purpose.SUPPORT_WORKER)


def _employer_contacts(window: Window) -> Any:
    contacts = EmployerContact.objects.filter(employer__program_id=window.program_id)
    return definitions.employer_contacts(window.period, contacts)


@indicator("employer_contacts_per_week", item=17, label="Job-development contacts per week")
def employer_contacts_per_week(window: Window) -> Indicator:
    """Face-to-face job-development contacts with someone who hires (no support visits to
    people already working, none the client made alone) in the window, per full-time
    specialist in post in the window (`specialists_in_post`), per week."""
    counted = _employer_contacts(window).filter(JOB_DEVELOPMENT).count()
    in_post = specialists_in_post(window)
    fte = sum(float(row["fte"]) for row in in_post)
    if not counted or not fte:
        return indicator_result(window, "employer_contacts_per_week", None, "")
    rate = counted / fte / window.weeks()
    return indicator_result(
        window,
        "employer_contacts_per_week",
        rate,
        f"{rate:.1f} per full-time specialist per week",
        suggested=score_from(rate, (2, 4, 5, 6)),
        detail=f"{counted} contacts, {len(in_post)} specialists in post ({fte:.2f} full-time), "
        f"{window.weeks():.1f} weeks. Whether the supervisor reviews the log weekly is asked "
        "at interview",
    )


@rows_of("employer_contacts_per_week")
def _employer_contact_rows(window: Window, names: Pseudonyms) -> list[dict[str, Any]]:
    rows = (
        _employer_contacts(window)
        .values("specialist__first_name", "specialist__last_name")
        .annotate(
            total=Count("id", filter=Q(face_to_face=True, by_client=False)),
            counted=Count("id", filter=JOB_DEVELOPMENT),
        )
        .order_by("specialist__last_name")
    )
    return [
        {
            "Specialist": staff_name(row, "specialist__"),
            "Face-to-face contacts": row["total"],
            "Job development with someone who hires": row["counted"],
            "Per week": round(row["counted"] / window.weeks(), 1),
        }
        for row in rows
    ]


# --- Item 18: quality of employer contact -----------------------------------------------------

MIN_VISITS = 10
LEARNING = [EmployerContact.Purpose.LEARN_NEEDS, EmployerContact.Purpose.INTRODUCE]


def _visits_per_employer(window: Window) -> list[dict[str, int]]:
    """Per employer visited face to face by a specialist in the window: the visits, those to
    learn the business or introduce the program, and those presenting a job seeker."""
    return list(
        _employer_contacts(window)
        .filter(face_to_face=True, by_client=False)
        .exclude(purpose=EmployerContact.Purpose.SUPPORT_WORKER)
        .values("employer_id")
        .annotate(
            visits=Count("id"),
            learning=Count("id", filter=Q(purpose__in=LEARNING)),
            presenting=Count("id", filter=Q(purpose=EmployerContact.Purpose.PRESENT_JOB_SEEKER)),
        )
        .order_by("employer_id")
    )


@indicator("employer_relationships", item=18, label="Employers visited repeatedly")
def employer_relationships(window: Window) -> Indicator:
    """Of the employers specialists visited face to face in the window, the share visited twice
    or more, and the shares with a visit to learn the business (or introduce the program) and
    one presenting a job seeker. Repeat visits and learning visits at half or more suggest a 5
    (several planned relationship-building visits); learning or presenting at half or more
    without repeats, a 4 (meets employers whether or not a job is open, advocates). Below that
    the anchors turn on what is said in the visits: no score. Not available below 10 visits."""
    rows = _visits_per_employer(window)
    visits = sum(row["visits"] for row in rows)
    if not visits:
        return indicator_result(window, "employer_relationships", None, "")
    if visits < MIN_VISITS:
        return not_available(
            window, "employer_relationships", f"{visits} visits, fewer than {MIN_VISITS}"
        )
    employers = len(rows)
    repeat = sum(row["visits"] >= 2 for row in rows) / employers
    learning = sum(row["learning"] > 0 for row in rows) / employers
    presenting = sum(row["presenting"] > 0 for row in rows) / employers
    suggested = None
    if repeat >= 0.5 and learning >= 0.5:
        suggested = 5
    elif learning >= 0.5 or presenting >= 0.5:
        suggested = 4
    return indicator_result(
        window,
        "employer_relationships",
        repeat,
        f"{percent_label(repeat)} of employers visited twice or more; learning the business at "
        f"{percent_label(learning)}, presenting a job seeker at {percent_label(presenting)}",
        suggested=suggested,
        detail=f"{visits} face-to-face visits to {employers} employers",
    )


# --- Item 25: assertive engagement and outreach -----------------------------------------------

# Before closing for no contact, at least two outreach attempts in the preceding 60 days.
OUTREACH_ATTEMPTS, OUTREACH_DAYS = 2, 60
AT_HOME_OR_OUT = Q(mode=Contact.Mode.IN_PERSON) & Q(
    place__in=[Contact.Place.HOME, Contact.Place.COMMUNITY, Contact.Place.WORKPLACE]
)


def _closures_for_no_contact(window: Window) -> list[int]:
    """The outreach attempts before each episode closed in the window for no contact."""
    attempts = (
        Contact.objects.live()
        .filter(
            client=OuterRef("client"),
            purpose=Contact.Purpose.OUTREACH,
            contacted_on__lte=OuterRef("closed_on"),
            contacted_on__gte=OuterRef("closed_on") - dt.timedelta(days=OUTREACH_DAYS),
        )
        .values("client")
        .annotate(n=Count("id"))
        .values("n")
    )
    return list(
        Episode.objects.filter(
            client__in=window.clients(),
            closure_reason=ClosureReason.NO_CONTACT,
            closed_on__range=(window.period.first, window.period.last),
        )
        .annotate(attempts=Coalesce(Subquery(attempts), 0))
        .values_list("attempts", flat=True)
    )


@indicator("outreach_documented", item=25, label="Engagement and outreach strategies recorded")
def outreach_documented(window: Window) -> Indicator:
    """How many of four of the item's six strategies the records show: (a) nobody closed for
    no contact without two outreach attempts in the 60 days before; (b) outreach attempts
    logged; (d) visits at home or in the community (half or more of the contacts, in person);
    (f) family contacted. No score: outreach by the integrated team and joint visits with team
    members are for interview."""
    contacts = (
        Contact.objects.live()
        .filter(
            client__in=window.clients(),
            contacted_on__range=(window.period.first, window.period.last),
        )
        .aggregate(
            total=Count("id"),
            outreach=Count("id", filter=Q(purpose=Contact.Purpose.OUTREACH)),
            out=Count("id", filter=AT_HOME_OR_OUT),
            family=Count("id", filter=Q(with_whom=Contact.WithWhom.FAMILY)),
        )
    )
    if not contacts["total"]:
        return indicator_result(window, "outreach_documented", None, "")
    closures = _closures_for_no_contact(window)
    strategies = {
        "(a) no closure for no contact without outreach": all(
            n >= OUTREACH_ATTEMPTS for n in closures
        ),
        "(b) outreach attempts logged": contacts["outreach"] > 0,
        "(d) visits at home or in the community": contacts["out"] / contacts["total"] >= 0.5,
        "(f) family contacted": contacts["family"] > 0,
    }
    met = [name for name, ok in strategies.items() if ok]
    return indicator_result(
        window,
        "outreach_documented",
        len(met),
        f"{len(met)} of the 4 strategies the records show",
        detail=f"Met: {', '.join(met) or 'none'}. {len(closures)} closed for no contact; "
        f"{contacts['outreach']} outreach attempts; {contacts['out']} of {contacts['total']} "
        "contacts in person at home or in the community. (c) and (e), outreach and visits with "
        "the treatment team, need interview",
    )
