"""Fidelity reviews on the IPS Supported Employment Fidelity Scale.

The scale is data, not code: a `ScaleVersion` ("2008") holds its `Section`s and 25 `Item`s, each
with five anchors (what a score of 1..5 looks like). A correction of the scale is a new version;
a `Review` keeps the version it was scored on, so a later edition never rewrites old reviews.

A review runs planned → scoring → consensus → final. Each of the two reviewers scores every item
alone (`ReviewerScore`); at consensus they agree one score per item (`ReviewItem`); sign-off
locks it. A later correction is an `Amendment` (who, when, why); the agreed score stays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from ips import access
from ips.constraints import ChecksInPython
from ips.models import LONG_TEXT_MAX_LENGTH, PlausibleDates, User, bounded_text
from ips.pdf import StoredPdf

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


SCORES = (1, 2, 3, 4, 5)
ITEM_COUNT = 25
MIN_TOTAL, MAX_TOTAL = 25, 125

# The bands of the total (inclusive lower edges), from the highest down.
BANDS = (
    (115, "Exemplary fidelity"),
    (100, "Good fidelity"),
    (74, "Fair fidelity"),
    (25, "Not supported employment"),
)


def band_for(total: int | None) -> str:
    """The fidelity band of a total: 115-125 exemplary, 100-114 good, 74-99 fair, 25-73 not
    supported employment. "" when there is no complete total yet."""
    if total is None or not MIN_TOTAL <= total <= MAX_TOTAL:
        return ""
    return next(name for edge, name in BANDS if total >= edge)


class ScaleVersion(models.Model):
    """One edition of the fidelity scale. Never edited once a review uses it."""

    code = models.CharField(max_length=20, unique=True, help_text='For example "2008".')
    title = models.CharField(max_length=200)
    is_current = models.BooleanField(
        default=False, help_text="New reviews are scored on the current edition."
    )

    class Meta:
        ordering = ["-code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_scale"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    """Staffing (items 1-3), Organization (4-11), Services (12-25)."""

    scale = models.ForeignKey(ScaleVersion, on_delete=models.PROTECT, related_name="sections")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "position"], name="section_position_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """One item of the scale, with what a score of 1, 2, 3, 4 and 5 looks like."""

    scale = models.ForeignKey(ScaleVersion, on_delete=models.PROTECT, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="items")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    criterion = models.TextField(help_text="What full fidelity (a 5) means.")
    anchor_1 = models.TextField()
    anchor_2 = models.TextField()
    anchor_3 = models.TextField()
    anchor_4 = models.TextField()
    anchor_5 = models.TextField()

    class Meta:
        ordering = ["scale", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "number"], name="item_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def anchors(self) -> list[str]:
        """The five anchor texts, for scores 1..5 in order."""
        return [self.anchor_1, self.anchor_2, self.anchor_3, self.anchor_4, self.anchor_5]


class ReviewQuerySet(models.QuerySet["Review"]):
    def visible_to(self, user: User | AnonymousUser) -> ReviewQuerySet:
        """Reviews the user may read: every review of the programs where they read fidelity
        (the program's supervisor, the agency's director and admin), and, for reviewers, the
        reviews they are assigned to (as reviewer or observer). Specialists see none."""

        readers = access.program_ids_for(user, access.Capability.VIEW_FIDELITY)
        scorers = access.program_ids_for(user, access.Capability.SCORE_FIDELITY)
        if not access.is_active_user(user):
            return self.none()
        assigned = (
            Q(reviewer_a=user)
            | Q(reviewer_b=user)
            | Q(id__in=Review.observers.through.objects.filter(user=user).values("review_id"))
        )
        return self.filter(Q(program_id__in=readers) | (Q(program_id__in=scorers) & assigned))

    def for_list(self) -> ReviewQuerySet:
        """The review list: program, reviewers and the total in one query."""
        return self.select_related("program", "reviewer_a", "reviewer_b", "scale").with_total()

    def with_total(self) -> ReviewQuerySet:
        """`scored_total` (sum of the agreed, possibly amended, item scores) and `scored_items`
        (how many items have one): a total only counts once all items are scored."""
        return self.annotate(
            scored_total=models.Sum("items__score"),
            scored_items=models.Count("items__score"),
        )


class Review(ChecksInPython, PlausibleDates, models.Model):
    """A fidelity review of a program over a window, by two reviewers."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", "Baseline"
        FOLLOW_UP = "follow_up", "Follow-up"
        ANNUAL = "annual", "Annual"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        SCORING = "scoring", "Scoring"
        CONSENSUS = "consensus", "Consensus"
        FINAL = "final", "Final"

    program = models.ForeignKey(
        "ips.Program", on_delete=models.PROTECT, related_name="fidelity_reviews"
    )
    scale = models.ForeignKey(ScaleVersion, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    window_start = models.DateField("Review window from")
    window_end = models.DateField("Review window to")
    reviewer_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewer_b = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    observers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="observed_fidelity_reviews"
    )
    strengths = bounded_text(blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    recommendations = bounded_text(
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        help_text="Overall recommendations; item-level ones go with each item.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["program", "-window_end", "-id"]
        constraints = [
            models.CheckConstraint(
                name="review_window_ordered",
                condition=Q(window_end__gte=models.F("window_start")),
                violation_error_message="The window must end on or after its first day.",
            ),
            models.CheckConstraint(
                name="review_two_reviewers",
                condition=~Q(reviewer_a=models.F("reviewer_b")),
                violation_error_message="The two reviewers must be different people.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} review of {self.program} ({self.window_end:%Y-%m-%d})"

    def is_reviewer(self, user: object) -> bool:
        user_id = getattr(user, "pk", None)
        return user_id is not None and user_id in (self.reviewer_a_id, self.reviewer_b_id)

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL


class ReviewerScore(ChecksInPython, models.Model):
    """One reviewer's own score of one item, with the rationale. Seen only by its author until
    the review reaches consensus."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="reviewer_scores")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rationale = bounded_text(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["review", "item__number", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "item", "reviewer"], name="reviewer_score_once"
            ),
            models.CheckConstraint(
                name="reviewer_score_1_to_5", condition=Q(score__gte=1, score__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.number}: {self.score}"


class ReviewItem(ChecksInPython, models.Model):
    """The agreed (consensus) score of one item, with its rationale and recommendation.

    Created for every item when consensus opens: pre-filled where both reviewers gave the same
    score, empty (to be agreed) where they differ. Sign-off copies `score` into `agreed_score`,
    which never changes again; an amendment changes `score` and records the previous one.
    """

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="items")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="The score that counts: the agreed one, or the latest amendment's.",
    )
    agreed_score = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="The score as signed off; never changes."
    )
    # Where both reviewers gave the same score, their two rationales joined.
    rationale = bounded_text(blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    recommendation = bounded_text(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["review", "item__number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="review_item_once"),
            models.CheckConstraint(
                name="review_item_score_1_to_5",
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.number}: {self.score}"


class Amendment(ChecksInPython, models.Model):
    """A correction of a final review's item score: who, when and why. The signed-off score
    stays on its `ReviewItem` (`agreed_score`); the amendment's score is the one that counts."""

    review_item = models.ForeignKey(ReviewItem, on_delete=models.PROTECT, related_name="amendments")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    previous_score = models.PositiveSmallIntegerField()
    reason = bounded_text()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                name="amendment_score_1_to_5", condition=Q(score__gte=1, score__lte=5)
            ),
            models.CheckConstraint(name="amendment_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.previous_score} → {self.score}"


class ReviewReport(StoredPdf):
    """The stored report PDF of a signed-off review: one per review, its id the review's.

    Queued when the sign-off (or an amendment) commits, or by a download when there is none;
    rendered again after each amendment, the new file swapped in so a download always gets a
    complete report.
    """

    render_task = "fidelity.tasks.review_report_task"

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, primary_key=True, related_name="stored_report"
    )
    file = models.FileField(upload_to="fidelity/reports/", blank=True)

    def __str__(self) -> str:
        return f"Report of fidelity review {self.review_id} ({self.get_status_display()})"

    def file_stem(self) -> str:
        return f"fidelity-review-{self.review_id}"

    def download_name(self) -> str:
        return f"fidelity-review-{self.review_id}.pdf"

    def export_subject(self) -> tuple[models.Model, int]:
        """Downloads are recorded against the review, as they were before reports had rows."""
        return self.review, self.review.program.agency_id
