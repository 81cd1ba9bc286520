# path: shop/tasks.py
from celery import shared_task

from shop.models import Order


@shared_task
def settle(order_id):
    order = Order.objects.get(pk=order_id)
    apply_discount(order)
    order.save()


def apply_discount(order):
    order.total = order.total * 0.9


def audit_label(order):
    return "order"


def render_receipt(order):
    return f"total {order.total}"
