# path: rate/counters.py
import itertools
from dataclasses import dataclass

import redis
from django.core.cache import cache, caches

r = redis.Redis()


@dataclass
class Tally:
    n: int = 0

    def incr(self, by=1):
        self.n += by


def hit(key):
    r.incr(key)  # error: DC202[warning]


def view(page_id):
    cache.incr(f"views:{page_id}")  # ok: DC202


def bump(key):
    r.incrby(key, 2)  # error: DC202


def spend(conn, user_id, amount):
    conn.decrby(f"credit:{user_id}", amount)  # error: DC202
    caches["default"].decr(f"slots:{user_id}")  # error: DC202


class Quota:
    def __init__(self, client):
        self.redis = client

    def charge(self, user_id, amount):
        self.redis.hincrbyfloat("spent", user_id, amount)  # error: DC202
        with self.redis.pipeline() as pipe:
            pipe.hincrby("calls", user_id, 1)  # error: DC202
            pipe.execute()


async def seen(ctx, url):
    await ctx["redis"].incrbyfloat(f"score:{url}", 0.5)  # error: DC202


def tally_words(words):
    tally = Tally()
    client = Tally()
    ticket = itertools.count()
    for word in words:
        tally.incr()  # ok: DC202
        client.incr(len(word))  # ok: DC202
    return tally.n, next(ticket)


class Meter:
    def __init__(self):
        self.counter = Tally()

    def tick(self, statsd):
        self.counter.incr()  # ok: DC202
        statsd.incr("jobs.done")  # ok: DC202
