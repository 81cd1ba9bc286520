# path: shop/celery.py
from apscheduler.schedulers.background import BackgroundScheduler
from celery import Celery
from rq import Retry

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")  # error: DC515
app.conf.task_default_rate_limit = "10/m"  # error: DC515

scheduler = BackgroundScheduler(job_defaults={"max_instances": 3, "coalesce": False})  # error: DC515


def send_later(order, queue):
    options = {}
    options["queue"] = "serial"  # error: DC504
    order_saved.apply_async(args=[order.pk], countdown=5, **options)  # error: DC515, DC103
    queue.enqueue(  # error: DC103
        sync_order,
        order.pk,
        retry=Retry(max=3),  # error: DC515, DC330
    )
