# path: shop/tasks.py
import logging

from celery import shared_task

from .models import Product

log = logging.getLogger(__name__)


@shared_task
def recount(product_id: int) -> int:  # error: DC101[info]
    """Return the stock of one product."""
    log.info("recounting %s", product_id)
    product = Product.objects.get(pk=product_id)  # the same statement, reformatted below
    return (
        product.stock
    )


@shared_task
def describe(product_id, verbose):
    text = f"product {product_id}"
    return text.title() if verbose else text  # error: DC101[warning]


@shared_task
def price(product_id, rate):
    log.debug("pricing")  # error: DC101[warning]
    return round(product_id * rate, 3)


@shared_task
def brand_new(product_id):  # error: DC101[warning]
    return product_id


@shared_task
def announce(product_id):
    warnings.warn(f"announcing {product_id}", FutureWarning)  # error: DC101[info]
    return product_id


@shared_task
def restock(product_id, quantity):
    started = time.monotonic()  # error: DC101[info]
    product = Product.objects.get(pk=product_id)
    product.restock(quantity)
    elapsed = round(time.monotonic() - started, 3)
    log.info("restocked %s in %ss", product.pk, elapsed)
