# path: ops/tasks.py
"""invoke's @task is a command-line task, not a job, even beside a Celery import."""
from celery import shared_task
from invoke import task

from shop.models import Order


@task  # ok: DC101
def cleanup(c):
    Order.objects.filter(stale=True).delete()


@shared_task  # error: DC101[warning]
def purge():
    Order.objects.filter(stale=True).delete()
