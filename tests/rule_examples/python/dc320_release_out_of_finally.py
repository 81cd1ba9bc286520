# path: feeds/publish.py
"""A lock release taken out of its `finally:` block (head: dc320_release_out_of_finally.py)."""
import redis

store = redis.Redis()


def publish(feed):
    feed_lock = store.lock(f"feed:{feed.pk}", timeout=60)
    feed_lock.acquire()
    feed.render()
    feed.upload()
    feed_lock.release()  # error: DC320[high]


def archive(feed):
    archive_lock = store.lock(f"archive:{feed.pk}", timeout=60)
    # the lock's own context manager releases it on every path
    with archive_lock:  # error: DC201[warning]
        feed.archive()  # ok: DC320
