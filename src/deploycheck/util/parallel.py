"""Share CPU-bound work between this process and one forked child.

Used by the scan (analysis/pipeline.py) and by the job index build (rules/python/repo_build.py).
It imports nothing from deploycheck, so any part may use it without an import cycle.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, TypeVar

    T = TypeVar("T")
    R = TypeVar("R")


def workers() -> int:
    """How many processes a CPU-bound step may use: 2 on a Linux machine with two cores or
    more, else 1 (``DEPLOYCHECK_WORKERS=1`` turns the second one off)."""
    if os.environ.get("DEPLOYCHECK_WORKERS", "").strip() == "1":
        return 1
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1  # fork without exec is only dependable on Linux
    try:
        return min(2, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return 1


def in_two_processes(items: list[T], work: Callable[[list[T]], list[R]], min_items: int) -> list[R]:
    """``work(items)`` (a result per item, in order), with the items dealt alternately to this
    process and a forked child when there are at least ``min_items`` of them and two cores.

    The child sends its results back pickled through a pipe. ``work`` must start any git process
    it needs itself (each process gets its own). If the child fails for any reason, this process
    does its share too: the result never depends on the split.
    """
    if len(items) < min_items or workers() < 2:
        return work(items)
    import pickle

    mine, theirs = items[0::2], items[1::2]
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: do its share, send it, and leave without running any cleanup
        status = 1
        try:
            os.close(read_end)
            data = pickle.dumps(work(theirs), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        done_mine = work(mine)
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
    done_theirs = pickle.loads(data) if status == 0 and data else None
    if done_theirs is None or len(done_theirs) != len(theirs):
        done_theirs = work(theirs)
    return [done_mine[i // 2] if i % 2 == 0 else done_theirs[i // 2] for i in range(len(items))]
