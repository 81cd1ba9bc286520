# path: queue/store.py
"""A job table used as a queue: select free rows, then mark them taken by id."""
from sqlalchemy import select

from .models import Job
from .tables import jobs


def acquire(conn, worker_id, limit):
    free = select(jobs.c.id).where(jobs.c.acquired_by.is_(None)).limit(limit)  # error: DC313
    ids = [row.id for row in conn.execute(free)]
    conn.execute(jobs.update().values(acquired_by=worker_id).where(jobs.c.id.in_(ids)))
    return ids


def acquire_skip_locked(conn, worker_id, limit):
    free = select(jobs.c.id).where(jobs.c.acquired_by.is_(None)).limit(limit).with_for_update(skip_locked=True)  # ok: DC313  # error: DC201
    ids = [row.id for row in conn.execute(free)]
    conn.execute(jobs.update().values(acquired_by=worker_id).where(jobs.c.id.in_(ids)))
    return ids


def acquire_rechecked(conn, worker_id, limit):
    free = select(jobs.c.id).where(jobs.c.acquired_by.is_(None)).limit(limit)  # ok: DC313
    ids = [row.id for row in conn.execute(free)]
    conn.execute(jobs.update().values(acquired_by=worker_id).where(jobs.c.id.in_(ids), jobs.c.acquired_by.is_(None)))
    return ids


def claim_django(worker_id):
    ready = list(Job.objects.filter(state="ready").values_list("pk", flat=True)[:10])  # error: DC313
    Job.objects.filter(pk__in=ready).update(state="running", worker=worker_id)
    return ready


async def claim_mongo(collection, worker_id):
    taken = []
    async for document in collection.find({"acquired_by": None}).limit(10):  # error: DC313
        taken.append(document["_id"])
    await collection.update_many({"_id": {"$in": taken}}, {"$set": {"acquired_by": worker_id}})
    return taken
