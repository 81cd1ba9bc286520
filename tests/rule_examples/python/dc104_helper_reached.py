# path: shop/tasks.py
from celery import shared_task

from shop.models import Order


@shared_task
def settle(order_id):
    order = Order.objects.get(pk=order_id)
    apply_discount(order)
    order.save()


def apply_discount(order):
    order.total = order.total * 0.8  # error: DC104[warning]


def audit_label(order):
    return "order"  # ok: DC104


def render_receipt(order):
    return f"total {order.total:.2f}"  # ok: DC104
