# path: shop/orders.py
import threading

import stripe
from django.db import transaction
from django.db.models import F

from .models import Order, Product
from .tasks import send_receipt


def reserve(product_id, quantity):
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product_id)  # error: DC320[high]
        product.stock -= quantity
        product.save()


def place_order(customer, cart):
    with transaction.atomic():
        order = Order.objects.create(customer=customer, total=cart.total)
        transaction.on_commit(lambda: send_receipt.delay(order.pk))  # error: DC320
    return order


class Counter:
    def __init__(self):
        self._lock = threading.Lock()
        self.value = 0

    def bump(self):
        with self._lock:  # error: DC320
            self.value += 1


def charge(order):
    return stripe.PaymentIntent.create(
        amount=order.total,
        currency="eur",
        idempotency_key=f"order-{order.pk}",  # error: DC320
    )


def mark_shipped(order_id):
    Order.objects.filter(pk=order_id).update(status="shipped")  # error: DC320


@transaction.atomic  # error: DC320
def transfer(source, target, amount):
    Product.objects.filter(pk=source).update(stock=F("stock") - amount)
    Product.objects.filter(pk=target).update(stock=F("stock") + amount)


def approve(order_id, user):
    audit(user)
    order = Order.objects.select_for_update().get(pk=order_id)  # ok: DC320
    order.approved_by = user
    order.save()


def refresh_totals(order_id):
    Order.objects.filter(pk=order_id).update(total=F("subtotal") + F("shipping"))  # ok: DC320


def cleanup(order_id):
    # This used to call select_for_update() and hold a lock.  # ok: DC320
    Order.objects.filter(pk=order_id, status="draft").delete()


def audit(user):
    return user
