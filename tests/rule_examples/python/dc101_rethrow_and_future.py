# path: shop/tasks.py
import logging
from concurrent.futures import Future

from celery import shared_task

from .models import Product

log = logging.getLogger(__name__)


# result() raises what the work raised, so the old `exception()` branch could never run; the new
# clause only logs and raises it again.
@shared_task
def on_done(future: Future):
    try:  # error: DC101[info]
        if count := future.result():
            Product.objects.filter(pk=count).update(seen=True)
    except Exception as exc:
        log.error("callback failed", exc_info=exc)
        raise exc


# Nothing says this is a future: its `exception()` may be anything.
@shared_task
def on_done_untyped(future):
    try:  # error: DC101[warning]
        if count := future.result():
            Product.objects.filter(pk=count).update(seen=True)
    except Exception as exc:
        log.error("callback failed", exc_info=exc)
        raise exc


@shared_task
def restock(product_id):
    try:  # error: DC101[info]
        Product.objects.get(pk=product_id).restock(1)
    except Exception:
        log.exception("restock failed")
        raise


# The new clause raises again what the old `except Exception` would have recovered from.
@shared_task
def restock_or_recover(product_id):
    try:
        Product.objects.get(pk=product_id).restock(1)
    except ValueError as exc:  # error: DC101[warning]
        raise exc
    except Exception:
        Product.objects.get(pk=product_id).recover()


# `from None` hides the cause the caller saw before.
@shared_task
def restock_hidden(product_id):
    try:  # error: DC101[warning]
        Product.objects.get(pk=product_id).restock(1)
    except Exception as exc:
        raise exc from None
