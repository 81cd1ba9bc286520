"""Run every detector over a change and decide whether it is flagged.

Pure apart from reading file contents through the ``read_blob`` callable it is given.
"""

from __future__ import annotations

import re

from ..git import pathglob
from ..config import Config
from ..git.model import ADDED, DELETED, Change, FileChange, Finding
from ..util.plain import Plain
from ..rules import detectors_for_file
from ..rules.base import DetectorSettings, FileContext, RepoAt
from ..rules.not_analysed import UNSUPPRESSIBLE, python_source_text, reads_whole_head
from ..rules.parity import WHOLE_CHANGE_RULES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

MAX_TEXT_BYTES = 2_000_000  # larger files are scanned by their changed lines only
_SUPPRESS = re.compile(r"deploycheck:\s*ignore\[([A-Za-z0-9_,\s-]+)\]\s*(.*)")

# Category -> checklist applied when a flagging finding of it exists (docs/design.md "Checklists and question ids").
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
    """The detectors' view of ``fc``. Why a side's text could not be had (too large, not
    decodable as Python decodes it) is kept in ``ctx.cache["unread"]`` for rules/not_analysed.py:
    a file that may run and was not read is a finding, never a silent skip."""
    unread: dict[str, str] = {}
    python = fc.path.endswith(".py")

    def text(blob: str | None, side: str) -> Callable[[], str | None]:
        cache: list[str | None] = []

        def get() -> str | None:
            if not cache:
                # Symlinks and submodules have no text of their own: their "blob" is a link
                # target or a commit id, never code to analyse.
                if not blob or fc.binary or fc.kind != "file":
                    cache.append(None)
                    return None
                data = read_blob(blob)
                if data is None:
                    unread[side] = f"it is larger than the {MAX_TEXT_BYTES:,}-byte limit for reading a whole file"
                    cache.append(None)
                elif python:
                    decoded, why = python_source_text(data)
                    if why:
                        unread[side] = why
                    cache.append(decoded)
                else:
                    cache.append(_decode(data))
            return cache[0]

        return get

    ctx = FileContext(
        path=fc.path,
        file=fc,
        head_text=text(fc.new_blob if fc.new_path is not None else None, "head"),
        base_text=text(fc.old_blob if fc.old_path is not None else None, "base"),
        settings=settings,
        repo=repo,
    )
    ctx.cache["unread"] = unread
    ctx.cache["read_blob"] = read_blob
    return ctx


def likely_reads(change: Change, config: Config) -> list[str]:
    """The objects ``scan_change`` will most likely read, in the order it reads them: the head
    side of every changed Python file (the Python rules look at each whole file) and of other
    code files (rules/not_analysed.py must know that each could be read whole), and the base
    side where the head cannot stand for it (a deleted file, a hunk that only removes lines).
    A guess that only decides what is fetched ahead: any other object is still read on demand,
    and one guessed but never read is merely passed over."""
    from ..rules import family

    is_python = family("python").admits_path
    out = []
    for fc in change.files:
        if fc.binary or fc.kind != "file" or not scannable(fc, config):
            continue
        if not is_python(fc.path):
            if fc.new_path is not None and fc.new_blob and reads_whole_head(fc):
                out.append(fc.new_blob)  # DC001 reads the head of every changed code file (its size)
            continue
        if fc.new_path is not None and fc.new_blob:
            out.append(fc.new_blob)
        if fc.old_path is not None and fc.old_blob and (fc.new_path is None or fc.has_pure_removal()):
            out.append(fc.old_blob)
    return out


def scannable(fc: FileChange, config: Config) -> bool:
    # Submodules are scanned too: rules/not_analysed.py reports them (code deploycheck never reads).
    return not (config.exclude and pathglob.matches(fc.path, config.exclude))


def _source_lines(ctx: FileContext, side: str) -> list[str] | None:
    """The file's lines on ``side``, split on "\\n" only as git numbers them (the hunks and the
    base are compared by those numbers), cached once per file."""
    key = ("scan.lines", side)
    if key not in ctx.cache:
        source = ctx.head_text() if side == "head" else ctx.base_text()
        ctx.cache[key] = source.split("\n") if source else None
    return ctx.cache[key]


def _suppression(finding: Finding, ctx: FileContext) -> tuple[str, bool] | None:
    """``(reason, honoured)`` of a `deploycheck: ignore[RULE]` comment (rule id, name or ALL) on
    the finding's line or the one above; None when there is none.

    Only a suppression the base branch already holds is honoured: a comment the change under
    test wrote could otherwise silence that same change. A comment found on the base side (a
    finding about removed lines) is the base's own text; on the head side it must pass
    ``_held_by_base``. When both lines carry a matching comment, an honoured one wins.
    """
    if finding.rule in UNSUPPRESSIBLE:
        return None  # a comment in a file deploycheck could not read must not silence that fact
    lines = _source_lines(ctx, finding.side)
    if not lines:
        return None
    found: tuple[str, bool] | None = None
    for number in (finding.line, finding.line - 1):
        if 1 <= number <= len(lines):
            m = _SUPPRESS.search(lines[number - 1])
            if m:
                ids = {part.strip().upper() for part in m.group(1).split(",")}
                if finding.rule.upper() in ids or finding.name.upper() in ids or "ALL" in ids:
                    reason = m.group(2).strip().strip("#/-*").strip() or "(no reason given)"
                    honoured = finding.side == "base" or _held_by_base(ctx, number, finding.line)
                    if honoured:
                        return reason, True
                    found = found or (reason, False)
    return found


