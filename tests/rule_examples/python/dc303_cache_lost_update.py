# path: api/quota.py
import redis
from django.core.cache import cache

r = redis.Redis()


def count_request(user_id):
    used = int(r.get(f"quota:{user_id}") or 0)  # error: DC303
    r.set(f"quota:{user_id}", used + 1)


def count_view(page_id):
    views = cache.get(f"views:{page_id}", 0)  # error: DC303
    views += 1
    cache.set(f"views:{page_id}", views, timeout=3600)


def count_request_atomic(user_id):
    r.incr(f"quota:{user_id}")  # ok: DC303  # error: DC202


def count_request_watched(user_id):
    with r.pipeline() as pipe:
        pipe.watch(f"quota:{user_id}")
        used = int(pipe.get(f"quota:{user_id}") or 0)  # ok: DC303
        pipe.multi()
        pipe.set(f"quota:{user_id}", used + 1)
        pipe.execute()


def remember_user(request, user):
    name = request.headers.get("X-Name")  # ok: DC303
    cache.set(f"user:{user.pk}", name)
    cache.set(f"seen:{user.pk}", cache.get("now"))  # ok: DC303
