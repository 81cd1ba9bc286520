"""Run every detector over a change and decide whether it is flagged.

Pure apart from reading file contents through the ``read_blob`` callable it is given.
"""

from __future__ import annotations

import re

from . import pathglob
from .config import Config
from .model import Change, FileChange, Finding
from .plain import Plain
from .rules import detectors_for_file
from .rules.base import DetectorSettings, FileContext, RepoAt
from .rules.parity import WHOLE_CHANGE_RULES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

MAX_TEXT_BYTES = 2_000_000  # larger files are scanned by their changed lines only
_SUPPRESS = re.compile(r"deploycheck:\s*ignore\[([A-Za-z0-9_,\s-]+)\]\s*(.*)")

# Category -> checklist applied when a flagging finding of it exists (DESIGN.md "Checklists").
DEFAULT_CHECKLIST = "background-jobs"


class ScanResult(Plain):
    _fields = ("change", "findings", "checklists")

    def __init__(self, change: Change, findings: list[Finding] | None = None, checklists: list[str] | None = None) -> None:
        self.change = change
        self.findings: list[Finding] = [] if findings is None else findings  # including suppressed ones
        self.checklists: list[str] = [] if checklists is None else checklists

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    @property
    def flagged(self) -> bool:
        return any(f.flags for f in self.findings)

    @property
    def flagged_files(self) -> list[str]:
        # A whole-change finding (environment parity, DC600) may point at a deployment file the
        # change does not touch; the fingerprint covers changed files only, so leave that path out.
        in_change = {fc.path for fc in self.change.files}
        return sorted({f.path for f in self.findings if f.flags and (f.path in in_change or f.rule not in WHOLE_CHANGE_RULES)})

    @property
    def has_high(self) -> bool:
        return any(f.flags and f.severity == "high" for f in self.findings)


def _decode(data: bytes | None) -> str | None:
    if data is None or b"\x00" in data[:8000]:
        return None
    return data.decode("utf-8", "surrogateescape")


def file_context(
    fc: FileChange, settings: DetectorSettings, read_blob: Callable[[str], bytes | None], repo: RepoAt | None = None
) -> FileContext:
    def text(blob: str | None) -> Callable[[], str | None]:
        cache: list[str | None] = []

        def get() -> str | None:
            if not cache:
                cache.append(_decode(read_blob(blob)) if blob and not fc.binary else None)
            return cache[0]

        return get

    return FileContext(
        path=fc.path,
        file=fc,
        head_text=text(fc.new_blob if fc.new_path is not None else None),
        base_text=text(fc.old_blob if fc.old_path is not None else None),
        settings=settings,
        repo=repo,
    )


def likely_reads(change: Change, config: Config) -> list[str]:
    """The objects ``scan_change`` will most likely read, in the order it reads them: the head
    side of every changed Python file (the Python rules look at each whole file), and the base
    side where the head cannot stand for it (a deleted file, a hunk that only removes lines).
    A guess that only decides what is fetched ahead: any other object is still read on demand,
    and one guessed but never read is merely passed over."""
    from .rules import FILE_GATES

    is_python = FILE_GATES["deploycheck.rules.python_rules"]
    out = []
    for fc in change.files:
        if fc.binary or fc.kind != "file" or not is_python(fc.path) or not scannable(fc, config):
            continue
        if fc.new_path is not None and fc.new_blob:
            out.append(fc.new_blob)
        if fc.old_path is not None and fc.old_blob and (fc.new_path is None or fc.has_pure_removal()):
            out.append(fc.old_blob)
    return out


def scannable(fc: FileChange, config: Config) -> bool:
    if fc.kind == "submodule":
        return False
    return not (config.exclude and pathglob.matches(fc.path, config.exclude))


