# path: shop/celeryconfig.py
worker_concurrency = 1
worker_prefetch_multiplier = 1
task_acks_late = False
task_routes = {"shop.tasks.reserve_stock": {"queue": "serial"}}
beat_schedule = {
    "sync-stock": {"task": "shop.tasks.sync_stock", "schedule": crontab(minute="*/15")},
}
