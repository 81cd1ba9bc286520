# path: shop/settings.py
# Django settings read by Celery (config_from_object(..., namespace="CELERY")).
import os

CELERY_BROKER_URL = os.environ["REDIS_URL"]
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["application/json"]
CELERY_TASK_TIME_LIMIT = 600
CELERY_WORKER_MAX_TASKS_PER_CHILD = 100
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_BEAT_SCHEDULE = {
    "sync": {
        "task": "shop.tasks.sync",
        "schedule": 300,
        "options": {"expires": 240},
    },
}
