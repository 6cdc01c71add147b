"""Reads of fidelity reviews: totals and bands, the scoring and consensus pages, history, report.

Who sees a reviewer's own scores: before consensus only their author (independent scoring);
from consensus on, everyone who may read the review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Sum

from fidelity import evidence
from fidelity.models import (
    BANDS,
    ITEM_COUNT,
    MAX_TOTAL,
    Amendment,
    Item,
    Review,
    ReviewerScore,
    ReviewItem,
    band_for,
)
from ips.models import Program, User


@dataclass(frozen=True)
class Total:
    """A review's total (25-125) and band; None and "" until every item has a score."""

    total: int | None
    band: str
    scored: int


def review_total(review: Review) -> Total:
    """The sum of the item scores that count (agreed, or amended), once all 25 are scored."""
    scored_total = getattr(review, "scored_total", None)
    scored = getattr(review, "scored_items", None)
    if scored is None:
        row = ReviewItem.objects.filter(review=review, score__isnull=False).aggregate(
            total=Sum("score"), count=Count("id")
        )
        scored_total, scored = row["total"], row["count"] or 0
    total = scored_total if scored == ITEM_COUNT else None
    return Total(total=total, band=band_for(total), scored=scored)


def can_see_reviewer_scores(review: Review) -> bool:
    """Both reviewers' scores are shown side by side once the review is at consensus."""
    return review.status in (Review.Status.CONSENSUS, Review.Status.FINAL)


@dataclass
class ScoringRow:
    item: Item
    own: ReviewerScore | None
    evidence: Any = None


@dataclass
class SectionRows:
    name: str
    rows: list[Any] = field(default_factory=list)


def scoring_rows(*, review: Review, reviewer: User) -> list[SectionRows]:
    """The scoring page of one reviewer: every item grouped by section, with their own score
    only (never the other reviewer's)."""
    own = {
        score.item_id: score
        for score in ReviewerScore.objects.filter(review=review, reviewer=reviewer)
    }
    return _by_section(review, lambda item: ScoringRow(item=item, own=own.get(item.pk)))


def _by_section(review: Review, build: Any) -> list[SectionRows]:
    sections: dict[int, SectionRows] = {}
    items = Item.objects.filter(scale_id=review.scale_id).select_related("section")
    for item in items.order_by("number"):
        section = sections.setdefault(item.section_id, SectionRows(name=item.section.name))
        section.rows.append(build(item))
    return list(sections.values())


@dataclass
class ConsensusRow:
    item: Item
    score_a: ReviewerScore | None
    score_b: ReviewerScore | None
    agreed: ReviewItem | None
    amendments: list[Amendment] = field(default_factory=list)
    evidence: Any = None

    @property
    def disagree(self) -> bool:
        return bool(self.score_a and self.score_b and self.score_a.score != self.score_b.score)


def consensus_rows(*, review: Review) -> list[SectionRows]:
    """Both reviewers' scores side by side, the agreed score and any amendments, per section.
    Call only once `can_see_reviewer_scores(review)`."""
    scores: dict[tuple[int, int], ReviewerScore] = {
        (score.item_id, score.reviewer_id): score
        for score in ReviewerScore.objects.filter(review=review)
    }
    agreed = {
        row.item_id: row
        for row in ReviewItem.objects.filter(review=review).prefetch_related("amendments__by")
    }

    def build(item: Item) -> ConsensusRow:
        row = agreed.get(item.pk)
        return ConsensusRow(
            item=item,
            score_a=scores.get((item.pk, review.reviewer_a_id)),
            score_b=scores.get((item.pk, review.reviewer_b_id)),
            agreed=row,
            amendments=list(row.amendments.all()) if row else [],
        )

    return _by_section(review, build)


def section_totals(review: Review) -> dict[str, int]:
    """The sum of the counting scores per section (for the history chart)."""
    rows = (
        ReviewItem.objects.filter(review=review)
        .values("item__section__name", "item__section__position")
        .annotate(total=Sum("score"))
        .order_by("item__section__position")
    )
    return {row["item__section__name"]: row["total"] or 0 for row in rows}


@dataclass(frozen=True)
class HistoryPoint:
    review: Review
    total: int | None
    band: str
    sections: dict[str, int]


