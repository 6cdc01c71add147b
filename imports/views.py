"""The import pages of a program (upload, preview, progress, summary, errors as CSV), the
templates to download, and the list exports (CSV or XLSX).

Importing is for the program's supervisor and the agency's admins (`IMPORT_RECORDS`): the
program's other roles get 403, everyone else 404. Exports are for whoever may see the list's
clients; every download is recorded in the audit trail as an export.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from imports import lists, services
from imports.forms import ImportForm
from imports.kinds import KINDS
from imports.models import ImportRun
from ips import pages
from ips.access import Capability
from ips.audit import audit_read
from ips.exports import EXPORT_FORMATS, csv_response, table_response
from ips.forms import add_service_errors
from ips.models import AuditEvent, Program

PLAN_PAGE_SIZE = 100


def _program(request: HttpRequest, pk: int, needs: Capability) -> Program:
    return pages.record_for(request, Program.objects.select_related("agency"), needs=needs, pk=pk)


def _run(request: HttpRequest, pk: int, *, defer_plan: bool = False) -> ImportRun:
    runs = ImportRun.objects.select_related("program", "created_by").defer("content")
    if defer_plan:
        runs = runs.defer("plan")
    return pages.record_for(request, runs, needs=Capability.IMPORT_RECORDS, pk=pk)


@login_required
def program_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a file to preview; the program's recent imports; the templates."""
    program = _program(request, pk, Capability.IMPORT_RECORDS)
    form = ImportForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_preview(
                program=program,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                content=upload.read(),
                actor=request.user,
                encoding=form.cleaned_data["encoding"],
                date_order=form.cleaned_data["date_order"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("imports:detail", pk=run.pk)
    recent = ImportRun.objects.filter(program=program).defer("content", "plan", "errors")[:10]
    context = {"program": program, "form": form, "recent": recent, "kinds": KINDS}
    return render(request, "imports/start.html", context)


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview (every row created, updated or skipped, paged; every error), the progress,
    or the summary of a finished run."""
    run = _run(request, pk)
    # The plan is what the preview would do; once confirmed it only tells the writer which
    # rows were checked.
    plan = run.plan if run.status == ImportRun.Status.PREVIEWED else []
    page = Paginator(plan, PLAN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "imports/run.html", {"run": run, "page": page})


@login_required
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block: htmx polls it while the run is being checked or written. A check
    just done reloads the page, to show the preview."""
    run = _run(request, pk, defer_plan=True)
    if request.htmx and run.status == ImportRun.Status.PREVIEWED:
        page = reverse("imports:detail", args=[pk])
        return HttpResponse(status=204, headers={"HX-Redirect": page})
    return render(request, "imports/_progress.html", {"run": run})


@login_required
@require_POST
def run_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the previewed run (or send again one whose worker died)."""
    run = _run(request, pk)
    services.import_confirm(run=run, actor=request.user)
    return redirect("imports:detail", pk=run.pk)


@login_required
def run_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The errors with the original rows, as CSV (recorded as an export)."""
    run = _run(request, pk)
    columns = list(KINDS[run.kind].all_columns)
    header = ["row", "column", "message", *columns]
    rows = (
        [
            error["row"],
            error["column"],
            error["message"],
            *(error["values"].get(c) for c in columns),
        ]
        for error in run.errors
    )
    _audit_export(request, run, run.program)
    return csv_response(f"import-{run.pk}-errors.csv", header, rows)


@pages.requires(Capability.IMPORT_RECORDS)
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The template of a kind: its columns and an example row (no client data)."""
    if kind not in KINDS or fmt not in EXPORT_FORMATS:
        raise Http404("No such template.")
    spec = KINDS[kind]
    header = list(spec.all_columns)
    rows = [[spec.example.get(column, "") for column in header]]
    return table_response(fmt, f"import-template-{kind}", header, rows)


@pages.requires(Capability.VIEW_CLIENTS)
def caseload_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The caseload with the page's filters, as CSV or XLSX."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    header, rows = lists.caseload_table(request.user, request.GET)
    response = table_response(fmt, "caseload", header, list(rows))
    _audit_agencies(request)
    return response


@pages.requires(Capability.VIEW_CLIENTS)
def employers_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The employers list (every program whose employers the user sees), as CSV or XLSX."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    header, rows = lists.employers_table(request.user)
    response = table_response(fmt, "employers", header, list(rows))
    _audit_agencies(request)
    return response


def _audit_agencies(request: HttpRequest) -> None:
    services.export_audit(actor=request.user, program=None, request=request)


@login_required
def program_export(request: HttpRequest, pk: int, name: str, fmt: str) -> HttpResponse:
    """A program's employers, contacts or jobs as CSV or XLSX."""
    program = _program(request, pk, Capability.VIEW_CLIENTS)
    if name not in lists.PROGRAM_LISTS or fmt not in EXPORT_FORMATS:
        raise Http404("No such list.")
    header, rows = lists.program_table(request.user, program, name)
    response = table_response(fmt, f"{slugify(program.name)}-{name}", header, list(rows))
    services.export_audit(actor=request.user, program=program, request=request)
    return response


def _audit_export(request: HttpRequest, obj: object, program: Program) -> None:
    audit_read(
        actor=request.user,
        obj=obj,  # type: ignore[arg-type]
        agency_id=program.agency_id,
        action=AuditEvent.Action.EXPORT,
        request=request,
    )
