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


# The old `stderr = sys.stderr if …` fed only print() and dump_state's `stderr`, which dump_state
# only prints to: the value passed there changes nothing else.
@shared_task
def restore(product_ids, stderr=None):
    unrestored = [pid for pid in product_ids if not Product.objects.get(pk=pid).restore()]
    if unrestored:
        if stderr is not None:  # error: DC101[info]
            print(f"could not restore {len(unrestored)}", file=stderr)
        else:
            log.error("could not restore %d", len(unrestored))
        dump_state(unrestored, stderr=stderr)


# archive_state hands `stderr` to a subprocess: None there is not sys.stderr.
@shared_task
def archive(product_ids, stderr=None):
    unrestored = [pid for pid in product_ids if not Product.objects.get(pk=pid).restore()]
    if unrestored:
        if stderr is not None:  # error: DC101[warning]
            print(f"could not restore {len(unrestored)}", file=stderr)
        else:
            log.error("could not restore %d", len(unrestored))
        archive_state(unrestored, stderr=stderr)


# `log_results` is read only to blank a log line's text (shorten only computes a value).
class Drainer:
    def __init__(self, queue, log_results=True):  # error: DC104[info]
        self.queue = queue
        self.log_results = log_results

    def run_one(self):
        job = self.queue.pop()
        result = job.run()
        text = "" if result is None or not self.log_results else shorten(repr(result))  # error: DC104[info]
        log.info("done %s: %s", job, text)


# `keep_results` decides whether the job is acknowledged: a behaviour change.
class Keeper:
    def __init__(self, queue, keep_results=True):  # error: DC104[warning]
        self.queue = queue
        self.keep_results = keep_results

    def run_one(self):
        job = self.queue.pop()
        result = job.run()
        if not self.keep_results:  # error: DC104[warning]
            self.queue.ack(job)


@shared_task
def drain(queue):
    Drainer(queue).run_one()
    Keeper(queue).run_one()
