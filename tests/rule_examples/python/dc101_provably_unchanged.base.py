# path: shop/tasks.py
import logging

from celery import shared_task

from .models import Product

log = logging.getLogger(__name__)


@shared_task
def recount(product_id):
    product = Product.objects.get(pk=product_id)
    return product.stock


@shared_task
def describe(product_id, verbose):
    text = f"product {product_id}"
    return text.upper() if verbose else text


@shared_task
def price(product_id, rate):
    return round(product_id * rate, 2)


@shared_task
def retired(product_id):
    return product_id


@shared_task
def announce(product_id):
    print("announcing", product_id)
    return product_id


@shared_task
def restock(product_id, quantity):
    product = Product.objects.get(pk=product_id)
    product.restock(quantity)
