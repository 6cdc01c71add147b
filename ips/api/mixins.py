"""Building blocks of the scoped, versioned, audited API resources.

A resource viewset starts from `ScopedViewSet` and picks the mixins it answers:

- reads come from `get_queryset()`, which starts from `Model.objects.visible_to(user)`, so
  outsiders get 404 on every detail route;
- writes check the caller's capability on the record's program (403 for read-only roles; a
  create, for callers who may edit nowhere) before reading any input, parse with an Input
  serializer, call a service and answer with the Output serializer (`serializer_class`);
- updates carry the `version` the caller last read; a stale one is 409 (see `ips.api`);
- there is no DELETE: `archive` soft-deletes with a reason;
- every Input serializer is an `InputSerializer`: a key it does not accept (a typo, or a field
  the resource only shows, such as `id`) is refused with 400 naming it, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ips import access, idempotency, reads
from ips.access import Capability
from ips.models import AuditEvent, Program
from ips.services import record_archive

# --- Serializers shared by every resource -------------------------------------------------------

UNKNOWN_FIELD = "Unknown field."
READ_ONLY_FIELD = "This field is read-only here; leave it out."
# What every input date says of itself in the schema (the range of `ips.calendar`).
DATE_HELP = "A date from 2000-01-01 to the end of next year (ISO 8601)."

# Keys a browser form adds to a form-encoded body (the browsable API's forms), not input.
_FORM_KEYS = frozenset({"csrfmiddlewaretoken"})


class InputSerializer(serializers.Serializer):
    """The base of every Input serializer: a write carries only the fields it accepts.

    Any other key is refused with 400, each named with its own message, beside whatever else is
    wrong with the input: `{"ended_on_typo": ["Unknown field."]}`, or, for a field the resource
    shows but this write does not take (`id`, `version` on a create, `competitive`),
    `{"id": ["This field is read-only here; leave it out."]}`. So a misspelt field is never
    silently dropped: a PATCH carrying only a typo changes nothing, not even the version.

    Nested Input serializers (a meeting's `discussed` rows) check their own keys the same way.
    The fields a resource shows come from the view (`shown_fields` in the context).
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        """The fields, each date saying the range every record's dates are held to (unless it
        says otherwise, as a date of birth does)."""
        fields = super().get_fields()
        for field in fields.values():
            if isinstance(field, serializers.DateField) and not field.help_text:
                field.help_text = DATE_HELP
        return fields

    def to_internal_value(self, data: Any) -> Any:
        refused = self.refused_keys(data)
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if refused and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **refused}) from None
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return value

    def refused_keys(self, data: Any) -> dict[str, list[str]]:
        """The keys of `data` this serializer does not accept, each with why."""
        if not isinstance(data, Mapping):
            return {}  # DRF's own error says a JSON object was expected
        accepted = {name for name, field in self.fields.items() if not field.read_only}
        ignored = _FORM_KEYS if isinstance(data, QueryDict) else frozenset()
        shown = self.context.get("shown_fields", ()) if self.parent is None else ()
        return {
            str(key): [READ_ONLY_FIELD if key in shown else UNKNOWN_FIELD]
            for key in data
            if key not in accepted and key not in ignored
        }


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related id, resolved only within `scope(user)`; anything else is 'invalid' (400).

    Used for the records a write points at (the client of a contact, the employer of a job), so a
    caller cannot attach records to clients or programs outside their reach, and learns nothing
    about whether such an id exists.
    """

    def __init__(self, *, scope: Callable[[Any], QuerySet], not_found: str, **kwargs: Any) -> None:
        self.scope = scope
        kwargs.setdefault("pk_field", serializers.IntegerField())
        super().__init__(**kwargs)
        self.error_messages["does_not_exist"] = not_found

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        return self.scope(request.user if request is not None else AnonymousUser())


class VisibleProgramField(ScopedPrimaryKeyField):
    """A program the caller can see; whether they may add to it is checked after (403)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            scope=Program.objects.visible_to, not_found="Choose one of your programs.", **kwargs
        )


