"""`deploycheck` / `deploycheck check`: assess the branch and write a signed record."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import DeployCheckError, RecordError, UsageError
from ..analysis.pipeline import analyse


def run(base: str | None, answers: Path | None, key: str | None, yes: bool, no_stage: bool, force: bool,
        run_tests: str | None = None, test_timeout: float = 900.0) -> int:
    from rich.text import Text

    from ..output import report
    from ..checklist.answers import keep_warnings, parse_answers
    from ..records.worktree import uncommitted_edits, uncommitted_note
    from ..authoring.assess import sign_and_write, signing_key_for, trust_warning_for, validate
    from ..checklist.checklist import load_builtin
    from ..output.console import out, warn
    from ..util.safe import inert
    from ..gate.verification import evaluate, load_trust

    import os

    from ..git import gitcmd

    gitcmd.work_tree(os.getcwd(), "check", "writes the signed record into the work tree and stages it for you to commit")
    interactive = answers is None
    # Read first: a missing file is an error even where nothing needs answering (a new user's
    # trial, session 36: `--answers nonexist.yaml --yes` exited 0 beside a valid record).
    data = _answers_file(answers) if answers is not None else b""
    ctx = analyse(base)
    con = out()
    edited = uncommitted_edits(ctx)  # the change is its commits: edits not committed yet are not in it
    if not ctx.scan.flagged and not force:
        report.print_scan_text(ctx.scan, hint=not ctx.config.job_paths)  # as `scan` says it (ActivityPub trial)
        if ctx.config.pr_field == "required" and ctx.change.files:
            # Nothing to sign, but the gate still reads the pull request's description (a new
            # user's trial, session 27: "Nothing flagged" here, then a red CI on an empty field).
            con.print(Text("The pull request still needs its \"Concurrency considerations\" field: the base's "
                           "configuration requires it (pr_field: required), and \"N/A\" is enough for this change."))
        if edited:
            warn(uncommitted_note(edited))
        return 0
    if not force:
        verdict = evaluate(ctx)
        if verdict.ok:
            valid = next(r for r in verdict.records if r.status == "valid")
            covered = f"A valid record already covers this change: {inert(valid.path, keep_newlines=False)} (signed by {inert(valid.signer, keep_newlines=False)})."
            if edited:  # the record covers the commits; these edits are not assessed yet
                con.print(Text(
                    f"{covered[:-1]} as committed. You have uncommitted edits to "
                    f"{', '.join(inert(p, keep_newlines=False) for p in edited)}: commit them, then run deploycheck again to assess them."
                ), soft_wrap=True)
                return 0
            # errbit's trial declined to sign newer answers (the draft kept them) and was told
            # only "Nothing to do": the draft is where those answers went.
            draft = _draft_waiting(ctx.change.repo_root)
            con.print(Text(f"{covered} Nothing to do; use --force to assess it again" + (
                f" (your unsigned answers in the draft {draft} are then offered)." if draft else ".")))
            return 0
    if interactive and not sys.stdin.isatty():
        raise UsageError(
            "the checklist needs answers, but standard input is not a terminal (a hook, CI or a pipe). "
            "Run `deploycheck` in a terminal, or pass the answers with `deploycheck check --answers FILE --yes` "
            "(see docs/configuration.md, 'Answers file')."
        )
    _say_if_records_ignored(ctx.change.repo_root, no_stage)
    for path in edited:
        warn(f"{path} has uncommitted edits; the record covers committed work only. Commit them first, or run deploycheck again after committing.")
    trust = load_trust(ctx)
    checklist = trust.checklist or load_builtin("background-jobs")
    note = trust_warning_for(ctx, signing_key_for(ctx, key))
    if note and force and (kept := next((r for r in evaluate(ctx).records if r.status == "valid"), None)):
        # --force would put a record the gate rejects in place of one it accepts (trial 22).
        raise UsageError(
            f"{note} A valid record already covers this change: {inert(kept.path, keep_newlines=False)} (signed by "
            f"{inert(kept.signer, keep_newlines=False)}); --force would replace it with one the gate rejects, so nothing "
            "was asked or written. Sign with a key the base branch trusts (--key), or have this key added to the "
            "base branch's allowed signers first."
        )
    if note:
        warn(note)
    # Before the first question: a command that cannot run (exit 2) then costs no answers.
    test_run = _run_tests(ctx, run_tests, test_timeout)
    if answers is None:  # interactive
        from ..authoring.walkthrough import walk

        checked: list[str] = []

        def before_signing(given) -> None:
            """The whole set validated (its warnings shown) each time signing is asked."""
            try:
                checked[:] = validate(ctx, checklist, given)
            except DeployCheckError as exc:  # the walkthrough saved the answers: say where
                exc.message = f"{exc.message} {_draft_kept(ctx.change.repo_root)}".rstrip()
                raise
            for message in checked:
                warn(message)

        # The walkthrough asks before signing (--yes skips it), where back and review reopen the answers.
        given = walk(ctx, checklist, before_signing, confirm=not yes, force=force)
        if given is None:  # declined; the walkthrough said where the answers are kept
            return 1
        given = keep_warnings(given, checked)  # in the record, as at each question
    else:
        # Read before the scan is shown, so that a broken file's error is not lost below it.
        given = parse_answers(data, str(answers), checklist)
        report.print_scan_text(ctx.scan, next_step="")  # this run is the assessment
        warnings = validate(ctx, checklist, given)
        for message in warnings:
            warn(message)
        given = keep_warnings(given, warnings)  # in the record, as the walkthrough keeps them
        # --yes skips the question; without a terminal there is nobody to ask (docs/configuration.md, 'Answers file').
        if not yes and sys.stdin.isatty():
            from ..authoring.walkthrough import confirm_answers

            if not confirm_answers(checklist, given, str(answers)):
                con.print(Text("Not signed; nothing was written."))
                return 1
    try:
        written = sign_and_write(ctx, checklist, given, key, stage=not no_stage, test_run=test_run)
    except (DeployCheckError, OSError) as exc:
        if isinstance(exc, OSError):
            exc = RecordError(f"cannot write the record: {exc.strerror or exc} ({exc.filename}).")
        if interactive:  # the walkthrough saved the answers before returning: say where
            exc.message = f"{exc.message} {_draft_kept(ctx.change.repo_root)}".rstrip()
        raise exc from None
    from ..authoring.drafts import discard

    discard(ctx.change.repo_root)  # the record supersedes the walkthrough's draft
    staged = ("and staged it. Commit it with your branch." if written.staged
              else f"not staged (--no-stage): `git add --force {written.path}` and commit it with your branch."
              if _records_ignored(ctx.change.repo_root)
              else "not staged (--no-stage): `git add` it and commit it with your branch.")
    wrote = f"Wrote {inert(written.path, keep_newlines=False)}, signed by {inert(written.signer, keep_newlines=False)}, {staged}"
    if note:
        # Said again where the run ends: the warning before the questions scrolls away behind
        # the scan and the answers (a new user's trial, session 31, signed with a key the base
        # does not trust and read only "Signed by alice").
        con.print(Text(f"{wrote} The base branch does not trust the key it was signed with: `deploycheck verify` "
                       "will reject it (see the warning above).", style="yellow"))
    else:
        con.print(Text(wrote, style="green"))
    from ..output.summary import markdown_for
    from .summary import with_claims

    con.print(Text(""))
    print(with_claims(ctx, markdown_for(ctx, checklist, given, written.path, written.signer, test_run), True))
    return 0


def _run_tests(ctx, command: str | None, timeout: float):
    """``--run-tests CMD`` (or the base config's ``test_command``): run it, show how it ended and
    its output's tail, and return what the record stores (testrun.py). None when there is none."""
    from rich.text import Text

    from ..output.console import out, warn
    from ..util.safe import inert
    from ..gate.testrun import outcome, run_tests

    where = "--run-tests"
    if command is None and ctx.config.test_command:
        command, where = ctx.config.test_command, f"test_command in {ctx.config.source}"
    if command is None:
        return None
    con = out()
    con.print(Text(f"Running the tests: {inert(command, keep_newlines=False)}", style="cyan"))
    result, last = run_tests(command, ctx.change.repo_root, timeout, where)
    if last:
        con.print(Text(inert(last)), style="dim")
    line = f"The test command {outcome(result)}; the record keeps this result."
    if result.exit_status == 0 and result.worktree_clean:
        con.print(Text(inert(line, keep_newlines=False), style="green"))
    else:
        warn(line + (" Commit or discard the edits and run it again to record a run of the commit itself." if not result.worktree_clean else ""))
    return result


def _records_ignored(root: str) -> str | None:
    """The ignore rule that keeps records out of git, if any (e.g. `.*` in .gitignore)."""
    from ..git.gitignore import ignored
    from ..records.record import RECORDS_DIR

    probe = f"{RECORDS_DIR}/record.yaml"
    return ignored(root, [probe]).get(probe)


def _say_if_records_ignored(root: str, no_stage: bool) -> None:
    """Said before the first question, so the author never learns it from a failed `git add`
    after answering: the record will be staged with `git add --force` (its own path only)."""
    from ..output.console import note
    from ..git.gitignore import force_note

    rule = _records_ignored(root)
    if rule:
        note(f"{force_note(rule)}" + ("." if not no_stage else "; with --no-stage, add the record with `git add --force` yourself."))


def _answers_file(answers: Path) -> bytes:
    try:
        return answers.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the answers file {answers}: {exc.strerror}. Check the path passed to --answers.") from None


def _draft_waiting(root: str) -> str:
    """The branch's draft, shown (inert), or "" when it has none."""
    from ..authoring.assess import branch_name
    from ..authoring.drafts import draft_path
    from ..util.safe import inert

    path = draft_path(root, branch_name(root))
    return inert(str(path), keep_newlines=False) if path.is_file() else ""


def _draft_kept(root: str) -> str:
    path = _draft_waiting(root)
    if not path:
        return ""
    return f"Your answers are kept in the draft {path}; fix this and run `deploycheck` again to resume them (press Enter to keep each answer)."
