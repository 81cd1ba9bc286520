# path: t/smoke/workers/alias.py
# A root-level t/ folder is a test suite (Celery's own layout): its worker settings are not deployed.
from celery import Celery
from kombu import Queue

app = Celery("celery_test_app")
app.conf.task_queues = [Queue("real_name", alias="alias")]  # ok: DC504
