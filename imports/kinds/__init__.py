"""The kinds of record a spreadsheet can bring in, by key (`imports.models.Kind`)."""

from __future__ import annotations

from imports.kinds.base import ImportKind
from imports.kinds.clients import ClientsKind
from imports.kinds.contacts import ContactsKind
from imports.kinds.employer_contacts import EmployerContactsKind
from imports.kinds.employers import EmployersKind
from imports.kinds.jobs import JobsKind

KINDS: dict[str, ImportKind] = {
    kind.key: kind
    for kind in (ClientsKind(), JobsKind(), ContactsKind(), EmployersKind(), EmployerContactsKind())
}
