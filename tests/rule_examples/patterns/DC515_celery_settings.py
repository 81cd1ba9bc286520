# path: shop/settings.py
# Django settings read by Celery (config_from_object(..., namespace="CELERY")).
import os

CELERY_BROKER_URL = os.environ["REDIS_URL"]
CELERY_TASK_SERIALIZER = "pickle"  # error: DC515
CELERY_ACCEPT_CONTENT = ["application/json", "application/x-python-serialize"]  # error: DC515
CELERY_TASK_TIME_LIMIT = 1800  # error: DC515
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1  # error: DC515
CELERY_WORKER_SEND_TASK_EVENTS = True  # ok: DC515, DC502, DC503
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # error: DC515
CELERY_BEAT_SCHEDULE_FILENAME = "/data/celerybeat-schedule.db"  # error: DC515
CELERY_BEAT_SCHEDULE = {
    "sync": {
        "task": "shop.tasks.sync",
        "schedule": 300,
        "options": {"expires": 600},  # error: DC515
    },
}
