"""Fidelity review pages: list, planning, scoring, consensus, sign-off, amendments, evidence,
history and the report.

Who may do what (`ips.access` RULES): the program's supervisor and the agency's director and
admin read every review of the program and plan new ones; the two reviewers of a review score
it, agree it and sign it off; observers read it. Specialists see no reviews. Outsiders get 404,
readers trying to score 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fidelity import evidence, selectors, services
from fidelity.forms import (
    AgreeForm,
    AmendForm,
    FinaliseForm,
    ReviewEditForm,
    ReviewPlanForm,
    ScoreForm,
)
from fidelity.models import Item, Review, ReviewerScore, ReviewItem, ReviewReport
from ips import access, pages
from ips.access import Capability
from ips.forms import add_service_errors
from ips.models import Program
from ips.pdf import pdf_download, preparing_page
from ips.versioning import Difference, StaleVersionError, show_stale


def _review_for(request: HttpRequest, pk: int) -> Review:
    """The review if the user may read it, else 404."""
    return pages.record_for(
        request,
        Review.objects.select_related("program", "scale", "reviewer_a", "reviewer_b"),
        pk=pk,
    )


def _scoring_review(request: HttpRequest, pk: int) -> Review:
    """The review if the user is one of its two reviewers (other readers 403)."""
    review = _review_for(request, pk)
    if not review.is_reviewer(request.user):
        raise PermissionDenied("Only the review's two reviewers can do this.")
    return review


def _item(review: Review, number: int) -> Item:
    item = Item.objects.filter(scale_id=review.scale_id, number=number).first()
    if item is None:
        raise Http404("No such item.")
    return item


@pages.requires(Capability.VIEW_FIDELITY, Capability.SCORE_FIDELITY)
def review_list(request: HttpRequest) -> HttpResponse:
    """The reviews the user may read, newest first (`?program=ID`: one program's), and the
    programs where they may plan one."""
    reviews = Review.objects.visible_to(request.user).for_list()
    chosen = request.GET.get("program", "")
    if chosen.isdigit():
        reviews = reviews.filter(program_id=int(chosen))  # scoped first: a foreign id shows none
    plannable = Program.objects.granting(request.user, Capability.PLAN_FIDELITY)
    rows = [(review, selectors.review_total(review)) for review in reviews]
    return render(request, "fidelity/review_list.html", {"rows": rows, "plannable": plannable})


@login_required
def review_new(request: HttpRequest, program_pk: int) -> HttpResponse:
    program = pages.record_for(
        request, Program.objects, needs=Capability.PLAN_FIDELITY, pk=program_pk
    )
    form = ReviewPlanForm(request.POST or None, program=program)
    if form.is_valid():
        try:
            review = services.review_plan(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Review planned.")
            return redirect("fidelity:detail", pk=review.pk)
    return render(
        request, "ips/form_page.html", {"form": form, "title": f"Plan a review of {program}"}
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Status, reviewers, total and band; the agreed scores once consensus is open."""
    review = _review_for(request, pk)
    is_reviewer = review.is_reviewer(request.user)
    context: dict[str, Any] = {
        "review": review,
        "total": selectors.review_total(review),
        "is_reviewer": is_reviewer,
        "observers": review.observers.all(),
        "sections": selectors.consensus_rows(review=review)
        if selectors.can_see_reviewer_scores(review)
        else None,
        "finalise_form": FinaliseForm(initial={"version": review.version}),
    }
    if is_reviewer and review.status in (Review.Status.PLANNED, Review.Status.SCORING):
        context["unscored"] = services.unscored_items(review, request.user)
    if review.status == Review.Status.CONSENSUS:
        context["problems"] = services.finalise_problems(review)
    return render(request, "fidelity/review_detail.html", context)


@login_required
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = _scoring_review(request, pk)
    if review.is_final:
        messages.error(request, services.LOCKED)
        return redirect("fidelity:detail", pk=review.pk)
    form = ReviewEditForm(request.POST or None, instance=review)
    differences: list[Difference] = []
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.review_update(review=review, version=version, changes=data)
        except StaleVersionError as stale:
            differences = show_stale(form, stale)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Review saved.")
            return redirect("fidelity:detail", pk=review.pk)
    context = {"form": form, "title": f"Edit {review}", "differences": differences}
    return render(request, "ips/form_page.html", context)


@login_required
def review_score(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoring page of one reviewer: items by section, anchors, evidence; own scores only."""
    review = _scoring_review(request, pk)
    found = evidence.evidence_by_item(evidence.review_evidence(review=review))
    sections = selectors.scoring_rows(review=review, reviewer=request.user)
    for section in sections:
        for row in section.rows:
            row.evidence = found.get(row.item.number, [])
            row.form = _score_form(row.own, row.item.number)
    open_ = review.status in (Review.Status.PLANNED, Review.Status.SCORING)
    return render(
        request,
        "fidelity/review_score.html",
        {"review": review, "sections": sections, "open": open_},
    )


def _score_form(own: ReviewerScore | None, number: int, data: Any = None) -> ScoreForm:
    """One item's form; ids carry the item number, as 25 of them share the page."""
    initial = (
        {"score": own.score, "rationale": own.rationale, "version": own.version} if own else {}
    )
    return ScoreForm(data, initial=initial, auto_id=f"id_score{number}_%s")


@login_required
@require_POST
def score_item(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Save a reviewer's score of one item (htmx: the item's form again; else back to the page)."""
    review = _scoring_review(request, pk)
    item = _item(review, number)
    form = _score_form(None, number, request.POST)
    own = None
    if form.is_valid():
        try:
            own = services.reviewer_score_save(
                review=review, item=item, reviewer=request.user, **form.cleaned_data
            )
        except (StaleVersionError, ValidationError) as error:
            add_service_errors(form, error)
    if own is not None:
        form = _score_form(own, number)
    if not request.htmx:
        if own is not None:
            messages.success(request, f"Item {number} scored.")
            return redirect("fidelity:score", pk=review.pk)
        return render(request, "ips/form_page.html", {"form": form, "title": str(item)})
    context = {"review": review, "row": {"item": item, "form": form, "own": own}, "open": True}
    return render(request, "fidelity/_score_item.html", {**context, "saved": own is not None})


@login_required
@require_POST
def open_consensus(request: HttpRequest, pk: int) -> HttpResponse:
    review = _scoring_review(request, pk)
    try:
        services.review_open_consensus(review=review, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("fidelity:detail", pk=review.pk)
    messages.success(request, "Consensus is open: both reviewers' scores are side by side.")
    return redirect("fidelity:consensus", pk=review.pk)


@login_required
def consensus(request: HttpRequest, pk: int) -> HttpResponse:
    """Both scores side by side, disagreements flagged, the agreed score recorded per item."""
    review = _review_for(request, pk)
    if not selectors.can_see_reviewer_scores(review):
        messages.info(request, "Consensus opens once both reviewers have scored every item.")
        return redirect("fidelity:detail", pk=review.pk)
    sections = selectors.consensus_rows(review=review)
    editable = review.is_reviewer(request.user) and review.status == Review.Status.CONSENSUS
    found = evidence.evidence_by_item(evidence.review_evidence(review=review)) if editable else {}
    for section in sections:
        for row in section.rows:
            row.evidence = found.get(row.item.number, [])
            row.form = _agree_form(row.agreed, row.item.number) if editable and row.agreed else None
    return render(
        request,
        "fidelity/review_consensus.html",
        {"review": review, "sections": sections, "editable": editable},
    )


def _agree_form(agreed: ReviewItem, number: int, data: Any = None) -> AgreeForm:
    initial = {
        "score": agreed.score,
        "rationale": agreed.rationale,
        "recommendation": agreed.recommendation,
        "version": agreed.version,
    }
    return AgreeForm(data, initial=initial, auto_id=f"id_agree{number}_%s")


@login_required
@require_POST
def agree_item(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = _scoring_review(request, pk)
    item = _item(review, number)
    agreed = ReviewItem.objects.filter(review=review, item=item).first()
    if agreed is None:
        raise Http404("Consensus is not open for this item.")
    form = AgreeForm(request.POST, auto_id=f"id_agree{number}_%s")
    saved = None
    if form.is_valid():
        try:
            saved = services.review_item_agree(
                review_item=agreed, actor=request.user, **form.cleaned_data
            )
        except (StaleVersionError, ValidationError) as error:
            add_service_errors(form, error)
    if saved is not None:
        messages.success(request, f"Item {number}: agreed score recorded.")
        if not request.htmx:
            return redirect("fidelity:consensus", pk=review.pk)
        form = _agree_form(saved, number)
    if not request.htmx:
        return render(request, "ips/form_page.html", {"form": form, "title": str(item)})
    row = {"item": item, "agreed": saved or agreed, "form": form}
    return render(
        request, "fidelity/_agree_item.html", {"review": review, "row": row, "saved": saved}
    )


@login_required
@require_POST
def finalise(request: HttpRequest, pk: int) -> HttpResponse:
    review = _scoring_review(request, pk)
    form = FinaliseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the review and sign off again.")
        return redirect("fidelity:detail", pk=review.pk)
    try:
        services.review_finalise(
            review=review, actor=request.user, version=form.cleaned_data["version"]
        )
    except StaleVersionError as stale:
        messages.error(request, str(stale))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Review signed off. Its report PDF is being prepared.")
    return redirect("fidelity:detail", pk=review.pk)


@login_required
def amend(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    review = _scoring_review(request, pk)
    item = _item(review, number)
    agreed = ReviewItem.objects.filter(review=review, item=item).first()
    if agreed is None or not review.is_final:
        messages.error(request, "Only a signed-off review is amended.")
        return redirect("fidelity:detail", pk=review.pk)
    form = AmendForm(request.POST or None)
    if form.is_valid():
        try:
            services.review_item_amend(review_item=agreed, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Item {number} amended; the signed-off score is kept.")
            return redirect("fidelity:detail", pk=review.pk)
    title = f"Amend item {item.number}: {item.name} (now {agreed.score})"
    return render(request, "ips/form_page.html", {"form": form, "title": title})


@login_required
def evidence_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Program-level evidence and a de-identified chart sample (no names, no birth dates)."""
    review = _review_for(request, pk)
    return render(
        request,
        "fidelity/review_evidence.html",
        {
            "review": review,
            "indicators": evidence.review_evidence(review=review),
            "sample": evidence.chart_sample(review=review),
        },
    )


@login_required
def evidence_rows(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """The de-identified rows behind one indicator."""
    review = _review_for(request, pk)
    if key not in evidence.INDICATORS:
        raise Http404("No such indicator.")
    rows = evidence.indicator_rows(review=review, key=key)
    columns = list(rows[0]) if rows else []
    return render(
        request,
        "fidelity/evidence_rows.html",
        {
            "review": review,
            "spec": evidence.INDICATORS[key],
            "columns": columns,
            "rows": [[row[c] for c in columns] for row in rows],
        },
    )


@login_required
def history(request: HttpRequest, program_pk: int) -> HttpResponse:
    """A program's signed-off reviews over time, and the item-by-item difference of two."""
    program = pages.record_for(request, Program.objects, pk=program_pk)
    readers = access.can(request.user, Capability.VIEW_FIDELITY, program=program)
    if not (readers or access.can(request.user, Capability.SCORE_FIDELITY, program=program)):
        raise Http404("No such record.")
    # Reviewers see the reviews they took part in; readers all of the program's.
    reviews = Review.objects.visible_to(request.user)
    points = selectors.program_history(program=program, reviews=reviews)
    by_id = {point.review.pk: point.review for point in points}
    earlier, later = _compared(request, by_id, points)
    diff = selectors.review_difference(earlier=earlier, later=later) if earlier and later else []
    return render(
        request,
        "fidelity/history.html",
        {
            "program": program,
            "points": points,
            "chart": selectors.history_chart(points),
            "earlier": earlier,
            "later": later,
            "diff": diff,
        },
    )


def _compared(
    request: HttpRequest, by_id: dict[int, Review], points: list[Any]
) -> tuple[Review | None, Review | None]:
    """The two reviews to compare: `?a=ID&b=ID`, else the last two."""

    def chosen(name: str) -> Review | None:
        value = request.GET.get(name, "")
        return by_id.get(int(value)) if value.isdigit() else None

    earlier, later = chosen("a"), chosen("b")
    if (earlier is None or later is None) and len(points) >= 2:
        earlier, later = points[-2].review, points[-1].review
    return earlier, later


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed-off review's report PDF; every download is audited as an export. While none
    has been made it is queued (once) and the answer is 202 Accepted, a page that reloads until
    the PDF is ready."""
    review = _review_for(request, pk)
    if not review.is_final:
        raise Http404("The report exists once the review is signed off.")
    stored = ReviewReport.objects.filter(review=review).first()
    if stored is not None:
        stored.review = review  # already read, with its program: no second query

    def ask() -> ReviewReport:
        asked, _ = services.review_report_request(review=review, requested_by=request.user)
        return asked

    def preparing(asked: ReviewReport) -> HttpResponse:
        return preparing_page(request, asked, title=f"Report: {review}")

    return pdf_download(request, stored, ask=ask, preparing=preparing)