class VersionedInputSerializer(InputSerializer):
    """Input of an update: the changed fields, and the `version` the caller last read.

    The version is required for PATCH too (where every other field is optional).
    """

    version = serializers.IntegerField(
        min_value=1, help_text="The version you last read; a stale one is refused with 409."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "version" not in attrs:
            raise serializers.ValidationError({"version": ["This field is required."]})
        return attrs


class ArchiveInputSerializer(InputSerializer):
    """Input of `archive`: the version last read and why the record is archived."""

    version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=300)


class ArchivedSerializer(serializers.Serializer):
    """What `archive` answers: the record is kept, with when and why it was archived."""

    id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    archived_at = serializers.DateTimeField(read_only=True)
    archive_reason = serializers.CharField(read_only=True)


class StaleVersionSerializer(serializers.Serializer):
    """The 409 answer to a write carrying a stale version; nothing was changed."""

    detail = serializers.CharField()
    current_version = serializers.IntegerField()


class IdFilter(filters.NumberFilter):
    """Filter by a related id. Lists are scoped first, so a foreign id simply matches nothing."""

    field_class = forms.IntegerField


# --- The schema: writes documented with their Input serializers --------------------------------


class InputOutputSchema(AutoSchema):
    """Documents each write with the view's `input_serializers[action]`, answered by its output
    serializer (201 for create; 200 or 409 Conflict for updates)."""

    def get_request_serializer(self) -> Any:
        inputs = getattr(self.view, "input_serializers", {})
        return inputs.get(getattr(self.view, "action", None)) or super().get_request_serializer()

    def get_response_serializers(self) -> Any:
        view_action = getattr(self.view, "action", None)
        output = getattr(self.view, "output_serializers", {}).get(view_action)
        output = output or super().get_response_serializers()
        if view_action == "create":
            return {201: output}
        if view_action in {"update", "partial_update"}:
            return {200: output, 409: StaleVersionSerializer}
        return output


# --- The viewset base and its mixins -----------------------------------------------------------


class ScopedViewSet(viewsets.GenericViewSet):
    """A resource whose records belong to a program (directly or through their client).

    `program_path` leads from a record to its program; writes need `edit_capability` there.
    `input_serializers` maps an action to its Input serializer (parsing and schema);
    `output_serializers` documents an answer that differs from `serializer_class`, such as the
    extra keys of `created_extra`.
    """

    edit_capability: ClassVar[Capability] = Capability.EDIT_CLIENTS
    input_serializers: ClassVar[dict[str, type[serializers.Serializer]]] = {}
    output_serializers: ClassVar[dict[str, type[serializers.Serializer]]] = {}
    schema = InputOutputSchema()

    def program_of(self, instance: Model) -> Program:
        """The record's program (`access.program_of`: the model says how to reach it)."""
        return access.program_of(instance)

    def check_may_edit(self, instance: Model) -> None:
        """403 for callers who may see the record (or they would have had 404) but not change it."""
        access.require(self.request.user, self.edit_capability, program=self.program_of(instance))

    def check_may_edit_somewhere(self) -> None:
        """403 before reading the input of callers who may create records in no program at all."""
        if not access.holds(self.request.user, self.edit_capability):
            raise PermissionDenied("Your role does not allow this change.")

    def parse(
        self, serializer_class: type[serializers.Serializer] | None = None, *, partial: bool = False
    ) -> dict[str, Any]:
        """The request body, validated by `serializer_class` (by default the Input serializer of
        the current action); 400 for bad input, unknown keys included."""
        serializer_class = serializer_class or self.input_serializers[self.action]
        context = {**self.get_serializer_context(), "shown_fields": self.shown_fields()}
        data = serializer_class(data=self.request.data, partial=partial, context=context)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def shown_fields(self) -> frozenset[str]:
        """The fields the resource shows: sent in a write that does not take them, they are
        refused as read-only (see `InputSerializer`)."""
        return frozenset(self.get_serializer_class()().fields)

    def answer(self, instance: Model, *, status: int = 200, **extra: Any) -> Response:
        """The record as `get_queryset()` shapes it (annotations included), plus `extra` keys."""
        fresh = self.get_queryset().get(pk=instance.pk)
        body = {**self.get_serializer(fresh).data, **extra}
        return Response(body, status=status)


