"""The fast path of `verify --hook` (deploycheck.hooks.fast): same verdict as the full gate, on real
repositories, without loading Typer, Rich, PyYAML, GitPython or cryptography when nothing is
flagged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dcflow import LOST_UPDATE_JOB, git_env, make_project, run_dc
from gitrepo import commit, git
from deploycheck.commands.verify import run as full_verify
from deploycheck.errors import GitError
from deploycheck.hooks.fast import parse_args, try_fast_hook

HEAVY = ("typer", "rich", "yaml", "git", "cryptography", "click")

QUIET_FILES = {
    "docs/guide.md": "How to run the service.\n",
    "inventory/format.py": "def money(cents):\n    return f'{cents / 100:.2f}'\n",
    "web/util.js": "export const twice = (x) => x * 2;\n",
}


@pytest.fixture
def project(tmp_path: Path):
    return make_project(tmp_path)


def both_verdicts(repo: Path, monkeypatch, capsys, args: list[str]) -> tuple[int | None, int]:
    """(fast path's exit code, full gate's exit code) for ``verify ARGS`` run in ``repo``; the
    two must print the same lines."""
    monkeypatch.chdir(repo)
    fast = try_fast_hook(args)
    fast_out = capsys.readouterr()
    values = parse_args(args) or {}
    full = full_verify(values.get("--base"), values.get("--head"), "text", None, True)
    assert capsys.readouterr() == fast_out
    return fast, full


def test_nothing_flagged_fast_path_answers_and_agrees(project, monkeypatch, capsys) -> None:
    git(project.repo, "checkout", "-q", "-b", "quiet")
    commit(project.repo, QUIET_FILES, "docs and helpers")
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook"]) == (0, 0)


def test_flagged_without_record_is_blocked_as_by_the_full_gate(project, monkeypatch, capsys) -> None:
    project.flagged_branch()
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook"]) == (1, 1)


def test_flagged_with_valid_record_passes_as_with_the_full_gate(project, monkeypatch, capsys) -> None:
    project.flagged_branch()
    assert project.assess().returncode == 0
    git(project.repo, "commit", "-q", "-m", "record")
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook"]) == (0, 0)


def test_flagged_with_stale_record_fails_as_with_the_full_gate(project, monkeypatch, capsys) -> None:
    project.flagged_branch()
    assert project.assess().returncode == 0
    git(project.repo, "commit", "-q", "-m", "record")
    commit(project.repo, {"inventory/jobs.py": LOST_UPDATE_JOB + "# tweak\n"}, "edit after assessing")
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook"]) == (1, 1)


def test_base_and_head_options_are_honoured(project, monkeypatch, capsys) -> None:
    flagged = project.flagged_branch()
    git(project.repo, "checkout", "-q", "-b", "quiet", "main")
    commit(project.repo, QUIET_FILES, "docs and helpers")
    # HEAD is quiet; --head names the flagged commit, --base its own parent: flagged.
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook", "--head", flagged]) == (1, 1)
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook", f"--base={flagged}", "--head", flagged]) == (0, 0)
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--base", "main", "--hook"]) == (0, 0)


def test_pre_push_range_from_the_framework_is_honoured(project, monkeypatch, capsys) -> None:
    # Pushing main itself: the normal base is main, so without the pushed range the change
    # would look empty; PRE_COMMIT_FROM_REF (the remote's tip) widens it to the pushed commits.
    commit(project.repo, {"inventory/jobs.py": LOST_UPDATE_JOB}, "straight to main")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", project.main_sha)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", git(project.repo, "rev-parse", "HEAD"))
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook"]) == (1, 1)
    monkeypatch.delenv("PRE_COMMIT_FROM_REF")
    monkeypatch.delenv("PRE_COMMIT_TO_REF")
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook"]) == (0, 0)


def test_errors_are_the_full_paths_errors(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GitError) as fast:
        try_fast_hook(["--hook"])
    with pytest.raises(GitError) as full:
        full_verify(None, None, "text", None, True)
    assert fast.value.message == full.value.message
    assert "is not inside a git repository" in fast.value.message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--hook"], {}),
        (["--hook", "--base", "main", "--head=abc"], {"--base": "main", "--head": "abc"}),
        (["--format", "text", "--hook"], {"--format": "text"}),
        (["--hook", "--format", "json"], None),  # a machine format: the full CLI prints it
        (["--hook", "--format=github"], None),
        (["--base", "main"], None),  # not a hook run
        (["--hook", "--allowed-signers", "f"], None),
        (["--hook", "--base"], None),  # missing value: Typer's usage error
        (["--hook", "--base", "--head", "x"], None),
        (["--hook", "--base", "a", "--base", "b"], None),
        (["--hook", "--help"], None),
        (["--hook", "extra"], None),
    ],
)
def test_parse_args(args, expected) -> None:
    assert parse_args(args) == expected


PROBE = (
    "import json, sys\n"
    "from deploycheck.__main__ import main\n"
    "code = main(sys.argv[1:])\n"
    f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
    "print(json.dumps([code, heavy]), file=sys.stderr)\n"
)


def probe(repo: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, list[str], str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=repo, env=env or git_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    *messages, last = proc.stderr.strip().splitlines()
    code, heavy = json.loads(last)
    return code, heavy, "\n".join(messages)


def test_quiet_hook_loads_no_heavy_library_and_prints_nothing(project) -> None:
    git(project.repo, "checkout", "-q", "-b", "quiet")
    commit(project.repo, QUIET_FILES, "docs and helpers")
    assert probe(project.repo, "verify", "--hook") == (0, [], "")


def test_quiet_hook_after_init_reads_the_commented_config_without_yaml(project) -> None:
    # `deploycheck init` writes a config.yaml of comments only: an empty document, so no PyYAML.
    from deploycheck.commands.init import template

    git(project.repo, "checkout", "-q", "main")
    commit(project.repo, {".deploycheck/config.yaml": template("config.yaml")}, "init")
    git(project.repo, "checkout", "-q", "-b", "quiet")
    commit(project.repo, QUIET_FILES, "docs and helpers")
    assert probe(project.repo, "verify", "--hook") == (0, [], "")


def test_flagged_hook_prints_the_gates_message_without_the_cli_libraries(project) -> None:
    project.flagged_branch()
    code, heavy, messages = probe(project.repo, "verify", "--hook")
    assert code == 1 and not {"typer", "click", "rich", "git"} & set(heavy)
    assert messages.splitlines() == [
        "deploycheck: blocked: inventory/jobs.py changed jobs, queues or shared state without a valid record (missing-record).",
        "deploycheck: run `deploycheck` to answer the checklist, commit the record, and push again.",
    ]


def test_config_on_the_base_branch_is_read_by_the_fast_path(project, monkeypatch, capsys) -> None:
    # job_paths from the base branch's config turns a plain module into job code: flagged.
    plain_writer = "def bump(counter):\n    counter.value = counter.value + 1\n    counter.save()\n"
    git(project.repo, "checkout", "-q", "main")
    commit(project.repo, {".deploycheck/config.yaml": "job_paths: ['inventory/workers/*.py']\n"}, "config")
    git(project.repo, "checkout", "-q", "-b", "work")
    commit(project.repo, {"inventory/workers/counter.py": plain_writer}, "a worker")
    fast, full = both_verdicts(project.repo, monkeypatch, capsys, ["--hook"])
    assert (fast, full) == (1, 1)
    proc = run_dc(project.repo, "verify", "--hook")
    assert proc.returncode == 1 and "inventory/workers/counter.py" in proc.stderr


def test_process_exit_codes_through_the_console_entry(project) -> None:
    git(project.repo, "checkout", "-q", "-b", "quiet")
    commit(project.repo, QUIET_FILES, "docs and helpers")
    proc = run_dc(project.repo, "verify", "--hook")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    outside = subprocess.run([sys.executable, "-m", "deploycheck", "verify", "--hook"], cwd=project.repo.parent,
                             env={**git_env(), "GIT_CEILING_DIRECTORIES": str(project.repo.parent.parent)},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert outside.returncode == 2 and outside.stderr.startswith("deploycheck: error: ")
    assert os.path.basename(str(project.repo.parent)) in outside.stderr

