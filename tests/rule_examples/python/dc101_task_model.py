# path: app/models.py
"""A Django model named Task is not a Celery task, nor is a model that inherits it; a class on the
Celery app's Task still is."""
from django.db import models

from .celery import app


class Task(models.Model):
    title = models.CharField(max_length=100)

    def close(self):  # ok: DC101
        Task.objects.filter(pk=self.pk).update(done=True)


class Chore(Task):
    def close(self):  # ok: DC101
        Chore.objects.filter(pk=self.pk).update(done=True)


class SyncTask(app.Task):
    def run(self, pk):  # error: DC101[warning]
        Task.objects.filter(pk=pk).update(synced=True)
