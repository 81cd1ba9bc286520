# path: shop/jobs.py
"""A project's own lock helper and row locks written over several lines (head: dc320_project_lock_helper.py)."""
from contextlib import contextmanager

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from .models import Invoice, Stock


@contextmanager
def task_lock(name, timeout=600):
    acquired = cache.add(f"lock:{name}", "1", timeout)
    try:
        yield name, acquired
    finally:
        if acquired:
            cache.delete(f"lock:{name}")


@shared_task  # error: DC101
def send_invoices():
    for invoice in Invoice.objects.filter(sent=False):
        invoice.send()


@shared_task  # error: DC101
def rebuild_search():
    with task_lock("rebuild-search") as (lock, acquired):
        if not acquired:  # error: DC320[high]
            rebuild_index()


@shared_task  # error: DC101
def reserve(stock_id, quantity):
    with transaction.atomic():
        stock = (
            Stock.objects.filter(pk=stock_id)
            .get()
        )
        stock.reserved += quantity
        stock.save(update_fields=["reserved"])


def locked_stock(stock_id):  # error: DC104[warning]
    return Stock.objects.select_for_update().get(pk=stock_id)  # ok: DC201


@shared_task  # error: DC101
def release(stock_id, quantity):
    with transaction.atomic():
        stock = locked_stock(stock_id)  # error: DC201[warning]
        stock.reserved -= quantity
        stock.save(update_fields=["reserved"])
