"""Forms of the supervision pages: shape and parsing only; the rules live in `services`."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from clients.models import Client
from ips.models import NOTE_MAX_LENGTH, Program, User
from supervision.models import TreatmentTeam

MEETING_CLIENT_ROWS = 5
SESSION_ITEM_ROWS = 5
DATE = forms.DateInput(attrs={"type": "date"})


def _single_choice(field: forms.ModelChoiceField) -> None:
    """Pre-select the only choice (the usual case: one program, one team)."""
    only = list(field.queryset[:2])
    if len(only) == 1:
        field.initial = only[0].pk


class TeamMeetingForm(forms.Form):
    """A meeting in under a minute: the date defaults to today, the team to the only one, the
    recorder is ticked as an attendee; then the clients discussed with a note each.

    Once the team is known (`team`: the only one, or the one chosen), only its program's staff
    and current clients are offered; a client or attendee of another program is still refused,
    next to the row or field at fault."""

    held_on = forms.DateField(label="Date", widget=DATE)
    team = forms.ModelChoiceField(queryset=TreatmentTeam.objects.none())
    attendees = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    follow_ups = forms.CharField(
        label="Follow-ups agreed",
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        teams: QuerySet[TreatmentTeam],
        staff: QuerySet[User],
        clients: QuerySet[Client],
        me: User,
        team: TreatmentTeam | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        self.fields["team"].queryset = teams
        self.fields["attendees"].queryset = staff
        self.fields["attendees"].initial = [me.pk]
        self.chosen_team = team
        self.team_staff: set[int] = set()
        if team is not None:
            self.fields["team"].initial = team.pk
            team_staff = list(staff.filter(roles__program_id=team.program_id).distinct())
            self.team_staff = {user.pk for user in team_staff}
            self.fields["attendees"].choices = [(user.pk, str(user)) for user in team_staff]
        # The caseload is read once for the five pickers (each would otherwise query it).
        caseload = list(clients)
        offered = [c for c in caseload if team is None or c.program_id == team.program_id]
        for n in range(1, MEETING_CLIENT_ROWS + 1):
            self.fields[f"client_{n}"] = forms.ModelChoiceField(
                queryset=clients, required=False, label=f"Client {n}"
            )
            self.fields[f"client_{n}"].choices = self._client_options(n, offered, caseload)
            self.fields[f"note_{n}"] = forms.CharField(
                max_length=500, required=False, label=f"Note on client {n}"
            )

    def _client_options(
        self, n: int, offered: list[Client], caseload: list[Client]
    ) -> list[tuple[Any, str]]:
        """Row `n`'s options: the clients offered, and the one sent for that row if it is not
        among them (kept, so that the row shows what was refused)."""
        options: list[tuple[Any, str]] = [("", "---------"), *((c.pk, str(c)) for c in offered)]
        sent = str(self.data.get(f"client_{n}", "")) if self.is_bound else ""
        if sent.isdigit() and int(sent) not in {c.pk for c in offered}:
            options += [(c.pk, str(c)) for c in caseload if c.pk == int(sent)]
        return options

    @property
    def client_row_ids(self) -> str:
        """The ids of the client pickers, swapped in again when another team is chosen."""
        return ",".join(f"#meeting-client-{n}" for n in range(1, MEETING_CLIENT_ROWS + 1))

    def client_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"client_{n}"], self[f"note_{n}"]) for n in range(1, MEETING_CLIENT_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        team = data.get("team")
        discussed = []
        for n in range(1, MEETING_CLIENT_ROWS + 1):
            client, note = data.get(f"client_{n}"), (data.get(f"note_{n}") or "").strip()
            if client and team and client.program_id != team.program_id:
                self.add_error(
                    f"client_{n}",
                    f"Not a client of {team.program}, the program of {team}: choose another.",
                )
            elif client and not note:
                self.add_error(f"note_{n}", "Write a short note on this client.")
            elif note and not client:
                self.add_error(f"client_{n}", "Choose the client this note is about.")
            elif client:
                discussed.append((client, note))
        data["discussed"] = discussed
        self._check_attendees(team, data.get("attendees") or [])
        return data

    def _check_attendees(self, team: TreatmentTeam | None, attendees: list[User]) -> None:
        """Name the attendees who are not on the staff of the team's program."""
        if team is None:
            return
        if self.chosen_team is None or self.chosen_team.pk != team.pk:
            allowed = set(
                self.fields["attendees"]
                .queryset.filter(roles__program_id=team.program_id)
                .values_list("pk", flat=True)
            )
        else:
            allowed = self.team_staff
        outside = [str(user) for user in attendees if user.pk not in allowed]
        if outside:
            self.add_error(
                "attendees", f"Not on the staff of {team.program}: {', '.join(outside)}."
            )


class SupervisionSessionForm(forms.Form):
    """A session: date, specialists present, notes, and up to five new action items."""

    program = forms.ModelChoiceField(queryset=Program.objects.none())
    held_on = forms.DateField(label="Date", widget=DATE)
    specialists_present = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, programs: QuerySet[Program], specialists: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        self.fields["program"].queryset = programs
        _single_choice(self.fields["program"])
        self.fields["specialists_present"].queryset = specialists
        for n in range(1, SESSION_ITEM_ROWS + 1):
            self.fields[f"item_specialist_{n}"] = forms.ModelChoiceField(
                queryset=specialists, required=False, label=f"Action item {n}: specialist"
            )
            self.fields[f"item_text_{n}"] = forms.CharField(
                max_length=500, required=False, label=f"Action item {n}: goal or action"
            )
            self.fields[f"item_due_{n}"] = forms.DateField(
                required=False, label=f"Action item {n}: due", widget=DATE
            )

    def item_rows(self) -> list[tuple[forms.BoundField, ...]]:
        return [
            (self[f"item_specialist_{n}"], self[f"item_text_{n}"], self[f"item_due_{n}"])
            for n in range(1, SESSION_ITEM_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        items = []
        for n in range(1, SESSION_ITEM_ROWS + 1):
            specialist = data.get(f"item_specialist_{n}")
            text = (data.get(f"item_text_{n}") or "").strip()
            if text and not specialist:
                self.add_error(f"item_specialist_{n}", "Choose whose action item this is.")
            elif specialist and not text:
                self.add_error(f"item_text_{n}", "Write the goal or action agreed.")
            elif text:
                items.append(
                    {"specialist": specialist, "text": text, "due_on": data.get(f"item_due_{n}")}
                )
        data["action_items"] = items
        return data


class TreatmentTeamForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none())
    name = forms.CharField(max_length=200)
    specialists = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, programs: QuerySet[Program], specialists: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        _single_choice(self.fields["program"])
        self.fields["specialists"].queryset = specialists
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Add team"))


class TreatmentTeamEditForm(forms.Form):
    """Rename a team, change who is assigned to it (their attendance counts from then on) or
    the clients it treats."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(max_length=200)
    specialists = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    clients = forms.ModelMultipleChoiceField(
        queryset=Client.objects.none(),
        required=False,
        label="Clients this team treats",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(
        self,
        *args: Any,
        specialists: QuerySet[User],
        clients: QuerySet[Client] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialists"].queryset = specialists
        if clients is not None:
            self.fields["clients"].queryset = clients
        else:
            del self.fields["clients"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save team"))