def _suppression(finding: Finding, ctx: FileContext) -> str | None:
    """The reason of a `deploycheck: ignore[RULE]` comment on the finding's line or the one above."""
    key = ("scan.lines", finding.side)
    if key not in ctx.cache:  # split once per file, not once per finding
        source = ctx.head_text() if finding.side == "head" else ctx.base_text()
        ctx.cache[key] = source.splitlines() if source else None
    lines = ctx.cache[key]
    if not lines:
        return None
    for number in (finding.line, finding.line - 1):
        if 1 <= number <= len(lines):
            m = _SUPPRESS.search(lines[number - 1])
            if m:
                ids = {part.strip().upper() for part in m.group(1).split(",")}
                if finding.rule.upper() in ids or finding.name.upper() in ids or "ALL" in ids:
                    reason = m.group(2).strip().strip("#/-*").strip()
                    return reason or "(no reason given)"
    return None


def apply_config(finding: Finding, config: Config) -> Finding | None:
    if finding.rule in config.disabled_rules or finding.name in config.disabled_rules:
        return None
    grade = config.severity_overrides.get(finding.rule) or config.severity_overrides.get(finding.name)
    if grade:
        finding.severity = grade
    return finding


def scan_files(
    files: list[FileChange], config: Config, read_blob: Callable[[str], bytes | None], at: tuple[str, str] | None = None
) -> list[list[Finding]]:
    """The findings of each file (a list per file, in order): configuration applied, inline
    suppressions marked, each (rule, path, line, side) reported once. ``at`` is (repository
    root, head commit): the job context is then built from the whole repository at head."""
    settings = DetectorSettings(job_paths=config.job_paths, lock_wrappers=config.lock_wrappers)
    repo = RepoAt(at[0], at[1], read_blob, config.job_paths) if at and at[1] else None
    # Rule families are imported only when a changed file can concern them (a git hook on a
    # docs-only commit never loads the Python analyzers); tests/test_registry.py keeps the whole
    # registry consistent.
    out: list[list[Finding]] = []
    seen: set[tuple] = set()
    for fc in files:
        found: list[Finding] = []
        out.append(found)
        if not scannable(fc, config):
            continue
        ctx = file_context(fc, settings, read_blob, repo)
        for detect in detectors_for_file(ctx):
            for finding in detect(ctx):
                key = (finding.rule, finding.path, finding.line, finding.side)
                if key in seen:
                    continue
                seen.add(key)
                kept = apply_config(finding, config)
                if kept is None:
                    continue
                reason = _suppression(kept, ctx)
                if reason is not None:
                    kept.suppressed, kept.suppression_reason = True, reason
                found.append(kept)
    return out


def merge_file_findings(per_file: list[list[Finding]]) -> list[Finding]:
    """Findings of files scanned in separate parts, in file order, each key once (as one pass
    over all files keeps it: a key dropped by configuration in one part is dropped in every
    part, since configuration looks only at the rule)."""
    seen: set[tuple] = set()
    out = []
    for found in per_file:
        for f in found:
            key = (f.rule, f.path, f.line, f.side)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def scan_change(
    change: Change,
    config: Config,
    read_blob: Callable[[str], bytes | None],
    per_file: list[list[Finding]] | None = None,
) -> ScanResult:
    """Scan the change; ``per_file`` gives ``scan_files``' result when it was computed already
    (in parts, by several processes: commands.common)."""
    result = ScanResult(change=change)
    result.findings = merge_file_findings(
        per_file if per_file is not None else scan_files(change.files, config, read_blob, (change.repo_root, change.head_sha))
    )
    if result.flagged:
        # Environment parity (rules/parity.py) is a property of the whole change: run it once,
        # only for a change that is already flagged, so it adds context but never flags alone.
        from .rules.parity import parity_findings

        result.findings += [f for f in parity_findings(result, config, read_blob) if apply_config(f, config)]
    result.findings.sort(key=Finding.sort_key)
    if result.flagged:
        result.checklists = list(config.checklists) or [DEFAULT_CHECKLIST]
    return result
