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
    used = int(r.get(key) or 0)  # ok: DC320
    r.set(key, used + 1)


def view(page_id):
    cache.incr(f"views:{page_id}")


def bump(key):
    r.incr(key)
