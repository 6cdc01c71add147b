"""Employers, each with the person the agency contacts there (a phone number is a person's:
employers themselves keep no phone)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from employers.models import Employer, EmployerPerson, normalise_employer_name
from imports.cells import Row, model_problems
from imports.kinds.base import Context, ImportKind, Outcome, Planned, mappings, relation_names
from imports.models import ImportedRecord

# The person a phone number is filed under when the row names nobody.
MAIN_LINE = "Main line"
PERSON_COLUMNS = ("phone", "person_name", "person_role", "person_email")


@dataclass
class Loaded:
    employers: dict[int, Employer]
    people: dict[str, ImportedRecord]
    person_rows: dict[int, EmployerPerson]


class EmployersKind(ImportKind):
    key = "employers"
    model = Employer
    columns = ("external_id", "name", "address", "phone")
    optional = (
        "industry",
        "notes",
        "person_name",
        "person_role",
        "person_email",
        "person_makes_hiring_decisions",
    )
    example = {
        "external_id": "E-301",
        "name": "Harbor Bakery",
        "address": "12 Quay Street",
        "phone": "555-0142",
        "industry": "Food service",
        "notes": "",
        "person_name": "Sam Baker",
        "person_role": "Owner",
        "person_email": "",
        "person_makes_hiring_decisions": "yes",
    }
    help = {
        "phone": "The phone of the person named (or of the employer's main line).",
        "person_name": "Someone the specialists meet there (optional).",
    }
    field_columns = {"email": "person_email", "role": "person_role"}

    def load(self, ctx: Context, rows: list[Row], mapped: dict[str, ImportedRecord]) -> Loaded:
        employers = Employer.objects.filter(pk__in=[m.object_id for m in mapped.values()])
        people = mappings(ctx.program, "employer_people", mapped)
        person_rows = EmployerPerson.objects.filter(pk__in=[m.object_id for m in people.values()])
        return Loaded(
            employers={employer.pk: employer for employer in employers},
            people=people,
            person_rows={person.pk: person for person in person_rows},
        )

    def build(
        self, ctx: Context, row: Row, mapping: ImportedRecord | None, loaded: Loaded
    ) -> tuple[Employer, EmployerPerson | None] | None:
        name = row.text("name", required=True)
        employer = loaded.employers.get(mapping.object_id) if mapping else None
        if mapping is not None and (employer is None or employer.archived_at is not None):
            row.error("external_id", "The employer imported with this id has been archived.")
            return None
        key = normalise_employer_name(name)
        same = [pk for pk, _ in ctx.employers.get(key, []) if employer is None or pk != employer.pk]
        if key and same:
            row.error("name", f"An employer named “{name}” is already in this program.")
        earlier = ctx.seen.setdefault(key, row.number)
        if key and earlier != row.number:
            row.error("name", f"Row {earlier} of this file names the same employer.")
        employer = employer or Employer(program=ctx.program, created_by=ctx.actor)
        employer.name, employer.address = name, row.text("address")
        employer.name_key = key
        for column in ("industry", "notes"):
            if column in row.values:
                setattr(employer, column, row.text(column))
        person = self._person(row, loaded)
        if ctx.needs_check(row):
            model_problems(employer, row, {}, exclude=[*relation_names(Employer), "name_key"])
        if ctx.needs_check(row) and person is not None:
            model_problems(person, row, self.field_columns, exclude=["employer"])
        return employer, person

    def _person(self, row: Row, loaded: Loaded) -> EmployerPerson | None:
        if not any(row.text(column) for column in PERSON_COLUMNS):
            return None
        found = loaded.people.get(row.text("external_id"))
        person = (loaded.person_rows.get(found.object_id) if found else None) or EmployerPerson()
        person.name = row.text("person_name") or MAIN_LINE
        person.role = row.text("person_role")
        person.phone = row.text("phone")
        person.email = row.text("person_email")
        person.makes_hiring_decisions = row.boolean("person_makes_hiring_decisions")
        return person

    def write(
        self, ctx: Context, planned: list[Planned], loaded: Loaded, outcome: Outcome
    ) -> dict[str, int]:
        new = [item for item in planned if item.mapping is None]
        Employer.objects.bulk_create([item.payload[0] for item in new])
        changed = [item.payload[0] for item in planned if item.mapping is not None]
        for employer in changed:
            employer.version += 1
        Employer.objects.bulk_update(
            changed, ["name", "name_key", "address", "industry", "notes", "version"]
        )
        people = [item.payload for item in planned if item.payload[1] is not None]
        for employer, person in people:
            person.employer = employer
        fresh = [p for _, p in people if p.pk is None]
        EmployerPerson.objects.bulk_create(fresh)
        for person in fresh:
            person.imported_now = True  # type: ignore[attr-defined]
        existing = [p for _, p in people if p.pk is not None]
        for person in existing:
            person.version += 1
        EmployerPerson.objects.bulk_update(
            existing, ["name", "role", "phone", "email", "makes_hiring_decisions", "version"]
        )
        for item in new:
            ctx.employers.setdefault(item.payload[0].name_key, []).append(
                (item.payload[0].pk, False)
            )
        return {item.external_id: item.payload[0].pk for item in new}

    def extra_mappings(self, ctx: Context, planned: list[Planned]) -> list[ImportedRecord]:
        content_type = ContentType.objects.get_for_model(EmployerPerson)
        return [
            ImportedRecord(
                program=ctx.program,
                kind="employer_people",
                external_id=item.external_id,
                content_type=content_type,
                object_id=item.payload[1].pk,
            )
            for item in planned
            if getattr(item.payload[1], "imported_now", False)
        ]
