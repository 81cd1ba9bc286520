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
    if stderr:  # error: DC101[info] (the old `stderr` fed only the print; no branch keeps a statement)
        print("dumping", product_id, file=stderr)
    else:
        log.error("dumping %s", product_id)
    return Product.objects.get(pk=product_id).dump()


@shared_task
def protect(product_id):
    try:
        Product.objects.get(pk=product_id).protect()
    except (ValueError, KeyError):  # error: DC101[info]
        log.info("expected: could not protect %s", product_id)
    except Exception:
        log.exception("unexpected: could not protect %s", product_id)


@shared_task
def interrupt(product_id):
    try:
        Product.objects.get(pk=product_id).protect()
    except KeyboardInterrupt:  # error: DC101[warning] (outside `except Exception`: now swallowed)
        log.info("interrupted while protecting %s", product_id)
    except Exception:
        log.exception("could not protect %s", product_id)


@shared_task
def timed(product_id):
    started = time.monotonic()
    Product.objects.get(pk=product_id).restock(1)
    worker = current_process().name  # error: DC101[info]
    log.info("restocked %s on %s (%s)", product_id, worker, ", ".join([worker.upper(), str(time.monotonic() - started)]))


@shared_task
def pop_logged(product_id, queue):
    if queue.pop():  # error: DC101[warning]
        log.info("popped")
    Product.objects.get(pk=product_id).restock(1)


@shared_task
def report(name):
    logger = logging.getLogger(f"shop.reports.{name}")  # error: DC101[info]
    logger.info("report")
    return name


@shared_task
def counted(product_id):
    global SEEN
    SEEN = SEEN + 1  # error: DC101[warning]
    Product.objects.get(pk=product_id).restock(1)


@shared_task
def translated(product_id):
    log.info(_("restocked {}").format(product_id))  # error: DC101[info] (a translated message is still only a message)
    Product.objects.get(pk=product_id).restock(1)


@shared_task
def popped(queue):
    log.info("next %s", queue.pop())  # error: DC101[warning] (pop() takes the item off the queue)
    Product.objects.get(pk=queue.peek()).restock(1)


@shared_task
def activate(product_ids, seen):
    for product_id in product_ids:  # error: DC101[info] (a loop left with nothing but its logging)
        if product_id in seen:
            log.warning("activated twice: %s", product_id)
    Product.objects.filter(pk__in=product_ids).update(active=True)


@shared_task
def lock_logged(product_ids):
    rows = Product.objects.select_for_update().filter(pk__in=product_ids)
    for row in rows:  # error: DC101[warning] (iterating a select_for_update() query set locks its rows)
        log.info("locking %s", row.pk)
    rows.update(active=False)


@shared_task
def last_logged(product_ids, product_id):
    for product_id in product_ids:  # error: DC101[warning] (the loop variable outlives the loop and is read)
        log.info("seen %s", product_id)
    Product.objects.get(pk=product_id).restock(1)


@shared_task
def release(codes):
    suspected = [code.code for code in codes if code.used < code.orders]  # error: DC101[info]
    if suspected:
        log.error("codes used more than counted: %s", ",".join(suspected))
    codes.update(used=0)


@shared_task
def monitor(count):
    from blessed import Terminal

    term = Terminal()
    print(term.move(0, 10) + term.white_on_cyan(term.center(str(count), width=10)))  # error: DC101[info] (terminal text only)


@shared_task
def monitor_keys(count):
    from blessed import Terminal

    term = Terminal()
    print(term.center(str(count)), term.inkey(timeout=1))  # error: DC101[warning] (inkey() reads a key press)
