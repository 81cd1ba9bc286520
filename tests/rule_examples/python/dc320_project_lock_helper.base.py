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


@shared_task
def send_invoices():
    with task_lock("send-invoices") as (lock, acquired):  # error: DC320[high]
        if acquired:
            for invoice in Invoice.objects.filter(sent=False):
                invoice.send()


@shared_task
def rebuild_search():
    with task_lock("rebuild-search") as (lock, acquired):
        if acquired:
            rebuild_index()


@shared_task
def reserve(stock_id, quantity):
    with transaction.atomic():
        stock = (
            Stock.objects.filter(pk=stock_id)
            .select_for_update()  # error: DC320[high]
            .get()
        )
        stock.reserved += quantity
        stock.save(update_fields=["reserved"])


@shared_task
def release(stock_id, quantity):
    with transaction.atomic():
        stock = Stock.objects.select_for_update().get(pk=stock_id)  # ok: DC320
        stock.reserved -= quantity
        stock.save(update_fields=["reserved"])
