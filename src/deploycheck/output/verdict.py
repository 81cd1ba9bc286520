"""The gate's verdict, printed: text for a person, one terse block for a git hook, JSON, and
GitHub annotations with the step summary. `deploycheck verify` and the push hook's fast path
(hooks/fast.py) print through these, so both say the same thing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from . import report
from ..gate.decision import MISSING, Verdict
from ..util.safe import inert

if TYPE_CHECKING:
    from ..analysis.pipeline import Context
    from rich.console import Console
    from rich.text import Text


def verdict_json(ctx: Context, verdict: Verdict) -> dict:
    return {
        "version": 1,
        "ok": verdict.ok,
        "base": ctx.change.merge_base,
        "head": ctx.change.head_sha,
        "flagged": bool(verdict.flagged_files),
        "flagged_files": verdict.flagged_files,
        "records": [r.to_json() for r in verdict.records],
        "problems": [p.to_json() for p in verdict.problems],
        "notes": verdict.notes,
        # Added for the GitHub Action's `record` output: the record that matched, or null.
        "record": matched_record(verdict),
    }


def matched_record(verdict: Verdict) -> str | None:
    """The record that made the gate pass (the first valid one), or None."""
    if not verdict.ok:
        return None
    return next((r.path for r in verdict.records if r.status == "valid"), None)


def _headline(verdict: Verdict, esc: Callable[[object], str] = lambda text: inert(text, keep_newlines=False)) -> str:
    """The verdict in one line; ``esc`` makes the record's path and signer inert for the output
    format (text by default, ``github.markdown_text`` for the step summary)."""
    if verdict.ok and not verdict.flagged_files:
        return "PASS: nothing flagged; this change does not touch jobs, queues or shared state."
    if verdict.ok:
        valid = next(r for r in verdict.records if r.status == "valid")
        return f"PASS: {esc(valid.path)} (signed by {esc(valid.signer)}) covers every flagged file."
    n = len(verdict.problems)
    valid_records = [r for r in verdict.records if r.status == "valid"]
    if verdict.flagged_files and valid_records and all(p.code.endswith("-test-run") for p in verdict.problems):
        return (f"FAIL: {esc(valid_records[0].path)} covers the change, but the base branch requires a passing test run "
                "that it does not record.")
    if verdict.flagged_files and valid_records and len(valid_records) == len(verdict.records):
        return (f"FAIL: {esc(valid_records[0].path)} covers the change, but the pull request or its review falls short "
                f"({n} problem{'s' if n != 1 else ''}).")
    if not verdict.flagged_files and all(p.code.endswith(("-review", "-reviewer")) for p in verdict.problems):
        return f"FAIL: nothing is flagged, but a review this change adds, rewrites or deletes does not verify ({n} problem{'s' if n != 1 else ''})."
    if not verdict.flagged_files:
        return f"FAIL: nothing is flagged, but a record this change adds, rewrites or deletes does not verify ({n} problem{'s' if n != 1 else ''})."
    return f"FAIL: the change is flagged and has no valid, current, signed record ({n} problem{'s' if n != 1 else ''})."


def print_text(ctx: Context, verdict: Verdict, claims: list | None = None) -> None:
    from rich.text import Text

    from .console import out

    con = out()
    for claim in claims or []:  # first, in plain words: what the author said against what changed
        if claim.message:
            con.print(_hanging(con, Text("Claim vs change: ", style="bold yellow"), Text(inert(claim.message, keep_newlines=False))), soft_wrap=True)
    con.print(Text(report.base_line(ctx.change), style="dim"))
    if verdict.flagged_files:
        con.print(Text("Flagged files: " + ", ".join(inert(p, keep_newlines=False) for p in verdict.flagged_files)))
    for rv in verdict.records:
        signer = f", signed by {inert(rv.signer, keep_newlines=False)}" if rv.signer else ""
        con.print(Text(f"Record {inert(rv.path, keep_newlines=False)}: {rv.status}{signer}"))
    for note in verdict.notes:
        con.print(Text("Note: " + inert(note, keep_newlines=False), style="dim"))
    con.print(Text(_headline(verdict), style="bold green" if verdict.ok else "bold red"))
    for problem in verdict.problems:
        con.print(_hanging(con, Text(f"  [{problem.code}] ", style="red"), Text(inert(problem.message, keep_newlines=False))), soft_wrap=True)
        con.print(_hanging(con, Text("      fix: ", style="dim"), Text(inert(problem.fix, keep_newlines=False), style="dim")), soft_wrap=True)


def _hanging(con: "Console", label: "Text", text: "Text") -> "Text":
    """``label`` then ``text`` wrapped to the console, its later lines indented to start under
    its first character, so a long problem reads as one block beside its code. (Print with
    ``soft_wrap=True``: the lines already fit.)"""
    from rich.text import Text

    indent = len(label.plain)
    lines = text.wrap(con, max(20, con.width - indent), overflow="fold")  # fold: a huge word stays whole
    out = Text()
    for number, line in enumerate(lines):
        line.rstrip()
        out.append_text(label if number == 0 else Text(" " * indent))
        out.append_text(line)
        if number < len(lines) - 1:
            out.append("\n")
    return out


def print_hook(verdict: Verdict) -> None:
    import sys

    if verdict.ok:
        return
    codes = sorted({p.code for p in verdict.problems})
    files = ", ".join(inert(p, keep_newlines=False) for p in verdict.flagged_files)
    first = verdict.problems[0] if verdict.problems else None
    if not files:
        print(f"deploycheck: blocked: a record this push adds, rewrites or deletes does not verify ({', '.join(codes)}).", file=sys.stderr)
        if first is not None:
            print(f"deploycheck: {inert(first.message, keep_newlines=False)}", file=sys.stderr)
        print(f"deploycheck: {inert(first.fix, keep_newlines=False) if first else ''}", file=sys.stderr)
        return
    print(f"deploycheck: blocked: {files} changed jobs, queues or shared state without a valid record ({', '.join(codes)}).", file=sys.stderr)
    if first is not None and first.code != MISSING:
        print(f"deploycheck: {inert(first.message, keep_newlines=False)}", file=sys.stderr)
    print("deploycheck: run `deploycheck` to answer the checklist, commit the record, and push again.", file=sys.stderr)


def github_annotations(ctx: Context, verdict: Verdict) -> list[str]:
    """One `::error` per problem and flagged line, so the pull request shows each problem where
    the risky code is: a stale file's problem on that file's flagged lines, a missing record on
    every flagged line, a record's own problem (signature, trust, answers) on the record file."""
    from .github import workflow_command

    return [workflow_command("error", text, file=path, line=line, end_line=end_line, title=f"deploycheck {problem.code}")
            for problem, path, line, end_line, text, _ in problem_locations(ctx, verdict)]


