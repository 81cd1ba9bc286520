# path: inventory/tasks.py
from celery import shared_task
from django.db.models import F

from .models import Coupon, Product


@shared_task
def reserve_stock(product_id, quantity):
    Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)  # error: DC320


@shared_task
def redeem(batch_id, n):
    Coupon.objects.filter(batch_id=batch_id).update(used=F("used") - n)  # error: DC320
