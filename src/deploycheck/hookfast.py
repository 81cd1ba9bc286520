"""Fast path for `verify --hook` (filled in by the performance work; None means: use the full CLI)."""

from __future__ import annotations


def try_fast_hook(args: list[str]) -> int | None:
    return None
