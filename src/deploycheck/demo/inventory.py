"""The demo's stock reservation in plain sqlite3, run by several workers against a real file.

``deploycheck demo`` and tests/commands/test_testing_helper.py run both versions of the incident's job
with ``deploycheck.testing.run_concurrently``: the refactor's get / modify / save
(``reserve_read_modify_write``) and main's single atomic UPDATE (``reserve_atomic``). Each call
opens its own connection, as each worker of a queue does, in autocommit mode (every statement is
its own short transaction) with a busy timeout, so writers wait for each other instead of
failing with "database is locked".

The loss is made certain, not likely: ``between_read_and_write`` is called after the read and
before the write (the tests and the demo pass ``deploycheck.testing.rendezvous``), so every
worker has read the stock before any worker writes, on any machine at any speed. The atomic
version calls the same hook before its UPDATE and still keeps every reservation.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ..testing import RunResult

BUSY_TIMEOUT = 30.0  # seconds a writer waits for another's lock; far above what 8 short writes take


def _connect(path: str | Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, isolation_level=None)


def create_shop(path: str | Path, stock: int) -> int:
    """A fresh database file with one product holding ``stock``; returns its id."""
    conn = _connect(path)
    try:
        conn.execute("CREATE TABLE product (id INTEGER PRIMARY KEY, name TEXT NOT NULL, stock INTEGER NOT NULL)")
        return int(conn.execute("INSERT INTO product (name, stock) VALUES ('widget', ?)", (stock,)).lastrowid or 0)
    finally:
        conn.close()


def stock_of(path: str | Path, product_id: int) -> int:
    conn = _connect(path)
    try:
        return int(conn.execute("SELECT stock FROM product WHERE id = ?", (product_id,)).fetchone()[0])
    finally:
        conn.close()


def reserve_read_modify_write(
    path: str | Path, product_id: int, quantity: int, between_read_and_write: Callable[[], None] | None = None
) -> int:
    """The refactor: read the stock, compute, write it back. Returns the stock it wrote."""
    conn = _connect(path)
    try:
        (stock,) = conn.execute("SELECT stock FROM product WHERE id = ?", (product_id,)).fetchone()
        if between_read_and_write is not None:
            between_read_and_write()
        conn.execute("UPDATE product SET stock = ? WHERE id = ?", (stock - quantity, product_id))
        return int(stock - quantity)
    finally:
        conn.close()


def reserve_atomic(
    path: str | Path, product_id: int, quantity: int, between_read_and_write: Callable[[], None] | None = None
) -> bool:
    """main: one UPDATE that decrements in the database, never below zero. True if reserved."""
    conn = _connect(path)
    try:
        if between_read_and_write is not None:
            between_read_and_write()  # the same interleaving as above: all workers at the write at once
        cursor = conn.execute(
            "UPDATE product SET stock = stock - ? WHERE id = ? AND stock >= ?", (quantity, product_id, quantity)
        )
        return cursor.rowcount == 1
    finally:
        conn.close()


def reproduce(folder: Path, job: Callable[..., object], workers: int = 8, stock: int = 100, quantity: int = 1) -> tuple[int, int, RunResult]:
    """Run ``job`` in ``workers`` threads against a new database in ``folder``, every worker
    reading before any writes. Returns (final stock, expected stock, the RunResult)."""
    from ..testing import rendezvous, run_concurrently

    path = folder / f"{getattr(job, '__name__', 'job')}.sqlite3"
    product_id = create_shop(path, stock)
    run = run_concurrently(job, path, product_id, quantity, workers=workers, between_read_and_write=rendezvous)
    run.raise_first()
    return stock_of(path, product_id), stock - workers * quantity, run
