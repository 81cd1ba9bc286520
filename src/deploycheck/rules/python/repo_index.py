"""Job context from the repository at head, not from one file (issue 16).

Per file, deploycheck sees a function decorated ``@shared_task``; it does not see that the task
calls ``billing.charge()`` in another module, that ``dispatch(general_delete, ...)`` in a view
makes ``general_delete`` a job, or that a beat schedule in ``settings.py`` names
``"shop.tasks.sync"``. The job index answers, for the head commit: which functions run in the
background (entry points of every supported framework, project dispatchers, worker loops, the
job system's own code) and which functions they reach through imports and calls, each with the
path from its entry point. ``repo_build`` computes it (the cold, costly part); this module
holds the part a git hook runs on every commit, so it imports nothing heavier than ``json``:

- ``load(repo)``: the index of ``repo``'s head tree from the cache, or None;
- ``index_for(repo)``: the same, built (and cached) when missing;
- ``JobIndex.at(path, line)``: the innermost background or reached function holding a line.

The cache lives under the checkout's git directory (``.git/deploycheck/jobindex``, a worktree's
own git directory for a worktree; never in the work tree): one file of per-blob summaries keyed by blob id (a file read and parsed
once is never read again while its content is unchanged) and one small file per head tree and
``job_paths`` setting with the finished index (a warm run on the same head reads only that).
A damaged or foreign cache file is ignored and rebuilt; a cache that cannot be written (a
read-only repository) only costs time. The cache is trusted as the repository is: anyone who
can write ``.git/`` can change what any git command reports, so do not share ``.git/deploycheck``
between CI runs of different branches (see docs/security-model.md).
"""

from __future__ import annotations

import json
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..base import FileContext, RepoAt

from ... import __version__

INDEX_FORMAT = 10  # bump when a summary or the index changes meaning (tests/rules/test_job_index.py::test_index_tables_are_tied_to_the_format): old caches are then ignored
# Every release starts afresh, and so does each Python: what parses (and a file's parse error)
# depends on the grammar of the Python running deploycheck.
CACHE_FORMAT = f"{INDEX_FORMAT}/{__version__}/py{sys.version_info[0]}.{sys.version_info[1]}"
CACHE_DIR = os.path.join("deploycheck", "jobindex")

_MEMO: dict[tuple[str, str], "JobIndex"] = {}  # (git dir, key) -> index, for the detectors after the gate


class Node(tuple):
    """One background or reached function: (path, qualname, start, end, parent key, what, origin).

    ``parent`` is the key ("path::qualname") of the function that reaches it, None for an entry
    point; ``what`` says what kind of entry point it is ("Celery task") and ``origin`` where the
    framework or dispatcher names it ("shop/tasks.py:12"), both None for a reached function."""

    __slots__ = ()
    path = property(lambda self: self[0])
    qualname = property(lambda self: self[1])
    start = property(lambda self: self[2])
    end = property(lambda self: self[3])
    parent = property(lambda self: self[4])
    what = property(lambda self: self[5])
    origin = property(lambda self: self[6])

    @property
    def key(self) -> str:
        return f"{self[0]}::{self[1]}"


