# path: proj/celeryconf.py
from celery import Celery

app = Celery("proj")
app.autodiscover_tasks()  # ok: DC504 (unchanged)
