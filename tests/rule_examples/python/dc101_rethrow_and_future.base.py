# path: shop/tasks.py
import logging
from concurrent.futures import Future

from celery import shared_task

from .models import Product

log = logging.getLogger(__name__)


@shared_task
def on_done(future: Future):
    if count := future.result():
        Product.objects.filter(pk=count).update(seen=True)
    if exc := future.exception():
        raise exc


@shared_task
def on_done_untyped(future):
    if count := future.result():
        Product.objects.filter(pk=count).update(seen=True)
    if exc := future.exception():
        raise exc


@shared_task
def restock(product_id):
    Product.objects.get(pk=product_id).restock(1)


@shared_task
def restock_or_recover(product_id):
    try:
        Product.objects.get(pk=product_id).restock(1)
    except Exception:
        Product.objects.get(pk=product_id).recover()


@shared_task
def restock_hidden(product_id):
    Product.objects.get(pk=product_id).restock(1)
