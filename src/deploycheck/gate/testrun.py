"""``check --run-tests CMD`` (or ``test_command:`` in the base branch's config) and the gate's
``require_test_run`` rule.

The incident's tests passed because none of them ran two workers; a record that says which
command ran, at which commit, and how it ended lets the base branch demand a passing run for a
risky change (docs/configuration.md, ``require_test_run``). The command is split with
``shlex`` and run without a shell, in the repository's root, with a timeout; its output is
captured and only its tail is shown. What the record stores (``test_run``) is signed by the
author: it says what the author's deploycheck saw, not what CI re-ran (docs/testing.md).
"""

from __future__ import annotations

import shlex
import subprocess
import time
from typing import Any, Sequence

from ..errors import UsageError
from ..checklist.testevidence import ConcurrencyTest, TestRun

DEFAULT_TIMEOUT = 900  # seconds: a test suite may be slow; a hung one must still end
TAIL_LINES = 20
MISSING_RUN, FAILED_RUN = "missing-test-run", "failed-test-run"


def split_command(command: str, where: str = "--run-tests") -> list[str]:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise UsageError(f"{where}: cannot split {command!r} into words ({exc}). Check the quotes in the command.") from None
    if not argv:
        raise UsageError(f"{where} is empty. Give the command that runs the tests, e.g. --run-tests \"pytest -q tests/test_inventory_concurrency.py\".")
    return argv


def _git(root: str, *args: str) -> str:
    from ..git import gitcmd

    return gitcmd.output(list(args), root, check=False)


def run_tests(command: str, root: str, timeout: float = DEFAULT_TIMEOUT, where: str = "--run-tests") -> tuple[TestRun, str]:
    """Run ``command`` in ``root``; (what the record stores, the output's last lines). A command
    that cannot start or does not finish in ``timeout`` seconds is a UsageError (exit 2): there is
    no result to record."""
    argv = split_command(command, where)
    head = _git(root, "rev-parse", "HEAD")
    started = time.monotonic()
    try:
        proc = subprocess.run(argv, cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout, check=False)
    except FileNotFoundError:
        raise UsageError(f"{where}: the command {argv[0]!r} was not found. Install it, or give its path (e.g. .venv/bin/pytest).") from None
    except PermissionError:
        raise UsageError(f"{where}: {argv[0]!r} is not executable. Check the command's path and permissions.") from None
    except OSError as exc:
        raise UsageError(f"{where}: cannot run {argv[0]!r}: {exc.strerror or exc}.") from None
    except subprocess.TimeoutExpired:
        raise UsageError(
            f"{where}: {command!r} did not finish within {timeout:g} seconds and was stopped; nothing was recorded. "
            "Run a narrower command (the concurrency test alone), or raise --test-timeout."
        ) from None
    duration = round(time.monotonic() - started, 3)
    dirty = _git(root, "status", "--porcelain=v1", "--untracked-files=no")
    run = TestRun(command=command, exit_status=proc.returncode, duration_seconds=duration,
                  head_commit=head, worktree_clean=not dirty)
    return run, tail(proc.stdout)


def tail(output: bytes, lines: int = TAIL_LINES) -> str:
    text = output.decode("utf-8", "replace").rstrip("\n")
    kept = text.split("\n")[-lines:]
    return "\n".join(kept)


def outcome(run: TestRun) -> str:
    """One line: what ran and how it ended."""
    how = "passed (exit status 0)" if run.exit_status == 0 else (
        f"was killed by signal {-run.exit_status}" if run.exit_status < 0 else f"failed (exit status {run.exit_status})")
    clean = "" if run.worktree_clean else ", with uncommitted edits in the work tree"
    return f"`{run.command}` {how} in {run.duration_seconds:.1f} s at {run.head_commit[:12]}{clean}"


# --- the gate ---------------------------------------------------------------------------------


def required(config: Any, findings: Sequence[Any], flagged: bool) -> bool:
    when = getattr(config, "require_test_run", "never")
    if when == "flagged":
        return flagged
    if when == "high":
        return any(f.flags and f.severity == "high" and not f.suppressed for f in findings)
    return False


def test_run_problems(config: Any, findings: Sequence[Any], flagged: bool, records: Sequence[Any]) -> list[Any]:
    """The gate's problems when the base's config requires a passing run and no valid record
    has one at the record's own head commit. ``records`` are the gate's RecordVerdicts."""
    from .decision import Problem

    if not required(config, findings, flagged):
        return []
    valid = [rv for rv in records if rv.status == "valid" and rv.record is not None]
    if not valid:
        return []  # no valid record: the record's own problem already fails the gate
    fix = ("Run `deploycheck check --force --run-tests \"CMD\"` (or set `test_command:` in the base branch's config) "
           "with the tests passing and no uncommitted edits, and commit the new record.")
    why = f"{config.source} has require_test_run: {config.require_test_run}"
    out = []
    for rv in valid:
        body = rv.record.body
        run = body.test_run
        if run is None:
            out.append(Problem(MISSING_RUN, rv.path, f"{rv.path} records no test run, and {why}.", fix))
        elif config.test_command and run.command != config.test_command:
            # The base names the command: a run of another one (`true`, a narrower test) is not it.
            out.append(Problem(FAILED_RUN, rv.path, f"{rv.path}: the recorded test run is of `{run.command}`, not of the "
                               f"test_command `{config.test_command}` that {config.source} names; {why}.", fix))
        elif not run.passed_at(body.base.head):
            if run.head_commit != body.base.head:
                said = f"ran at {run.head_commit[:12]}, not at the record's head commit {body.base.head[:12]}"
            else:
                said = outcome(run)
            out.append(Problem(FAILED_RUN, rv.path, f"{rv.path}: the recorded test run {said}; {why}, which needs a passing run.", fix))
    return out


def apply(ctx: Any, verdict: Any) -> Any:
    """``verdict`` with the ``require_test_run`` rule of the BASE branch's config applied
    (``ctx.config`` is read from the base: a branch cannot switch the rule off for itself)."""
    from .decision import Verdict

    problems = test_run_problems(ctx.config, ctx.scan.active, bool(ctx.scan.flagged), verdict.records)
    if not problems:
        return verdict
    return Verdict(ok=False, flagged_files=verdict.flagged_files, records=verdict.records,
                   problems=verdict.problems + problems, notes=verdict.notes)


# --- display ----------------------------------------------------------------------------------


def evidence_lines(concurrency_test: Any, run: TestRun | None) -> list[tuple[str, bool]]:
    """(line, weak?) for what a record says about its tests: shown to the author after `check`,
    in `summary` and to the reviewer in `review`. Plain text; the caller makes it inert."""
    out = []
    if concurrency_test is not None:
        out.append(("Concurrency test: " + concurrency_test.describe(), concurrency_test.weak))
    if run is not None:
        ok = run.exit_status == 0 and run.worktree_clean
        out.append(("Test run: " + outcome(run) + ("." if ok else " (not a passing run of the commit)."), not ok))
    return out


def concurrency_test(ctx: Any, answers: Any) -> "ConcurrencyTest | None":
    """What the test named by a "yes" to concurrency-tested shows at head (checklist/testevidence.py)."""
    from ..checklist.testevidence import QUESTION, assess
    from .verification import head_reader

    given = answers.get(QUESTION)
    if given is None or given.answer.strip().lower() != "yes" or not (given.details or "").strip():
        return None
    exists, text = head_reader(ctx)
    return assess(given.details or "", ctx.scan.active, exists, text)