class AuditedRetrieveMixin:
    """Retrieve, recording the read (action `api`) of the client the record is about (the model
    says which: `client_id_path`). Lists need nothing: the client querysets record their rows."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()  # type: ignore[attr-defined]
        reads.note_record(instance, action=AuditEvent.Action.API)
        return Response(self.get_serializer(instance).data)  # type: ignore[attr-defined]


class ServiceCreateMixin:
    """Create through a service: 403 for callers who may edit nowhere, then parse and call
    `perform_service_create(data)`.

    With an `Idempotency-Key` header the create happens once per key (`ips.idempotency`): the
    same key sent again with the same input answers 201 with the record first made (and
    `Idempotent-Replayed: true`), with other input 422; a malformed key is 400.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter(
                idempotency.HEADER,
                location=OpenApiParameter.HEADER,
                required=False,
                description=(
                    "Any 1 to 255 printable ASCII characters naming this create (a UUID, say). "
                    "Sent again within 24 hours with the same input, the answer is the record "
                    "first made (header `Idempotent-Replayed: true`), never a second record; "
                    "with other input, 422."
                ),
            )
        ]
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.check_may_edit_somewhere()  # type: ignore[attr-defined]
        try:
            key = idempotency.key_of(request.headers)
        except idempotency.KeyRefused as refused:
            raise serializers.ValidationError({idempotency.HEADER: [refused.message]}) from None
        data = self.parse()  # type: ignore[attr-defined]
        if key is None:
            instance = self.perform_service_create(data)
            return self.answer(instance, status=201, **self.created_extra(instance))  # type: ignore[attr-defined]
        try:
            made, replayed = idempotency.create_once(
                user=request.user,
                key=key,
                path=request.path,
                digest=idempotency.fingerprint(request.path, request.data),
                create=lambda: self.perform_service_create(data),
            )
        except idempotency.KeyRefused as refused:
            return Response({idempotency.HEADER: [refused.message]}, status=422)
        if not replayed:
            return self.answer(made, status=201, **self.created_extra(made))  # type: ignore[arg-type, attr-defined]
        instance = get_object_or_404(self.get_queryset(), pk=made)  # type: ignore[attr-defined]
        reads.note_record(instance, action=AuditEvent.Action.API)
        response = self.answer(instance, status=201)  # type: ignore[attr-defined]
        response["Idempotent-Replayed"] = "true"
        return response

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def created_extra(self, instance: Any) -> dict[str, Any]:
        """Keys added to the 201 answer, such as warnings about possible duplicates."""
        return {}


class VersionedUpdateMixin:
    """PUT and PATCH through a service, refusing a stale `version` (409, nothing changes).

    Order: 404 (not visible), 403 (read-only role), 400 (bad input), 409 (stale), 200.
    """

    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        instance = self.get_object()  # type: ignore[attr-defined]
        self.check_may_edit(instance)  # type: ignore[attr-defined]
        changes = self.parse(partial=partial)  # type: ignore[attr-defined]
        version = changes.pop("version")
        updated = self.perform_service_update(instance, version=version, changes=changes)
        return self.answer(updated)  # type: ignore[attr-defined]

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def perform_service_update(
        self, instance: Any, *, version: int, changes: dict[str, Any]
    ) -> Model:
        raise NotImplementedError


class ArchiveMixin:
    """`POST <resource>/<id>/archive/` with {version, reason}: archived, never deleted.

    The archived record leaves every `visible_to` list; the answer says when and why.
    """

    @extend_schema(
        request=ArchiveInputSerializer,
        responses={200: ArchivedSerializer, 409: StaleVersionSerializer},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        instance = self.get_object()  # type: ignore[attr-defined]
        self.check_may_edit(instance)  # type: ignore[attr-defined]
        data = self.parse(ArchiveInputSerializer)  # type: ignore[attr-defined]
        archived = self.perform_archive(instance, **data)
        return Response(ArchivedSerializer(archived).data)

    def perform_archive(self, instance: Any, *, version: int, reason: str) -> Model:
        """The one archive of the project (`ips.services.record_archive`), as the pages do."""
        return record_archive(
            record=instance,
            version=version,
            reason=reason,
            actor=self.request.user,  # type: ignore[attr-defined]
        )
