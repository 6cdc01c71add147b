"""Keep the stored `Job.competitive` true to a program's minimum-wage schedule.

Any change to a schedule entry (the service, the admin, seeding) refreshes the flag of every
job of the program in the same transaction as the change; a save of the program refreshes its
self-employed jobs (whether it counts self-employment may have changed).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from clients.models import Job, refresh_competitive
from ips.models import MinimumWage, Program


@receiver(post_save, sender=MinimumWage, dispatch_uid="clients.minimum_wage_saved")
@receiver(post_delete, sender=MinimumWage, dispatch_uid="clients.minimum_wage_deleted")
def refresh_the_programs_jobs(sender: type, instance: MinimumWage, **kwargs: Any) -> None:
    refresh_competitive(Job.objects.filter(client__program_id=instance.program_id))


@receiver(post_save, sender=Program, dispatch_uid="clients.program_saved")
def refresh_the_programs_self_employment(
    sender: type, instance: Program, created: bool, **kwargs: Any
) -> None:
    if not created:
        refresh_competitive(Job.objects.filter(client__program_id=instance.pk, self_employed=True))
