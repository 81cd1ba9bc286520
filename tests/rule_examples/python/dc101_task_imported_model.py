# path: app/chores.py
"""In a file that imports celery, a Task imported from a models module is still a model; a Task
defined here on celery's Task is Celery's, and so are its subclasses."""
import celery

from .models import Task


class Chore(Task):
    def close(self):  # ok: DC101
        Chore.objects.filter(pk=self.pk).update(done=True)
