# path: inventory/tasks.py
from celery import shared_task
from django.db.models import F

from .models import Product


@shared_task
def reserve_stock(product_id, quantity):
    product = Product.objects.get(pk=product_id)  # error: DC101[warning]
    product.stock = product.stock - quantity  # error: DC301[high]
    product.save()
