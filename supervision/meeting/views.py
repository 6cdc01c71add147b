"""Meeting mode: `/supervision/meeting/?program=ID&week=YYYY-Www` (or `&date=YYYY-MM-DD` from the
date picker; the last complete week when neither is given).

Supervisors and directors of the program open it (directors read only); supervisors tick items
done (and undo), type new ones, and save attendance and notes as the session of the day, in
place with htmx or by plain POST and redirect without JavaScript. Query strings carry ids and
the week only, never client data.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ips import access, pages
from ips.access import Capability
from ips.calendar import today
from ips.forms import add_service_errors
from ips.models import Program, User
from ips.versioning import StaleVersionError
from outcomes.reports.charts import format_rate
from supervision.meeting import selectors, services
from supervision.meeting.charts import sparkline_svg
from supervision.meeting.forms import MeetingItemForm, MeetingSessionForm
from supervision.models import SupervisionSession
from supervision.selectors import METRICS, SupervisionWeek

# Shorter names of the dashboard's numbers, to fit a phone; the monthly ones name their month.
SHORT_LABELS = {
    "caseload": "Caseload",
    "working": "Working (competitive jobs)",
    "job_starts_month": "Job starts in {month}",
    "employer_contacts_week": "Employer contacts this week (face to face, hiring managers)",
    "no_employer_contact_30d": "No employer contact 30 days after enrollment",
    "no_contact_30d": "No contact in 30 days",
    "jobs_ended_30d": "Jobs ended, last 30 days",
    "benefits_pending_30d": "Benefits referrals pending over 30 days",
    "meeting_attendance": "Team meetings attended in {month}",
}


def meeting_programs(user: User) -> list[Program]:
    """Programs whose meeting the user may open: those whose supervision they may see."""
    ids = access.program_ids_for(user, Capability.VIEW_SUPERVISION)
    return list(Program.objects.filter(id__in=ids).order_by("name"))


def _chosen(request: HttpRequest, data: QueryDict) -> tuple[Program, list[Program]]:
    """The program named by `program` (the user's first when absent), and those to choose
    from: 404 for a program outside their reach."""
    programs = meeting_programs(request.user)
    chosen = data.get("program", "")
    found = [p for p in programs if str(p.pk) == chosen] if chosen else programs[:1]
    if not found:
        raise Http404("No such program.")
    return found[0], programs


def _program(request: HttpRequest, data: QueryDict) -> Program:
    """The program a write names: 404 outside the user's reach, 403 for someone who may only
    read its supervision (a director)."""
    program, _ = _chosen(request, data)
    access.require(request.user, Capability.RUN_SUPERVISION, program=program)
    return program


def meeting_url(program: Program | int, week: str = "", anchor: str = "") -> str:
    """The address of a program's meeting (for a week), with an anchor on the page."""
    query = {"program": getattr(program, "pk", program)}
    if week:
        query["week"] = week
    return f"{reverse('supervision:meeting')}?{urlencode(query)}{anchor}"


@pages.requires(Capability.VIEW_SUPERVISION)
def meeting(request: HttpRequest) -> HttpResponse:
    """Each specialist's numbers with their trends, their action items, and the session of the
    day, for the week under review."""
    program, programs = _chosen(request, request.GET)
    try:
        when = selectors.meeting_week(request.GET.get("week"), request.GET.get("date"), today())
    except ValueError as error:
        context = {"program": program, "programs": programs, "error": error}
        return render(request, "supervision/meeting.html", context, status=400)
    if request.GET.get("date") and not request.GET.get("week"):
        return redirect(meeting_url(program, when.week.label))  # one address per week
    return _render(request, program, when, programs=programs)


def _render(
    request: HttpRequest,
    program: Program,
    when: SupervisionWeek,
    *,
    form: MeetingSessionForm | None = None,
    status: int = 200,
    meanwhile: SupervisionSession | None = None,
    programs: list[Program] | None = None,
) -> HttpResponse:
    page = selectors.meeting(program=program, when=when, today=today())
    can_run = access.can(request.user, Capability.RUN_SUPERVISION, program=program)
    if form is None:
        form = _session_form(page.session, program)
    context = {
        "program": program,
        "programs": programs if programs is not None else meeting_programs(request.user),
        "page": page,
        "when": when,
        "rows": [_cards(row, page.weeks, when) for row in page.rows],
        "totals": _numbers(page.board.totals, None, None, when),
        "form": form,
        "meanwhile": meanwhile,
        "can_run": can_run,
        "readonly": not can_run,
        "week_label": when.week.label,
        "today": today(),
        "here": meeting_url(program, when.week.label),
        "previous": when.week.previous().label,
        "next": when.week.next().label,
        "is_latest": when.week.last >= SupervisionWeek.last_complete(today()).week.last,
    }
    return render(request, "supervision/meeting.html", context, status=status)


def _numbers(numbers, trends, weeks, when) -> list[dict]:  # type: ignore[no-untyped-def]
    """The figures of one card: label, text, the drill-down query and the trend chart."""
    shown = []
    for key, text in numbers.cells():
        label = SHORT_LABELS.get(key, METRICS[key].label).format(month=when.month_name)
        if key == "working" and numbers.rate is not None:
            text = f"{text} of {numbers.counts.get('caseload', 0)} ({format_rate(numbers.rate)})"
        chart = None
        if trends is not None and key in trends:
            values = trends[key]
            target = numbers.employer_contacts_target if key == "employer_contacts_week" else None
            chart = sparkline_svg(
                [(w.week.label, v) for w, v in zip(weeks, values, strict=True)],
                title=f"{label}, {weeks[0].week.label} to {weeks[-1].week.label}",
                chart_id=f"trend-{numbers.specialist.pk}-{key}",
                target=target,
            )
        query = {"program": 0, "week": when.week.label, "metric": key}
        if numbers.specialist is not None:
            query["specialist"] = numbers.specialist.pk
        shown.append({"key": key, "label": label, "text": text, "query": query, "chart": chart})
    return shown


def _cards(row: selectors.MeetingRow, weeks: list[SupervisionWeek], when: SupervisionWeek) -> dict:
    figures = _numbers(row.numbers, row.trends, weeks, when)
    rates = [(w.week.label, r) for w, r in zip(weeks, row.rate_trend, strict=True)]
    rate_chart = sparkline_svg(
        rates,
        title=f"Share of the caseload working, {weeks[0].week.label} to {weeks[-1].week.label}",
        chart_id=f"trend-{row.specialist.pk}-rate",
        percent=True,
    )
    return {"row": row, "figures": figures, "rate_chart": rate_chart}


def _session_form(
    session: SupervisionSession | None, program: Program, data: QueryDict | None = None
) -> MeetingSessionForm:
    initial = {}
    if session is not None:
        initial = {"session": session.pk, "version": session.version, "notes": session.notes}
    return MeetingSessionForm(
        data, initial=initial, specialists=User.objects.specialists_of([program])
    )


def _posted_week(data: QueryDict) -> SupervisionWeek:
    """The week the page that posted showed (the last complete one if it says none or junk)."""
    try:
        return selectors.meeting_week(data.get("week"), None, today())
    except ValueError:
        return SupervisionWeek.last_complete(today())


def _back(program: Program, data: QueryDict, anchor: str = "") -> str:
    return meeting_url(program, _posted_week(data).week.label, anchor)


@login_required
@require_POST
@pages.requires(Capability.RUN_SUPERVISION)
def meeting_item_new(request: HttpRequest) -> HttpResponse:
    """An action item typed in place under a specialist's numbers (htmx: the new item, and the
    session's id and version for the notes form; else back to the meeting)."""
    program = _program(request, request.POST)
    form = MeetingItemForm(request.POST, specialists=User.objects.specialists_of([program]))
    item = None
    if form.is_valid():
        try:
            item = services.meeting_item_add(
                supervisor=request.user, program=program, held_on=today(), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
    error = " ".join(" ".join(errors) for errors in form.errors.values())
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "Action item added.")
        anchor = f"#specialist-{request.POST.get('specialist', '')}"
        return redirect(_back(program, request.POST, anchor))
    context = {"item": item, "error": error, "session": item.session if item else None}
    response = render(request, "supervision/_meeting_item_added.html", context)
    if item is None:  # the message goes under the form, which keeps what was typed
        specialist = request.POST.get("specialist", "")
        response["HX-Retarget"] = f"#item-error-{specialist if specialist.isdigit() else ''}"
        response["HX-Reswap"] = "innerHTML"
    else:
        response["HX-Trigger"] = "form-reset"
    return response


def _save_session(
    request: HttpRequest, program: Program, form: MeetingSessionForm
) -> tuple[SupervisionSession | None, SupervisionSession | None]:
    """Save the valid form; (the session saved, None), or (None, the session as someone else
    saved it meanwhile) with the errors on the form and its version carried forward."""
    data = form.cleaned_data
    session = None
    if data["session"]:
        session = SupervisionSession.objects.filter(
            pk=data["session"], program=program, archived_at__isnull=True
        ).first()
    try:
        saved = services.meeting_session_save(
            supervisor=request.user,
            program=program,
            held_on=today(),
            session=session,
            version=data["version"],
            notes=data["notes"],
            specialists_present=data["specialists_present"],
        )
    except StaleVersionError as stale:
        add_service_errors(form, stale)  # keeps the typed notes, carries the saved version
        form.data["session"] = stale.current.pk  # type: ignore[index]
        return None, stale.current
    except ValidationError as error:
        add_service_errors(form, error)
        return None, None
    return saved, None


@login_required
@require_POST
@pages.requires(Capability.RUN_SUPERVISION)
def meeting_session_save(request: HttpRequest) -> HttpResponse:
    """Save attendance and notes as the session of the day (htmx: the notes form again, with
    the session's new version; else back to the meeting, or the page again on a conflict)."""
    program = _program(request, request.POST)
    form = _session_form(None, program, request.POST)
    saved, meanwhile = _save_session(request, program, form) if form.is_valid() else (None, None)
    if saved is not None and not request.htmx:
        messages.success(request, "Meeting saved as the supervision session of the day.")
        return redirect(_back(program, request.POST, "#meeting-record"))
    if saved is not None:
        form = _session_form(saved, program)
    if request.htmx:
        context = {"form": form, "program": program, "saved": saved, "meanwhile": meanwhile}
        context["week_label"] = _posted_week(request.POST).week.label
        return render(request, "supervision/_meeting_session.html", context)
    when = _posted_week(request.POST)
    status = 409 if meanwhile is not None else 400
    return _render(request, program, when, form=form, status=status, meanwhile=meanwhile)
