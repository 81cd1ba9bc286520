"""Run a function in several workers at once, for a concurrency test that is a few lines long.

The incident deploycheck was built after passed its tests, review and a single-worker staging:
nothing ever ran two workers at the same time. ``run_concurrently`` does, in threads or in
processes, and hands back what every worker returned or raised::

    from deploycheck.testing import rendezvous, run_concurrently

    run = run_concurrently(reserve_stock, db_path, product_id, 1, workers=8)
    run.raise_first()                       # a worker's exception fails the test, with its traceback
    assert stock(db_path, product_id) == 92

What it guarantees:

- **The workers overlap.** They wait behind a barrier and are released together at the start
  of every round; ``rendezvous()`` called inside ``fn`` is the same barrier, so a test can make
  an interleaving certain instead of likely: every worker has read before any worker writes.
  Every worker must then call ``rendezvous()`` the same number of times in a round.
- **It never hangs.** ``timeout`` (default ``DEFAULT_TIMEOUT``, 30 s) bounds the whole run. A
  worker still running then is reported as a ``TimeoutError`` (threads: with the stack it is
  stuck in) and the run returns; a worker process is terminated, a thread cannot be and is left
  as a daemon thread. A worker that fails breaks the barrier, so the others stop waiting for it
  and report ``BrokenBarrierError``.
- **Processes need picklable work.** ``mode="processes"`` starts the workers with the
  ``"spawn"`` method by default (the same on every OS, and no copied locks of the parent's
  threads); ``fn``, its arguments and its return values cross to and from the processes by
  pickling, so ``fn`` must be a module-level function (not a lambda, closure or nested
  function). Anything that cannot be pickled is refused up front with a ``TypeError`` saying
  so. ``start_method="fork"`` (POSIX) copies the parent instead, for state set up at run time
  (e.g. Django's test database settings); close inherited database connections first thing in
  the worker.

``workers``, ``rounds``, ``mode``, ``timeout`` and ``start_method`` are this function's own
keywords; every other keyword argument goes to ``fn`` (wrap ``fn`` in ``functools.partial`` if
it takes one of those names). Standard library only, and nothing imports this module: it never
slows a deploycheck command. Examples for sqlite3, Django and SQLAlchemy: docs/testing.md.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from typing import Any, Callable

__all__ = ["DEFAULT_TIMEOUT", "RunResult", "WorkerError", "WorkerFailed", "rendezvous", "run_concurrently", "worker_index"]

DEFAULT_TIMEOUT = 30.0  # seconds for the whole run: generous for a test, short enough for CI
_MODES = ("threads", "processes")
_thread_state = threading.local()
_process_state: dict[str, Any] = {}  # set in a worker process (one worker per process)


class WorkerError:
    """What one worker raised (or a timeout), with the traceback as text."""

    __slots__ = ("worker", "round", "type", "message", "traceback")

    def __init__(self, worker: int, round: int, type: str, message: str, traceback: str) -> None:
        self.worker, self.round, self.type, self.message, self.traceback = worker, round, type, message, traceback

    def __repr__(self) -> str:
        return f"WorkerError(worker={self.worker}, round={self.round}, {self.type}: {self.message})"


class WorkerFailed(AssertionError):
    """Raised by ``RunResult.raise_first()``: an AssertionError so pytest shows it as a failure."""


class RunResult:
    """``results[w]``: what worker ``w`` returned, one value per round it finished.
    ``errors``: every exception and timeout, by worker then round. ``ok``: no errors."""

    def __init__(self, workers: int, rounds: int, mode: str) -> None:
        self.workers, self.rounds, self.mode = workers, rounds, mode
        self.results: list[list[Any]] = [[] for _ in range(workers)]
        self.errors: list[WorkerError] = []

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def timed_out(self) -> list[int]:
        return sorted({e.worker for e in self.errors if e.type == "TimeoutError"})

    def raise_first(self) -> None:
        """Raise ``WorkerFailed`` with the first real error's traceback (a worker's own exception
        before the barrier breaks and timeouts it caused in the others); do nothing if ok."""
        if not self.errors:
            return
        first = min(self.errors, key=lambda e: (e.type == "BrokenBarrierError", e.type == "TimeoutError", e.worker, e.round))
        others = len(self.errors) - 1
        more = f" ({others} more error{'s' if others != 1 else ''} in .errors)" if others else ""
        raise WorkerFailed(f"worker {first.worker}, round {first.round}: {first.type}: {first.message}{more}\n{first.traceback}")

    def __repr__(self) -> str:
        return f"RunResult(mode={self.mode!r}, workers={self.workers}, rounds={self.rounds}, errors={self.errors!r})"


def rendezvous() -> None:
    """Inside ``fn``: wait until every worker of the run has reached this point in this round.

    Put it where the interleaving under test must happen (between a read and its write). A
    no-op outside ``run_concurrently``, so the same job code runs unchanged in production."""
    state = _state()
    if state is not None:
        state["barrier"].wait(max(state["deadline"] - time.monotonic(), 0.0))


def worker_index() -> int | None:
    """Inside ``fn``: this worker's number, 0 to workers - 1; None outside ``run_concurrently``."""
    state = _state()
    return None if state is None else state["index"]


