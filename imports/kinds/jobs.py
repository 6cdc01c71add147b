"""Jobs of imported clients, at employers of the program (by external id or name), with their
end (date and reason), wage, hours and whether they are set aside for people with
disabilities. Whether a job is competitive is derived (`refresh_competitive`), never imported.

The optional columns follow the job form and API: self-employment needs no employer (every
other job names one); tips or commission per hour count with the wage toward the minimum wage;
a named kind of set-aside work sets the job aside. A file without one of them leaves that
field of a job imported before as it is (a new job: no, none, not set aside).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from clients.models import (
    EMPLOYER_OR_SELF_EMPLOYED,
    Job,
    JobEndReason,
    JobType,
    SetAsideKind,
    refresh_competitive,
)
from imports.cells import Row, model_problems
from imports.kinds.base import (
    Context,
    ImportedClient,
    ImportKind,
    Outcome,
    Planned,
    client_lookup,
    relation_names,
    resolve_employer,
    write_versioned,
)
from imports.kinds.contacts import UNKNOWN_CLIENT
from imports.models import ImportedRecord

FIELDS = [
    "client",
    "employer",
    "title",
    "job_type",
    "started_on",
    "ended_on",
    "end_reason",
    "hours_per_week",
    "hourly_wage",
    "set_aside",
    "self_employed",
    "tips_per_hour",
    "set_aside_kind",
]


@dataclass
class Loaded:
    clients: dict[str, ImportedClient]
    jobs: dict[int, Job]


class JobsKind(ImportKind):
    key = "jobs"
    model = Job
    columns = (
        "external_id",
        "client_external_id",
        "employer",
        "title",
        "job_type",
        "started_on",
        "ended_on",
        "end_reason",
        "hours_per_week",
        "hourly_wage",
        "set_aside",
    )
    optional = ("self_employed", "tips_per_hour", "set_aside_kind")
    example = {
        "external_id": "J-9001",
        "client_external_id": "C-1001",
        "employer": "E-301",
        "title": "Baker's assistant",
        "job_type": "Food service",
        "started_on": "2024-03-04",
        "ended_on": "",
        "end_reason": "",
        "hours_per_week": "20",
        "hourly_wage": "16.50",
        "set_aside": "no",
        "self_employed": "no",
        "tips_per_hour": "",
        "set_aside_kind": "",
    }
    help = {
        "job_type": ", ".join(JobType.labels),
        "end_reason": ", ".join(JobEndReason.labels) + " (with ended_on)",
        "set_aside": "yes for work set aside for people with disabilities (never competitive).",
        "employer": "The external id of an imported employer, or the name of one; empty only "
        "for self-employment.",
        "self_employed": "yes when the client works for themself (then no employer is needed).",
        "tips_per_hour": "Tips or commission per hour on average, counted with the hourly wage "
        "against the minimum wage (empty: none).",
        "set_aside_kind": ", ".join(SetAsideKind.labels) + " (naming one sets the job aside)",
    }
    field_columns = {"client": "client_external_id"}

    def load(self, ctx: Context, rows: list[Row], mapped: dict[str, ImportedRecord]) -> Loaded:
        clients = client_lookup(ctx, (row.text("client_external_id") for row in rows))
        jobs = Job.objects.filter(pk__in=[m.object_id for m in mapped.values()])
        return Loaded(clients=clients, jobs={job.pk: job for job in jobs})

    def build(
        self, ctx: Context, row: Row, mapping: ImportedRecord | None, loaded: Loaded
    ) -> Job | None:
        job = loaded.jobs.get(mapping.object_id) if mapping else Job(created_by=ctx.actor)
        if job is None or job.archived_at is not None:
            row.error("external_id", "The job imported with this id has been archived.")
            return None
        client_id = row.text("client_external_id", required=True)
        client = loaded.clients.get(client_id)
        if client_id and client is None:
            row.error("client_external_id", UNKNOWN_CLIENT.format(client_id))
        elif client is not None and client.archived_at is not None:
            row.error("client_external_id", "This client's record is archived.")
        job.client_id = client.pk if client is not None else None
        if "self_employed" in row.values:
            job.self_employed = row.boolean("self_employed")
        job.employer_id = self._employer(ctx, row, self_employed=job.self_employed)
        job.title = row.text("title", required=True)
        job.job_type = row.choice("job_type", JobType, required=True)
        job.started_on = row.date("started_on", required=True)
        job.ended_on = row.past_date("ended_on", "The end date")
        job.end_reason = row.choice("end_reason", JobEndReason)
        if job.end_reason and job.ended_on is None:
            row.error("ended_on", "Give the date the job ended, or leave out the end reason.")
        job.hours_per_week = row.decimal("hours_per_week", required=True)
        job.hourly_wage = row.decimal("hourly_wage", required=True)
        if "tips_per_hour" in row.values:
            job.tips_per_hour = row.decimal("tips_per_hour") or Decimal("0")
        if "set_aside_kind" in row.values:
            job.set_aside_kind = row.choice("set_aside_kind", SetAsideKind)
        # A named kind of set-aside work sets the job aside (`Job.clean`, which the rows
        # checked at preview do not run again as they are written).
        job.set_aside = row.boolean("set_aside") or bool(job.set_aside_kind)
        if ctx.needs_check(row):
            model_problems(job, row, self.field_columns, exclude=relation_names(Job))
        return job

    def _employer(self, ctx: Context, row: Row, *, self_employed: bool) -> int | None:
        """The job's employer; none needed for self-employment, any other job names one."""
        if row.text("employer"):
            return resolve_employer(ctx, row)
        if not self_employed:
            row.error("employer", EMPLOYER_OR_SELF_EMPLOYED)
        return None

    def write(
        self, ctx: Context, planned: list[Planned], loaded: Loaded, outcome: Outcome
    ) -> dict[str, int]:
        new = write_versioned(Job, planned, [*FIELDS])
        # Bulk writes skip `Job.save`: store whether each job is competitive in one UPDATE.
        refresh_competitive(Job.objects.filter(pk__in=[item.payload.pk for item in planned]))
        for item in planned:
            outcome.clients.add(item.payload.client_id)
            outcome.note_date(item.payload.started_on)
        return {item.external_id: item.payload.pk for item in new}
