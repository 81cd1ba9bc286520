# path: search/index.py
"""A lock released in a `finally:` block, and what runs next to it (head: dc201_release_in_finally.py)."""
import logging
import threading

logger = logging.getLogger(__name__)
_index_lock = threading.Lock()


class IndexWriter:
    def __init__(self, index):
        self.index = index
        self.writer = index.writer()
        self._lock = threading.Lock()

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.writer.commit()
            self.writer = None
        finally:
            self._lock.release()


def rebuild(index, documents):
    _index_lock.acquire()
    for document in documents:
        index.add(document)
    _index_lock.release()


def compact(index):
    _index_lock.acquire()
    try:
        index.compact()
    finally:
        logger.info("compacted")
        _index_lock.release()
