"""Supervision pages: the weekly dashboard and its drill-downs, sessions and action items,
treatment teams and their meetings.

Supervisors run the dashboard and record sessions for their programs, directors read the
dashboard, specialists see their own numbers and record team meetings. A role without the page's
capability gets 403 (`ips.pages.requires`); a record outside one's reach, 404.
Query strings carry ids, the week and the metric only: never client data.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clients.models import Client
from ips import access, pages, paging
from ips.access import Capability
from ips.forms import add_service_errors
from ips.models import Program, Role, User
from ips.versioning import StaleVersionError
from supervision import selectors, services
from supervision.forms import (
    SupervisionSessionForm,
    TeamMeetingForm,
    TreatmentTeamEditForm,
    TreatmentTeamForm,
)
from supervision.models import (
    ActionItem,
    SupervisionSession,
    TeamMeeting,
    TeamMeetingClient,
    TreatmentTeam,
)
from supervision.selectors import METRICS, SupervisionWeek


def _scope(request: HttpRequest) -> tuple[Program, User | None, list[Program]]:
    return selectors.dashboard_scope(request.user, request.GET.get("program", ""))


def _week(request: HttpRequest) -> tuple[SupervisionWeek | None, str]:
    """`?week=2026-W12`, else the last complete week (on a Monday, the one that just ended,
    not the one just started)."""
    today = timezone.localdate()
    try:
        if not request.GET.get("week", "").strip():
            return SupervisionWeek.last_complete(today), ""
        return SupervisionWeek.parse(request.GET.get("week"), today), ""
    except ValueError as error:
        return None, str(error)


@pages.requires(Capability.VIEW_CLIENTS)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Per specialist and for the program, the week's numbers, each linking to its rows."""
    program, only, programs = _scope(request)
    when, error = _week(request)
    context = {"program": program, "programs": programs, "error": error, "only": only}
    if when is None:
        return render(request, "supervision/dashboard.html", context, status=400)
    board = selectors.dashboard(program=program, when=when, only=only)
    context.update(board=board, when=when, metrics=list(METRICS.values()))
    context.update(previous=when.week.previous().label, next=when.week.next().label)
    return render(request, "supervision/dashboard.html", context)


@pages.requires(Capability.VIEW_CLIENTS)
def drilldown(request: HttpRequest) -> HttpResponse:
    """The rows behind one number: `?program=ID&week=2026-W12&metric=KEY[&specialist=ID]`."""
    program, only, _ = _scope(request)
    when, error = _week(request)
    metric = METRICS.get(request.GET.get("metric", ""))
    if metric is None:
        error = error or "Choose one of the dashboard's numbers."
    if error:
        return render(request, "supervision/drilldown.html", {"error": error}, status=400)
    specialist = _chosen_specialist(request, program, only)
    rows = selectors.drilldown_rows(
        metric=metric, program=program, when=when, specialist=specialist
    )
    context = {
        "program": program,
        "when": when,
        "metric": metric,
        "specialist": specialist,
        "rows": rows,
    }
    # Meeting mode opens the rows in place, under the number.
    template = "_drilldown_rows" if request.htmx else "drilldown"
    return render(request, f"supervision/{template}.html", context)


def _chosen_specialist(request: HttpRequest, program: Program, only: User | None) -> User | None:
    """`?specialist=ID` among the program's specialists (None: the whole program); 404 for
    anyone else, and for a specialist asking for anything but their own numbers."""
    chosen = request.GET.get("specialist", "")
    specialist = None
    if chosen:
        found = User.objects.specialists_of([program]).filter(pk=chosen) if chosen.isdigit() else []
        specialist = next(iter(found), None)
        if specialist is None:
            raise Http404("No such specialist.")
    if only is not None and specialist != only:
        raise Http404("No such specialist.")
    return specialist


# --- Sessions and action items ------------------------------------------------------------------


@pages.requires(Capability.VIEW_SUPERVISION)
def session_list(request: HttpRequest) -> HttpResponse:
    programs = access.program_ids_for(request.user, Capability.VIEW_SUPERVISION)
    page = paging.paginate(selectors.sessions_of(programs), paging.page_number(request.GET))
    context = {
        "sessions": page.rows,
        "can_record": access.holds(request.user, Capability.RUN_SUPERVISION),
        **paging.footer(request, page),
    }
    if paging.appending(request):  # "Load more": the next sessions, appended
        return render(request, "supervision/_session_more.html", context)
    return render(request, "supervision/session_list.html", context)


