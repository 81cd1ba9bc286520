"""The gate's verdict, printed: text for a person, one terse block for a git hook, JSON, and
GitHub annotations with the step summary. `deploycheck verify` and the push hook's fast path
(hooks/fast.py) print through these, so both say the same thing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from . import report
from ..gate.decision import MISSING, UNTRUSTED, Verdict
from ..gate.prfield import PR_CLAIM, PR_FIELD
from ..util.safe import inert

if TYPE_CHECKING:
    from ..analysis.pipeline import Context
    from ..gate.mergegroup import GroupVerdict, StepResult
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


def nothing_compared(ctx: Context) -> bool:
    """True when no file differs between the merge-base and the head (the default branch itself)."""
    return not ctx.change.files and not ctx.deck_files


def _context(ctx) -> int:
    """How many informational findings the scan shows as context (scan's own count)."""
    return report.shown_as_context(ctx.scan.active)


def _headline(verdict: Verdict, esc: Callable[[object], str] = lambda text: inert(text, keep_newlines=False),
              empty: bool = False, context: int = 0) -> str:
    """The verdict in one line; ``esc`` makes the record's path and signer inert for the output
    format (text by default, ``github.markdown_text`` for the step summary). ``empty``: no file
    differs between the base and the head (``nothing_compared``)."""
    if verdict.ok and not verdict.flagged_files and empty:
        # As scan says it (report.NOTHING_TO_CHECK): "nothing flagged" on the default branch
        # itself read as a verdict on work that was never compared.
        return "PASS: " + report.NOTHING_TO_CHECK[0].lower() + report.NOTHING_TO_CHECK[1:]
    if verdict.ok and not verdict.flagged_files and context:
        # As scan says it: "found no change" beside an informational finding that asks for a look
        # by hand (a function not followed to its jobs) read as a contradiction (a new user's trial).
        return (f"PASS: nothing flagged; no risky change to jobs, queues or shared state ({context} informational "
                f"finding{'s' if context != 1 else ''}: `deploycheck scan` shows {'them' if context != 1 else 'it'}).")
    if verdict.ok and not verdict.flagged_files:
        return "PASS: nothing flagged; deploycheck found no change to jobs, queues or shared state."
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
    if not verdict.flagged_files and all(p.code in (PR_FIELD, PR_CLAIM) for p in verdict.problems):
        # A change with nothing flagged still needs the field under `pr_field: required`; no
        # record is involved, so the line must not send the author looking for one.
        return f"FAIL: nothing is flagged, but the pull request description falls short ({n} problem{'s' if n != 1 else ''})."
    if not verdict.flagged_files:
        return f"FAIL: nothing is flagged, but a record this change adds, rewrites or deletes does not verify ({n} problem{'s' if n != 1 else ''})."
    return f"FAIL: the change is flagged and has no valid, current, signed record ({n} problem{'s' if n != 1 else ''})."


def print_text(ctx: Context, verdict: Verdict, claims: list | None = None) -> None:
    from rich.text import Text

    from .console import out

    con = out()
    from ..gate.prfield import said

    for line in said(claims or []):  # first, in plain words: what the author said against what changed
        con.print(_hanging(con, Text("Claim vs change: ", style="bold yellow"), Text(inert(line, keep_newlines=False))), soft_wrap=True)
    con.print(Text(report.base_line(ctx.change), style="dim"))
    if verdict.flagged_files:
        con.print(Text("Flagged files: " + ", ".join(inert(p, keep_newlines=False) for p in verdict.flagged_files)))
    for rv in verdict.records:
        signer = f", signed by {inert(rv.signer, keep_newlines=False)}" if rv.signer else ""
        con.print(Text(f"Record {inert(rv.path, keep_newlines=False)}: {rv.status}{signer}"))
    for note in verdict.notes:
        con.print(Text("Note: " + inert(note, keep_newlines=False), style="dim"))
    con.print(Text(_headline(verdict, empty=nothing_compared(ctx), context=_context(ctx)), style="bold green" if verdict.ok else "bold red"))
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
    from ..gate.decision import uncovered_files

    codes = sorted({p.code for p in verdict.problems})
    # Only the files the records leave uncovered: a new user's trial flagged one more file
    # after signing and was told every flagged file had no valid record, the covered ones too.
    uncovered = uncovered_files(verdict)
    files = ", ".join(inert(p, keep_newlines=False) for p in uncovered)
    covered = len(verdict.flagged_files) - len(uncovered)
    by = inert(verdict.records[0].path, keep_newlines=False) if len(verdict.records) == 1 else "the branch's records"
    also = f"; {by} cover{'s' if len(verdict.records) == 1 else ''} the {covered} other flagged file{'s' if covered != 1 else ''}" \
        if covered else ""
    first = verdict.problems[0] if verdict.problems else None
    if not files:
        print(f"deploycheck: blocked: a record this push adds, rewrites or deletes does not verify ({', '.join(codes)}).", file=sys.stderr)
        if first is not None:
            print(f"deploycheck: {inert(first.message, keep_newlines=False)}", file=sys.stderr)
        print(f"deploycheck: {inert(first.fix, keep_newlines=False) if first else ''}", file=sys.stderr)
        return
    print(f"deploycheck: blocked: {files} changed jobs, queues or shared state without a valid record ({', '.join(codes)}){also}.",
          file=sys.stderr)
    if first is not None and first.code != MISSING:
        print(f"deploycheck: {inert(first.message, keep_newlines=False)}", file=sys.stderr)
    if first is not None and all(p.code == UNTRUSTED for p in verdict.problems):
        # The record stands once its key is trusted on the base: answering the checklist again
        # fixes nothing (a new user's trial, session 25, was told to).
        print(f"deploycheck: {inert(first.fix, keep_newlines=False)}", file=sys.stderr)
        return
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
    out: list[tuple] = []
    for problem in verdict.problems:
        text = f"{problem.code}: {problem.message} Fix: {problem.fix}"
        if problem.code in (PR_FIELD, PR_CLAIM):
            # About the pull request's text, not a line of code: once, on no file (a new-user
            # trial saw one claim's error repeated on every flagged line, none the one it named).
            out.append((problem, None, None, None, text, None))
            continue
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

    from ..gate.prfield import said

    for line in said(claims or []):
        print(workflow_command("warning", line, title="deploycheck: claim vs change"))
    # The text output's "Note:" lines (a PR field not checked, pr_field: warn's missing field):
    # without them a GitHub run passed with no trace of what the gate did not check.
    for note in verdict.notes:
        print(workflow_command("notice", note, title="deploycheck: note"))
    for line in github_annotations(ctx, verdict):
        print(line)
    rows = [[markdown_text(p.code), markdown_text(p.path or ""), markdown_text(p.message), markdown_text(p.fix)] for p in verdict.problems]
    summary = f"## deploycheck verify\n\n**{_headline(verdict, markdown_text, nothing_compared(ctx), _context(ctx))}**\n"
    if verdict.flagged_files:
        summary += "\nFlagged files: " + ", ".join(markdown_code(p) for p in verdict.flagged_files) + "\n"
    if verdict.notes:
        summary += "\n" + "".join(f"- Note: {markdown_text(n)}\n" for n in verdict.notes)
    if rows:
        summary += "\n" + markdown_table(["problem", "path", "message", "fix"], rows) + "\n"
    append_step_summary(summary)
    print(_headline(verdict, empty=nothing_compared(ctx), context=_context(ctx)))


# --- a merge queue's group, one pull request at a time (`verify --merge-group`) -----------------


def _labelled(result: "StepResult", total: int) -> Verdict:
    """The step's verdict with each problem's message naming the step, for outputs that list the
    problems of every step together (annotations, Code Quality, the step summary)."""
    from dataclasses import replace

    label = result.label(total)
    return replace(result.verdict, problems=[replace(p, message=f"{label}: {p.message}") for p in result.verdict.problems])


def group_json(group: "GroupVerdict") -> dict:
    """The --format json document of a merge group: the fields of a single verdict, over the
    whole group (``base``/``head`` are the group's; ``record`` is the first step's that passed),
    and ``steps``, each step's own document with its commit, first parent and kind."""
    total = group.commits
    steps = [{
        "step": r.first.number, "last_step": r.last.number, "commit": r.last.commit, "parent": r.first.parent,
        "commits": [s.commit for s in r.steps], "kind": r.kind, "subject": r.last.subject, **verdict_json(r.ctx, r.verdict),
        "claims": [c.to_json() for c in r.claims], "reviews": [rv.to_json() for rv in r.reviews],
    } for r in group.steps]
    matched = [m for r in group.steps if (m := matched_record(r.verdict)) is not None]
    return {
        "version": 1,
        "ok": group.ok,
        "merge_group": True,
        "base": group.base_sha,
        "head": group.head_sha,
        "flagged": any(r.verdict.flagged_files for r in group.steps),
        "flagged_files": list(dict.fromkeys(f for r in group.steps for f in r.verdict.flagged_files)),
        "records": [{**rv.to_json(), "step": r.first.number} for r in group.steps for rv in r.verdict.records],
        "problems": [p.to_json() for p in group.problems]
        + [{**p.to_json(), "step": r.first.number} for r in group.steps for p in _labelled(r, total).problems],
        "notes": [f"{r.label(total)}: {n}" for r in group.steps for n in r.verdict.notes],
        "record": matched[0] if group.ok and matched else None,
        "claims": [{**c.to_json(), "step": r.first.number} for r in group.steps for c in r.claims],
        "reviews": [{**rv.to_json(), "step": r.first.number} for r in group.steps for rv in r.reviews],
        "steps": steps,
    }


def group_headline(group: "GroupVerdict", esc: Callable[[object], str] = lambda text: inert(text, keep_newlines=False)) -> str:
    if group.problems:
        return "FAIL: the merge group cannot be split into one change per pull request."
    checked = len(group.steps)
    if not checked:
        return "PASS: the merge group adds no commit to its base."
    flagged = sum(1 for r in group.steps if r.verdict.flagged_files)
    if group.ok:
        return (f"PASS: each of the {checked} change{'s' if checked != 1 else ''} of the merge group passes on its own "
                f"({flagged} flagged, each covered by its own record).")
    failed = [r for r in group.steps if not r.verdict.ok]
    return (f"FAIL: {len(failed)} of the {checked} change{'s' if checked != 1 else ''} of the merge group "
            f"fail{'s' if len(failed) == 1 else ''}: " + ", ".join(esc(r.label(group.commits)) for r in failed) + ".")


def _group_base_line(group: "GroupVerdict") -> str:
    return (f"Merge group: base {group.base_sha[:12]}, head {group.head_sha[:12]}, {group.commits} first-parent "
            f"commit{'s' if group.commits != 1 else ''}, each pull request's change checked on its own with the base's "
            "configuration and signers.")


def print_group_text(group: "GroupVerdict") -> None:
    from rich.text import Text

    from .console import out

    con = out()
    con.print(Text(_group_base_line(group), style="dim"), soft_wrap=True)
    total = group.commits
    for r in group.steps:
        con.print(Text(""))
        label = r.label(total)
        what = {"merge": "a merge commit", "commit": "one commit", "commits": "its commits checked as one change"}[r.kind]
        con.print(Text(f"{label[0].upper()}{label[1:]}, {what}:", style="bold"), soft_wrap=True)
        print_text(r.ctx, r.verdict, r.claims)
    con.print(Text(""))
    con.print(Text(group_headline(group), style="bold green" if group.ok else "bold red"), soft_wrap=True)
    for problem in group.problems:
        con.print(_hanging(con, Text(f"  [{problem.code}] ", style="red"), Text(inert(problem.message, keep_newlines=False))), soft_wrap=True)
        con.print(_hanging(con, Text("      fix: ", style="dim"), Text(inert(problem.fix, keep_newlines=False), style="dim")), soft_wrap=True)


def group_codequality(group: "GroupVerdict") -> list[dict]:
    """``codequality_issues`` of every step (each problem naming its step), and the group's own."""
    import hashlib

    total = group.commits
    issues = [{
        "description": f"{p.code}: {p.message} Fix: {p.fix}", "check_name": f"deploycheck {p.code}",
        "fingerprint": hashlib.sha256(f"{p.code}\0{p.message}".encode("utf-8", "backslashreplace")).hexdigest(),
        "severity": "major", "location": {"path": ".deploycheck/config.yaml", "lines": {"begin": 1}},
    } for p in group.problems]
    seen = {i["fingerprint"] for i in issues}
    for r in group.steps:
        for issue in codequality_issues(r.ctx, _labelled(r, total)):
            if issue["fingerprint"] not in seen:
                seen.add(issue["fingerprint"])
                issues.append(issue)
    return issues


def print_group_github(group: "GroupVerdict") -> None:
    from .github import append_step_summary, markdown_table, markdown_text, workflow_command

    total = group.commits
    for p in group.problems:
        print(workflow_command("error", f"{p.message} Fix: {p.fix}", title=f"deploycheck {p.code}"))
    for r in group.steps:
        for claim in r.claims:
            if claim.message:
                print(workflow_command("warning", f"{r.label(total)}: {claim.message}", title="deploycheck: claim vs change"))
        for note in r.verdict.notes:
            print(workflow_command("notice", f"{r.label(total)}: {note}", title="deploycheck: note"))
        for line in github_annotations(r.ctx, _labelled(r, total)):
            print(line)
    summary = f"## deploycheck verify (merge group)\n\n**{group_headline(group, markdown_text)}**\n"
    if group.steps:
        summary += "\n" + markdown_table(["step", "verdict"], [
            [markdown_text(r.label(total)), markdown_text(_headline(r.verdict))]
            for r in group.steps]) + "\n"
    problems = [*group.problems, *(p for r in group.steps for p in _labelled(r, total).problems)]
    if problems:
        summary += "\n" + markdown_table(["problem", "path", "message", "fix"], [
            [markdown_text(p.code), markdown_text(p.path or ""), markdown_text(p.message), markdown_text(p.fix)] for p in problems]) + "\n"
    append_step_summary(summary)
    print(group_headline(group))
