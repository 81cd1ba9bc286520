# path: crawler/fetch.py
import threading
from concurrent.futures import ThreadPoolExecutor

PROCESSED = {}
SEEN = set()
RESULTS = []
LIMITS = {"timeout": 10}
LOCK = threading.Lock()  # error: DC201


def fetch(url):  # error: DC101[warning]
    kind = url.split(":")[0]
    PROCESSED[kind] = PROCESSED.get(kind, 0) + 1  # error: DC305
    if url not in SEEN:  # error: DC305
        SEEN.add(url)
    RESULTS.append(url)  # ok: DC305
    return LIMITS["timeout"]  # ok: DC305


def fetch_counted(url):  # error: DC101[warning]
    with LOCK:  # error: DC201
        PROCESSED[url] += 1  # ok: DC305


def summary():
    PROCESSED["total"] = PROCESSED.get("total", 0) + 1  # ok: DC305
    return dict(PROCESSED)


def crawl(urls):
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(fetch, urls))
        list(pool.map(fetch_counted, urls))
