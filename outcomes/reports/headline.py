"""The headline table of a report: each number of the period in words a board reads, beside the
same number for the same period a year before. One list of rows for the page and the PDF."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.dateformat import format as format_date

from clients.models import ClosureReason, JobEndReason
from outcomes.definitions import OUT_OF_WORK_BENCHMARK, RETENTION_DAYS
from outcomes.numbers import Outcome
from outcomes.reports.charts import format_rate


@dataclass(frozen=True)
class HeadlineRow:
    """One measure: its label, this period's value and the year-before value (None when the
    report has no comparison), a test id, and whether it is the headline rate."""

    label: str
    value: str
    before: str | None
    testid: str = ""
    strong: bool = False
    detail: bool = False  # a line explaining the row above it (indented)


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _money(value: float | None) -> str:
    return "—" if value is None else f"${value:.2f}"


def _number(value: float | int | None) -> str:
    return "—" if value is None else f"{value:g}"


def _reasons(counts: dict[str, int], labels: dict[str, str]) -> str:
    """`by reason: Fired 1; Quit 1`, or `none` when there is nothing to count."""
    if not counts:
        return "none"
    named = "; ".join(
        f"{labels.get(reason, reason or 'Not given')} {count}"
        for reason, count in sorted(counts.items())
    )
    return f"by reason: {named}"


def _share(part: int, whole: int) -> str:
    """`3 of 7 (42.9 %)`, or `none` when there is nothing to count."""
    if not whole:
        return "none"
    return f"{part} of {whole} ({format_rate(part / whole)})"


def held_on_label(outcome: Outcome) -> str:
    """`Competitive jobs held on 31 Mar 2025`, or `… held today (7 Dec 2026)` while open."""
    as_of = outcome.as_of or outcome.period.last
    day = format_date(as_of, "j M Y")
    if outcome.preliminary:
        return f"Competitive jobs held as of {day} (the period has not ended)"
    return f"Competitive jobs held on {day}"


def _values(outcome: Outcome) -> list[tuple[str, str, str, bool, bool]]:
    """(label, value, test id, strong, detail) for every row, from one period's numbers."""
    new = outcome.new_enrollments
    return [
        ("Caseload (clients served)", str(outcome.caseload), "caseload", False, False),
        ("Working in a competitive job", str(outcome.working), "working", False, False),
        ("Competitive employment rate", format_rate(outcome.rate), "rate", True, False),
        (
            "Out-of-work rate (clients not working when referred; benchmark "
            f"{OUT_OF_WORK_BENCHMARK * 100:.0f} %)",
            format_rate(outcome.out_of_work_rate),
            "out-of-work-rate",
            True,
            False,
        ),
        (
            "Working, of those not working when referred",
            f"{outcome.out_of_work_working} of {outcome.out_of_work_caseload}"
            if outcome.out_of_work_caseload
            else "none",
            "out-of-work",
            False,
            True,
        ),
        ("Job starts", str(outcome.job_starts), "job-starts", False, False),
        ("First job starts", str(outcome.first_job_starts), "first-job-starts", False, False),
        ("Job endings", str(outcome.job_endings), "job-endings", False, False),
        (
            f"Jobs still held {RETENTION_DAYS} days after they started",
            _share(outcome.jobs_kept_90_days, outcome.jobs_reaching_90_days),
            "retention",
            False,
            False,
        ),
        ("New enrollments", str(new), "new-enrollments", False, False),
        ("Closures", str(outcome.closures), "closures", False, False),
        ("In education or training", str(outcome.in_education), "in-education", False, False),
        (
            "Days from enrollment to first employer contact (median / mean)",
            f"{_days(outcome.median_days_to_first_employer_contact)} / "
            f"{_days(outcome.mean_days_to_first_employer_contact)}",
            "days-to-contact",
            False,
            False,
        ),
        (
            "Contacted within 30 days of enrollment",
            _share(outcome.contacted_within_30_days, new),
            "contacted-30",
            False,
            True,
        ),
        (
            "Not contacted yet (counted above with their days so far)",
            str(outcome.not_yet_contacted),
            "not-yet-contacted",
            False,
            True,
        ),
        (
            "Days from enrollment to first job (median / mean)",
            f"{_days(outcome.median_days_to_first_job)} / {_days(outcome.mean_days_to_first_job)}",
            "days-to-job",
            False,
            False,
        ),
        (
            "No job yet (counted above with their days so far)",
            str(outcome.no_first_job_yet),
            "no-job-yet",
            False,
            True,
        ),
        (held_on_label(outcome), str(outcome.current_jobs), "current-jobs", False, False),
        (
            "Average hours per week of those jobs",
            _number(outcome.average_hours),
            "average-hours",
            False,
            True,
        ),
        (
            "Average hourly wage of those jobs",
            _money(outcome.average_hourly_wage),
            "average-wage",
            False,
            True,
        ),
    ]


def headline_rows(outcome: Outcome, year_before: Outcome | None = None) -> list[HeadlineRow]:
    """The headline table: every measure of `outcome`, beside `year_before`'s when given; the
    job endings and closures of the period are followed by their reasons (on a line of their
    own, so the numbers' column stays narrow)."""
    before = _values(year_before) if year_before is not None else None
    ends, closes = dict(JobEndReason.choices), dict(ClosureReason.choices)
    reasons = {
        "job-endings": _reasons(outcome.job_endings_by_reason, ends),
        "closures": _reasons(outcome.closures_by_reason, closes),
    }
    rows = []
    for i, (label, value, testid, strong, detail) in enumerate(_values(outcome)):
        rows.append(
            HeadlineRow(
                label=label,
                value=value,
                before=before[i][1] if before is not None else None,
                testid=testid,
                strong=strong,
                detail=detail,
            )
        )
        if testid in reasons and outcome_has(value):
            rows.append(
                HeadlineRow(
                    label=reasons[testid],
                    value="",
                    before="" if before is not None else None,
                    testid=f"{testid}-reasons",
                    detail=True,
                )
            )
    return rows


def outcome_has(value: str) -> bool:
    """Whether a count shown is more than zero (its reasons are worth a line)."""
    return value not in {"0", "—"}
