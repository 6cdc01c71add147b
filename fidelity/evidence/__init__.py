"""Evidence from the program's own records, beside the items the data can speak to.

Each indicator is computed over the review window in SQL aggregates, reusing the outcome
definitions (`outcomes.definitions`) wherever one exists, and suggests the score its anchors
give. The reviewer decides: nothing here ever writes a score.

Indicators are a registry (`INDICATORS`): adding one is one decorated function. An indicator
whose records are too few or incomplete to trust says "Not available" and suggests no score
(`not_available`). Items 4, 5,
7 and 8 read the supervision records (treatment teams, their meetings, group supervision), with
the attendance definition of the supervision dashboard.

Reviewers never see client identities: the rows behind an indicator and the chart sample name
clients "Client 1..N" (numbered within the program) and give dates as days since enrollment.

The package: `registry` (the window, the result, the registry and its decorators, the shared
helpers, the pseudonyms, the drill-down and the chart sample), and one `section_*` module per
section of the scale registering its indicators on import: `section_staffing` (items 1-3, and 24
beside item 2), `section_organization` (items 4-11), `section_services` (items 12-18 and 25) and
`section_services_jobs` (items 19-23): the scale's "Services" section, not a layer of writes.
They are imported here in that order; the evidence is listed by item whatever the order.
"""

# isort: off
# The section modules register their indicators on import; this order keeps the registry (and
# `INDICATORS`) in item order, as it has always been.
from fidelity.evidence.registry import (
    INDICATORS,
    SAMPLE_SIZE as SAMPLE_SIZE,
    Indicator,
    Pseudonyms as Pseudonyms,
    Spec as Spec,
    Window as Window,
    chart_sample,
    evidence_by_item,
    indicator,
    indicator_rows,
    review_evidence,
    rows_of,
    window_of as window_of,
)
from fidelity.evidence.section_staffing import (
    caseload_per_specialist as caseload_per_specialist,
    community_minutes_share as community_minutes_share,
    employment_minutes_share as employment_minutes_share,
    phases_per_specialist as phases_per_specialist,
)
from fidelity.evidence.section_organization import (
    WEEKLY_PER_MONTH as WEEKLY_PER_MONTH,
    WEEKS_PER_MONTH as WEEKS_PER_MONTH,
    caseload_discussed_at_own_teams as caseload_discussed_at_own_teams,
    caseload_from_own_teams as caseload_from_own_teams,
    fidelity_reviews_as_qa as fidelity_reviews_as_qa,
    group_supervision_per_week as group_supervision_per_week,
    rate_reported_quarterly as rate_reported_quarterly,
    referrals_enrolled as referrals_enrolled,
    supervision_goals_share as supervision_goals_share,
    team_meeting_attendance as team_meeting_attendance,
)
from fidelity.evidence.section_services import (
    benefits_planning_offered as benefits_planning_offered,
    days_to_employer_contact as days_to_employer_contact,
    employer_contacts_per_week as employer_contacts_per_week,
    employer_relationships as employer_relationships,
    outreach_documented as outreach_documented,
    profile_documented_and_updated as profile_documented_and_updated,
)
from fidelity.evidence.section_services_jobs import (
    FOLLOW_ALONG_DAYS as FOLLOW_ALONG_DAYS,
    competitive_share as competitive_share,
    employer_diversity as employer_diversity,
    follow_along_duration as follow_along_duration,
    follow_along_reach as follow_along_reach,
    job_type_diversity as job_type_diversity,
)
# isort: on

__all__ = [
    "INDICATORS",
    "Indicator",
    "chart_sample",
    "evidence_by_item",
    "indicator",
    "indicator_rows",
    "review_evidence",
    "rows_of",
]
