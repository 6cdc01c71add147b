"""The imports API: `POST /api/v1/imports/` (multipart: kind, program, file, commit) previews a
file (`commit=false`) or imports it (`commit=true`); `GET /api/v1/imports/ID/` polls a run (a
large file answers `checking` first, while the worker checks it, then goes on by itself). And
`GET /api/v1/exports/<list>/?format=csv|xlsx` takes a list out (caseload, employers, contacts,
jobs; `program=ID` for all but the caseload).

Importing is for the program's supervisor and the agency's admins: the program's other roles
get 403, anyone else 404 for the program or the run.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from imports import lists, services
from imports.cells import DATE_ORDERS
from imports.files import ENCODINGS
from imports.models import ImportRun, Kind
from ips import access
from ips.access import Capability
from ips.api.mixins import InputSerializer, ScopedViewSet
from ips.api.negotiation import JSONAnswers
from ips.api.parsers import RequestTooLarge
from ips.exports import EXPORT_FORMATS, XLSX_TYPE, table_response
from ips.models import Program


class UploadParser(parsers.MultiPartParser):
    """A multipart body up to the largest importable file (plus room for the other fields)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        declared = int(getattr(request, "META", {}).get("CONTENT_LENGTH") or 0)
        if declared > settings.IMPORT_MAX_BYTES + 65_536:
            raise RequestTooLarge
        return super().parse(stream, media_type, parser_context)


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row's number in the spreadsheet (header: 1).")
    column = serializers.CharField(help_text="The column at fault (empty for the whole row).")
    message = serializers.CharField()


class ImportRunSerializer(serializers.ModelSerializer):
    program = serializers.PrimaryKeyRelatedField(read_only=True)
    errors = serializers.SerializerMethodField()

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "kind",
            "program",
            "status",
            "rows",
            "created",
            "updated",
            "skipped",
            "errors",
        ]
        read_only_fields = fields

    def get_errors(self, run: ImportRun) -> list[dict[str, Any]]:
        """Row, column and message of each error (the original rows: the errors CSV page)."""
        keys = ("row", "column", "message")
        return [{key: error[key] for key in keys} for error in run.errors]

    get_errors.__annotations__["return"] = ImportErrorSerializer(many=True)  # type: ignore[index]


class ImportInputSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    program = serializers.IntegerField(min_value=1)
    file = serializers.FileField(allow_empty_file=True)
    commit = serializers.BooleanField(
        default=False,
        help_text="false: preview only (nothing written); true: import. A file too large to "
        "check at once answers `checking` and goes on by itself: poll the run.",
    )
    encoding = serializers.ChoiceField(choices=list(ENCODINGS.items()), default="auto")
    date_order = serializers.ChoiceField(choices=list(DATE_ORDERS.items()), default="mdy")


class ImportRunViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = ImportRunSerializer
    edit_capability = Capability.IMPORT_RECORDS
    input_serializers = {"create": ImportInputSerializer}
    parser_classes = [UploadParser]

    def get_queryset(self) -> Any:
        return ImportRun.objects.visible_to(self.request.user).defer("content", "plan")

    def get_object(self) -> ImportRun:
        run = super().get_object()
        self.check_may_edit(run)
        return run

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer}, responses={201: ImportRunSerializer}
    )
    def create(self, request: Request) -> Response:
        """Preview (`commit=false`) or import (`commit=true`) a file into a program."""
        self.check_may_edit_somewhere()
        data = self.parse()
        program = Program.objects.visible_to(request.user).filter(pk=data["program"]).first()
        if program is None:
            raise Http404("No such program.")
        access.require(request.user, Capability.IMPORT_RECORDS, program=program)
        upload = data["file"]
        try:
            run = services.import_preview(
                program=program,
                kind=data["kind"],
                file_name=upload.name,
                content=upload.read(),
                actor=request.user,
                encoding=data["encoding"],
                date_order=data["date_order"],
                commit=data["commit"],
            )
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        # A large file is still being checked (`checking`): the worker confirms it when done.
        if data["commit"] and run.status == ImportRun.Status.PREVIEWED:
            run = services.import_confirm(run=run, actor=request.user)
        return Response(ImportRunSerializer(run).data, status=status.HTTP_201_CREATED)


EXPORT_LISTS = ("caseload", "employers", "contacts", "jobs")


class ExportView(APIView):
    # The file is a Django response of its own; every other answer (400, 403, 404) is JSON,
    # whatever `?format=` or the Accept header asks for.
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONAnswers

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=list(EXPORT_FORMATS), required=True),
            OpenApiParameter("program", int, description="The program (all but the caseload)."),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request: Request, name: str) -> HttpResponse | Response:
        """A list as CSV or XLSX, every cell safe to open in a spreadsheet (audited as an
        export). The caseload takes the caseload page's filters."""
        fmt = request.query_params.get("format", "")
        if name not in EXPORT_LISTS or fmt not in EXPORT_FORMATS:
            raise Http404("No such export.")
        if not access.holds(request.user, Capability.VIEW_CLIENTS):
            return Response({"detail": "Your role does not include client lists."}, status=403)
        if name == "caseload":
            header, rows = lists.caseload_table(request.user, request.query_params)
            return _exported(request, fmt, name, header, rows, None)
        program = _program(request)
        header, rows = lists.program_table(request.user, program, name)
        return _exported(request, fmt, f"program-{program.pk}-{name}", header, rows, program)


def _program(request: Request) -> Program:
    raw = request.query_params.get("program", "")
    program = None
    if raw.isdigit():
        program = Program.objects.visible_to(request.user).filter(pk=int(raw)).first()
    if program is None:
        raise Http404("No such program.")
    access.require(request.user, Capability.VIEW_CLIENTS, program=program)
    return program


def _exported(
    request: Request, fmt: str, stem: str, header: Any, rows: Any, program: Program | None
) -> HttpResponse:
    response = table_response(fmt, stem, header, list(rows))
    services.export_audit(actor=request.user, program=program, request=request)
    return response


export_view = ExportView.as_view()
