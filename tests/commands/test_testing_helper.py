"""deploycheck.testing.run_concurrently: the incident's job loses stock under concurrent workers
and the atomic UPDATE does not, on a real SQLite file, in threads and in processes; errors and
timeouts come back as results instead of hanging or vanishing.

Nothing here depends on machine speed: every worker reads before any writes (``rendezvous``
between the read and the write), and the timeout tests block every worker forever, so the
outcome is the same however long the workers take to start.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from deploycheck.demo import inventory as inv
from deploycheck.testing import DEFAULT_TIMEOUT, WorkerFailed, rendezvous, run_concurrently, worker_index

ROOT = Path(__file__).resolve().parents[2]
MODES = ["threads", "processes"]


def _shop(tmp_path: Path, stock: int = 100) -> tuple[Path, int]:
    path = tmp_path / "shop.sqlite3"
    return path, inv.create_shop(path, stock)


# --------------------------------------------------------------------- the incident, in sqlite3


@pytest.mark.parametrize("mode", MODES)
def test_the_refactors_read_modify_write_loses_stock(tmp_path, mode):
    path, product = _shop(tmp_path)
    run = run_concurrently(
        inv.reserve_read_modify_write, path, product, 1, workers=8, mode=mode, between_read_and_write=rendezvous
    )
    run.raise_first()
    # Every worker read 100 before any wrote, so every one wrote 99: 7 of 8 reservations lost.
    assert run.results == [[99]] * 8
    assert inv.stock_of(path, product) == 99 != 100 - 8


@pytest.mark.parametrize("mode", MODES)
def test_the_atomic_update_keeps_every_reservation(tmp_path, mode):
    path, product = _shop(tmp_path)
    run = run_concurrently(
        inv.reserve_atomic, path, product, 1, workers=8, rounds=2, mode=mode, between_read_and_write=rendezvous
    )
    run.raise_first()
    assert run.results == [[True, True]] * 8
    assert inv.stock_of(path, product) == 100 - 16


def test_the_atomic_update_never_oversells(tmp_path):
    path, product = _shop(tmp_path, stock=5)
    run = run_concurrently(inv.reserve_atomic, path, product, 1, workers=8, between_read_and_write=rendezvous)
    run.raise_first()
    assert sorted(r for (r,) in run.results) == [False] * 3 + [True] * 5
    assert inv.stock_of(path, product) == 0


def test_the_demo_reproduction_reports_the_lost_updates(tmp_path):
    final, expected, run = inv.reproduce(tmp_path, inv.reserve_read_modify_write)
    assert (final, expected, run.ok) == (99, 92, True)
    final, expected, run = inv.reproduce(tmp_path, inv.reserve_atomic)
    assert (final, expected, run.ok) == (92, 92, True)


# ------------------------------------------------------------------------ errors and timeouts


def fail_in_worker_one(rounds_seen: int = 0) -> int:
    """Worker 1 raises before the rendezvous; the others wait there for it."""
    index = worker_index()
    assert index is not None
    if index == 1:
        raise ValueError("stock went negative in worker 1")
    if rounds_seen:
        rendezvous()
    return index


@pytest.mark.parametrize("mode", MODES)
def test_an_exception_is_reported_with_its_traceback(tmp_path, mode):
    run = run_concurrently(fail_in_worker_one, workers=3, mode=mode)
    assert not run.ok
    assert run.results == [[0], [], [2]]
    (error,) = run.errors
    assert (error.worker, error.round, error.type, error.message) == (1, 1, "ValueError", "stock went negative in worker 1")
    assert "in fail_in_worker_one" in error.traceback and error.traceback.rstrip().endswith("ValueError: stock went negative in worker 1")
    with pytest.raises(WorkerFailed, match=r"^worker 1, round 1: ValueError: stock went negative in worker 1\n"):
        run.raise_first()


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_worker_releases_the_others_and_raise_first_names_the_cause(tmp_path, mode):
    run = run_concurrently(fail_in_worker_one, 1, workers=3, mode=mode)
    assert [(e.worker, e.type) for e in run.errors] == [(0, "BrokenBarrierError"), (1, "ValueError"), (2, "BrokenBarrierError")]
    assert "another worker failed or timed out" in run.errors[0].message
    with pytest.raises(WorkerFailed, match=r"^worker 1, round 1: ValueError: .* \(2 more errors in \.errors\)\n"):
        run.raise_first()


def wait_forever(gate: object = None) -> None:
    """A deadlock as far as the test can tell: it never returns by itself."""
    if gate is None:
        time.sleep(3600)
    else:
        gate.wait()  # type: ignore[attr-defined]  # a Barrier or an Event


def test_a_deadlocked_thread_times_out_with_the_stack_it_is_stuck_in():
    # Returning at all is the timeout's proof: the gate opens only after the call returns, so
    # workers that were waited for would hold it forever. Nothing here is timed.
    gate = threading.Event()
    try:
        run = run_concurrently(wait_forever, gate, workers=3, timeout=1.0)
    finally:
        gate.set()  # let the daemon threads finish; what they do now must not change the result
    assert run.timed_out == [0, 1, 2]
    assert [(e.worker, e.round, e.type) for e in run.errors] == [(w, 1, "TimeoutError") for w in range(3)]
    assert "did not finish within 1 s" in run.errors[0].message
    assert "in wait_forever" in run.errors[0].traceback and "gate.wait()" in run.errors[0].traceback
    time.sleep(0.1)
    assert run.results == [[], [], []] and len(run.errors) == 3
    with pytest.raises(WorkerFailed, match=r"^worker 0, round 1: TimeoutError: .* \(2 more errors"):
        run.raise_first()


def test_a_deadlocked_process_times_out_and_is_terminated():
    # Returning is the proof, as above (the workers sleep an hour); the processes were ended, not
    # waited for.
    run = run_concurrently(wait_forever, workers=2, mode="processes", timeout=1.0)
    assert [(e.worker, e.round, e.type) for e in run.errors] == [(0, 1, "TimeoutError"), (1, 1, "TimeoutError")]
    assert "its process was terminated" in run.errors[0].message


def die_in_worker_one() -> None:
    """Worker 1's process dies without a word (as a segfault or the OOM killer would end it);
    the others wait for it at the rendezvous."""
    import os

    if worker_index() == 1:
        os._exit(3)
    rendezvous()


def test_a_worker_process_that_dies_is_reported_and_releases_the_others():
    # Released by the parent breaking the barrier when worker 1's pipe closes, not by the
    # timeout: with it, they would be reported as TimeoutError.
    run = run_concurrently(die_in_worker_one, workers=3, mode="processes", timeout=120)
    assert [(e.worker, e.type) for e in run.errors] == [(0, "BrokenBarrierError"), (1, "WorkerCrashed"), (2, "BrokenBarrierError")]
    assert "exited with code 3 without reporting" in run.errors[1].message


def test_processes_refuse_work_that_cannot_be_pickled_with_a_clear_error():
    with pytest.raises(TypeError, match=r"mode='processes'.*cannot be pickled.*Define fn at module level.*mode='threads'"):
        run_concurrently(lambda: 1, workers=2, mode="processes")
    with pytest.raises(TypeError, match="cannot be pickled"):
        run_concurrently(wait_forever, threading.Event(), workers=2, mode="processes")


@pytest.mark.parametrize(
    ("options", "message"),
    [({"mode": "asyncio"}, "use 'threads' or 'processes'"), ({"workers": 0}, "whole numbers >= 1"), ({"timeout": 0}, "seconds")],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        run_concurrently(wait_forever, **options)


def test_rendezvous_and_worker_index_are_no_ops_outside_a_run():
    rendezvous()
    assert worker_index() is None
    assert DEFAULT_TIMEOUT == 30.0  # documented in the module and in docs/testing.md


# -------------------------------------------------------------------------------- the docs


def _docs() -> str:
    return (ROOT / "docs/testing.md").read_text(encoding="utf-8")


def test_the_sqlite3_example_in_docs_catches_the_refactor(tmp_path):
    """docs/testing.md's sqlite3 test, run as written: it passes on the atomic job and fails on
    the get / modify / save with the lost updates in the message."""
    block = _docs().split("<!-- sqlite3-example -->\n```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {"__name__": "docs_sqlite3_example"}
    exec(compile(block, "docs/testing.md", "exec"), namespace)
    test = namespace["test_reservations_under_concurrency_keep_every_decrement"]
    for name in ("atomic", "refactor"):
        (tmp_path / name).mkdir()
    test(tmp_path / "atomic")  # type: ignore[operator]  # the function the docs define
    namespace["reserve_stock"] = namespace["reserve_stock_refactored"]
    with pytest.raises(AssertionError, match=r"stock is 99, expected 92: 7 updates lost"):
        test(tmp_path / "refactor")  # type: ignore[operator]  # the function the docs define


def test_the_docs_name_the_test_for_the_checklist_answer():
    """The answer the docs show is accepted as written, and the example test counts as
    evidence of concurrency (no "shows no sign of concurrency" warning)."""
    from deploycheck.checklist.answers import check_test_reference, concurrency_evidence_warning

    docs = _docs()
    details = re.search(r'concurrency-tested: \{answer: "yes", details: "(tests/\S+::test_\w+)"\}', docs).group(1)  # type: ignore[union-attr]  # a None fails the test anyway
    example = docs.split("<!-- sqlite3-example -->\n```python\n", 1)[1].split("```", 1)[0]
    files = {"tests/test_inventory_concurrency.py": example}
    assert details.split("::")[1] in example
    assert check_test_reference(details, files.__contains__) is None
    assert concurrency_evidence_warning(details, files.get) is None
    assert "from django.db import connection" in docs and "connection.close()" in docs and "TransactionTestCase" in docs
    assert "sessionmaker" in docs and "create_engine" in docs


def test_importing_the_helper_loads_nothing_heavy_and_no_command_loads_it():
    code = (
        "import sys; import deploycheck.testing; "
        "heavy = {'multiprocessing', 'sqlite3', 'rich', 'typer', 'yaml', 'dataclasses'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    # Only the demo's reproduction imports it, inside the function that runs it.
    importers = {}
    for path in sorted((ROOT / "src/deploycheck").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, (ast.Import, ast.ImportFrom)) and any(n.endswith("testing") for n in names) and path.name != "testing.py":
                importers[path.name] = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and node in ast.walk(n)]
    assert importers == {"inventory.py": ["reproduce"]}


def test_every_python_example_in_the_docs_compiles():
    blocks = re.findall(r"^```python\n(.*?)^```$", _docs(), re.M | re.S)
    assert len(blocks) == 4  # the overview, sqlite3, Django, SQLAlchemy
    for block in blocks:
        compile(block, "docs/testing.md", "exec")


def test_the_sqlalchemy_example_in_docs_catches_the_refactor(tmp_path):
    """docs/testing.md's SQLAlchemy test, run as written against a SQLite file, when SQLAlchemy
    is installed (deploycheck does not depend on it): passes on the atomic UPDATE, fails with
    the lost updates on the ORM read / compute / flush."""
    pytest.importorskip("sqlalchemy", minversion="2.0")
    block = _docs().split("<!-- sqlalchemy-example -->\n```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {"__name__": "docs_sqlalchemy_example"}
    # dont_inherit: this file's `from __future__ import annotations` would turn the model's
    # `Mapped[int]` into strings that SQLAlchemy resolves through sys.modules; a user's file has none.
    exec(compile(block, "docs/testing.md", "exec", dont_inherit=True), namespace)
    test = namespace["test_reservations_under_concurrency_keep_every_decrement"]
    for name in ("atomic", "refactor"):
        (tmp_path / name).mkdir()
    test(tmp_path / "atomic")  # type: ignore[operator]  # the function the docs define
    namespace["reserve_stock"] = namespace["reserve_stock_refactored"]
    with pytest.raises(AssertionError, match=r"stock is 99, expected 92: 7 updates lost"):
        test(tmp_path / "refactor")  # type: ignore[operator]  # the function the docs define
