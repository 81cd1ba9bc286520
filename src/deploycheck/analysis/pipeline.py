"""The analysis pipeline every command and hook runs: find the change, read the base branch's
config, scan. ``analyse`` returns the ``Context`` the gate, the walkthrough and the outputs read."""

from __future__ import annotations

import os
from contextlib import contextmanager, nullcontext

from ..git.change import compute_change
from ..config import CONFIG_PATH, Config, parse_config_text
from ..git.gitcmd import BlobReader, BlobStream
from ..git.model import Change, FileChange, Finding
from ..util.parallel import in_two_processes
from ..util.parallel import workers as _workers  # the name tests/analysis/test_perf_paths.py asks
from ..util.plain import Plain
from .scan import MAX_TEXT_BYTES, ScanResult, likely_reads, scan_change, scan_files

# A change with at least this many files is scanned by two processes (a fork of this one)
# when the machine has two cores: the detectors are CPU-bound Python. DEPLOYCHECK_WORKERS=1
# turns it off.
PARALLEL_MIN_FILES = 400
# Up to this many objects are read one round trip at a time through the reader already open.
FEW_OBJECTS = 16

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterator


class Context(Plain):
    _fields = ("change", "deck_files", "config", "scan")

    def __init__(self, change: Change, deck_files: list[FileChange], config: Config, scan: ScanResult) -> None:
        self.change = change
        self.deck_files = deck_files  # what the change did under .deploycheck/
        self.config = config  # from the base ref, never from the branch
        self.scan = scan


@contextmanager
def blob_reader(root: str, expected: list[str], objects: BlobReader | None = None) -> Iterator[Callable[[str], bytes | None]]:
    """``read_blob`` for the scan: objects it is expected to read come from a stream fetched
    ahead (``expected``, in order); any other one, or one asked out of order, is fetched on
    demand (through ``objects`` when given). A few objects are not worth a second git process
    (a git hook feels each): with ``objects`` at hand they are all read on demand."""
    if objects is not None and len(expected) <= FEW_OBJECTS:
        expected = []
    with BlobStream(root, expected, MAX_TEXT_BYTES) as ahead, (nullcontext(objects) if objects else BlobReader(root)) as blobs:

        def read_blob(name: str) -> bytes | None:
            found, data = ahead.take(name)
            return data if found else blobs.read(name, MAX_TEXT_BYTES)

        yield read_blob


def _scan_part(change: Change, files: list[FileChange], config: Config, objects: BlobReader | None = None) -> list[list[Finding]]:
    part = Change(**{**vars(change), "files": files})
    with blob_reader(change.repo_root, likely_reads(part, config), objects) as read_blob:
        return scan_files(files, config, read_blob, change.base_sha or None, (change.repo_root, change.head_sha),
                          change.files, change.merge_base or None)


def scan_per_file(change: Change, config: Config, objects: BlobReader | None = None) -> list[list[Finding]]:
    """``scan_files`` over the whole change, by two processes for large changes (each with its
    own git processes: ``objects`` serves only a scan that stays in this process)."""
    if len(change.files) < PARALLEL_MIN_FILES or _workers() < 2:
        return _scan_part(change, change.files, config, objects)
    _job_index_before_fork(change, config, objects)
    return in_two_processes(change.files, lambda files: _scan_part(change, files, config), PARALLEL_MIN_FILES)


def _job_index_before_fork(change: Change, config: Config, objects: BlobReader | None) -> None:
    """Build the job index (rules/python/repo_index) once, before the scan forks, so that the two
    processes share it instead of both building it. A change this large almost always touches
    a Python file the index is needed for; the index is the same whether or not it is used."""
    from ..rules.python.gate import is_test_path

    if not any(fc.new_path is not None and fc.path.endswith(".py") and not is_test_path(fc.path) for fc in change.files):
        return
    from ..rules.base import RepoAt
    from ..rules.python.repo_index import index_for

    with blob_reader(change.repo_root, [], objects) as read_blob:
        index_for(RepoAt(change.repo_root, change.head_sha, read_blob, config.job_paths))


def config_at(objects: BlobReader, rev: str, base: str | None = None) -> Config:
    """``config.load_config_at(root, rev)``, read through ``objects``. With ``base`` (the base
    branch's name), an invalid file's error says where to fix it: the copy a user edits in
    their branch is not the one read (a new-user trial fixed it there and got the same error)."""
    data = objects.blob(rev, CONFIG_PATH)
    if data is None:
        return Config()
    from ..errors import DeployCheckError

    try:
        return parse_config_text(data, source=f"{CONFIG_PATH} (at {rev[:12]})")
    except DeployCheckError as exc:
        if base is None:
            raise
        raise type(exc)(f"{exc} This is the copy committed on the base ({base}), the only one deploycheck reads: "
                        "fix it there; an edit on this branch or in the working tree takes effect once merged.",
                        exit_code=exc.exit_code) from None


def analyse(
    base: str | None = None, head: str | None = None, cwd: str | None = None, objects: BlobReader | None = None,
    tags: bool = False,
) -> Context:
    """Find the change, read the base branch's config and scan. One `git cat-file --batch`
    (``objects`` when given, started in ``cwd``) answers every question about revisions and
    files on the way. ``tags``: the base may be a tag (``scan`` only: ``change.resolve_base``)."""
    cwd = cwd or os.getcwd()
    with nullcontext(objects) if objects is not None else BlobReader(cwd) as objects:
        change, deck = compute_change(cwd, base, head, objects, tags)
        from ..git.change import gitlab_target_tip

        # A GitLab merge request's base is the fork point; its configuration is the target's today.
        config = config_at(objects, gitlab_target_tip(change) or change.base_sha, change.base_ref)
        return scan_context(change, deck, config, objects)


def scan_context(change: Change, deck: list[FileChange], config: Config, objects: BlobReader) -> Context:
    """The ``Context`` of a change already found, scanned with ``config`` (the base's)."""
    per_file = scan_per_file(change, config, objects)
    with blob_reader(change.repo_root, [], objects) as read_blob:
        result = scan_change(change, config, read_blob, per_file)
    return Context(change=change, deck_files=deck, config=config, scan=result)
