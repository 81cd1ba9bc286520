# path: inventory/tasks.py
from celery import shared_task
from django.db.models import F

from .models import Coupon, Product


def _remaining(product, quantity):  # error: DC104[warning]
    return product.stock - quantity


@shared_task
def reserve_stock(product_id, quantity):
    product = Product.objects.get(pk=product_id)  # error: DC101[warning]
    product.stock = _remaining(product, quantity)  # error: DC301[high]
    product.save()


@shared_task
def redeem(batch_id, n):
    codes = list(Coupon.objects.filter(batch_id=batch_id))  # error: DC101[warning]
    for code in codes:
        code.used = max(code.used - n, 0)  # error: DC301[high]
    Coupon.objects.bulk_update(codes, ["used"])


def _label(product):  # error: DC104[warning]
    return product.name.title()


@shared_task  # error: DC101[warning]
def relabel(product_id):
    product = Product.objects.get(pk=product_id)
    product.label = _label(product)  # ok: DC301
    product.save()
