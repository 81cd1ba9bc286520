# path: shop/tasks.py
import logging
import subprocess
import sys

from celery import shared_task

from .models import Product

log = logging.getLogger(__name__)


def dump_state(state, stderr=None):
    stderr = sys.stderr if stderr is None else stderr
    path = f"/tmp/unrestored-{len(state)}"
    print(f"dumping to {path}", file=stderr)
    with open(path, "w") as fh:
        fh.write(repr(state))
    return path


def archive_state(state, stderr=None):
    return subprocess.run(["archive", repr(state)], stderr=stderr, check=False)


def shorten(text, limit=40):
    if len(text) > limit:
        text = text[: limit - 1] + "..."
    return text


@shared_task
def restore(product_ids, stderr=None):
    stderr = sys.stderr if stderr is None else stderr
    unrestored = [pid for pid in product_ids if not Product.objects.get(pk=pid).restore()]
    if unrestored:
        print(f"could not restore {len(unrestored)}", file=stderr)
        dump_state(unrestored, stderr=stderr)


@shared_task
def archive(product_ids, stderr=None):
    stderr = sys.stderr if stderr is None else stderr
    unrestored = [pid for pid in product_ids if not Product.objects.get(pk=pid).restore()]
    if unrestored:
        print(f"could not restore {len(unrestored)}", file=stderr)
        archive_state(unrestored, stderr=stderr)


class Drainer:
    def __init__(self, queue):
        self.queue = queue

    def run_one(self):
        job = self.queue.pop()
        result = job.run()
        text = "" if result is None else shorten(repr(result))
        log.info("done %s: %s", job, text)


class Keeper:
    def __init__(self, queue):
        self.queue = queue

    def run_one(self):
        job = self.queue.pop()
        result = job.run()
        self.queue.ack(job)


@shared_task
def drain(queue):
    Drainer(queue).run_one()
    Keeper(queue).run_one()
