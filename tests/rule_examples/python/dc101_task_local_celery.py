# path: app/base_tasks.py
"""A Task defined in the file on celery's Task is Celery's, and so are its subclasses."""
import celery

from .models import Order


class Task(celery.Task):
    def run(self, pk):  # error: DC101[warning]
        Order.objects.filter(pk=pk).update(seen=True)


class Sync(Task):
    def run(self, pk):  # error: DC101[warning]
        Order.objects.filter(pk=pk).update(synced=True)


class Note:
    def run(self, pk):  # ok: DC101
        Order.objects.filter(pk=pk).update(noted=True)
