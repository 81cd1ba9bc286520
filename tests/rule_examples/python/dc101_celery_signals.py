# path: documents/signals/handlers.py
import logging

from celery import signals
from celery.signals import task_failure
from django.db import connections

log = logging.getLogger(__name__)


@task_failure.connect
def task_failure_handler(sender=None, traceback=None, **kwargs):
    text = traceback if isinstance(traceback, str) else "".join(traceback)  # error: DC101[warning]
    return text


@signals.before_task_publish.connect
def before_publish(headers=None, **kwargs):
    for connection in connections.all(initialized_only=True):  # error: DC101[warning]
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
    return headers


@signals.worker_process_shutdown.connect  # error: DC101[warning] (a new receiver: it runs in every worker process)
def close_pool(**kwargs):
    for connection in connections.all(initialized_only=True):
        connection.close_pool()


def on_ready(sender, **kwargs):
    return sender.name  # ok: DC101
