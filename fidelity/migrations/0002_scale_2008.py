"""The 2008 edition of the IPS Supported Employment Fidelity Scale, in the project's own words.

A correction of the scale is a new edition (a new migration adding a `ScaleVersion`), never an
edit of this one: reviews keep the edition they were scored on.
"""

from django.db import migrations

SECTIONS = ((1, "Staffing"), (2, "Organization"), (3, "Services"))

# (number, section position, name, criterion for a 5, anchors for scores 1..5)
ITEMS = (
    (
        1,
        1,
        "Caseload size",
        "Every employment specialist keeps an individual caseload, and a full-time specialist "
        "serves no more than 20 clients.",
        (
            "41 or more clients per specialist",
            "31 to 40 clients per specialist",
            "26 to 30 clients per specialist",
            "21 to 25 clients per specialist",
            "20 or fewer clients per specialist",
        ),
    ),
    (
        2,
        1,
        "Employment services staff",
        "Employment specialists spend their time on employment services only.",
        (
            "Under 60 % of their time goes to employment services",
            "60–74 % of their time goes to employment services",
            "75–89 % of their time goes to employment services",
            "90–95 % of their time goes to employment services",
            "96 % or more of their time goes to employment services",
        ),
    ),
    (
        3,
        1,
        "Vocational generalists",
        "Each specialist carries a client through every phase of the service — intake, "
        "engagement, assessment, job placement, job coaching and follow-along — before a "
        "step-down to a mental-health practitioner; sending clients to a trained benefits "
        "counselor still counts as full fidelity.",
        (
            "Specialists only send clients on to vendors or other programs",
            "Specialists hold a caseload but send clients elsewhere for the vocational work",
            "Specialists carry out one to four of the phases themselves",
            "Specialists carry out five of the phases, not all six",
            "Specialists carry out all six phases",
        ),
    ),
    (
        4,
        2,
        "Integration with mental-health treatment through team assignment",
        "Each specialist is attached to one or two mental-health treatment teams, and those "
        "teams supply at least 90 % of the specialist's caseload.",
        (
            "The employment program runs apart from mental-health treatment",
            "Specialists serve three or more teams, clients' practitioners are not organised in "
            "teams, or under half the caseload comes from the specialist's one or two teams",
            "50–74 % of the caseload comes from the specialist's one or two teams",
            "75–89 % of the caseload comes from the specialist's one or two teams",
            "90–100 % of the caseload comes from the specialist's one or two teams",
        ),
    ),
    (
        5,
        2,
        "Integration with mental-health treatment through frequent team contact",
        "All five: specialists attend the treatment team's weekly meeting; take an active part "
        "in shared decisions; keep the employment record (profile, plan, notes) in the "
        "mental-health record; work in or next to the team's office; help the team think about "
        "work for people not yet referred.",
        (
            "At most one of the five in place",
            "Two of the five in place",
            "Three of the five in place",
            "Four of the five in place",
            "All five in place",
        ),
    ),
    (
        6,
        2,
        "Collaboration with vocational rehabilitation counselors",
        "Specialists and VR counselors meet face to face on a schedule at least monthly and are "
        "in touch about shared clients every week.",
        (
            "Contact about clients less often than every quarter, or none",
            "Contact about clients at least every quarter",
            "Contact about clients every month",
            "Scheduled face-to-face meetings at least every quarter, or contact about clients "
            "every week",
            "Face-to-face meetings at least monthly and contact about clients every week",
        ),
    ),
    (
        7,
        2,
        "Vocational unit",
        "At least two full-time specialists and a team leader form a unit that meets weekly for "
        "client-based group supervision, trades strategies and job leads, and covers each "
        "other's caseloads.",
        (
            "Specialists do not work as a unit",
            "Specialists share a supervisor but never meet as a group and do not cover for "
            "each other",
            "Specialists share a supervisor and talk through cases, but do not cover for each "
            "other (or cover without group supervision)",
            "The unit meets two or three times a month and covers caseloads (by phone or video "
            "where rural)",
            "The unit meets every week and covers caseloads (by phone or video where rural)",
        ),
    ),
    (
        8,
        2,
        "Role of the employment supervisor",
        "All five: one full-time supervisor for at most ten specialists with no other "
        "supervisory duties (pro-rated for fewer); weekly supervision reviewing clients and new "
        "approaches; liaison with treatment-team leaders, attending each team's meeting every "
        "quarter; monthly field mentoring of new or struggling specialists; outcome review and "
        "goal setting with specialists at least every quarter.",
        (
            "At most one of the five roles",
            "Two of the five roles",
            "Three of the five roles",
            "Four of the five roles",
            "All five roles",
        ),
    ),
    (
        9,
        2,
        "Zero exclusion",
        "Anyone who wants to work can join, whatever their perceived readiness, substance use, "
        "symptoms, history of violence, cognitive difficulties, treatment adherence or "
        "presentation — again after a job ends — and VR screening is never used to keep people "
        "out.",
        (
            "A written policy keeps people out for not being ready",
            "Most clients cannot join because they are seen as not ready",
            "Some clients cannot join because they are seen as not ready",
            "Nobody is kept out, but referrals are not sought from many sources",
            "Every interested client can join, practitioners encourage work and referrals are "
            "sought from many sources",
        ),
    ),
    (
        10,
        2,
        "Agency focus on competitive employment",
        "All five: work is asked about at intake; and at each yearly or half-yearly assessment or "
        "plan review; posters or leaflets about working are in waiting areas; clients tell their "
        "work stories to others at least twice a year; the agency measures its competitive "
        "employment rate at least every quarter and shares it with leaders and staff.",
        (
            "At most one of the five in place",
            "Two of the five in place",
            "Three of the five in place",
            "Four of the five in place",
            "All five in place",
        ),
    ),
    (
        11,
        2,
        "Executive team support for supported employment",
        "All five: the executive and clinical directors know the IPS principles; quality "
        "assurance reviews the program with the fidelity scale every six months until fidelity "
        "is high, then yearly, and acts on it; an executive sits on a steering group that meets "
        "regularly and writes action plans; the chief executive explains to all staff how the "
        "program serves the agency's mission; the program leader reports barriers and successes "
        "to executives at least twice a year and they help remove the barriers.",
        (
            "At most one of the five in place",
            "Two of the five in place",
            "Three of the five in place",
            "Four of the five in place",
            "All five in place",
        ),
    ),
    (
        12,
        3,
        "Work incentives planning",
        "Every client is offered thorough, individual benefits planning before starting a job "
        "and whenever hours or pay change — covering disability, health, medication, housing, "
        "food, dependants' and retirement benefits — and help reporting earnings.",
        (
            "Benefits planning is hard to come by",
            "The specialist only hands over contact details",
            "The specialist talks through benefit changes with each client",
            "A trained person offers planning before a job starts",
            "A specially trained work-incentives planner helps before the job and at later "
            "changes of hours or pay, and with reporting earnings",
        ),
    ),
    (
        13,
        3,
        "Disclosure",
        "Four elements: nobody has to disclose to get help; the pros and cons of disclosing are "
        "talked through first (accommodations, the specialist speaking to the employer); "
        "concrete ways of wording it are discussed; the choice is revisited (no job after two "
        "months, trouble at work).",
        (
            "None of the four elements",
            "One of the four elements",
            "Two of the four elements",
            "Three of the four elements",
            "All four elements",
        ),
    ),
    (
        14,
        3,
        "Ongoing, work-based vocational assessment",
        "An initial assessment over two or three meetings is written up as a career profile "
        "(preferences, history, skills, strengths, contacts) and brought up to date after each "
        "job, drawing on the client, the team, records and, with permission, family and "
        "employers.",
        (
            "Tests in an office before any placement",
            "Step-by-step prevocational, volunteer or set-aside work first",
            "Straight to job search without a review of interests; job losses are not learnt from",
            "A two-to-three-meeting assessment and lessons from jobs, but no written, updated "
            "profile",
            "A full written profile, updated with every job",
        ),
    ),
    (
        15,
        3,
        "Rapid job search for competitive jobs",
        "On average the first face-to-face contact with an employer about a competitive job "
        "(by the client or the specialist) comes within 30 days of enrollment, and the program "
        "keeps track of it.",
        (
            "271 days or more on average",
            "151–270 days on average",
            "61–150 days on average",
            "31–60 days on average",
            "30 days or fewer on average, and tracked",
        ),
    ),
    (
        16,
        3,
        "Individualized job search",
        "Employers are approached because of the client's preferences and needs, not because of "
        "which jobs happen to be open, following a job-search plan updated from the profile.",
        (
            "Under 25 % of employer contacts follow the client's preferences",
            "25–49 % of employer contacts follow the client's preferences",
            "50–74 % of employer contacts follow the client's preferences",
            "75–89 % of employer contacts follow the client's preferences",
            "90–100 % of employer contacts follow the client's preferences",
        ),
    ),
    (
        17,
        3,
        "Job development: frequent employer contact",
        "Each specialist makes at least six face-to-face contacts a week with employers on "
        "behalf of job seekers (repeat visits count; with or without the client; for a client or "
        "general), logged on a weekly form the supervisor reviews every week.",
        (
            "Fewer than two client-related contacts a week",
            "Two a week, or no tracking",
            "Four a week, and the form reviewed monthly",
            "Five a week, and the form reviewed weekly",
            "Six or more a week (or twice the number of job seekers when fewer than three), and "
            "the form reviewed weekly",
        ),
    ),
    (
        18,
        3,
        "Job development: quality of employer contact",
        "Specialists build relationships through several planned visits: learning what the "
        "employer needs, explaining what the program offers, presenting a suitable candidate's "
        "strengths.",
        (
            "Employers are met only to drop off applications, or hardly at all",
            "Specialists ask about openings and pass leads on to clients",
            "Specialists follow up advertised openings and ask for interviews",
            "Specialists meet employers whether or not a job is open and speak up for clients",
            "Specialists make several planned visits to build each relationship",
        ),
    ),
    (
        19,
        3,
        "Diversity of job types",
        "Specialists help clients into different kinds of jobs.",
        (
            "Under 50 % of jobs differ in type",
            "50–59 % of jobs differ in type",
            "60–69 % of jobs differ in type",
            "70–84 % of jobs differ in type",
            "85–100 % of jobs differ in type",
        ),
    ),
    (
        20,
        3,
        "Diversity of employers",
        "Specialists help clients into jobs with different employers.",
        (
            "Under 50 % of jobs are with different employers",
            "50–59 % of jobs are with different employers",
            "60–69 % of jobs are with different employers",
            "70–84 % of jobs are with different employers",
            "85–100 % of jobs are with different employers",
        ),
    ),
    (
        21,
        3,
        "Competitive jobs",
        "Jobs are permanent competitive ones — at least the minimum wage, open to anyone, not "
        "set aside; agency-run transitional or time-limited jobs do not count, seasonal and "
        "temp-agency jobs open to anyone do.",
        (
            "Under 64 % of jobs are competitive, or fewer than ten jobs held now",
            "64–74 % of jobs are competitive",
            "75–84 % of jobs are competitive",
            "85–94 % of jobs are competitive",
            "95 % or more of jobs are competitive",
        ),
    ),
    (
        22,
        3,
        "Individualized follow-along supports",
        "Supports vary with the job, the person's wishes and history; they come from the "
        "treatment team, family, friends, co-workers and the specialist; the employer is "
        "supported when the client wants it; help with career growth (study, a better job) is "
        "offered.",
        (
            "Most clients get no support once they start work",
            "About half get a narrow range of supports, mostly from the specialist",
            "Most get a narrow range of supports, mostly from the specialist",
            "Supports are individual, and employers are supported on request",
            "All of that, from a range of people, with help on career growth",
        ),
    ),
    (
        23,
        3,
        "Time-unlimited follow-along supports",
        "A face-to-face meeting within the week before a job starts and within three days after, "
        "weekly in the first month, then at least monthly for a year or longer if wanted; a "
        "planned hand-over to a mental-health worker once work is steady; contact within three "
        "days of hearing that a job ended.",
        (
            "No face-to-face support after the first month",
            "Fewer than half of working clients seen for four months or more",
            "At least half of working clients seen for four months or more",
            "Weekly in the first month, then monthly for at least a year",
            "Every timing above, the planned hand-over, and contact within three days of a job "
            "ending",
        ),
    ),
    (
        24,
        3,
        "Community-based services",
        "Every specialist engages clients, finds jobs and gives supports out in ordinary "
        "community settings.",
        (
            "30 % or less of scheduled time spent in the community",
            "30–39 % of scheduled time spent in the community",
            "40–49 % of scheduled time spent in the community",
            "50–64 % of scheduled time spent in the community",
            "65 % or more of scheduled time spent in the community",
        ),
    ),
    (
        25,
        3,
        "Assertive engagement and outreach by the integrated team",
        "All six: no discharge for missed appointments or fixed time limits; outreach attempts "
        "written down; outreach by members of the integrated team; repeated visits at home or "
        "in the community; joint visits by specialist and team member; family contacted where "
        "it helps (outreach stops once the person clearly no longer wants work).",
        (
            "Two or fewer of the six",
            "Three of the six",
            "Four of the six",
            "Five of the six",
            "All six",
        ),
    ),
)


def load_scale(apps, schema_editor):
    db = schema_editor.connection.alias  # the migrating role's connection
    ScaleVersion = apps.get_model("fidelity", "ScaleVersion")
    Section = apps.get_model("fidelity", "Section")
    Item = apps.get_model("fidelity", "Item")
    scale, created = ScaleVersion.objects.db_manager(db).get_or_create(
        code="2008",
        defaults={"title": "IPS Supported Employment Fidelity Scale (2008)", "is_current": True},
    )
    if not created:
        return
    sections = {
        position: Section.objects.db_manager(db).create(scale=scale, position=position, name=name)
        for position, name in SECTIONS
    }
    for number, section, name, criterion, anchors in ITEMS:
        Item.objects.db_manager(db).create(
            scale=scale,
            section=sections[section],
            number=number,
            name=name,
            criterion=criterion,
            **{f"anchor_{score}": text for score, text in enumerate(anchors, start=1)},
        )


class Migration(migrations.Migration):
    dependencies = [("fidelity", "0001_initial")]

    operations = [migrations.RunPython(load_scale, migrations.RunPython.noop)]
