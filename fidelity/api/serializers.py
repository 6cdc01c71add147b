"""Serializers of the fidelity API: the scale, reviews with their item scores, evidence."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from fidelity.models import Item, Review, ReviewItem
from fidelity.selectors import review_total
from ips.api.mixins import (
    InputSerializer,
    ScopedPrimaryKeyField,
    VersionedInputSerializer,
    VisibleProgramField,
)
from ips.models import LONG_TEXT_MAX_LENGTH, Role, User


class FidelityItemSerializer(serializers.ModelSerializer):
    """An item of the scale: `anchors` are the five anchor texts for scores 1..5, in order."""

    section = serializers.CharField(source="section.name", read_only=True)
    anchors = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Item
        fields = ["number", "section", "name", "criterion", "anchors"]


class AmendmentSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    previous_score = serializers.IntegerField()
    reason = serializers.CharField()
    by = serializers.CharField()
    at = serializers.DateTimeField()


class ReviewItemSerializer(serializers.ModelSerializer):
    """An item's agreed score (None until agreed), the score signed off, and amendments."""

    number = serializers.IntegerField(source="item.number", read_only=True)
    name = serializers.CharField(source="item.name", read_only=True)
    amendments = AmendmentSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewItem
        fields = [
            "number",
            "name",
            "score",
            "agreed_score",
            "rationale",
            "recommendation",
            "amendments",
        ]


class FidelityReviewSerializer(serializers.ModelSerializer):
    """A review: `status` is planned, scoring, consensus or final; `total` (25-125) and `band`
    once every item has an agreed score; `items` are the agreed item scores."""

    program = serializers.PrimaryKeyRelatedField(read_only=True)
    scale = serializers.CharField(source="scale.code", read_only=True)
    total = serializers.SerializerMethodField()
    band = serializers.SerializerMethodField()
    items = ReviewItemSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "program",
            "kind",
            "status",
            "total",
            "band",
            "strengths",
            "recommendations",
            "items",
            "scale",
            "window_start",
            "window_end",
            "reviewer_a",
            "reviewer_b",
            "version",
        ]
        read_only_fields = fields

    def get_total(self, review: Review) -> int | None:
        return review_total(review).total

    def get_band(self, review: Review) -> str:
        return review_total(review).band


def _program_reviewers(user: Any) -> Any:
    return User.objects.filter(roles__role=Role.REVIEWER, is_active=True).distinct()


class ReviewCreateSerializer(InputSerializer):
    program = VisibleProgramField()
    kind = serializers.ChoiceField(choices=Review.Kind.choices)
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    reviewer_a = ScopedPrimaryKeyField(
        scope=_program_reviewers, not_found="Choose a fidelity reviewer of the program."
    )
    reviewer_b = ScopedPrimaryKeyField(
        scope=_program_reviewers, not_found="Choose a fidelity reviewer of the program."
    )


class ReviewUpdateSerializer(VersionedInputSerializer):
    kind = serializers.ChoiceField(choices=Review.Kind.choices, required=False)
    window_start = serializers.DateField(required=False)
    window_end = serializers.DateField(required=False)
    strengths = serializers.CharField(
        max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True
    )
    recommendations = serializers.CharField(
        max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True
    )


class IndicatorSerializer(serializers.Serializer):
    """One evidence indicator: `value` is None when the window has no data (or the records are
    not kept); `suggested` is the score its anchors suggest, never a score given."""

    item = serializers.IntegerField()
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    display = serializers.CharField()
    suggested = serializers.IntegerField(allow_null=True)
    detail = serializers.CharField()
    available = serializers.BooleanField()
    rows_url = serializers.CharField(allow_null=True)
