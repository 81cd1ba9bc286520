"""Answers about a base commit that the hooks keep under the git directory, and carry from one
base to the next. The CI gate never reads nor writes them (``rules.base.uncached``).

An answer maps each thing asked (a function's name, "job code") to the language family's
non-test files that hold it at the base. Asking git anew costs a `git grep` of the whole base
tree: in a Rails application of 1,650 files, most of the CPU of a branch's first hook on a new
base, i.e. the first commit after every pull. The answer kept for an earlier base is carried
instead: a file both bases hold alike answers as it did, and only the files that differ between
them are read again (`git diff` of the two trees, then a `git grep` of those paths). The result
is the answer git gives when asked anew (tests/rules/test_kept.py compares the two).
"""

from __future__ import annotations

import json
import os
import zlib
from typing import Callable

# Asker(keys, paths): for each key, the non-test files among ``paths`` (pathspecs; () for the
# family's globs) that hold it at the base.
Asker = Callable[[list[str], list[str]], dict[str, set[str]]]

# Beyond these, the earlier answer is not carried: a grep of many single paths costs what a grep
# of the tree does, and a cache of ever more names would cost more to read than to ask.
MAX_CHANGED = 300
MAX_KEYS = 5000


def kept_path(root: str, folder: str, base: str, family: str, depends_on: str) -> str:
    """Where an answer about ``base`` is kept: per base commit and language family, and per what
    the answer depends on (the words looked for, the globs, which paths count as tests), so that a
    version of deploycheck that reads differently asks git again."""
    from ...git import gitcmd
    from ..paths import _TEST_OR_DOC

    version = zlib.crc32(f"{depends_on}|{_TEST_OR_DOC.pattern}".encode())
    return os.path.join(gitcmd.git_dir(root), "deploycheck", folder, f"{base}-{family}-{version:08x}.json")


def load(root: str, path: str, base: str, globs: tuple[str, ...], ask: Asker) -> dict[str, list[str]]:
    """The answer kept at ``path`` for ``base``; else the newest one kept beside it for another
    base, carried to this one (and kept for it); else {}. Keys missing from it are the caller's
    to ask, and to ``save`` with the rest."""
    from ..base import RepoAt

    if not RepoAt.read_cache:
        return {}
    answer = _read(path)
    if answer is not None:
        return answer
    earlier = _newest_beside(path)
    if earlier is None:
        return {}
    old = _read(earlier)
    if not old or len(old) > MAX_KEYS:
        return {}
    changed = _changed_between(root, os.path.basename(earlier).split("-", 1)[0], base, globs)
    if changed is None:
        return {}
    found = ask(sorted(old), [f":(literal){p}" for p in sorted(changed)]) if changed else {}
    carried = {key: sorted({p for p in paths if p not in changed} | found.get(key, set())) for key, paths in old.items()}
    save(path, carried)
    return carried


def save(path: str, answer: dict[str, list[str]]) -> None:
    from ...util.cachefile import write_best_effort
    from ..base import RepoAt

    if RepoAt.write_cache:
        write_best_effort(path, json.dumps(answer, separators=(",", ":")).encode())


def _read(path: str) -> dict[str, list[str]] | None:
    try:
        with open(path, "rb") as handle:
            loaded = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    if isinstance(loaded, dict) and all(isinstance(v, list) and all(isinstance(p, str) for p in v)
                                        for v in loaded.values()):
        return loaded
    return None


def _newest_beside(path: str) -> str | None:
    """The most recently written answer of the same family and version as ``path``, for another
    base (a file name is `BASE-FAMILY-VERSION.json`)."""
    folder, own = os.path.split(path)
    tail = own.split("-", 1)[1]
    newest, when = None, -1.0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return None
    for entry in entries:
        if entry.name != own and entry.name.split("-", 1)[-1] == tail:
            try:
                mtime = entry.stat().st_mtime
            except OSError:
                continue
            if mtime > when:
                newest, when = entry.path, mtime
    return newest


_CHANGED: dict[tuple, set[str] | None] = {}  # both answers of a hook carry from the same base


def _changed_between(root: str, old: str, new: str, globs: tuple[str, ...]) -> set[str] | None:
    """The family's paths that differ between two commits (added, removed or changed), or None
    when git cannot tell (the earlier base is gone) or they are more than MAX_CHANGED."""
    key = (root, old, new, globs)
    if key not in _CHANGED:
        _CHANGED[key] = _ask_changed(root, old, new, globs)
    return _CHANGED[key]


def _ask_changed(root: str, old: str, new: str, globs: tuple[str, ...]) -> set[str] | None:
    from ...git import gitcmd

    if not all(c in "0123456789abcdef" for c in old) or len(old) < 40:
        return None
    proc = gitcmd.run(["diff", "--name-only", "-z", "--no-renames", "--no-relative", "--no-ext-diff",
                       "--no-textconv", "--ignore-submodules=none", old, new, "--", *globs], root, check=False)
    if proc.returncode != 0:
        return None
    changed = {raw.decode("utf-8", "surrogateescape") for raw in proc.stdout.split(b"\0") if raw}
    if len(changed) > MAX_CHANGED or any(_respelled(path) for path in changed if not path.isascii()):
        return None
    return changed


def _respelled(path: str) -> bool:
    """Whether git may read ``path``, given as a pathspec, as another path: on macOS
    (core.precomposeUnicode, on by default there) git rewrites every argument from decomposed to
    composed Unicode, so a changed path a commit spells decomposed (`é` as `e` and U+0301) would
    name no file and what it holds now be lost. The family's globs are ASCII: asked anew."""
    import unicodedata

    try:
        return unicodedata.normalize("NFC", path) != path
    except ValueError:
        return True
