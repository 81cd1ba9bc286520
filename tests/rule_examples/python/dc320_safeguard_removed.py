# path: shop/orders.py
import threading

import stripe
from django.db import transaction
from django.db.models import F

from .models import Order, Product
from .tasks import send_receipt


def reserve(product_id, quantity):
    with transaction.atomic():
        product = Product.objects.get(pk=product_id)
        product.stock -= quantity  # error: DC301
        product.save()


def place_order(customer, cart):
    with transaction.atomic():
        order = Order.objects.create(customer=customer, total=cart.total)
        send_receipt.delay(order.pk)  # error: DC103[warning]
    return order


class Counter:
    def __init__(self):
        self._lock = threading.Lock()
        self.value = 0

    def bump(self):
        self.value += 1


def charge(order):
    return stripe.PaymentIntent.create(
        amount=order.total,
        currency="eur",
    )


def mark_shipped(order_id):
    order = Order.objects.get(pk=order_id)
    order.status = "shipped"
    order.save()


def transfer(source, target, amount):
    Product.objects.filter(pk=source).update(stock=F("stock") - amount)
    Product.objects.filter(pk=target).update(stock=F("stock") + amount)


def approve(order_id, user):
    order = Order.objects.select_for_update().get(pk=order_id)  # ok: DC201
    audit(user)
    order.approved_by = user
    order.save()


def recompute_totals(order_id):
    Order.objects.filter(pk=order_id).update(total=F("subtotal") + F("shipping"))  # ok: DC202


def cleanup(order_id):
    Order.objects.filter(pk=order_id, status="draft").delete()


def audit(user):
    return user
