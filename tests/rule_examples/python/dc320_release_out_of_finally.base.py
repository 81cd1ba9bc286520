# path: feeds/publish.py
"""A lock release taken out of its `finally:` block (head: dc320_release_out_of_finally.py)."""
import redis

store = redis.Redis()


def publish(feed):
    feed_lock = store.lock(f"feed:{feed.pk}", timeout=60)
    feed_lock.acquire()
    try:
        feed.render()
    finally:
        feed_lock.release()


def archive(feed):
    archive_lock = store.lock(f"archive:{feed.pk}", timeout=60)
    archive_lock.acquire()
    try:
        feed.archive()
    finally:
        archive_lock.release()