class JobIndex:
    def __init__(self, nodes: list[list], incomplete: str = "", stats: dict | None = None,
                 library: dict[str, str] | None = None) -> None:
        self.nodes = {f"{n[0]}::{n[1]}": Node(n) for n in nodes}
        # The job system's own modules -> "<Library>'s own code": their module-level constants
        # and class attributes are read too (a module of constants has no function to index).
        self.library = dict(library or {})
        self.incomplete = incomplete  # why the index may miss background code ("" when complete)
        self.stats = stats or {}
        self._by_path: dict[str, list[Node]] = {}
        for node in self.nodes.values():
            self._by_path.setdefault(node.path, []).append(node)

    def at(self, path: str, line: int) -> Node | None:
        """The innermost indexed function of ``path`` whose lines hold ``line``."""
        best = None
        for node in self._by_path.get(path, ()):
            if node.start <= line <= node.end and (best is None or node.end - node.start < best.end - best.start):
                best = node
        return best

    def has_path(self, path: str) -> bool:
        return path in self._by_path

    def holds_job(self, path: str) -> bool:
        """Whether an entry point (a job, not a function a job calls) is defined in ``path``."""
        return any(node.parent is None for node in self._by_path.get(path, ()))

    def chain(self, node: Node) -> list[Node]:
        """The entry point first, ``node`` last."""
        out = [node]
        seen = {node.key}
        while out[-1].parent and out[-1].parent in self.nodes and out[-1].parent not in seen:
            seen.add(out[-1].parent)
            out.append(self.nodes[out[-1].parent])
        return out[::-1]

    def to_json(self) -> dict:
        return {"format": CACHE_FORMAT, "incomplete": self.incomplete, "stats": self.stats,
                "nodes": [list(n) for n in self.nodes.values()], "library": self.library}


# ---- where the cache is, and what names an index ---------------------------------------------


def git_dir(root: str) -> str:
    """The checkout's own git directory (a worktree's ``.git/worktrees/<name>``), where
    deploycheck keeps its other state too (the records lock, drafts): a worktree never writes
    into the main checkout's. Read from ``.git`` itself when it can be: a git process costs a
    hook more than the whole warm index."""
    dot_git = os.path.join(root, ".git")
    if os.path.isdir(dot_git) and os.path.isfile(os.path.join(dot_git, "HEAD")):
        return dot_git
    from ...git import gitcmd

    return gitcmd.output(["rev-parse", "--absolute-git-dir"], root)


def head_tree(repo: RepoAt) -> str:
    """The head commit's tree id (or the head itself when it is a tree), read through the scan's
    open ``cat-file --batch``: a commit's text starts with its tree, a tree's with a file mode."""
    from ...errors import GitError

    data = repo.read_blob(repo.head_sha)
    if data is None:
        raise GitError(
            f"git could not read commit {repo.head_sha[:12]}: the repository may be damaged or incomplete; "
            "run `git fsck`, or clone it again, and retry."
        )
    if data.startswith(b"tree "):
        return data[5:45].decode("ascii")
    return repo.head_sha  # a tree itself: the pre-commit hook scans the index's tree (`git write-tree`)


def index_key(tree: str, job_paths: tuple[str, ...]) -> str:
    if not job_paths:
        return tree  # the usual case, and hashlib costs a git hook 2 ms to import
    import hashlib

    text = "\n".join([tree, *job_paths])
    return f"{tree}-{hashlib.sha1(text.encode('utf-8', 'surrogateescape')).hexdigest()[:16]}"


def cache_dir(repo: RepoAt) -> str:
    return os.path.join(git_dir(repo.root), CACHE_DIR)


def read_json(path: str) -> dict | None:
    """The JSON object in ``path`` when it is one of this format; None for anything else."""
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) and data.get("format") == CACHE_FORMAT else None


def write_json(path: str, data: dict) -> None:
    """Write atomically (a concurrent reader sees the old file or the new one); a repository we
    cannot write to only loses the cache."""
    from ...util.cachefile import write_best_effort

    write_best_effort(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))


def _from_json(data: dict | None) -> JobIndex | None:
    if data is None:
        return None
    try:
        return JobIndex(data["nodes"], str(data.get("incomplete") or ""), data.get("stats"), dict(data.get("library") or {}))
    except (KeyError, TypeError, IndexError, ValueError):
        return None


_WHERE: dict[tuple, tuple[str, str]] = {}  # (root, head, job_paths) -> (folder, key): asked once per file


def _where(repo: RepoAt) -> tuple[str, str]:
    # The head's tree and the git directory cannot change while a scan runs; reading the commit
    # and stat-ing .git for every changed file cost a 3,000-file scan about 0.1 s.
    memo = (repo.root, repo.head_sha, tuple(repo.job_paths))
    found = _WHERE.get(memo)
    if found is None:
        found = _WHERE[memo] = (cache_dir(repo), index_key(head_tree(repo), tuple(repo.job_paths)))
    return found


