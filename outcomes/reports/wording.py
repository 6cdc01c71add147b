"""The definitions a report prints, written for the people who read it (a board, a funder, a
state reviewer): what each number counts, in plain words, with no code in them.

Each text says in words what the function named beside it counts (`outcomes.definitions` and
`clients.models.competitive_condition`); a test holds every number of the report to having a
text here, and every text to plain language. Change both together.
"""

from __future__ import annotations

from dataclasses import dataclass

from outcomes.definitions import BENCHMARKS, OUT_OF_WORK_BENCHMARK, RETENTION_DAYS


@dataclass(frozen=True)
class Definition:
    term: str
    text: str


def _percent(value: float) -> str:
    return f"{value * 100:.0f} %"


def definitions_in_words() -> list[Definition]:
    """The definitions behind a report's numbers, in the order the report shows them."""
    minimum, average, excellent = (_percent(threshold) for _, threshold in BENCHMARKS)
    return [
        Definition(
            "Competitive job",
            "A job that pays at least the minimum wage in force for the program on the day the "
            "job started, counting the hourly wage plus any tips or commission per hour; that "
            "anyone can apply for, in an ordinary workplace; and that is not set aside for "
            "people with disabilities (sheltered workshops, enclaves, mobile work crews, "
            "businesses run by the agency, transitional or time-limited agency placements, "
            "contract jobs reserved for people with disabilities). Part-time, seasonal and "
            "temp-agency jobs count. Self-employment counts only where the program has chosen "
            "to count it. A program that has not entered its minimum-wage schedule has no "
            "rate, and is named rather than shown at zero.",
        ),
        Definition(
            "Caseload (clients served)",
            "Everyone enrolled on at least one day of the period: enrolled on or before its "
            "last day and not closed before its first day. Records entered in error are left "
            "out.",
        ),
        Definition(
            "Working in a competitive job",
            "Clients on the caseload who held a competitive job on at least one day of the "
            "period while they were enrolled. Someone with two jobs counts once.",
        ),
        Definition(
            "Competitive employment rate",
            "Clients working divided by the caseload. With nobody on the caseload there is no "
            "rate (shown as a dash, not as zero).",
        ),
        Definition(
            "Out-of-work rate",
            "The same rate, counted only over the clients who were not working when they were "
            "referred, so that people who already had a job do not lift it (the measure used by "
            f"IPS Grow in England). Its benchmark is {_percent(OUT_OF_WORK_BENCHMARK)}.",
        ),
        Definition(
            "Job starts and first job starts",
            "Competitive jobs that began during the period while the client was enrolled; "
            "someone who starts two jobs gives two. First job starts count the clients whose "
            "first competitive job ever began in the period.",
        ),
        Definition(
            "Job endings",
            "Competitive jobs that ended during the period while the client was enrolled, with "
            "the reason given. A job that was set aside or paid under the minimum wage is "
            "counted neither as a start nor as an ending.",
        ),
        Definition(
            f"Jobs still held {RETENTION_DAYS} days after they started",
            f"Of the job starts whose {RETENTION_DAYS}th day fell in the period (up to today "
            "while the period is open), how many the client still held on that day.",
        ),
        Definition(
            "New enrollments and closures",
            "Enrollments that began in the period, and enrollments that were closed in it with "
            "the reason given. A referral closed before the person enrolled is not a closure.",
        ),
        Definition(
            "In education or training",
            "Clients on the caseload who were in school or training on at least one day of the "
            "period.",
        ),
        Definition(
            "Days to first employer contact and to first job",
            "For everyone who enrolled in the period: the days from enrollment to the first "
            "face-to-face contact with an employer, by the client or on their behalf, and to the "
            "first competitive job. Nobody is left out: someone still waiting counts with the "
            "days so far, up to the end of the period (today while it is open, or the day they "
            "left if earlier), and the number still waiting is shown beside the median and "
            "mean, as is the number contacted within 30 days.",
        ),
        Definition(
            "Competitive jobs held at the end of the period",
            "Competitive jobs held on the period's last day (today while the period is open), "
            "with their average hours per week and average hourly wage.",
        ),
        Definition(
            "By employment specialist",
            "Each client and each job start counts for the specialist assigned to the client at "
            "the time. A client who moved to another specialist during the period counts for "
            "each specialist who worked with them while they were enrolled, and a job start "
            "for the specialist on the day it began; a later reassignment never changes an "
            "earlier period.",
        ),
        Definition(
            "Preliminary",
            "A period that has not ended yet. Its numbers hold for the day shown and will "
            "change until the period is over.",
        ),
        Definition(
            "Benchmarks",
            "For the quarterly competitive employment rate, from the IPS learning community: "
            f"minimum standard {minimum}, average {average}, excellent {excellent}. They are "
            "quarterly figures, so monthly charts do not draw them.",
        ),
    ]
