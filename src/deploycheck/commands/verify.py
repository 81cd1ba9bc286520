"""`deploycheck verify`: the CI gate. Read-only: never prompts, never writes (but the CI summary
and the report files it is asked for)."""

from __future__ import annotations

from pathlib import Path

from ..analysis.pipeline import analyse
from ..gate.verification import gate_verdict
from ..output import report
from ..output.verdict import codequality_issues, print_github, print_hook, print_text, verdict_json


def run(base: str | None, head: str | None, format: str, allowed_signers: Path | None, hook: bool,
        pr_title: str | None = None, pr_body: str | None = None, json_file: Path | None = None,
        codequality: Path | None = None, merge_group: bool = False) -> int:
    if merge_group:
        return _run_group(base, head, format, allowed_signers, hook, pr_title, pr_body, json_file, codequality)
    if hook and base is None and head is None:
        from ..hooks.range import pushed_range

        base, head = pushed_range()
    from contextlib import nullcontext

    from ..rules.base import uncached

    # The CI gate writes nothing and trusts no cache: it builds the job index from the
    # repository. The pre-push hook uses the cache (under .git/deploycheck/jobindex, never the
    # work tree): without it every push would rebuild the index of the whole repository.
    with nullcontext() if hook else uncached():
        ctx = analyse(base, head)
    verdict, claims, reviews = _checks(ctx, allowed_signers, hook, pr_title, pr_body)
    document = {**verdict_json(ctx, verdict), "claims": [c.to_json() for c in claims],
                "reviews": [r.to_json() for r in reviews]}
    _write_reports(json_file, document, codequality, lambda: codequality_issues(ctx, verdict))
    if format == "json":
        print(report.dumps(document))
    elif format == "github":
        print_github(ctx, verdict, claims)
    elif hook:
        print_hook(verdict)
    else:
        print_text(ctx, verdict, claims)
    if not hook:  # the verdict is about commits; say when the checkout holds edits it did not see
        from ..records.worktree import uncommitted_edits, uncommitted_note, uncommitted_records, uncommitted_records_note
        from ..output.console import warn

        edited = uncommitted_edits(ctx)
        if edited:
            warn(uncommitted_note(edited))
        records = uncommitted_records(ctx) if not verdict.ok else []
        if records:
            warn(uncommitted_records_note(records))
    return 0 if verdict.ok else 1


def _checks(ctx, allowed_signers: Path | None, hook: bool, pr_title: str | None, pr_body: str | None,
            used_records: dict[str, str] | None = None) -> tuple:
    """(verdict, claims, reviews): the record gate, then what a pull request adds to it."""
    verdict = gate_verdict(ctx, allowed_signers, used_records)
    if hook:  # a push is no pull request, and its review comes after it (issue 19)
        return verdict, [], []
    from ..gate.review import pr_and_review_checks
    from ..gate.testrun import apply as test_run_rule

    # require_test_run, from the base's config: a merge condition, like reviews; a push
    # of work in progress may precede the passing run.
    verdict = test_run_rule(ctx, verdict)
    return pr_and_review_checks(ctx, verdict, allowed_signers, pr_title, pr_body)


def _run_group(base: str | None, head: str | None, format: str, allowed_signers: Path | None, hook: bool,
               pr_title: str | None, pr_body: str | None, json_file: Path | None, codequality: Path | None) -> int:
    """`verify --merge-group`: each pull request of a merge queue's group as its own change,
    every one judged by the group's base (gate/mergegroup.py)."""
    import os

    from ..errors import UsageError
    from ..gate.mergegroup import check_group, first_parent_steps, group_base, group_verdict
    from ..output.verdict import group_codequality, group_json, print_group_github, print_group_text
    from ..rules.base import uncached

    if hook:
        raise UsageError("--merge-group checks a merge queue's group in CI; the pre-push hook checks a push. Drop one of "
                         "--merge-group and --hook.")
    if pr_title is not None or pr_body is not None:
        raise UsageError("--pr-title and --pr-body describe one pull request, and a merge group holds several: each pull "
                         "request's text is checked on its own `pull_request` run. Drop them with --merge-group.")
    group = group_base(os.getcwd(), base, head)
    steps, shape = first_parent_steps(group.change.repo_root, group.change.base_sha, group.change.head_sha)
    with uncached():
        results = check_group(group, steps, lambda ctx, used: _checks(ctx, allowed_signers, False, None, None, used))
    verdict = group_verdict(group, shape, results)
    document = group_json(verdict)
    _write_reports(json_file, document, codequality, lambda: group_codequality(verdict))
    if format == "json":
        print(report.dumps(document))
    elif format == "github":
        print_group_github(verdict)
    else:
        print_group_text(verdict)
    return 0 if verdict.ok else 1


def _write_reports(json_file: Path | None, document: dict, codequality: Path | None, issues) -> None:
    # The extra reports are written before the verdict is printed: a file that cannot be
    # written is bad input (exit 2), never a gate result that CI would read as a pass.
    if json_file is not None:
        _write_report(json_file, report.dumps(document) + "\n", "--json-file")
    if codequality is not None:
        _write_report(codequality, report.dumps(issues()) + "\n", "--codequality")


def _write_report(path: Path, text: str, option: str) -> None:
    from ..errors import UsageError

    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write it ({exc.strerror or exc}). Name a file in a folder that exists and is writable.") from None
