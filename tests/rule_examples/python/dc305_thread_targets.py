# path: cache/memo.py
"""Functions handed to threads, pools, processes and asyncio elsewhere in the file are worker code."""
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool

SEEN = {}
TOTALS = {}
HITS = {}
SIZES = {}
VISITS = {}
GUARD = threading.Lock()  # error: DC201


def record(key):  # error: DC101[warning]
    SEEN[key] = SEEN.get(key, 0) + 1  # error: DC305


def record_via_temporary(key):  # error: DC101[warning]
    count = TOTALS.get(key, 0)
    TOTALS[key] = count + 1  # error: DC305


def record_in_pool(key):  # error: DC101[warning]
    HITS[key] = HITS.get(key, 0) + 1  # error: DC305


def measure(path):  # error: DC101[warning]
    SIZES[path] = SIZES.get(path, 0) + len(path)  # error: DC305


async def visit(url):  # error: DC101[warning]
    VISITS[url] = VISITS.get(url, 0) + 1  # error: DC305


def record_guarded(key):  # error: DC101[warning]
    with GUARD:
        SEEN[key] = SEEN.get(key, 0) + 1  # ok: DC305


def record_sequentially(key):
    SEEN[key] = SEEN.get(key, 0) + 1  # ok: DC305


def start(keys):
    for k in keys:
        threading.Thread(target=record, args=(k,)).start()
        threading.Thread(target=record_via_temporary, args=(k,)).start()
        threading.Thread(target=record_guarded, args=(k,)).start()
    with ThreadPoolExecutor() as ex:
        list(ex.map(record_in_pool, keys))
    with Pool(4) as workers:
        workers.apply_async(measure, ("/tmp",))


async def crawl(urls):
    await asyncio.gather(*(visit(u) for u in urls))


class Tracker:
    def __init__(self):
        self._guard = threading.RLock()  # error: DC201

    def note(self, key):  # error: DC101[warning]
        with self._guard:
            HITS[key] = HITS.get(key, 0) + 1  # ok: DC305

    def run(self, keys):
        for k in keys:
            threading.Thread(target=self.note, args=(k,)).start()
