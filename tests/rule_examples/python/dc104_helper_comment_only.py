# path: shop/tasks.py
from celery import shared_task


@shared_task
def settle(order_id):
    return apply_discount(order_id)


def apply_discount(total):
    return total * 0.9  # error: DC104[info]


def unrelated(total):
    return total + 1  # ok: DC104