def _base_line(fc: FileChange, head_line: int) -> int | None:
    """The base line number of an unchanged head line, None for a line the change added
    (from the -U0 hunks, which are in file order)."""
    shift = 0
    for hunk in fc.hunks:
        if hunk.new_count and hunk.new_start <= head_line < hunk.new_start + hunk.new_count:
            return None
        # The last head line at or before the hunk: a pure removal sits after line new_start.
        last_before = hunk.new_start + hunk.new_count - 1 if hunk.new_count else hunk.new_start
        if last_before >= head_line:
            break
        shift += hunk.old_count - hunk.new_count
    return head_line + shift


def _held_by_base(ctx: FileContext, comment: int, covered: int) -> bool:
    """Whether head lines ``comment``..``covered`` (the suppression comment and the line it
    covers) are lines the change did not add, standing together in the base exactly as in the
    head, with the same text. So a comment the change added, one on a line it modified, and a
    base comment that now sits above an inserted line or above a line that a removal moved up
    under it are all not held: each would apply a suppression the base never made there."""
    fc = ctx.file
    if fc.old_path is None or fc.new_path is None:
        return False
    mapped = [_base_line(fc, n) for n in range(comment, covered + 1)]
    if any(b is None for b in mapped) or mapped[-1] - mapped[0] != covered - comment:  # type: ignore[operator]  # no None: tested first
        return False
    head, base = _source_lines(ctx, "head"), _source_lines(ctx, "base")
    if not head or not base:
        return False
    return all(
        0 < b <= len(base) and base[b - 1] == head[n - 1]  # type: ignore[operator]  # no None: tested above
        for n, b in zip(range(comment, covered + 1), mapped)
    )


def apply_config(finding: Finding, config: Config) -> Finding | None:
    if finding.rule in config.disabled_rules or finding.name in config.disabled_rules:
        return None
    grade = config.severity_overrides.get(finding.rule) or config.severity_overrides.get(finding.name)
    if grade:
        finding.severity = grade
    return finding


def whole_files(files: list[FileChange]) -> tuple[tuple[str, str, str], ...]:
    """(status, path, blob id) of the text files the change adds or deletes whole."""
    out = []
    for fc in files:
        if fc.binary or fc.kind != "file":
            continue
        if fc.status == ADDED and fc.new_path and fc.new_blob:
            out.append((ADDED, fc.new_path, fc.new_blob))
        elif fc.status == DELETED and fc.old_path and fc.old_blob:
            out.append((DELETED, fc.old_path, fc.old_blob))
    return tuple(out)


def touched_paths(files: list[FileChange]) -> frozenset[str]:
    return frozenset(path for fc in files for path in (fc.old_path, fc.new_path) if path)


def scan_files(
    files: list[FileChange],
    config: Config,
    read_blob: Callable[[str], bytes | None],
    base_rev: str | None = None,
    at: tuple[str, str] | None = None,
    everything: list[FileChange] | None = None,
    merge_base: str | None = None,
) -> list[list[Finding]]:
    """The findings of each file (a list per file, in order): configuration applied, inline
    suppressions marked, each (rule, path, line, side) reported once. Detectors may read files
    of ``base_rev`` (the base commit: a package manifest) through ``read_blob``. ``at`` is
    (repository root, head commit): the job context is then built from the whole repository at
    head. ``everything`` is the whole change's files when ``files`` are a part of it."""
    from ..git.basefiles import BaseFiles

    whole = everything if everything is not None else files
    base_files = BaseFiles(base_rev, read_blob, touched_paths(whole), frozenset(fc.new_path for fc in whole if fc.new_path),
                           merge_base, whole_files(whole))
    settings = DetectorSettings(job_paths=config.job_paths, lock_wrappers=config.lock_wrappers, base_files=base_files)
    repo = RepoAt(at[0], at[1], read_blob, config.job_paths) if at and at[1] else None
    # Rule families are imported only when a changed file can concern them (a git hook on a
    # docs-only commit never loads the Python analyzers); tests/rules/test_registry.py keeps the whole
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
                suppression = _suppression(kept, ctx)
                if suppression is not None:
                    kept.suppression_reason, honoured = suppression
                    kept.suppressed, kept.suppressed_by_author = honoured, not honoured
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
    (in parts, by several processes: analysis.pipeline)."""
    result = ScanResult(change=change)
    if per_file is None:
        per_file = scan_files(change.files, config, read_blob, change.base_sha or None, (change.repo_root, change.head_sha),
                              merge_base=change.merge_base or None)
    result.findings = merge_file_findings(per_file)
    if result.flagged:
        # Environment parity (rules/parity.py) is a property of the whole change: run it once,
        # only for a change that is already flagged, so it adds context but never flags alone.
        from ..rules.parity import parity_findings

        result.findings += [f for f in parity_findings(result, config, read_blob) if apply_config(f, config)]
    result.findings.sort(key=Finding.sort_key)
    if result.flagged:
        result.checklists = list(config.checklists) or [DEFAULT_CHECKLIST]
    return result
