# path: shop/safe_updates.py
"""Safe ways to change a counter: none of these is a lost update."""
from django.db import transaction
from django.db.models import F

from .models import Order, Product


def decrement_with_f(product_id, quantity):
    Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)  # ok: DC301  # error: DC202[warning]


def decrement_locked(product_id, quantity):
    with transaction.atomic():  # error: DC201[warning]
        product = Product.objects.select_for_update().get(pk=product_id)  # error: DC201
        product.stock = product.stock - quantity  # ok: DC301
        product.save()


def decrement_f_assignment(product_id, quantity):
    product = Product.objects.get(pk=product_id)
    product.stock = F("stock") - quantity  # ok: DC301  # error: DC202
    product.save()


def decrement_optimistic(product_id, quantity):
    product = Product.objects.get(pk=product_id)
    new_stock = product.stock - quantity  # ok: DC301
    # error: DC202
    updated = Product.objects.filter(pk=product.pk, version=product.version).update(
        stock=new_stock, version=product.version + 1
    )
    if not updated:
        raise RuntimeError("concurrent update, retry")


def mark_paid(order_id):
    order = Order.objects.get(pk=order_id)
    order.status = "paid"  # ok: DC301
    order.save()


def derived_field(order_id):
    for line in Order.objects.get(pk=order_id).lines.all():
        line.total = price_of(line)  # ok: DC301
        line.save()


def price_of(line):
    return line.price * line.quantity


def local_arithmetic(values):
    total = 0
    for value in values:
        total = total + value  # ok: DC301
    counts = {"save": 0}
    counts["save"] += 1  # ok: DC301
    return total, counts


def documented():
    """Loads the product, decrements product.stock and calls product.save()."""
    # product.stock = product.stock - 1; product.save()   # ok: DC301
    return "product.stock -= 1; product.save()"  # ok: DC301
