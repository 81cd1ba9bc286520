# path: app/helpers.py
"""A bare @task defined in a file that imports no job framework is a project decorator; the
Celery app's @app.task is a job."""
from .celery import app
from .models import Order


def task(fn):
    return fn


@task  # ok: DC101
def close(pk):
    Order.objects.filter(pk=pk).update(closed=True)


@app.task  # error: DC101[warning]
def reopen(pk):
    Order.objects.filter(pk=pk).update(closed=False)