@pages.requires(Capability.RUN_SUPERVISION)
def session_new(request: HttpRequest) -> HttpResponse:
    ids = access.program_ids_for(request.user, Capability.RUN_SUPERVISION)
    form = SupervisionSessionForm(
        request.POST or None,
        initial={"program": request.GET.get("program", "")} if request.GET.get("program") else {},
        programs=Program.objects.filter(id__in=ids),
        specialists=User.objects.specialists_of(ids),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            session = services.supervision_session_record(
                supervisor=request.user,
                program=data["program"],
                held_on=data["held_on"],
                specialists_present=data["specialists_present"],
                notes=data["notes"],
                action_items=data["action_items"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Supervision session recorded.")
            return redirect("supervision:session_detail", pk=session.pk)
    # The items still open, to review (and tick off) while recording the new ones.
    open_items = selectors.open_action_items_of(ids, on=timezone.localdate())
    return render(request, "supervision/session_new.html", {"form": form, "open_items": open_items})


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session, the items agreed at it, and every item still open on its date."""
    session = pages.record_for(
        request, SupervisionSession.objects.select_related("program", "supervisor"), pk=pk
    )
    context = {
        "session": session,
        "present": session.specialists_present.order_by("last_name", "first_name"),
        "agreed": session.action_items.filter(archived_at__isnull=True).select_related(
            "specialist"
        ),
        "carried": selectors.open_action_items(program=session.program, on=session.held_on).exclude(
            session=session
        ),
        "can_edit": access.can(request.user, Capability.RUN_SUPERVISION, program=session.program),
    }
    return render(request, "supervision/session_detail.html", context)


def _item_for_change(request: HttpRequest, pk: int) -> tuple[ActionItem, bool]:
    """The item, if the user may tick it: its specialist, or a supervisor of its program."""
    item = pages.record_for(request, ActionItem.objects.select_related("session__program"), pk=pk)
    own = item.specialist_id == request.user.pk
    if not own:
        access.require(request.user, Capability.RUN_SUPERVISION, program=item.session.program)
    return item, own


def _item_changed(
    request: HttpRequest, item: ActionItem, error: str, done: str, *, own: bool
) -> HttpResponse:
    """The item again (htmx), else a message and back to the page it was changed on."""
    back = request.POST.get("next", "")
    if request.htmx:
        context = {"item": item, "error": error, "next": back}
        return render(request, "supervision/_action_item.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("home" if own else "supervision:session_list")


def _posted_version(request: HttpRequest, item: ActionItem) -> int:
    version = request.POST.get("version", "")
    return int(version) if version.isdigit() else item.version


@login_required
@require_POST
def action_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an item done: its specialist, or a supervisor of its program (htmx or full page)."""
    item, own = _item_for_change(request, pk)
    error = ""
    try:
        item = services.action_item_done(
            item=item, version=_posted_version(request, item), done_on=timezone.localdate()
        )
    except (ValidationError, StaleVersionError) as refused:
        error = " ".join(getattr(refused, "messages", [str(refused)]))
    return _item_changed(request, item, error, "Action item done.", own=own)


@login_required
@require_POST
def action_item_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo "done" on an item (a click by mistake): whoever may mark it done."""
    item, own = _item_for_change(request, pk)
    error = ""
    try:
        item = services.action_item_undo(item=item, version=_posted_version(request, item))
    except (ValidationError, StaleVersionError) as refused:
        error = " ".join(getattr(refused, "messages", [str(refused)]))
    return _item_changed(request, item, error, "Action item open again.", own=own)


# --- Treatment teams and meetings ---------------------------------------------------------------


@pages.requires(Capability.VIEW_CLIENTS)
def team_list(request: HttpRequest) -> HttpResponse:
    programs = access.program_ids_for(request.user, Capability.VIEW_CLIENTS)
    context = {
        "teams": selectors.teams_of(programs),
        "can_add": access.holds(request.user, Capability.RUN_SUPERVISION),
        "editable": set(access.grants(request.user).programs[Capability.RUN_SUPERVISION]),
    }
    return render(request, "supervision/team_list.html", context)


@pages.requires(Capability.RUN_SUPERVISION)
def team_new(request: HttpRequest) -> HttpResponse:
    ids = access.program_ids_for(request.user, Capability.RUN_SUPERVISION)
    form = TreatmentTeamForm(
        request.POST or None,
        programs=Program.objects.filter(id__in=ids),
        specialists=User.objects.specialists_of(ids),
    )
    if form.is_valid():
        try:
            services.team_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Treatment team added.")
            return redirect("supervision:team_list")
    return render(request, "ips/form_page.html", {"form": form, "title": "New treatment team"})


@login_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a team or change the specialists assigned to it (supervisors of its program)."""
    team = pages.record_for(
        request,
        TreatmentTeam.objects.select_related("program"),
        needs=Capability.RUN_SUPERVISION,
        pk=pk,
    )
    initial = {
        "version": team.version,
        "name": team.name,
        "specialists": team.specialists.all(),
        "clients": team.clients.filter(archived_at__isnull=True),
    }
    form = TreatmentTeamEditForm(
        request.POST or None,
        initial=initial,
        specialists=User.objects.specialists_of([team.program_id]),
        clients=Client.objects.visible_to(request.user).filter(program_id=team.program_id),
    )
    if form.is_valid():
        changes = dict(form.cleaned_data)
        version = changes.pop("version")
        try:
            services.team_update(team=team, version=version, changes=changes)
        except (ValidationError, StaleVersionError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Team saved.")
            return redirect("supervision:team_list")
    return render(request, "ips/form_page.html", {"form": form, "title": f"Edit {team}"})


@pages.requires(Capability.VIEW_CLIENTS)
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = (
        TeamMeeting.objects.visible_to(request.user)
        .select_related("team__program", "recorded_by")
        .prefetch_related("attendees")
    )
    page = paging.paginate(meetings, paging.page_number(request.GET))
    context = {
        "meetings": page.rows,
        "can_record": access.holds(request.user, Capability.EDIT_CLIENTS),
        **paging.footer(request, page),
    }
    if paging.appending(request):  # "Load more": the next meetings, appended
        return render(request, "supervision/_meeting_more.html", context)
    return render(request, "supervision/meeting_list.html", context)


def _meeting_form(request: HttpRequest) -> TeamMeetingForm:
    """The meeting form; the team chosen (sent, `?team=ID` when another is picked, or the only
    one) narrows the staff and clients offered to its program's."""
    ids = access.program_ids_for(request.user, Capability.EDIT_CLIENTS)
    teams = TreatmentTeam.objects.filter(program_id__in=ids, archived_at__isnull=True)
    source = request.POST if request.method == "POST" else request.GET
    chosen = source.get("team", "")
    if chosen.isdigit():
        team = teams.select_related("program").filter(pk=int(chosen)).first()
    else:
        only = list(teams.select_related("program")[:2])
        team = only[0] if len(only) == 1 else None
    return TeamMeetingForm(
        request.POST or None,
        teams=teams,
        staff=User.objects.filter(
            is_active=True,
            roles__program_id__in=ids,
            roles__role__in=[Role.SPECIALIST, Role.SUPERVISOR],
        )
        .distinct()
        .order_by("last_name", "first_name"),
        clients=Client.objects.editable_by(request.user)
        .filter(current_episode__closed_on__isnull=True)
        .order_by("last_name", "first_name"),
        me=request.user,
        team=team,
        initial=_meeting_choices(request) if request.method == "GET" and chosen else None,
    )


def _meeting_choices(request: HttpRequest) -> dict[str, Any]:
    """What was ticked and picked before another team was chosen (`?team=ID&attendees=…&
    client_1=…`: ids only, never the notes), kept where the new team's program offers it."""
    initial: dict[str, Any] = {}
    if "attendees" in request.GET:  # else the recorder stays ticked
        initial["attendees"] = [v for v in request.GET.getlist("attendees") if v.isdigit()]
    for name, value in request.GET.items():
        if name.startswith("client_") and value.isdigit():
            initial[name] = value
    return initial


@pages.requires(Capability.EDIT_CLIENTS)
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Record a team meeting on a phone: one form, sensible defaults."""
    form = _meeting_form(request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.team_meeting_record(
                recorded_by=request.user,
                team=data["team"],
                held_on=data["held_on"],
                attendees=data["attendees"],
                discussed=data["discussed"],
                follow_ups=data["follow_ups"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Team meeting recorded.")
            return redirect("supervision:meeting_detail", pk=meeting.pk)
    return render(request, "supervision/meeting_new.html", {"form": form})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting with its notes on clients: a read of each client discussed (recorded by the
    notes' queryset)."""
    meeting = pages.record_for(
        request, TeamMeeting.objects.select_related("team__program", "recorded_by"), pk=pk
    )
    discussed = list(
        TeamMeetingClient.objects.visible_to(request.user)
        .filter(meeting=meeting)
        .select_related("client")
    )
    context = {
        "meeting": meeting,
        "attendees": meeting.attendees.order_by("last_name", "first_name"),
        "discussed": discussed,
        "can_edit": access.can(request.user, Capability.EDIT_CLIENTS, program=meeting.team.program),
    }
    return render(request, "supervision/meeting_detail.html", context)


@login_required
def meeting_archive(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = pages.record_for(
        request,
        TeamMeeting.objects.select_related("team__program"),
        needs=Capability.EDIT_CLIENTS,
        pk=pk,
    )
    return pages.archive_page(
        request, meeting, done="Meeting archived.", to="supervision:meeting_list"
    )


@login_required
def session_archive(request: HttpRequest, pk: int) -> HttpResponse:
    session = pages.record_for(
        request,
        SupervisionSession.objects.select_related("program"),
        needs=Capability.RUN_SUPERVISION,
        pk=pk,
    )
    return pages.archive_page(
        request, session, done="Session archived.", to="supervision:session_list"
    )
