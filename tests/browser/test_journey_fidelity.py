"""Two reviewers on phones score a fidelity review independently, resolve their one
disagreement at consensus and sign off; the agency's director downloads the report, made by a
real Celery worker (over the tests' own Redis database)."""

from playwright.sync_api import Page, expect

from fidelity import services
from fidelity.demo import _second_reviewer
from fidelity.models import Item, Review
from ips.demo import DEMO_PASSWORD, RIVERSIDE
from ips.models import Program, User
from tests.browser.helpers import accessibility_violations, log_in
from tests.fidelity.factories import ensure_scale


def _planned_review() -> tuple[Review, User, User]:
    """A review of Riverside with items 1-24 already scored by both (equal, except item 15)."""
    ensure_scale()
    program = Program.objects.get(name=RIVERSIDE)
    first = User.objects.get(username="demo-reviewer")
    second = _second_reviewer(program)
    review = services.review_plan(
        actor=User.objects.get(username="demo-supervisor"),
        program=program,
        kind=Review.Kind.BASELINE,
        window_start=services.timezone.localdate().replace(month=1, day=1),
        window_end=services.timezone.localdate(),
        reviewer_a=first,
        reviewer_b=second,
    )
    for item in Item.objects.filter(scale_id=review.scale_id, number__lte=24):
        for reviewer, score in ((first, 4), (second, 3 if item.number == 15 else 4)):
            services.reviewer_score_save(review=review, item=item, reviewer=reviewer, score=score)
    return review, first, second


def _score_last_item(page: Page, base: str, review: Review, score: str, rationale: str) -> None:
    page.goto(f"{base}/fidelity/{review.pk}/score/")
    form = page.get_by_test_id("score-form-25")
    form.get_by_label(score, exact=True).check()
    form.get_by_label("Rationale").fill(rationale)
    form.get_by_role("button", name="Save item 25").click()
    expect(page.get_by_test_id("score-form-25").get_by_role("status")).to_have_text("Saved.")


def test_two_reviewers_score_agree_and_sign_off_then_director_downloads(
    page: Page, live_server, demo, celery_worker
) -> None:
    base = live_server.url
    review, first, second = _planned_review()

    log_in(page, base, second.username, DEMO_PASSWORD)
    _score_last_item(page, base, review, "4", "Outreach is written down every time")
    page.context.clear_cookies()  # the next person on the same phone

    log_in(page, base, first.username, DEMO_PASSWORD)
    page.goto(f"{base}/fidelity/{review.pk}/score/")
    expect(page.locator("main")).not_to_contain_text("Outreach is written down every time")
    assert accessibility_violations(page) == []
    _score_last_item(page, base, review, "4", "Joint visits with the team")

    page.goto(f"{base}/fidelity/{review.pk}/")
    page.get_by_role("button", name="Open consensus").click()
    expect(page.get_by_text("Reviewers disagree")).to_have_count(1)
    disputed = page.get_by_test_id("consensus-15")
    expect(disputed).to_contain_text("Reviewers disagree")
    assert accessibility_violations(page) == []
    form = page.get_by_test_id("agree-form-15")
    form.get_by_label("4", exact=True).check()
    form.get_by_label("Rationale").fill("Most clients meet an employer within a month")
    form.get_by_role("button", name="Save agreed score for item 15").click()
    expect(page.get_by_test_id("agree-form-15").get_by_role("status")).to_have_text("Saved.")

    page.goto(f"{base}/fidelity/{review.pk}/")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_test_id("review-status")).to_have_text("Final")
    expect(page.get_by_test_id("review-total")).to_contain_text("100 of 125 — Good fidelity")
    assert accessibility_violations(page) == []
    page.context.clear_cookies()  # the next person on the same phone

    log_in(page, base, "demo-director", DEMO_PASSWORD)
    page.goto(f"{base}/fidelity/")
    page.get_by_test_id("review-list").get_by_role("link", name="Baseline").click()
    # The sign-off queued the report for the worker; until it is ready the link answers a page
    # that reloads itself, so the download may come a reload or two later.
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="Report (PDF)").click()
    path = download.value.path()
    assert download.value.suggested_filename == f"fidelity-review-{review.pk}.pdf"
    assert path.read_bytes()[:4] == b"%PDF"

    page.goto(f"{base}/fidelity/{review.pk}/evidence/")
    expect(page.get_by_test_id("evidence-caseload_per_specialist")).to_be_visible()
    expect(page.get_by_test_id("evidence-team_meeting_attendance")).not_to_contain_text(
        "Not available"
    )
    assert accessibility_violations(page) == []
    page.goto(f"{base}/fidelity/programs/{review.program_id}/history/")
    expect(page.get_by_test_id("history-table")).to_contain_text("100")
    assert accessibility_violations(page) == []
