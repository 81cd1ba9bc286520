# path: shop/celeryconfig.py
worker_concurrency = 8  # error: DC502
worker_prefetch_multiplier = 1
task_acks_late = True  # error: DC503
task_routes = {"shop.tasks.reserve_stock": {"queue": "default"}}  # error: DC504
beat_schedule = {
    "sync-stock": {"task": "shop.tasks.sync_stock", "schedule": crontab(minute="*/1")},  # error: DC505
}