def _state() -> dict[str, Any] | None:
    return getattr(_thread_state, "state", None) or _process_state.get("state")


def run_concurrently(
    fn: Callable[..., Any],
    *args: Any,
    workers: int = 8,
    rounds: int = 1,
    mode: str = "threads",
    timeout: float = DEFAULT_TIMEOUT,
    start_method: str = "spawn",
    **kwargs: Any,
) -> RunResult:
    """Run ``fn(*args, **kwargs)`` in ``workers`` threads or processes, ``rounds`` times each, all
    workers released together at the start of each round; return a ``RunResult``."""
    if mode not in _MODES:
        raise ValueError(f"run_concurrently: mode={mode!r}; use 'threads' or 'processes'")
    if not (isinstance(workers, int) and workers >= 1 and isinstance(rounds, int) and rounds >= 1):
        raise ValueError(f"run_concurrently: workers={workers!r}, rounds={rounds!r}; both must be whole numbers >= 1")
    if not timeout > 0:
        raise ValueError(f"run_concurrently: timeout={timeout!r}; give the seconds the whole run may take")
    if mode == "threads":
        return _run_threads(fn, args, kwargs, workers, rounds, timeout)
    return _run_processes(fn, args, kwargs, workers, rounds, timeout, start_method)


# ---------------------------------------------------------------------------------- workers


class _Barrier:
    """A cyclic barrier over a condition and three shared cells (waiting, generation, broken).

    Not threading.Barrier: its abort() also breaks workers that the last arrival had already
    released but that had not woken up yet, so one worker failing right after a round started
    would turn the others' successful rounds into errors. Here a worker is released by the
    generation moving on, which an abort cannot undo. The same code serves processes, with a
    multiprocessing condition and a shared array."""

    def __init__(self, parties: int, condition: Any, cells: Any) -> None:
        self.parties, self.condition, self.cells = parties, condition, cells

    def wait(self, timeout: float) -> None:
        cells = self.cells
        with self.condition:
            if cells[2]:
                raise threading.BrokenBarrierError
            generation = cells[1]
            if cells[0] + 1 == self.parties:
                cells[0], cells[1] = 0, generation + 1
                self.condition.notify_all()
                return
            cells[0] += 1
            self.condition.wait_for(lambda: cells[1] != generation or cells[2], timeout)
            if cells[1] != generation:
                return
            cells[2] = 1  # timed out or aborted: nobody can complete this round any more
            self.condition.notify_all()
            raise threading.BrokenBarrierError

    def abort(self) -> None:
        with self.condition:
            self.cells[2] = 1
            self.condition.notify_all()

    def abort_from_parent(self) -> None:
        """For the parent process when a worker process dies: a worker killed while it held the
        condition's lock would block a plain abort() forever, so give up after a second."""
        if self.condition.acquire(True, 1.0):
            try:
                self.cells[2] = 1
                self.condition.notify_all()
            finally:
                self.condition.release()


def _error(worker: int, round: int, exc: BaseException) -> WorkerError:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    message = str(exc)
    if isinstance(exc, threading.BrokenBarrierError):
        message = "another worker failed or timed out, so the barrier every worker waits at was broken"
    return WorkerError(worker, round, type(exc).__name__, message, text)


def _work(state: dict[str, Any], fn: Callable[..., Any], args: tuple, kwargs: dict, rounds: int, report: Callable[..., None]) -> None:
    """One worker: for each round, wait for all workers, then run fn. Stops at the first error
    and breaks the barrier, so no other worker waits for this one."""
    barrier = state["barrier"]
    for number in range(1, rounds + 1):
        try:
            barrier.wait(max(state["deadline"] - time.monotonic(), 0.0))
            value = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - the report is the point; SystemExit too
            barrier.abort()
            report("error", _error(state["index"], number, exc))
            return
        report("result", number, value)


def _run_threads(fn: Callable[..., Any], args: tuple, kwargs: dict, workers: int, rounds: int, timeout: float) -> RunResult:
    result = RunResult(workers, rounds, "threads")
    deadline = time.monotonic() + timeout
    barrier = _Barrier(workers, threading.Condition(), [0, 0, 0])
    lock = threading.Lock()
    closed: list[bool] = []  # non-empty once the run has returned: a stuck worker that wakes up later changes nothing

    def body(index: int) -> None:
        state = {"index": index, "barrier": barrier, "deadline": deadline}
        _thread_state.state = state

        def report(kind: str, *payload: Any) -> None:
            with lock:
                if closed:
                    return
                if kind == "result":
                    result.results[index].append(payload[1])
                else:
                    result.errors.append(payload[0])

        try:
            _work(state, fn, args, kwargs, rounds, report)
        finally:
            _thread_state.state = None

    threads = [threading.Thread(target=body, args=(i,), name=f"run_concurrently-{i}", daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.0))
    stuck = [(i, t) for i, t in enumerate(threads) if t.is_alive()]
    with lock:
        closed.append(True)
    if stuck:
        frames = sys._current_frames()  # before the abort below wakes workers waiting at the barrier
        barrier.abort()
        with lock:
            for index, thread in stuck:
                frame = frames.get(thread.ident or -1)
                stack = "".join(traceback.format_stack(frame)) if frame is not None else ""
                done = len(result.results[index])
                result.errors.append(WorkerError(
                    index, done + 1, "TimeoutError",
                    f"worker {index} did not finish within {timeout:g} s (deadlocked, or waiting for one that is); "
                    "it is left running as a daemon thread",
                    "Stack of the worker thread when the run timed out:\n" + stack,
                ))
    result.errors.sort(key=lambda e: (e.worker, e.round))
    return result


