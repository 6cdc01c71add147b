"""The access matrix: every URL of the project, for every persona and every method it answers.

Pages send anonymous visitors to the login page; the API answers them 403. Someone who may not
see a record gets 404 (its existence does not leak); someone who may see it but not change it
gets 403, before any input is validated. A permitted write with an empty body re-renders its
form with errors (200), answers 400 (API), or redirects (302) when it needs no input.

`test_every_url_has_matrix_entries` walks the URL resolver, so a new URL fails the suite until
its row is added here.

Every response, whatever its status, also carries the strict Content-Security-Policy and
`Cache-Control: no-store`, and no page has inline code (tests/helpers.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clients.models import Client as ClientRecord
from clients.services import goal_add, step_add
from fidelity.models import Review, ReviewItem
from imports.services import import_preview
from ips.audit import audit_read
from ips.middleware import SESSION_LAST_SEEN, TWO_FACTOR_CLEAR_UNTIL
from ips.models import AuditEvent, AuditEventClient, Role, RoleRequest, StaffRole, User
from ips.services import api_token_create
from tests.clients.factories import (
    BenefitsReferralFactory,
    ClientFactory,
    ContactFactory,
    EmployerFactory,
    JobFactory,
    SupportFactory,
)
from tests.conftest import make_organisation, make_persona
from tests.employers.factories import EmployerContactFactory, EmployerPersonFactory
from tests.factories import MinimumWageFactory, UserFactory
from tests.fidelity.factories import outside_reviewer, plan_review, scale_items
from tests.helpers import MODEL_BACKEND, assert_private_response
from tests.imports.files import client_row, csv_bytes
from tests.supervision.factories import TreatmentTeamFactory, meeting, session

pytestmark = pytest.mark.django_db

PERSONAS = (
    "anonymous",
    "specialist",
    "other_specialist",
    "supervisor",
    "director",
    "reviewer",
    "admin",
    "outsider_director",
    "no_role_user",
)

# URL namespaces deliberately left out of the matrix, with the reason.
EXCLUDED_NAMESPACES = {
    "admin": "the Django admin is for platform operators (superusers) only; Django's own "
    "admin_view guard protects it and agencies never use it",
}
# Not an exclusion but worth knowing: DRF's DefaultRouter adds a `.json`-style format-suffix twin
# of every API route under the *same* name, so each name below covers both; the matrix requests
# the plain URL.

Kwargs = Callable[[SimpleNamespace], dict[str, int]]


def expect(default: int, **overrides: int) -> dict[str, int]:
    """The expected status for every persona: `default`, except the ones named."""
    unknown = set(overrides) - set(PERSONAS)
    assert not unknown, f"not personas: {unknown}"
    return {persona: overrides.get(persona, default) for persona in PERSONAS}


def no_kwargs(world: SimpleNamespace) -> dict[str, int]:
    return {}


@dataclass(frozen=True)
class Spec:
    """How to build the URL of a route, and the expected status per method and persona."""

    methods: dict[str, dict[str, int]]
    kwargs: Kwargs = field(default=no_kwargs)
    # The query string of routes that take their arguments there (the outcomes API).
    query: Callable[[SimpleNamespace], str] | None = None


def program_pk(world: SimpleNamespace) -> dict[str, int]:
    return {"pk": world.program.pk}


def agency_pk(world: SimpleNamespace) -> dict[str, int]:
    return {"agency_pk": world.agency.pk}


def agency_settings_pk(world: SimpleNamespace) -> dict[str, int]:
    return {"pk": world.agency.pk}


def specialist_pk(world: SimpleNamespace) -> dict[str, int]:
    return {"pk": world.specialist.pk}


def specialist_role_pk(world: SimpleNamespace) -> dict[str, int]:
    return {"pk": StaffRole.objects.get(user=world.specialist).pk}


def pending_role_request_pk(world: SimpleNamespace) -> dict[str, int]:
    """A specialist role for `no_role_user`, asked for by the admin, waiting for approval."""
    request = RoleRequest.objects.create(
        user=world.no_role_user,
        role=Role.SPECIALIST,
        agency=world.agency,
        program=world.program,
        requested_by=world.admin,
    )
    return {"pk": request.pk}


# Everyone logged in, whatever their roles (or none).
ANY_LOGGED_IN = expect(200, anonymous=302)
# A program of `agency`: everyone with a role there reads it.
PROGRAM_READ = expect(200, anonymous=302, outsider_director=404, no_role_user=404)
# Writes to `program` or `agency` (agency admins): in-agency roles 403, outsiders 404.
AGENCY_ADMIN_WRITE = expect(403, anonymous=302, admin=200, outsider_director=404, no_role_user=404)
# Pages of agency admins that show no particular record.
ADMIN_PAGE = expect(403, anonymous=302, admin=200)
# Staff accounts and roles: visible to the admins of their agency only, 404 to everyone else.
STAFF_RECORD_PAGE = expect(404, anonymous=302, admin=200)
STAFF_RECORD_ACTION = expect(404, anonymous=302, admin=302)
# A POST-only view asked with GET: the login check runs first, then 405 for everyone.
POST_ONLY_GET = expect(405, anonymous=302)
# The API: anonymous callers get 403 (session authentication first, so no 401 challenge).
API_ANY_LOGGED_IN = expect(200, anonymous=403)
API_PROGRAM_READ = expect(200, anonymous=403, outsider_director=404, no_role_user=404)
API_PROGRAM_WRITE = expect(403, admin=400, outsider_director=404, no_role_user=404)

# Client records of `program`: its specialists, supervisor and the agency's director read them;
# reviewers and admins never see client identities, so for them (and outsiders) they do not exist.
CLIENT_READ = expect(
    200, anonymous=302, reviewer=404, admin=404, outsider_director=404, no_role_user=404
)
# Writing them: the director reads only (403); everyone who cannot see them gets 404.
CLIENT_WRITE = expect(
    200,
    anonymous=302,
    director=403,
    reviewer=404,
    admin=404,
    outsider_director=404,
    no_role_user=404,
)
CLIENT_ACTION = {
    **CLIENT_WRITE,
    **dict.fromkeys(("specialist", "other_specialist", "supervisor"), 302),
}
# Pages of client work that show no particular record: a role with client access somewhere.
CLIENT_PAGE = expect(200, anonymous=302, reviewer=403, admin=403, no_role_user=403)
# The caseload's filters form (POST): an empty one redirects to the address of the filters.
CASELOAD_POST = {who: 303 if status == 200 else status for who, status in CLIENT_PAGE.items()}
# Adding a client or employer: roles that may write client records somewhere.
CLIENT_NEW = expect(403, anonymous=302, specialist=200, other_specialist=200, supervisor=200)


def client_pk(world: SimpleNamespace) -> dict[str, int]:
    return {"pk": world.client.pk}


def record_pk(name: str) -> Kwargs:
    def kwargs(world: SimpleNamespace) -> dict[str, int]:
        return {"pk": getattr(world, name).pk}

    return kwargs


def client_pages() -> dict[str, Spec]:
    """Every client page: reads, then writes (GET shows the form, an empty POST re-renders it)."""
    rows = {
        # The filters form is sent by POST (a name searched for stays out of the address); an
        # empty one redirects to the bookmarkable address of the other filters.
        "clients:caseload": Spec({"GET": CLIENT_PAGE, "POST": CASELOAD_POST}),
        "clients:new": Spec({"GET": CLIENT_NEW, "POST": CLIENT_NEW}),
        "clients:detail": Spec({"GET": CLIENT_READ}, client_pk),
        "clients:plan": Spec({"GET": CLIENT_READ}, client_pk),
        "clients:contact_quick": Spec({"GET": CLIENT_WRITE, "POST": CLIENT_WRITE}, client_pk),
        "clients:step_done": Spec({"GET": POST_ONLY_GET, "POST": CLIENT_ACTION}, record_pk("step")),
        "employers:list": Spec({"GET": CLIENT_PAGE}),
        "employers:new": Spec({"GET": CLIENT_NEW, "POST": CLIENT_NEW}),
        "employers:detail": Spec({"GET": CLIENT_READ}, record_pk("employer")),
        "employers:edit": Spec({"GET": CLIENT_WRITE, "POST": CLIENT_WRITE}, record_pk("employer")),
        # A specialist's own week; others choose among the specialists they may see.
        "employers:week": Spec({"GET": CLIENT_PAGE}),
        "employers:contact_quick": Spec({"GET": CLIENT_NEW, "POST": CLIENT_NEW}),
        "employers:person_new": Spec(
            {"GET": POST_ONLY_GET, "POST": CLIENT_WRITE}, record_pk("employer")
        ),
        "employers:archive": Spec(
            {"GET": CLIENT_WRITE, "POST": CLIENT_WRITE}, record_pk("employer")
        ),
    }
    for name in (
        "edit",
        "enroll",
        "close",
        "reenroll",
        "archive",
        "profile",
        "goal_new",
        "step_new",
        "education_new",
        "job_new",
        "support_new",
        "benefits_new",
    ):
        rows[f"clients:{name}"] = Spec({"GET": CLIENT_WRITE, "POST": CLIENT_WRITE}, client_pk)
    for name, record in (
        ("contact_edit", "contact"),
        ("job_edit", "job"),
        ("job_end", "job"),
        ("benefits_edit", "referral"),
    ):
        rows[f"clients:{name}"] = Spec(
            {"GET": CLIENT_WRITE, "POST": CLIENT_WRITE}, record_pk(record)
        )
    return rows


API_CLIENT_CREATE = expect(403, anonymous=403, specialist=400, other_specialist=400, supervisor=400)
API_CLIENT_READ = expect(
    404, anonymous=403, specialist=200, other_specialist=200, supervisor=200, director=200
)
API_CLIENT_WRITE = expect(
    404, anonymous=403, specialist=400, other_specialist=400, supervisor=400, director=403
)
API_NOT_ALLOWED = expect(405, anonymous=403)


def client_api() -> dict[str, Spec]:
    """The client-record API: lists are scoped (empty, not refused), records 404 to outsiders."""
    rows: dict[str, Spec] = {}
    records = {
        "client": "client",
        "contact": "contact",
        "job": "job",
        "support": "support",
        "benefits-referral": "referral",
        "employer": "employer",
        "employer-contact": "employer_contact",
    }
    for route, record in records.items():
        rows[f"api:{route}-list"] = Spec({"GET": API_ANY_LOGGED_IN, "POST": API_CLIENT_CREATE})
        write = API_NOT_ALLOWED if route == "support" else API_CLIENT_WRITE
        rows[f"api:{route}-detail"] = Spec(
            {"GET": API_CLIENT_READ, "PUT": write, "PATCH": write, "DELETE": API_NOT_ALLOWED},
            record_pk(record),
        )
        rows[f"api:{route}-archive"] = Spec(
            {"GET": API_NOT_ALLOWED, "POST": API_CLIENT_WRITE}, record_pk(record)
        )
    # People at an employer are changed but never archived: no archive route.
    rows["api:employer-person-list"] = Spec({"GET": API_ANY_LOGGED_IN, "POST": API_CLIENT_CREATE})
    rows["api:employer-person-detail"] = Spec(
        {
            "GET": API_CLIENT_READ,
            "PUT": API_CLIENT_WRITE,
            "PATCH": API_CLIENT_WRITE,
            "DELETE": API_NOT_ALLOWED,
        },
        record_pk("employer_person"),
    )
    return rows


# Supervision: supervisors run it, directors read it, specialists see their own numbers and
# record team meetings. A page of no particular record refuses roles without its capability
# (403, as in every app); another agency's records are not found (404). A director of another
# agency opens the dashboard of their own program.
SUPERVISION_DASHBOARD = expect(200, anonymous=302, reviewer=403, admin=403, no_role_user=403)
SUPERVISION_PAGE = expect(403, anonymous=302, supervisor=200, director=200, outsider_director=200)
SUPERVISION_READ = expect(404, anonymous=302, supervisor=200, director=200)
SUPERVISION_WRITE = expect(403, anonymous=302, supervisor=200)
TEAM_PAGE = expect(200, anonymous=302, reviewer=403, admin=403, no_role_user=403)
TEAM_NEW = {**TEAM_PAGE, **dict.fromkeys(("specialist", "other_specialist", "director"), 403)}
TEAM_NEW["outsider_director"] = 403
TEAM_EDIT = expect(
    404, anonymous=302, specialist=403, other_specialist=403, supervisor=200, director=403
)
SESSION_ARCHIVE = expect(404, anonymous=302, supervisor=200, director=403)
MEETING_NEW = {**TEAM_PAGE, "director": 403, "outsider_director": 403}
API_SESSION_READ = expect(404, anonymous=403, supervisor=200, director=200)
API_SESSION_WRITE = expect(404, anonymous=403, supervisor=400, director=403)


def supervision_routes() -> dict[str, Spec]:
    """The supervision pages and API."""
    session_write = {"GET": API_NOT_ALLOWED, "POST": API_SESSION_WRITE}
    return {
        "supervision:dashboard": Spec({"GET": SUPERVISION_DASHBOARD}),
        # No metric asked for: 400 with a message, once the program check has passed.
        "supervision:drilldown": Spec(
            {
                "GET": {
                    **SUPERVISION_DASHBOARD,
                    **expect(400, anonymous=302, reviewer=403, admin=403, no_role_user=403),
                }
            }
        ),
        "supervision:session_list": Spec({"GET": SUPERVISION_PAGE}),
        "supervision:session_new": Spec({"GET": SUPERVISION_WRITE, "POST": SUPERVISION_WRITE}),
        "supervision:session_detail": Spec({"GET": SUPERVISION_READ}, record_pk("session")),
        "supervision:action_item_done": Spec(
            {
                "GET": POST_ONLY_GET,
                "POST": expect(404, anonymous=302, specialist=302, supervisor=302, director=403),
            },
            record_pk("action_item"),
        ),
        "supervision:action_item_undo": Spec(
            {
                "GET": POST_ONLY_GET,
                "POST": expect(404, anonymous=302, specialist=302, supervisor=302, director=403),
            },
            record_pk("action_item"),
        ),
        # Meeting mode: supervisors run it, directors read it (their own agency's programs).
        "supervision:meeting": Spec({"GET": SUPERVISION_PAGE}),
        # Its writes: an empty item is refused with a message, an empty record saved (no notes).
        "supervision:meeting_item_new": Spec(
            {"GET": POST_ONLY_GET, "POST": expect(403, anonymous=302, supervisor=302)}
        ),
        "supervision:meeting_session_save": Spec(
            {"GET": POST_ONLY_GET, "POST": expect(403, anonymous=302, supervisor=302)}
        ),
        "supervision:team_list": Spec({"GET": TEAM_PAGE}),
        "supervision:team_new": Spec(
            {"GET": {**TEAM_NEW, "supervisor": 200}, "POST": {**TEAM_NEW, "supervisor": 200}}
        ),
        # A team of `program`: its supervisor edits it; others who see it 403, the rest 404.
        "supervision:team_edit": Spec({"GET": TEAM_EDIT, "POST": TEAM_EDIT}, record_pk("team")),
        "supervision:meeting_archive": Spec(
            {"GET": CLIENT_WRITE, "POST": CLIENT_WRITE}, record_pk("meeting")
        ),
        "supervision:session_archive": Spec(
            {"GET": SESSION_ARCHIVE, "POST": SESSION_ARCHIVE}, record_pk("session")
        ),
        "supervision:meeting_list": Spec({"GET": TEAM_PAGE}),
        "supervision:meeting_new": Spec({"GET": MEETING_NEW, "POST": MEETING_NEW}),
        "supervision:meeting_detail": Spec({"GET": CLIENT_READ}, record_pk("meeting")),
        # No program asked for: 400, after the check that the caller may open any dashboard.
        "api:supervision": Spec(
            {"GET": expect(400, anonymous=403, reviewer=403, admin=403, no_role_user=403)}
        ),
        "api:team-meeting-list": Spec({"GET": API_ANY_LOGGED_IN, "POST": API_CLIENT_CREATE}),
        "api:team-meeting-detail": Spec(
            {
                "GET": API_CLIENT_READ,
                "PUT": API_CLIENT_WRITE,
                "PATCH": API_CLIENT_WRITE,
                "DELETE": API_NOT_ALLOWED,
            },
            record_pk("meeting"),
        ),
        "api:team-meeting-archive": Spec(
            {"GET": API_NOT_ALLOWED, "POST": API_CLIENT_WRITE}, record_pk("meeting")
        ),
        "api:supervision-session-list": Spec(
            {"GET": API_ANY_LOGGED_IN, "POST": expect(403, anonymous=403, supervisor=400)}
        ),
        "api:supervision-session-detail": Spec(
            {
                "GET": API_SESSION_READ,
                "PUT": API_SESSION_WRITE,
                "PATCH": API_SESSION_WRITE,
                "DELETE": API_NOT_ALLOWED,
            },
            record_pk("session"),
        ),
        "api:supervision-session-archive": Spec(session_write, record_pk("session")),
    }


def outcome_routes() -> dict[str, Spec]:
    """Outcome numbers: supervisors of the program and the agency's directors; the program's
    other staff 403; everyone else 404. The submission CSV: directors only (their agency's)."""
    api_outcomes = expect(
        403, anonymous=403, supervisor=200, director=200, outsider_director=404, no_role_user=404
    )
    submission = expect(403, anonymous=302, director=200, outsider_director=200, no_role_user=403)
    return {
        "api:outcomes": Spec(
            {"GET": api_outcomes},
            query=lambda world: f"program={world.program.pk}&period=2026-Q1",
        ),
        "outcomes:submission_csv": Spec({"GET": submission}, lambda world: {"period": "2026-Q1"}),
    }


def stored_report(world: SimpleNamespace) -> dict[str, int]:
    """A generated report of `program` (a stand-in file: access does not read it)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from outcomes.models import OutcomeReport

    report = OutcomeReport.objects.filter(program=world.program).first()
    if report is None:
        report = OutcomeReport.objects.create(
            agency=world.agency,
            program=world.program,
            period="2026-Q1",
            kind="quarter",
            status=OutcomeReport.Status.DONE,
            requested_at=timezone.now(),
        )
        report.file.save("matrix.pdf", ContentFile(b"%PDF-1.7\n"))
    return {"pk": report.pk}


def report_routes() -> dict[str, Spec]:
    """Outcome dashboards and reports: supervisors of the program and the agency's directors
    (agency-wide ones: directors only); the program's other staff 403; everyone else 404."""
    page = expect(
        403, anonymous=302, supervisor=200, director=200, outsider_director=404, no_role_user=404
    )
    action = {**page, "supervisor": 302, "director": 302}
    api = expect(
        403, anonymous=403, supervisor=202, director=202, outsider_director=404, no_role_user=404
    )
    scoped = {"scope": "program", "pk": 0}

    def program_kwargs(**extra: str) -> Kwargs:
        return lambda world: {**scoped, "pk": world.program.pk, **extra}

    return {
        # A page of no particular record: any role holding outcomes somewhere.
        "outcomes:reports": Spec(
            {"GET": expect(403, anonymous=302, supervisor=200, director=200, outsider_director=200)}
        ),
        "outcomes:dashboard": Spec({"GET": page}, program_kwargs()),
        "outcomes:report_generate": Spec(
            {"GET": POST_ONLY_GET, "POST": action}, program_kwargs(period="2026-Q1")
        ),
        # The reports page's form; its choice in the query string here.
        "outcomes:report_request": Spec(
            {"GET": POST_ONLY_GET, "POST": action},
            query=lambda world: f"report=program-{world.program.pk}&period=2026-Q1",
        ),
        "outcomes:table_download": Spec(
            {"GET": page}, program_kwargs(period="2026-Q1", table="job-starts")
        ),
        # A stored report: whoever may not read the program's outcomes does not see it at all.
        "outcomes:report_status": Spec(
            {"GET": expect(404, anonymous=302, supervisor=200, director=200)}, stored_report
        ),
        "outcomes:report_download": Spec(
            {"GET": expect(404, anonymous=302, supervisor=200, director=200)}, stored_report
        ),
        # Not generated yet: queued, 202 to poll.
        "api:program-report": Spec(
            {"GET": api}, lambda world: {"pk": world.program.pk, "period": "2026-Q1"}
        ),
        # The whole agency's report is its directors' alone.
        "api:agency-report": Spec(
            {
                "GET": expect(
                    403, anonymous=403, director=202, outsider_director=404, no_role_user=404
                )
            },
            lambda world: {"pk": world.agency.pk, "period": "2026-Q1"},
        ),
    }


# Fidelity reviews of `program`: its supervisor, the agency's director and admin read them, and
# so does the reviewer assigned to them; specialists and outsiders never see them (404).
REVIEW_READ = expect(
    200,
    anonymous=302,
    specialist=404,
    other_specialist=404,
    outsider_director=404,
    no_role_user=404,
)
# Scoring, consensus and sign-off: the review's own reviewers; the other readers 403.
REVIEW_SCORE = {
    **REVIEW_READ,
    **dict.fromkeys(("supervisor", "director", "admin"), 403),
}
# The same, for a permitted action that redirects back to the review.
REVIEW_ACTION = {**REVIEW_SCORE, "reviewer": 302}
# Planning a review: supervisors, directors and admins of the program.
REVIEW_PLAN = expect(
    403,
    anonymous=302,
    supervisor=200,
    director=200,
    admin=200,
    outsider_director=404,
    no_role_user=404,
)
API_REVIEW_READ = {**REVIEW_READ, "anonymous": 403}
API_REVIEW_WRITE = {**API_REVIEW_READ, "reviewer": 400, "supervisor": 403, "director": 403}
API_REVIEW_WRITE["admin"] = 403


def review_kwargs(name: str, **extra: object) -> Kwargs:
    def kwargs(world: SimpleNamespace) -> dict[str, int]:
        return {"pk": getattr(world, name).pk, **extra}  # type: ignore[dict-item]

    return kwargs


def fidelity_routes() -> dict[str, Spec]:
    """The fidelity pages and API. `review` is planned; `final_review` is signed off."""
    planned, final = review_kwargs("review"), review_kwargs("final_review")
    return {
        # Reviewers and the readers of reviews; specialists have none (403 on the list).
        "fidelity:list": Spec(
            {
                "GET": expect(
                    200, anonymous=302, specialist=403, other_specialist=403, no_role_user=403
                )
            }
        ),
        "fidelity:new": Spec(
            {"GET": REVIEW_PLAN, "POST": REVIEW_PLAN}, lambda w: {"program_pk": w.program.pk}
        ),
        "fidelity:history": Spec({"GET": REVIEW_READ}, lambda w: {"program_pk": w.program.pk}),
        "fidelity:detail": Spec({"GET": REVIEW_READ}, planned),
        "fidelity:edit": Spec({"GET": REVIEW_SCORE, "POST": REVIEW_SCORE}, planned),
        "fidelity:score": Spec({"GET": REVIEW_SCORE}, planned),
        "fidelity:score_item": Spec(
            {"GET": POST_ONLY_GET, "POST": REVIEW_SCORE}, review_kwargs("review", number=1)
        ),
        # Refused (not everything scored yet): back to the review with the message.
        "fidelity:open_consensus": Spec({"GET": POST_ONLY_GET, "POST": REVIEW_ACTION}, planned),
        "fidelity:consensus": Spec({"GET": REVIEW_READ}, final),
        "fidelity:agree_item": Spec(
            {"GET": POST_ONLY_GET, "POST": REVIEW_SCORE}, review_kwargs("final_review", number=1)
        ),
        "fidelity:finalise": Spec({"GET": POST_ONLY_GET, "POST": REVIEW_ACTION}, final),
        "fidelity:amend": Spec(
            {"GET": REVIEW_SCORE, "POST": REVIEW_SCORE}, review_kwargs("final_review", number=1)
        ),
        "fidelity:evidence": Spec({"GET": REVIEW_READ}, planned),
        "fidelity:evidence_rows": Spec(
            {"GET": REVIEW_READ}, review_kwargs("review", key="caseload_per_specialist")
        ),
        # No report has been made for `final_review` yet: a reader's download queues it and is
        # answered 202 Accepted (poll the Location) instead of 200; everyone else as before.
        "fidelity:report": Spec(
            {"GET": {p: 202 if status == 200 else status for p, status in REVIEW_READ.items()}},
            final,
        ),
        "api:fidelity-item-list": Spec({"GET": API_ANY_LOGGED_IN}),
        "api:fidelity-item-detail": Spec({"GET": API_ANY_LOGGED_IN}, lambda w: {"number": 1}),
        # Planning needs PLAN_FIDELITY somewhere; refused before the body is validated.
        "api:fidelity-review-list": Spec(
            {
                "GET": API_ANY_LOGGED_IN,
                "POST": expect(403, supervisor=400, director=400, admin=400, outsider_director=400),
            }
        ),
        "api:fidelity-review-detail": Spec(
            {
                "GET": API_REVIEW_READ,
                "PUT": API_REVIEW_WRITE,
                "PATCH": API_REVIEW_WRITE,
                "DELETE": API_NOT_ALLOWED,
            },
            planned,
        ),
        "api:fidelity-review-evidence": Spec({"GET": API_REVIEW_READ}, planned),
    }


def fresh_heartbeat(world: SimpleNamespace) -> dict[str, int]:
    """A worker heartbeat just now (the database and the tests' Redis are up too)."""
    from ips.health import record_heartbeat

    record_heartbeat()
    return {}


# Importing into `program`: its supervisor and the agency's admin; the program's other roles 403,
# everyone else 404 (the program, or the run, does not exist for them).
IMPORT_PAGE = expect(
    403, anonymous=302, supervisor=200, admin=200, outsider_director=404, no_role_user=404
)
IMPORT_ACTION = {**IMPORT_PAGE, "supervisor": 302, "admin": 302}
API_IMPORT_READ = {**IMPORT_PAGE, "anonymous": 403}
# A program's lists as spreadsheets: whoever sees its clients; its other roles 403.
PROGRAM_EXPORT = expect(
    200, anonymous=302, reviewer=403, admin=403, outsider_director=404, no_role_user=404
)


def import_routes() -> dict[str, Spec]:
    """Imports (of `import_run`, a previewed file of one client) and the list exports."""
    run = record_pk("import_run")
    return {
        "imports:start": Spec({"GET": IMPORT_PAGE, "POST": IMPORT_PAGE}, program_pk),
        "imports:detail": Spec({"GET": IMPORT_PAGE}, run),
        "imports:status": Spec({"GET": IMPORT_PAGE}, run),
        "imports:errors": Spec({"GET": IMPORT_PAGE}, run),
        "imports:confirm": Spec({"GET": POST_ONLY_GET, "POST": IMPORT_ACTION}, run),
        "imports:template": Spec(
            {"GET": expect(403, anonymous=302, supervisor=200, admin=200)},
            lambda world: {"kind": "clients", "fmt": "xlsx"},
        ),
        "imports:export": Spec(
            {"GET": PROGRAM_EXPORT},
            lambda world: {"pk": world.program.pk, "name": "jobs", "fmt": "csv"},
        ),
        "imports:caseload_export": Spec({"GET": CLIENT_PAGE}, lambda world: {"fmt": "xlsx"}),
        "imports:employers_export": Spec({"GET": CLIENT_PAGE}, lambda world: {"fmt": "csv"}),
        # Refused before the body is read for roles that import nowhere; an empty body is 400.
        "api:import-list": Spec(
            {"GET": expect(405, anonymous=403), "POST": expect(403, supervisor=400, admin=400)}
        ),
        "api:import-detail": Spec({"GET": API_IMPORT_READ}, run),
        "api:export": Spec(
            {
                "GET": expect(
                    200,
                    anonymous=403,
                    reviewer=403,
                    admin=403,
                    outsider_director=404,
                    no_role_user=403,
                )
            },
            lambda world: {"name": "contacts"},
            query=lambda world: f"format=csv&program={world.program.pk}",
        ),
    }


MATRIX: dict[str, Spec] = {
    **client_pages(),
    **client_api(),
    **supervision_routes(),
    **fidelity_routes(),
    # The health probes: the same answer for everyone, logged in or not (503 when a dependency
    # is down, tests/ips/test_health.py); nothing to send anyone to the login page for.
    "healthz": Spec({"GET": expect(200), "POST": expect(405)}),
    "readyz": Spec({"GET": expect(200), "POST": expect(405)}, fresh_heartbeat),
    # The installable app's manifest, service worker and offline page: nothing of anyone's, the
    # same for everyone (tests/ips/test_views_offline.py).
    "service_worker": Spec({"GET": expect(200), "POST": expect(405)}),
    "web_manifest": Spec({"GET": expect(200), "POST": expect(405)}),
    "offline": Spec({"GET": expect(200), "POST": expect(405)}),
    "home": Spec({"GET": ANY_LOGGED_IN}),
    "login": Spec({"GET": expect(302, anonymous=200)}),
    "logout": Spec({"GET": expect(405), "POST": expect(302)}),
    "password_change": Spec({"GET": ANY_LOGGED_IN, "POST": ANY_LOGGED_IN}),
    "password_change_done": Spec({"GET": ANY_LOGGED_IN}),
    "two_factor_setup": Spec({"GET": ANY_LOGGED_IN, "POST": ANY_LOGGED_IN}),
    # Nobody here has a device yet: the verify page sends them to enrol one.
    "two_factor_verify": Spec({"GET": expect(302), "POST": expect(302)}),
    # Everyone's own notices and notice settings (an empty POST re-renders the form).
    "notices": Spec({"GET": ANY_LOGGED_IN}),
    "notice_count": Spec({"GET": ANY_LOGGED_IN}),
    "notices_read": Spec({"GET": POST_ONLY_GET, "POST": expect(302)}),
    "notice_settings": Spec({"GET": ANY_LOGGED_IN, "POST": ANY_LOGGED_IN}),
    "program_list": Spec({"GET": ANY_LOGGED_IN}),
    "program_detail": Spec({"GET": PROGRAM_READ}, program_pk),
    "program_edit": Spec({"GET": AGENCY_ADMIN_WRITE, "POST": AGENCY_ADMIN_WRITE}, program_pk),
    "minimum_wage_add": Spec({"GET": POST_ONLY_GET, "POST": AGENCY_ADMIN_WRITE}, program_pk),
    "program_create": Spec({"GET": AGENCY_ADMIN_WRITE, "POST": AGENCY_ADMIN_WRITE}, agency_pk),
    "agency_settings": Spec(
        {"GET": AGENCY_ADMIN_WRITE, "POST": AGENCY_ADMIN_WRITE}, agency_settings_pk
    ),
    "staff_list": Spec({"GET": ADMIN_PAGE}),
    "staff_create": Spec({"GET": ADMIN_PAGE, "POST": ADMIN_PAGE}),
    "staff_detail": Spec({"GET": STAFF_RECORD_PAGE}, specialist_pk),
    "staff_password": Spec({"GET": POST_ONLY_GET, "POST": STAFF_RECORD_PAGE}, specialist_pk),
    "staff_set_active": Spec({"GET": POST_ONLY_GET, "POST": STAFF_RECORD_ACTION}, specialist_pk),
    "staff_two_factor_reset": Spec(
        {"GET": POST_ONLY_GET, "POST": STAFF_RECORD_ACTION}, specialist_pk
    ),
    "staff_role_grant": Spec({"GET": POST_ONLY_GET, "POST": STAFF_RECORD_ACTION}, specialist_pk),
    "staff_role_revoke": Spec(
        {"GET": POST_ONLY_GET, "POST": STAFF_RECORD_ACTION}, specialist_role_pk
    ),
    # Privileged roles waiting for a second person: the agency's admins list and decide them.
    "role_request_list": Spec({"GET": ADMIN_PAGE}),
    "role_request_approve": Spec(
        {"GET": POST_ONLY_GET, "POST": STAFF_RECORD_ACTION}, pending_role_request_pk
    ),
    "role_request_reject": Spec(
        {"GET": POST_ONLY_GET, "POST": STAFF_RECORD_ACTION}, pending_role_request_pk
    ),
    "audit_log": Spec({"GET": ADMIN_PAGE}),
    # API tokens: everyone's own page (an empty POST re-renders the form); `api_token` is the
    # specialist's, which only they revoke from their page (everyone else: not found), and an
    # admin of their agency from the staff page.
    "api_tokens": Spec({"GET": ANY_LOGGED_IN, "POST": ANY_LOGGED_IN}),
    "api_token_revoke": Spec(
        {"GET": POST_ONLY_GET, "POST": expect(404, anonymous=302, specialist=302)},
        record_pk("api_token"),
    ),
    "staff_api_tokens": Spec({"GET": ADMIN_PAGE}),
    "staff_api_token_revoke": Spec(
        {"GET": POST_ONLY_GET, "POST": STAFF_RECORD_ACTION}, record_pk("api_token")
    ),
    "api:api-root": Spec({"GET": API_ANY_LOGGED_IN}),
    "api:program-list": Spec(
        # Creating needs an admin role somewhere; refused before the body is validated.
        {"GET": API_ANY_LOGGED_IN, "POST": expect(403, admin=400)}
    ),
    "api:program-detail": Spec(
        {
            "GET": API_PROGRAM_READ,
            "PUT": API_PROGRAM_WRITE,
            "PATCH": API_PROGRAM_WRITE,
            # Programs are never deleted; the route does not answer DELETE for anyone.
            "DELETE": expect(405, anonymous=403),
        },
        program_pk,
    ),
    "api:me": Spec({"GET": API_ANY_LOGGED_IN}),
    "api:schema": Spec({"GET": API_ANY_LOGGED_IN}),
    "api:docs": Spec({"GET": ANY_LOGGED_IN}),
    **outcome_routes(),
    **report_routes(),
    **import_routes(),
}


def _route_names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if not namespace and pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from _route_names(pattern.url_patterns, inner)
        else:
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            yield f"{namespace}:{name}" if namespace else name


def test_every_url_has_matrix_entries() -> None:
    routes = set(_route_names(get_resolver().url_patterns))

    assert routes - set(MATRIX) == set(), "URLs missing from the access matrix"
    assert set(MATRIX) - routes == set(), "matrix rows for URLs that no longer exist"


def test_walk_finds_nested_api_routes() -> None:
    """The walk itself: it must see into the API namespace, or the meta-test proves nothing."""
    routes = set(_route_names(get_resolver().url_patterns))

    assert {"home", "api:program-detail", "api:me"} <= routes
    assert not any(route.startswith("admin:") for route in routes)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[SimpleNamespace]:
    """Every persona and record, so that each case has something to hide: built once for the
    module inside a transaction rolled back at its end. Each case runs in a savepoint of it (as
    with Django's setUpTestData), so what a case writes is gone before the next one."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def _build_world() -> SimpleNamespace:
    world = make_organisation()
    # An ordinary program has a minimum-wage schedule (without one, outcomes answer 409).
    MinimumWageFactory(program=world.program)
    for name in PERSONAS[1:]:
        where = {"program": world.program, "agency": world.agency}
        if name == "outsider_director":
            where = {"agency": world.outsider_agency}
        setattr(world, name, make_persona(name, **where))
    # Names that no other text of any page contains, so a page showing the client is found by
    # them.
    world.client = ClientFactory(
        program=world.program,
        specialist=world.specialist,
        first_name="Quillon",
        last_name="Zebrowska",
    )
    world.employer = EmployerFactory(program=world.program)
    world.contact = ContactFactory(client=world.client, specialist=world.specialist)
    world.job = JobFactory(client=world.client, employer=world.employer)
    world.referral = BenefitsReferralFactory(client=world.client)
    world.support = SupportFactory(client=world.client, specialist=world.specialist)
    world.employer_person = EmployerPersonFactory(employer=world.employer)
    world.employer_contact = EmployerContactFactory(
        employer=world.employer,
        specialist=world.specialist,
        person=world.employer_person,
        clients=[world.client],
    )
    goal = goal_add(client=world.client, text="Work in a bakery")
    world.step = step_add(goal=goal, text="Visit two bakeries", who="client")
    team = TreatmentTeamFactory(program=world.program, specialists=[world.specialist])
    world.team = team
    world.meeting = meeting(
        team=team, recorded_by=world.specialist, discussed=[(world.client, "Wants mornings")]
    )
    world.session = session(
        supervisor=world.supervisor,
        program=world.program,
        items=[(world.specialist, "Two employer visits for the bakery job seeker")],
    )
    world.action_item = world.session.action_items.get()
    world.review, world.final_review = _reviews(world)
    world.api_token, _ = api_token_create(user=world.specialist, name="Matrix")
    world.sessions = {name: _session_of(getattr(world, name)) for name in PERSONAS[1:]}
    world.import_run = import_preview(
        program=world.program,
        kind="clients",
        file_name="clients.csv",
        content=csv_bytes([client_row(1)]),
        actor=world.supervisor,
    )
    return world


def _session_of(user: User) -> str:
    """A logged-in session of `user`, made once for the module (logging in for each of the
    thousands of cases would cost more than the cases); a case's changes to it roll back.

    The session is marked seen and clear of the two-factor gate for the next hour, so that a
    case neither asks the gate again nor writes the session: the matrix is about access; the
    gate and the session limits have tests of their own."""
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    session = client.session
    an_hour_on = time.time() + 3600
    session[SESSION_LAST_SEEN] = session[TWO_FACTOR_CLEAR_UNTIL] = an_hour_on
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _reviews(world: SimpleNamespace) -> tuple[Review, Review]:
    """A planned review of `program` by `reviewer` and a second reviewer, and a signed-off one
    (its agreed scores written directly: the matrix tests access, not the scoring rules)."""
    second = outside_reviewer(world.program)
    planned = plan_review(
        program=world.program, reviewer_a=world.reviewer, reviewer_b=second, actor=world.supervisor
    )
    final = plan_review(program=world.program, reviewer_a=world.reviewer, reviewer_b=second)
    ReviewItem.objects.bulk_create(
        ReviewItem(review=final, item=item, score=4, agreed_score=4) for item in scale_items()
    )
    Review.objects.filter(pk=final.pk).update(status=Review.Status.FINAL)
    final.refresh_from_db()
    return planned, final


def _send(client: Client, method: str, url: str) -> HttpResponse:
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, {})
    return client.generic(method, url, data="{}", content_type="application/json")


CASES = [
    pytest.param(route, method, id=f"{route}-{method}")
    for route, spec in MATRIX.items()
    for method in spec.methods
]


@pytest.mark.parametrize(("route", "method"), CASES)
def test_access(route: str, method: str, world: SimpleNamespace) -> None:
    """Every persona's answer to one route and method. Each persona's request runs in a
    savepoint rolled back afterwards, with an empty cache, as if it were a test of its own; the
    failures of all personas are reported together."""
    spec = MATRIX[route]
    url = reverse(route, kwargs=spec.kwargs(world))
    if spec.query is not None:
        url = f"{url}?{spec.query(world)}"
    failures = [
        failure
        for persona in PERSONAS
        if (failure := _check_persona(spec, method, url, persona, world)) is not None
    ]
    assert not failures, "\n".join(failures)


def _check_persona(
    spec: Spec, method: str, url: str, persona: str, world: SimpleNamespace
) -> str | None:
    """What is wrong with `persona`'s answer, None when it is as expected. What the request
    changed is rolled back, whatever the answer."""
    cache.clear()
    client = Client()
    if persona != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    try:
        with transaction.atomic():
            raise _RolledBack(_problem(spec, method, url, persona, client, world))
    except _RolledBack as done:
        return done.problem


def _problem(
    spec: Spec, method: str, url: str, persona: str, client: Client, world: SimpleNamespace
) -> str | None:
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = _send(client, method, url)
    expected = spec.methods[method][persona]
    said = f"{method} {url} as {persona}"
    if response.status_code != expected:
        return f"{said}: {response.status_code}, expected {expected}"
    if (
        persona == "anonymous"
        and expected == 302
        and not (response["Location"].startswith(reverse("login")))
    ):
        return f"{said}: redirected to {response['Location']}, not to the login page"
    try:
        assert_private_response(response)
    except AssertionError as error:
        return f"{said}: {error}"
    if _shows_client(response, world.client) and world.client.pk not in (
        _clients_read_since(before)
    ):
        return f"{said} shows a client's name without recording the read"
    return None


class _RolledBack(Exception):
    """Leaves a persona's savepoint, undoing what its request changed, with what was wrong."""

    def __init__(self, problem: str | None) -> None:
        super().__init__(problem)
        self.problem = problem


def _shows_client(response: HttpResponse, client: ClientRecord) -> bool:
    """Whether the response carries the client's name (a page, JSON or a file)."""
    if getattr(response, "streaming", False):
        return False  # files (PDF reports) name no client
    return client.last_name.encode() in response.content


def _clients_read_since(event_id: int) -> set[int]:
    """The clients whose reads were recorded after event `event_id`."""
    events = AuditEvent.objects.filter(id__gt=event_id)
    viewed = events.exclude(subject_client_id=None).values_list("subject_client_id", flat=True)
    listed = AuditEventClient.objects.filter(event__in=events).values_list("client_id", flat=True)
    return {*viewed, *listed}


# --- Lists show what the persona may see, and nothing else -------------------------------------

PROGRAM_NAMES = {"Harbor Works", "Bridge Team", "Summit Employment"}
VISIBLE_PROGRAMS = {
    "specialist": {"Harbor Works"},
    "other_specialist": {"Harbor Works"},
    "supervisor": {"Harbor Works"},
    "reviewer": {"Harbor Works"},
    "director": {"Harbor Works", "Bridge Team"},
    "admin": {"Harbor Works", "Bridge Team"},
    "outsider_director": {"Summit Employment"},
    "no_role_user": set(),
}


@pytest.mark.parametrize("persona", list(VISIBLE_PROGRAMS))
def test_program_list_shows_exactly_the_visible_programs(
    persona: str, world: SimpleNamespace, login_as: Callable[[User], Client]
) -> None:
    content = login_as(getattr(world, persona)).get(reverse("program_list")).content.decode()

    shown = {name for name in PROGRAM_NAMES if name in content}
    assert shown == VISIBLE_PROGRAMS[persona]


@pytest.mark.parametrize("persona", list(VISIBLE_PROGRAMS))
def test_api_program_list_returns_exactly_the_visible_programs(
    persona: str, world: SimpleNamespace, login_as: Callable[[User], Client]
) -> None:
    response = login_as(getattr(world, persona)).get(reverse("api:program-list"))

    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == VISIBLE_PROGRAMS[persona]


@pytest.mark.parametrize("persona", list(VISIBLE_PROGRAMS))
def test_home_never_names_another_agency(
    persona: str, world: SimpleNamespace, login_as: Callable[[User], Client]
) -> None:
    content = login_as(getattr(world, persona)).get(reverse("home")).content.decode()

    hidden = PROGRAM_NAMES - VISIBLE_PROGRAMS[persona]
    assert not {name for name in hidden if name in content}
    other_agency = "Riverside Mental Health" if persona == "outsider_director" else "Lakeside"
    assert other_agency not in content


def test_staff_list_shows_own_agency_accounts_only(
    world: SimpleNamespace, login_as: Callable[[User], Client]
) -> None:
    outsider_agency = world.outsider_program.agency
    outsider_colleague = UserFactory(username="oscar.outsider", home_agency=outsider_agency)

    content = login_as(world.admin).get(reverse("staff_list")).content.decode()

    for own in ("sam.specialist", "sue.supervisor", "dan.director", "nora.norole"):
        assert own in content
    assert "rita.reviewer" in content  # an outside reviewer, holding a role in this agency
    assert "olive.outsider" not in content
    assert outsider_colleague.username not in content


def test_audit_page_lists_own_agency_reads_only(
    world: SimpleNamespace, login_as: Callable[[User], Client]
) -> None:
    audit_read(actor=world.specialist, obj=world.program, agency_id=world.agency.pk)
    audit_read(
        actor=world.outsider_director,
        obj=world.outsider_program,
        agency_id=world.outsider_program.agency_id,
    )
    assert AuditEvent.objects.count() == 2

    content = login_as(world.admin).get(reverse("audit_log")).content.decode()

    assert "Sam Specialist" in content
    assert "Olive Outsider" not in content