def problem_locations(ctx: Context, verdict: Verdict):
    """(problem, path, line, end_line, text, rule) for each place a failed verdict's problem is
    shown: GitHub annotations and GitLab Code Quality issues share it. ``line`` is None for a
    problem on a whole file."""
    if verdict.ok:
        return []
    by_file: dict[str, list] = {path: [] for path in verdict.flagged_files}
    for f in ctx.scan.active:
        if f.flags and f.side == "head" and f.path in by_file:
            by_file[f.path].append(f)
    out = []
    for problem in verdict.problems:
        text = f"{problem.code}: {problem.message} Fix: {problem.fix}"
        if problem.path is None:
            targets = list(verdict.flagged_files)
        else:
            targets = [problem.path] if problem.path in by_file else []
        if not targets:  # the record's own problem: on the record file
            out.append((problem, problem.path, None, None, text, None))
        for path in targets:
            if not by_file[path]:  # flagged by removed lines only: the file itself
                out.append((problem, path, None, None, text, None))
            for f in by_file[path]:
                out.append((problem, f.path, f.line, f.end_line,
                            f"{problem.code}: {problem.message} ({f.rule} {f.name}: {f.message}) Fix: {problem.fix}", f.rule))
    return out


def codequality_issues(ctx: Context, verdict: Verdict) -> list[dict]:
    """A GitLab Code Quality report (docs/ci.md): one issue per problem and flagged line, as the
    GitHub annotations. JSON makes every string inert by construction (``report.dumps`` also
    escapes C1 controls and bidi overrides); no field is ever interpreted by GitLab as markup.
    A problem with no path (a project-wide one) is reported on the base branch's config."""
    import hashlib

    issues = []
    seen: set[str] = set()
    for problem, path, line, _end, text, rule in problem_locations(ctx, verdict):
        where = path or ".deploycheck/config.yaml"
        key = "\0".join([problem.code, where, str(line or 1), rule or "", text])
        fingerprint = hashlib.sha256(key.encode("utf-8", "backslashreplace")).hexdigest()
        if fingerprint in seen:
            continue
        seen.add(fingerprint)
        issues.append({
            "description": text,
            "check_name": f"deploycheck {problem.code}" + (f" {rule}" if rule else ""),
            "fingerprint": fingerprint,
            "severity": "major",
            "location": {"path": where, "lines": {"begin": line or 1}},
        })
    return issues


def print_github(ctx: Context, verdict: Verdict, claims: list | None = None) -> None:
    from .github import append_step_summary, markdown_code, markdown_table, markdown_text, workflow_command

    for claim in claims or []:
        if claim.message:
            print(workflow_command("warning", claim.message, title="deploycheck: claim vs change"))
    for line in github_annotations(ctx, verdict):
        print(line)
    rows = [[markdown_text(p.code), markdown_text(p.path or ""), markdown_text(p.message), markdown_text(p.fix)] for p in verdict.problems]
    summary = f"## deploycheck verify\n\n**{_headline(verdict, markdown_text)}**\n"
    if verdict.flagged_files:
        summary += "\nFlagged files: " + ", ".join(markdown_code(p) for p in verdict.flagged_files) + "\n"
    if rows:
        summary += "\n" + markdown_table(["problem", "path", "message", "fix"], rows) + "\n"
    append_step_summary(summary)
    print(_headline(verdict))
