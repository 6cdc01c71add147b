"""Outcome reports: what a report shows (`context`), its trend chart (`charts`), its tables as
CSV (`tables`), the reports page (`page`), the stored PDFs (`services`, rendered by
`outcomes.tasks.report_generate_task` through the base pipeline `ips.pdf`), and the pages
(`views`) and API routes (`api`) that serve them."""
