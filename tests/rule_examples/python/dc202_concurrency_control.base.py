# path: shop/sync.py
"""Concurrency control without a lock keyword, added to or changed in existing functions (head: dc202_concurrency_control.py)."""
from concurrent.futures import ThreadPoolExecutor

from django.db import IntegrityError, connection, transaction
from redis import Redis

from .models import Price, Stock, Tag

r = Redis()


def lock_stocks(ids):
    with transaction.atomic():
        return list(Stock.objects.select_for_update().filter(pk__in=ids))


def remember(sku, price):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM prices WHERE sku = %s", [sku])
        if cursor.fetchone() is None:
            cursor.execute("INSERT INTO prices (sku, price) VALUES (%s, %s)", [sku, price])


def tag(name):
    return Tag.objects.create(name=name)


def import_prices(rows):
    Price.objects.bulk_create([Price(sku=sku, price=price) for sku, price in rows])


def bump(key):
    value = int(r.get(key) or 0)
    r.set(key, value + 1)


def fan_out(jobs):
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(run, jobs))


def rebuild(tree_id):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tree WHERE tree_id = %s", [tree_id])


async def job_status(redis, job_id):
    result = await redis.get(f"result:{job_id}")
    score = await redis.zscore("queue", job_id)
    return result, score
