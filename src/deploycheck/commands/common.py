"""Plumbing shared by commands: find the change, read the base branch's config, scan."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..change import compute_change
from ..config import Config, load_config_at
from ..gitcmd import BlobReader
from ..model import Change, FileChange
from ..scan import MAX_TEXT_BYTES, ScanResult, scan_change


@dataclass
class Context:
    change: Change
    deck_files: list[FileChange]  # what the change did under .deploycheck/
    config: Config  # from the base ref, never from the branch
    scan: ScanResult


def analyse(base: str | None = None, head: str | None = None, cwd: str | None = None) -> Context:
    change, deck = compute_change(cwd or os.getcwd(), base, head)
    config = load_config_at(change.repo_root, change.base_sha)
    with BlobReader(change.repo_root) as blobs:
        result = scan_change(change, config, lambda oid: blobs.read(oid, MAX_TEXT_BYTES))
    return Context(change=change, deck_files=deck, config=config, scan=result)
