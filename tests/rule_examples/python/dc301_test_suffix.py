# path: shop/stock_test.py
from celery import shared_task

from shop.models import Product


@shared_task  # ok: DC101
def helper_task(pk):
    product = Product.objects.get(pk=pk)
    product.stock -= 1  # ok: DC301
    product.save()