def load(repo: RepoAt) -> JobIndex | None:
    """The index of ``repo``'s head from memory or from the cache; None when it was never built."""
    folder, key = _where(repo)
    found = _MEMO.get((folder, key))
    if found is None:
        found = _from_json(read_json(os.path.join(folder, f"tree-{key}.json"))) if repo.read_cache else None
        if found is not None:
            _MEMO[(folder, key)] = found
    return found


def index_for(repo: RepoAt) -> JobIndex:
    """The index of ``repo``'s head, built from the repository when it is not cached."""
    found = load(repo)
    if found is not None:
        return found
    from .repo_build import build

    folder, key = _where(repo)
    index = build(repo, folder)
    if repo.write_cache:
        write_json(os.path.join(folder, f"tree-{key}.json"), index.to_json())
        _prune(folder)
    _MEMO[(folder, key)] = index
    return index


KEEP_TREES = 16  # finished indexes kept (branches switched between); the blob summaries stay


def _prune(folder: str) -> None:
    try:
        trees = [os.path.join(folder, n) for n in os.listdir(folder) if n.startswith("tree-") and n.endswith(".json")]
        trees.sort(key=os.path.getmtime, reverse=True)
        for old in trees[KEEP_TREES:]:
            os.unlink(old)
    except OSError:
        pass


# ---- what a change touches -------------------------------------------------------------------


def changed_anchors(ctx: FileContext) -> dict[int, list[int]]:
    """Head lines the change touches -> the changed lines they stand for. An added line stands
    for itself (side head); a hunk that only removes lines is anchored on the head line before
    the removal, and stands for the removed base lines (negative numbers: side base)."""
    out: dict[int, list[int]] = {}
    for hunk in ctx.file.hunks:
        if hunk.added:
            for line in hunk.added:
                if line.text.strip():
                    out.setdefault(line.number, []).append(line.number)
        elif hunk.removed:
            anchor = max(hunk.new_start, 1)
            out.setdefault(anchor, []).extend(-line.number for line in hunk.removed if line.text.strip())
    return out


def provably_trivial(ctx: FileContext) -> bool:
    """Whether the whole file's change is proved not to change behaviour (the same syntax tree
    without comments, docstrings, logging, annotations and formatting; see equiv)."""
    if "trivial-change" not in ctx.cache:  # the gate asks, then the detector
        ctx.cache["trivial-change"] = _provably_trivial(ctx)
    return ctx.cache["trivial-change"]


def _provably_trivial(ctx: FileContext) -> bool:
    if ctx.file.old_path is None or ctx.file.new_path is None:
        return False
    head, base = ctx.head_text(), ctx.base_text()
    if head is None or base is None:
        return False
    from .equiv import same_behaviour

    return same_behaviour(base, head)


def may_run_in_background(ctx: FileContext) -> bool:
    """The Python family's content gate for a file no cheap test admits: whether a changed line
    lies in a function the job index says runs in the background (or the index is incomplete, and
    so cannot say it does not). A change proved trivial never builds the index."""
    if ctx.repo is None or not ctx.file.hunks:
        return False
    index = load(ctx.repo)
    if index is not None and not _touches(index, ctx):
        return False  # warm, and no changed line is background code: no parse, no proof needed
    if provably_trivial(ctx):
        return False  # the detector skips such a file too (jobs._detect_reached); never built for it
    return _touches(index or index_for(ctx.repo), ctx)


def _touches(index: JobIndex, ctx: FileContext) -> bool:
    if index.incomplete or ctx.path in index.library:
        return True
    if not index.has_path(ctx.path):
        return False  # most changed files hold no background code: their hunks need not be parsed
    places = [index.at(ctx.path, line) for line in changed_anchors(ctx)]
    if any(place is not None for place in places):
        return True
    # A line outside every indexed function of a file that holds a job may be a module-level
    # constant the job reads (jobs._constant_reader decides, from the parsed file).
    return bool(places) and index.holds_job(ctx.path)
