"""The Typer app: parses arguments and calls one function per command. Nothing else lives here.

Each command's work is in ``deploycheck.commands.<name>.run(...)``, which returns an exit code;
errors are raised as DeployCheckError and turned into messages by ``__main__``.
"""

from __future__ import annotations

from enum import Enum
from importlib import import_module
from pathlib import Path
from typing import Optional

import typer

from typer._click import exceptions as click_exc  # Typer 0.28 vendors Click

from .errors import Interrupted, UsageError

app = typer.Typer(
    name="deploycheck",
    help=(
        "Flags changes to background jobs, queues and shared state in a branch, walks the author "
        "through the concurrency checklist, and records a signed assessment that CI verifies.\n\n"
        "Run with no command to assess the current branch (same as `deploycheck check`)."
    ),
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
hook_app = typer.Typer(help="Install or remove a plain git hook (for teams without the pre-commit framework).", add_completion=False)
app.add_typer(hook_app, name="hook")


class ScanFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class VerifyFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


class SummaryFormat(str, Enum):
    markdown = "markdown"
    text = "text"


class ListFormat(str, Enum):
    text = "text"
    json = "json"


class CiKind(str, Enum):
    github = "github"
    gitlab = "gitlab"


class HookStage(str, Enum):
    pre_push = "pre-push"
    pre_commit = "pre-commit"


def _run(command: str, **kwargs: object) -> None:
    try:
        code = import_module(f"deploycheck.commands.{command}").run(**kwargs)
    except KeyboardInterrupt:
        # Typer would swallow Ctrl-C into a silent exit 130; say what happened instead.
        raise Interrupted() from None
    raise typer.Exit(code)


BASE = typer.Option(None, "--base", metavar="REV", help="Base revision (default: DEPLOYCHECK_BASE, CI variables, config, origin/HEAD, origin/main, main, origin/master, master).")
HEAD = typer.Option(None, "--head", metavar="REV", help="Head revision (default: HEAD).")
# scan gives no verdict, so its base may be a tag (commands/scan.py); the others' is a branch or a commit.
SCAN_BASE = typer.Option(None, "--base", metavar="REV", help="Base revision: a branch, a commit or a tag (default: DEPLOYCHECK_BASE, CI variables, config, origin/HEAD, origin/main, main, origin/master, master).")


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"deploycheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """deploycheck"""


@app.command()
def check(
    base: Optional[str] = BASE,
    answers: Optional[Path] = typer.Option(None, "--answers", metavar="FILE", help="Answer the checklist from a YAML file instead of interactively."),
    key: Optional[str] = typer.Option(None, "--key", metavar="PATH", help="Signing key: a path, or key::ssh-ed25519 AAAA… for a key in ssh-agent."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation before signing."),
    no_stage: bool = typer.Option(False, "--no-stage", help="Write the record but do not `git add` it."),
    force: bool = typer.Option(False, "--force", help="Run the checklist even when nothing is flagged or a valid record exists."),
    run_tests: Optional[str] = typer.Option(None, "--run-tests", metavar="CMD", help="Run this test command (no shell) and record its exit status, duration and commit (default: the config's test_command)."),
    test_timeout: float = typer.Option(900.0, "--test-timeout", metavar="SECONDS", min=1.0, help="Stop the test command after this many seconds (exit 2, nothing recorded)."),
) -> None:
    """Assess the current branch: show findings, ask the checklist, write a signed record."""
    _run("check", base=base, answers=answers, key=key, yes=yes, no_stage=no_stage, force=force,
         run_tests=run_tests, test_timeout=test_timeout)


@app.command()
def scan(
    base: Optional[str] = SCAN_BASE,
    head: Optional[str] = HEAD,
    format: ScanFormat = typer.Option(ScanFormat.text, "--format", help="Output format."),
    fail_on_findings: bool = typer.Option(False, "--fail-on-findings", help="Exit 1 when the change is flagged."),
) -> None:
    """Show what the change touches: jobs, queues, shared state and concurrency hazards."""
    _run("scan", base=base, head=head, format=format.value, fail_on_findings=fail_on_findings)


@app.command()
def verify(
    base: Optional[str] = BASE,
    head: Optional[str] = HEAD,
    format: VerifyFormat = typer.Option(VerifyFormat.text, "--format", help="Output format."),
    allowed_signers: Optional[Path] = typer.Option(None, "--allowed-signers", metavar="FILE", help="Trusted signers file (replaces the base branch's .deploycheck/allowed_signers)."),
    hook: bool = typer.Option(False, "--hook", help="Terse output for git hooks."),
    pr_title: Optional[str] = typer.Option(None, "--pr-title", metavar="TEXT", help="The pull request's title (default: from the CI's pull request event)."),
    pr_body: Optional[str] = typer.Option(None, "--pr-body", metavar="FILE", help="A file with the pull request's description (default: from the CI's pull request event)."),
    json_file: Optional[Path] = typer.Option(None, "--json-file", metavar="FILE", help="Also write the verdict as JSON (the --format json document) to FILE."),
    codequality: Optional[Path] = typer.Option(None, "--codequality", metavar="FILE", help="Also write a GitLab Code Quality report to FILE."),
    merge_group: bool = typer.Option(False, "--merge-group", help="A merge queue's group: check each first-parent commit from the base to the head (one per pull request) as its own change, all trusted as the base has it."),
) -> None:
    """The CI gate: fail when a flagged change has no valid, current, signed record."""
    _run("verify", base=base, head=head, format=format.value, allowed_signers=allowed_signers, hook=hook,
         pr_title=pr_title, pr_body=pr_body, json_file=json_file, codequality=codequality, merge_group=merge_group)


@app.command()
def review(
    base: Optional[str] = BASE,
    answers: Optional[Path] = typer.Option(None, "--answers", metavar="FILE", help="The reviewer's answers from a YAML file instead of interactively."),
    key: Optional[str] = typer.Option(None, "--key", metavar="PATH", help="The reviewer's signing key: a path, or key::ssh-ed25519 AAAA…."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation before signing."),
    no_stage: bool = typer.Option(False, "--no-stage", help="Write the review but do not `git add` it."),
) -> None:
    """Review the branch's record as an independent reviewer and co-sign it."""
    _run("review", base=base, answers=answers, key=key, yes=yes, no_stage=no_stage)


@app.command()
def summary(
    base: Optional[str] = BASE,
    format: SummaryFormat = typer.Option(SummaryFormat.markdown, "--format", help="Output format."),
    github_comment: bool = typer.Option(False, "--github-comment", help="Also post the block as one sticky pull request comment (GitHub Actions, pull_request events; docs/ci.md)."),
    allow_forks: bool = typer.Option(False, "--allow-forks", help="With --github-comment: also comment on pull requests from forks."),
    allowed_signers: Optional[Path] = typer.Option(None, "--allowed-signers", metavar="FILE", help="Trusted signers file, as for verify (replaces the base branch's .deploycheck/allowed_signers)."),
) -> None:
    """Print the "Concurrency considerations" block for the pull request."""
    _run("summary", base=base, format=format.value, github_comment=github_comment, allow_forks=allow_forks,
         allowed_signers=allowed_signers)


@app.command()
def log(
    path: Optional[str] = typer.Option(None, "--path", metavar="PATH", help="Only records that assessed changes to this file (relative to the current folder, as git reads paths)."),
    format: ListFormat = typer.Option(ListFormat.text, "--format", help="Output format."),
    base: Optional[str] = typer.Option(None, "--base", metavar="REV", help="Branch whose allowed_signers are trusted (resolved as verify resolves its base)."),
) -> None:
    """The audit trail: every record reachable from HEAD."""
    _run("log", path=path, format=format.value, base=base)


@app.command()
def explain(rule_id: str = typer.Argument(..., metavar="RULE_ID", help="A rule id (DC301) or name (lost-update).")) -> None:
    """Show a rule's documentation."""
    _run("explain", rule_id=rule_id)


@app.command()
def rules(format: ListFormat = typer.Option(ListFormat.text, "--format", help="Output format.")) -> None:
    """List every rule."""
    _run("rules", format=format.value)


@app.command()
def init(
    ci: Optional[CiKind] = typer.Option(None, "--ci", help="Also write a CI job for this platform."),
    pre_commit: bool = typer.Option(False, "--pre-commit", help="Also add deploycheck to .pre-commit-config.yaml."),
    pr_template: bool = typer.Option(False, "--pr-template", help="Also add a pull request (GitLab: merge request) template section."),
    install_spec: Optional[str] = typer.Option(None, "--install-spec", metavar="SPEC", help='What CI installs, pinned: "deploycheck==VERSION" or "deploycheck @ git+URL@COMMIT" (default: how this deploycheck was installed).'),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be written; write nothing."),
    key: Optional[Path] = typer.Option(None, "--key", metavar="PATH", help="Trust this SSH public key (a .pub file, or the private key beside its .pub) in allowed_signers."),
) -> None:
    """Set up deploycheck in this repository."""
    _run("init", ci=ci.value if ci else None, pre_commit=pre_commit, pr_template=pr_template, install_spec=install_spec, dry_run=dry_run,
         key=key)


@hook_app.command("install")
def hook_install(
    stage: HookStage = typer.Option(HookStage.pre_push, "--stage", help="Which git hook to install."),
    force: bool = typer.Option(False, "--force", help="Replace an existing hook (a backup is kept)."),
) -> None:
    """Write a git hook that runs deploycheck."""
    _run("hook", stage=stage.value, force=force)


@hook_app.command("uninstall")
def hook_uninstall(
    stage: Optional[HookStage] = typer.Option(None, "--stage", help="Which git hook to remove (default: both)."),
) -> None:
    """Remove the git hooks `hook install` wrote (a hook that is not deploycheck's is left alone)."""
    try:
        code = import_module("deploycheck.commands.hook").run_uninstall(stage.value if stage else None)
    except KeyboardInterrupt:
        raise Interrupted() from None
    raise typer.Exit(code)


@hook_app.command("warn", hidden=True)
def hook_warn() -> None:
    """Print one line when the staged change is flagged; always exit 0 (the pre-commit hook)."""
    # Reached only with more arguments (`--help`): `hook warn` alone is answered without Typer
    # by hooks/dispatch.py, the same function either way.
    from .hooks.warn import run as warn

    raise typer.Exit(warn())


@app.command()
def demo(
    keep: Optional[Path] = typer.Option(None, "--keep", metavar="DIR", help="Build the demo repository in DIR and keep it."),
) -> None:
    """Reproduce the inventory incident in a throwaway repository and catch it."""
    _run("demo", keep=keep)


@app.command()
def envs(format: ListFormat = typer.Option(ListFormat.text, "--format", help="Output format.")) -> None:
    """Show the worker concurrency discovered per environment, with sources."""
    _run("envs", format=format.value)


def run(args: list[str]) -> int:
    """Invoke the app without letting Click exit the process or print tracebacks."""
    try:
        result = app(args, prog_name="deploycheck", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        raise KeyboardInterrupt from None
    except click_exc.UsageError as exc:
        hint = f" Run `deploycheck {exc.ctx.command_path.split(' ', 1)[1] + ' ' if exc.ctx and ' ' in exc.ctx.command_path else ''}--help` for usage."
        raise UsageError(f"{exc.format_message()}{hint}") from None
    except click_exc.ClickException as exc:
        raise UsageError(exc.format_message()) from None
    return result if isinstance(result, int) else 0
