# path: documents/signals/handlers.py
import logging

from celery import signals
from celery.signals import task_failure
from django.db import connections

log = logging.getLogger(__name__)


@task_failure.connect
def task_failure_handler(sender=None, traceback=None, **kwargs):
    text = "".join(traceback)
    return text


@signals.before_task_publish.connect
def before_publish(headers=None, **kwargs):
    return headers


def on_ready(sender, **kwargs):
    return sender
