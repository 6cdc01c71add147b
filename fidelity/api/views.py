"""The fidelity API: the scale (`fidelity-items`) and reviews (`fidelity-reviews`) under /api/v1/.

Reviews are scoped by `Review.objects.visible_to(user)` (outsiders and specialists get 404).
Planning needs PLAN_FIDELITY in the program; changing a review is for its two reviewers (403
for other readers); a signed-off review refuses edits in place with 400 and says to amend.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Prefetch, QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fidelity import evidence, services
from fidelity.api.serializers import (
    FidelityItemSerializer,
    FidelityReviewSerializer,
    IndicatorSerializer,
    ReviewCreateSerializer,
    ReviewUpdateSerializer,
)
from fidelity.models import Amendment, Item, Review, ReviewItem
from ips import access
from ips.access import Capability
from ips.api.mixins import ScopedViewSet, ServiceCreateMixin, VersionedUpdateMixin


class FidelityItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The items of the fidelity scale (the current edition, or `?scale=2008`), by number."""

    serializer_class = FidelityItemSerializer
    lookup_field = "number"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Item]:
        items = Item.objects.select_related("section").order_by("number")
        code = self.request.query_params.get("scale")
        return items.filter(scale__code=code) if code else items.filter(scale__is_current=True)


class FidelityReviewViewSet(
    ServiceCreateMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ScopedViewSet,
):
    serializer_class = FidelityReviewSerializer
    edit_capability = Capability.PLAN_FIDELITY
    input_serializers = {
        "create": ReviewCreateSerializer,
        "update": ReviewUpdateSerializer,
        "partial_update": ReviewUpdateSerializer,
    }

    def get_queryset(self) -> QuerySet[Review]:
        items = ReviewItem.objects.select_related("item").prefetch_related(
            Prefetch("amendments", queryset=Amendment.objects.select_related("by"))
        )
        return (
            Review.objects.visible_to(self.request.user)
            .for_list()
            .prefetch_related(Prefetch("items", queryset=items))
            .order_by("-window_end", "-id")
        )

    def check_may_edit(self, instance: Model) -> None:
        """Only the review's two reviewers change it (403 for the other readers)."""
        if not instance.is_reviewer(self.request.user):  # type: ignore[attr-defined]
            raise PermissionDenied("Only the review's two reviewers can change it.")

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        access.require(self.request.user, Capability.PLAN_FIDELITY, program=data["program"])
        return services.review_plan(actor=self.request.user, **data)

    def perform_service_update(
        self, instance: Any, *, version: int, changes: dict[str, Any]
    ) -> Model:
        return services.review_update(review=instance, version=version, changes=changes)

    @extend_schema(responses=IndicatorSerializer(many=True))
    @action(detail=True, methods=["get"])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        """The evidence indicators computed over the review window, per item."""
        review = self.get_object()
        rows = []
        for found in evidence.review_evidence(review=review):
            url = None
            if found.has_rows:
                url = reverse("fidelity:evidence_rows", args=[review.pk, found.key])
            rows.append({**found.__dict__, "rows_url": url})
        return Response(IndicatorSerializer(rows, many=True).data)
