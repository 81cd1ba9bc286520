"""The base of the plain data classes every command loads: value equality and a readable repr.

Not ``dataclasses``: importing it loads inspect, ast, dis and tokenize, and every decorated
class is then compiled from generated source, about 18 ms per run together, a quarter of
what a git hook may take (measured with benchmarks/run_all.py). Classes on the start-up
path therefore write their ``__init__`` by hand and name their fields once, in ``_fields``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not imported at run time: start-up cost again
if TYPE_CHECKING:
    from typing import Any, TypeVar

    P = TypeVar("P", bound="Plain")


class Plain:
    """Equal when of the same class with equal fields; not hashable (it may change)."""

    _fields: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # unhashable: object's __hash__ is a method

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({shown})"


class Frozen(Plain):
    """A Plain value that is never changed after construction, so it can be hashed."""

    def __hash__(self) -> int:  # type: ignore[override]  # hashable again, unlike Plain
        return hash(self._values())


def replace(value: P, **changes: Any) -> P:
    """A copy of ``value`` with some fields changed (what ``dataclasses.replace`` does)."""
    fields = {name: getattr(value, name) for name in value._fields}
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"{type(value).__name__} has no field {sorted(unknown)[0]!r}")
    return type(value)(**{**fields, **changes})
