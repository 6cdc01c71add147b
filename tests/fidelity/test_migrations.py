"""Migration 0003: report files stored on reviews become done `ReviewReport` rows."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fidelity import services
from fidelity.models import Review, ReviewReport, ScaleVersion
from ips.models import Program, User
from tests.fidelity.factories import WINDOW, outside_reviewer, plan_review, quick_final_review

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("fidelity", "0002_scale_2008")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def test_stored_report_files_become_done_reports_of_their_reviews(
    program: Program, reviewer: User
) -> None:
    second = outside_reviewer(program)
    final = quick_final_review(program=program, reviewer_a=reviewer, reviewer_b=second)
    Review.objects.filter(pk=final.pk).update(finalised_by=reviewer)
    planned = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second)
    name = default_storage.save(
        f"fidelity/reports/fidelity-review-{final.pk}.pdf", ContentFile(b"%PDF-1.7 old")
    )
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("fidelity", "Review")
        old.objects.filter(pk=final.pk).update(report=name)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    report = ReviewReport.objects.get()
    assert report.review_id == final.pk
    assert (report.status, report.file.name, report.requested_by) == ("done", name, reviewer)
    assert report.file.read() == b"%PDF-1.7 old"
    assert not ReviewReport.objects.filter(review=planned).exists()


def test_migrating_back_puts_the_stored_file_on_the_review_again(
    program: Program, reviewer: User
) -> None:
    final = quick_final_review(
        program=program, reviewer_a=reviewer, reviewer_b=outside_reviewer(program)
    )
    ReviewReport.objects.create(
        review=final, status="done", file="fidelity/reports/kept.pdf", requested_at=final.created_at
    )
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("fidelity", "Review")
        restored = old.objects.get(pk=final.pk).report.name
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert restored == "fidelity/reports/kept.pdf"


def test_the_corrected_edition_leaves_earlier_reviews_on_2008(
    program: Program, reviewer: User
) -> None:
    second = outside_reviewer(program)
    try:
        _migrate([("fidelity", "0005_bounded_texts")])
        assert list(
            ScaleVersion.objects.filter(is_current=True).values_list("code", flat=True)
        ) == ["2008"]
        # Through the service: `plan_review` would load the missing edition, as a test's does.
        earlier = services.review_plan(
            actor=reviewer,
            program=program,
            kind=Review.Kind.BASELINE,
            window_start=WINDOW[0],
            window_end=WINDOW[1],
            reviewer_a=reviewer,
            reviewer_b=second,
        )
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    later = plan_review(program=program, reviewer_a=reviewer, reviewer_b=second)
    earlier.refresh_from_db()
    assert (earlier.scale.code, later.scale.code) == ("2008", "2008-c1")
