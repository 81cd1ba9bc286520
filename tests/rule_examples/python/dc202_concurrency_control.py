# path: shop/sync.py
"""Concurrency control without a lock keyword, added to or changed in existing functions (head: dc202_concurrency_control.py)."""
from concurrent.futures import ThreadPoolExecutor

from django.db import IntegrityError, connection, transaction
from redis import Redis
from sqlalchemy import text

from .models import Price, Stock, Tag

r = Redis()
INCR = r.register_script("return redis.call('INCR', KEYS[1])")  # error: DC202


def lock_stocks(ids):
    ids = sorted(ids)  # error: DC201
    with transaction.atomic():
        return list(Stock.objects.select_for_update().filter(pk__in=ids).order_by("pk"))  # error: DC201


def remember(sku, price):
    with connection.cursor() as cursor:
        cursor.execute(  # error: DC202
            "INSERT INTO prices (sku, price) VALUES (%s, %s) ON CONFLICT (sku) DO NOTHING", [sku, price]
        )


def tag(name):
    try:
        return Tag.objects.create(name=name)
    except IntegrityError:  # error: DC202
        return Tag.objects.get(name=name)


def import_prices(rows):
    for sku, price in rows:
        Price.objects.update_or_create(sku=sku, defaults={"price": price})  # error: DC202


def bump(key):
    with r.pipeline() as pipe:
        pipe.watch(key)  # error: DC202
        value = int(pipe.get(key) or 0)
        pipe.multi()  # error: DC202
        pipe.set(key, value + 1)
        pipe.execute()


def bump_script(key):
    return INCR(keys=[key])


def fan_out(jobs):
    with ThreadPoolExecutor(max_workers=8) as pool:  # error: DC201
        return list(pool.map(run, jobs))


def rebuild(tree_id, session):
    session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": tree_id})  # error: DC201
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tree WHERE tree_id = %s", [tree_id])


async def job_status(redis, job_id):
    async with redis.pipeline(transaction=True) as tr:  # error: DC201
        tr.get(f"result:{job_id}")
        tr.zscore("queue", job_id)
        result, score = await tr.execute()
    return result, score