def program_history(*, program: Program, reviews: Any) -> list[HistoryPoint]:
    """The program's final reviews, oldest first, with totals per section (two queries)."""
    finals = list(
        reviews.filter(program=program, status=Review.Status.FINAL)
        .with_total()
        .order_by("window_end", "id")
    )
    rows = (
        ReviewItem.objects.filter(review__in=[review.pk for review in finals])
        .values("review_id", "item__section__name", "item__section__position")
        .annotate(total=Sum("score"))
        .order_by("item__section__position")
    )
    sections: dict[int, dict[str, int]] = {}
    for row in rows:
        sections.setdefault(row["review_id"], {})[row["item__section__name"]] = row["total"] or 0
    points = []
    for review in finals:
        total = review_total(review)
        points.append(HistoryPoint(review, total.total, total.band, sections.get(review.pk, {})))
    return points


@dataclass(frozen=True)
class ChartLine:
    name: str
    colour: str
    points: str  # SVG polyline points
    dots: list[tuple[float, float, str]]


@dataclass(frozen=True)
class Chart:
    """The history chart: lines, x labels (review dates) and the band edges of the total."""

    lines: list[ChartLine]
    labels: list[tuple[float, str]]
    bands: list[tuple[float, str]]
    width: int
    height: int


CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_PAD = 320, 170, 34, 18
COLOURS = ("#0d6efd", "#198754", "#b02a87", "#b35900")
# Every item scores at least 1 of 5, so the axis starts at 20 % of the maximum.
CHART_FLOOR = 0.2


def _chart_y(share: float) -> float:
    span = CHART_HEIGHT - 2 * CHART_PAD
    return round(CHART_HEIGHT - CHART_PAD - (share - CHART_FLOOR) / (1 - CHART_FLOOR) * span, 1)


def history_chart(points: list[HistoryPoint]) -> Chart | None:
    """The total and each section as a share of its maximum (so a section of 3 items and one
    of 14 share one axis), one x step per review, with the total's band edges drawn."""
    if not points:
        return None
    maxima = _section_maxima(points[-1].review)
    step = (CHART_WIDTH - CHART_LEFT - CHART_PAD) / max(len(points) - 1, 1)
    xs = [round(CHART_LEFT + index * step, 1) for index in range(len(points))]

    def line(index: int, name: str, values: list[tuple[int | None, int]]) -> ChartLine:
        dots = [
            (xs[i], _chart_y(value / maximum), f"{name}: {value} of {maximum}")
            for i, (value, maximum) in enumerate(values)
            if value is not None and maximum
        ]
        points_text = " ".join(f"{x},{y}" for x, y, _ in dots)
        return ChartLine(name, COLOURS[index % len(COLOURS)], points_text, dots)

    lines = [line(0, "Total", [(point.total, MAX_TOTAL) for point in points])]
    for index, (name, maximum) in enumerate(maxima.items(), start=1):
        lines.append(line(index, name, [(point.sections.get(name), maximum) for point in points]))
    labels = [(x, f"{point.review.window_end:%Y-%m}") for x, point in zip(xs, points, strict=True)]
    bands = [(_chart_y(edge / MAX_TOTAL), name.split()[0]) for edge, name in BANDS[:3]]
    return Chart(lines, labels, bands, CHART_WIDTH, CHART_HEIGHT)


def _section_maxima(review: Review) -> dict[str, int]:
    rows = (
        Item.objects.filter(scale_id=review.scale_id)
        .values("section__name", "section__position")
        .annotate(items=Count("id"))
        .order_by("section__position")
    )
    return {row["section__name"]: row["items"] * 5 for row in rows}


@dataclass(frozen=True)
class DiffRow:
    number: int
    name: str
    before: int | None
    after: int | None

    @property
    def change(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def review_difference(*, earlier: Review, later: Review) -> list[DiffRow]:
    """Item by item, the score that counts in each of two reviews (matched by item number, so
    reviews on different editions of the scale still compare)."""
    scores: dict[int, dict[int, tuple[str, int | None]]] = {}
    rows = ReviewItem.objects.filter(review__in=[earlier.pk, later.pk]).values(
        "review_id", "item__number", "item__name", "score"
    )
    for row in rows:
        scores.setdefault(row["item__number"], {})[row["review_id"]] = (
            row["item__name"],
            row["score"],
        )
    diff = []
    for number in sorted(scores):
        by_review = scores[number]
        name = next(iter(by_review.values()))[0]
        diff.append(
            DiffRow(
                number=number,
                name=name,
                before=by_review.get(earlier.pk, ("", None))[1],
                after=by_review.get(later.pk, ("", None))[1],
            )
        )
    return diff


def report_context(*, review: Review) -> dict[str, Any]:
    """What the report PDF shows: item scores with rationale and recommendation, total and band,
    strengths, recommendations and the evidence indicators used."""
    return {
        "review": review,
        "total": review_total(review),
        "sections": consensus_rows(review=review),
        "section_totals": section_totals(review),
        "evidence": evidence.review_evidence(review=review),
    }
