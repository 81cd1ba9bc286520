# path: builds/utils.py
"""Locks released by a caller that may not hold them."""
from contextlib import contextmanager

from django.core.cache import cache
from redis import Redis

r = Redis()


@contextmanager
def memcache_lock(lock_id, oid, expire=600):
    status = cache.add(lock_id, oid, expire)  # error: DC201
    try:
        yield status
    finally:
        cache.delete(lock_id)  # error: DC314


@contextmanager
def memcache_lock_owned(lock_id, oid, expire=600):
    status = cache.add(lock_id, oid, expire)  # error: DC201
    try:
        yield status
    finally:
        if status:
            cache.delete(lock_id)  # ok: DC314


def run_exclusive(name, work):
    got = r.set(f"lock:{name}", "1", nx=True, ex=60)  # error: DC201
    if not got:
        return None
    try:
        return work()
    finally:
        r.delete(f"lock:{name}")  # ok: DC314


def run_once(lock, work):
    acquired = lock.acquire(blocking=False)  # error: DC201
    try:
        return work()
    finally:
        lock.release()  # error: DC314