def _process_main(index: int, barrier: Any, timeout: float, payload: bytes, conn: Any) -> None:
    """A worker process: unpickle the work, run it, send each result or error to the parent."""
    import pickle

    state = {"index": index, "barrier": barrier, "deadline": time.monotonic() + timeout}
    _process_state["state"] = state

    def report(kind: str, *item: Any) -> None:
        if kind == "result":
            try:
                conn.send_bytes(pickle.dumps(("result", item[1])))
            except Exception as exc:  # noqa: BLE001 - an unpicklable return value
                wrapped = TypeError(f"the value fn returned in round {item[0]} cannot be pickled back to the test: {exc}")
                conn.send_bytes(pickle.dumps(("error", _error(index, item[0], wrapped))))
        else:
            conn.send_bytes(pickle.dumps(("error", item[0])))

    try:
        fn, args, kwargs, rounds = pickle.loads(payload)
    except BaseException as exc:  # noqa: BLE001 - e.g. fn's module cannot be imported here
        barrier.abort()
        report("error", _error(index, 1, exc))
    else:
        _work(state, fn, args, kwargs, rounds, report)
    conn.send_bytes(pickle.dumps(("done", None)))
    conn.close()


def _run_processes(
    fn: Callable[..., Any], args: tuple, kwargs: dict, workers: int, rounds: int, timeout: float, start_method: str
) -> RunResult:
    import multiprocessing
    import pickle

    try:
        payload = pickle.dumps((fn, args, kwargs, rounds))
    except Exception as exc:
        raise TypeError(
            f"run_concurrently(mode='processes') sends fn and its arguments to each worker process by pickling them, "
            f"and {getattr(fn, '__qualname__', fn)!r} or an argument cannot be pickled ({exc}). Define fn at module "
            "level (not a lambda, closure or nested function) with picklable arguments, or use mode='threads'."
        ) from exc
    context: Any = multiprocessing.get_context(start_method)  # typeshed's BaseContext has no Process
    result = RunResult(workers, rounds, "processes")
    deadline = time.monotonic() + timeout
    barrier = _Barrier(workers, context.Condition(), context.RawArray("q", 3))
    processes: list[Any] = []
    pending: dict[Any, int] = {}
    try:
        for index in range(workers):
            receive, send = context.Pipe(duplex=False)
            pending[receive] = index
            process = context.Process(
                target=_process_main, args=(index, barrier, timeout, payload, send), name=f"run_concurrently-{index}", daemon=True
            )
            process.start()
            send.close()  # the parent's copy: the child's end closing is then seen as EOF
            processes.append(process)
        finished = _collect(pending, result, barrier, deadline)
    except BaseException:  # Ctrl-C or a failed start: no worker may outlive the run
        for process in processes:
            if process.is_alive():
                process.terminate()
        raise
    finally:
        for conn in pending:
            conn.close()
    for index, process in enumerate(processes):
        if index in finished:
            process.join(max(deadline - time.monotonic(), 1.0))
            if not process.is_alive():
                continue
        if process.is_alive():
            process.terminate()
            process.join(5)
            result.errors.append(WorkerError(
                index, len(result.results[index]) + 1, "TimeoutError",
                f"worker {index} did not finish within {timeout:g} s (deadlocked, or waiting for one that is); "
                "its process was terminated", "",
            ))
        elif not any(e.worker == index for e in result.errors):
            result.errors.append(WorkerError(
                index, len(result.results[index]) + 1, "WorkerCrashed",
                f"worker process {index} exited with code {process.exitcode} without reporting (killed, or crashed in C code)", "",
            ))
    result.errors.sort(key=lambda e: (e.worker, e.round))
    return result


def _collect(pending: dict[Any, int], result: RunResult, barrier: _Barrier, deadline: float) -> set[int]:
    """Read every worker's reports until all have closed their pipe or the deadline passes;
    return the workers that reported they were done. A worker whose pipe closes before it is
    done has died: break the barrier so the others stop waiting for it."""
    import pickle
    from multiprocessing.connection import wait

    finished: set[int] = set()
    while pending:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        conn: Any  # a Connection: wait() returns what it is given, and pending holds only those
        for conn in wait(list(pending), remaining):
            index = pending[conn]
            try:
                kind, item = pickle.loads(conn.recv_bytes())
            except EOFError:
                del pending[conn]
                conn.close()
                if index not in finished:
                    barrier.abort_from_parent()
                continue
            if kind == "result":
                result.results[index].append(item)
            elif kind == "error":
                result.errors.append(item)
            else:
                finished.add(index)
    return finished
