# path: shop/tasks.py
from celery import shared_task

app.conf.broker_transport_options = {"visibility_timeout": 3600}  # error: DC503


@shared_task(acks_late=True, queue="serial")  # error: DC503, DC504, DC101
def reserve_stock(order_id):
    pass


def enqueue(order_id):
    reserve_stock.apply_async(args=[order_id], queue="bulk")  # error: DC504, DC103
