# path: queue/storage.py
"""Check-then-act on a key-value store: a lock made of peek-then-put, a range read and its removal."""
from django.core.cache import cache
from redis import Redis

from .models import Account

r = Redis()


class TaskLock:
    def __init__(self, storage, name):
        self.storage, self.key = storage, f"lock:{name}"

    def __enter__(self):
        if self.storage._get_data(self.key, peek=True) is not None:  # error: DC312
            raise RuntimeError("locked")
        self.storage._put_data(self.key, "1")

    def __exit__(self, *exc):
        self.storage._get_data(self.key)


class Schedule:
    def __init__(self, conn, key):
        self.conn, self.key = conn, key

    def read(self, now):
        tasks = self.conn.zrangebyscore(self.key, 0, now)  # error: DC312
        if tasks:
            self.conn.zremrangebyscore(self.key, 0, now)
        return tasks

    def read_atomically(self, now):
        with self.conn.pipeline() as pipe:
            pipe.zrangebyscore(self.key, 0, now)  # ok: DC312
            pipe.zremrangebyscore(self.key, 0, now)
            tasks, _ = pipe.execute()
        return tasks


def run_once(name):
    seen = r.get(f"ran:{name}")  # error: DC312
    if seen:
        return False
    r.set(f"ran:{name}", 1, ex=3600)
    return True


def run_once_atomically(name):
    return bool(r.set(f"ran:{name}", 1, nx=True, ex=3600))  # ok: DC312  # error: DC201


def account_for(email):
    if cache.get(f"account:{email}") is None:  # error: DC312
        Account.objects.create(email=email)
        cache.set(f"account:{email}", 1)


def remember(key, value):
    if cache.get("enabled"):  # ok: DC312
        cache.set(key, value)


def heartbeat(connection, key, timeout):
    connection.expire(key, timeout)  # error: DC312
    connection.hset(key, "last_heartbeat", "now")


def heartbeat_fixed(connection, key, timeout):
    with connection.pipeline() as pipe:
        pipe.hset(key, "last_heartbeat", "now")  # ok: DC312
        pipe.expire(key, timeout)
        pipe.execute()


class RateLimit:
    def __init__(self, storage, key):
        self.storage, self.window_key = storage, key

    def acquire(self, window):
        current = self.storage.incr(self.window_key, 0)  # error: DC312
        if current != window:
            self.storage.incr(self.window_key, window)


class Starter:
    """MULTI makes the queued commands atomic with each other, not with a read made before it."""

    def __init__(self, pool):
        self.pool = pool

    async def start(self, job_id):
        key = f"in-progress:{job_id}"
        if await self.pool.exists(key):  # error: DC312
            return False
        async with self.pool.pipeline(transaction=True) as pipe:
            pipe.psetex(key, 60_000, b"1")
            await pipe.execute()
        return True

    async def start_watched(self, job_id):
        key = f"in-progress:{job_id}"
        async with self.pool.pipeline(transaction=True) as pipe:
            await pipe.watch(key)
            if await pipe.exists(key):  # ok: DC312
                return False
            pipe.multi()
            pipe.psetex(key, 60_000, b"1")
            await pipe.execute()
        return True
