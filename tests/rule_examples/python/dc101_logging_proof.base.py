# path: shop/tasks.py
import logging
import sys
import time
from multiprocessing import current_process

from celery import shared_task

from .models import Product

log = logging.getLogger(__name__)
SEEN = 0


@shared_task
def dump(product_id, stderr=None):
    stderr = sys.stderr if stderr is None else stderr
    print("dumping", product_id, file=stderr)
    return Product.objects.get(pk=product_id).dump()


@shared_task
def protect(product_id):
    try:
        Product.objects.get(pk=product_id).protect()
    except Exception:
        log.exception("could not protect %s", product_id)


@shared_task
def interrupt(product_id):
    try:
        Product.objects.get(pk=product_id).protect()
    except Exception:
        log.exception("could not protect %s", product_id)


@shared_task
def timed(product_id):
    started = time.monotonic()
    Product.objects.get(pk=product_id).restock(1)
    log.info("restocked %s", product_id)


@shared_task
def pop_logged(product_id, queue):
    Product.objects.get(pk=product_id).restock(1)


@shared_task
def report(name):
    logger = logging.getLogger(f"shop.{name}.reports")
    logger.info("report")
    return name


@shared_task
def counted(product_id):
    global SEEN
    Product.objects.get(pk=product_id).restock(1)


@shared_task
def translated(product_id):
    log.info(_("restocked %s") % product_id)
    Product.objects.get(pk=product_id).restock(1)


@shared_task
def popped(queue):
    log.info("next")
    Product.objects.get(pk=queue.peek()).restock(1)


@shared_task
def activate(product_ids, seen):
    Product.objects.filter(pk__in=product_ids).update(active=True)


@shared_task
def lock_logged(product_ids):
    rows = Product.objects.select_for_update().filter(pk__in=product_ids)
    rows.update(active=False)


@shared_task
def last_logged(product_ids, product_id):
    Product.objects.get(pk=product_id).restock(1)


@shared_task
def release(codes):
    codes.update(used=0)


@shared_task
def monitor(count):
    from blessed import Terminal

    term = Terminal()
    print(term.move(0, 10) + term.white_on_cyan(term.center(count, width=10)))


@shared_task
def monitor_keys(count):
    from blessed import Terminal

    term = Terminal()
    print(term.center(str(count)))
