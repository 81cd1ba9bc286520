# path: inventory/tasks.py
from celery import shared_task
from django.db.models import F

from .models import Product


@shared_task
def reserve_stock(product_id, quantity):
    Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)  # error: DC320
