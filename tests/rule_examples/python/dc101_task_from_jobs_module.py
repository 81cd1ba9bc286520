# path: app/reports.py
"""A bare @task from an unknown module named like a jobs module counts as a job; a plain
function beside it does not."""
from shop.jobs import task

from .models import Report


@task  # error: DC101[warning]
def rebuild(pk):
    Report.objects.filter(pk=pk).delete()


def describe(pk):  # ok: DC101
    return Report.objects.filter(pk=pk).delete()
