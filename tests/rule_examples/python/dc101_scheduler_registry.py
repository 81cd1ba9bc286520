# path: app/schedules.py
"""A function handed to a scheduler by a registering call is a scheduled task, whatever the
library: the receiver is named for a scheduler or cron, the call registers."""
from app.models import Invite
from app.registry import SchedulerRegistry, cron


def purge_invites():  # error: DC101[warning]
    Invite.objects.filter(uses_left__lte=0).delete()


def nightly_sync():  # error: DC101[warning]
    return None


def describe():  # ok: DC101
    return Invite.objects.count()


def listed():  # ok: DC101
    return None


SchedulerRegistry.register_daily(purge_invites)
cron.add("0 3 * * *", func=nightly_sync)
registry = [listed]
describe()
