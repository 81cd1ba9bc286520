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

from support.dcflow import LOST_UPDATE_JOB, git_env, make_project, run_dc
from support.gitrepo import commit, git
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


def test_a_stale_record_blocks_naming_only_the_flagged_files_it_does_not_cover(project, monkeypatch, capsys) -> None:
    """A new user's trial: one more file flagged after signing, and the hook listed every
    flagged file as "without a valid record", the ones the record covers too."""
    project.flagged_branch()
    assert project.assess().returncode == 0
    record = git(project.repo, "diff", "--cached", "--name-only")
    git(project.repo, "commit", "-q", "-m", "record")
    commit(project.repo, {"inventory/restock.py": LOST_UPDATE_JOB.replace("reserve_stock", "restock")}, "Restocking")
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook"]) == (1, 1)
    code, _, messages = probe(project.repo, "verify", "--hook")
    assert code == 1 and messages.splitlines() == [
        "deploycheck: blocked: inventory/restock.py changed jobs, queues or shared state without a valid record "
        f"(stale-record); {record} covers the 1 other flagged file.",
        "deploycheck: inventory/restock.py: flagged now, but not covered by the record (newly flagged file)",
        "deploycheck: run `deploycheck` to answer the checklist, commit the record, and push again.",
    ]
    # A covered file edited since signing is no longer covered: it is named, and nothing is said covered.
    commit(project.repo, {"inventory/jobs.py": LOST_UPDATE_JOB + "# tweak\n"}, "edit after assessing")
    code, _, messages = probe(project.repo, "verify", "--hook")
    assert code == 1 and messages.splitlines()[0] == (
        "deploycheck: blocked: inventory/jobs.py, inventory/restock.py changed jobs, queues or shared state without a "
        "valid record (stale-record).")


def test_base_and_head_options_are_honoured(project, monkeypatch, capsys) -> None:
    flagged = project.flagged_branch()
    git(project.repo, "checkout", "-q", "-b", "quiet", "main")
    commit(project.repo, QUIET_FILES, "docs and helpers")
    # HEAD is quiet; --head names the flagged commit, --base its own parent: flagged.
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook", "--head", flagged]) == (1, 1)
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook", f"--base={flagged}", "--head", flagged]) == (0, 0)
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--base", "main", "--hook"]) == (0, 0)


def test_pre_push_range_from_the_framework_is_honoured(project, monkeypatch, capsys) -> None:
    # Pushing main itself: compared with the local main the change would look empty;
    # PRE_COMMIT_FROM_REF (the remote's tip) widens it to the pushed commits.
    commit(project.repo, {"inventory/jobs.py": LOST_UPDATE_JOB}, "straight to main")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", project.main_sha)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", git(project.repo, "rev-parse", "HEAD"))
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook"]) == (1, 1)
    monkeypatch.delenv("PRE_COMMIT_FROM_REF")
    monkeypatch.delenv("PRE_COMMIT_TO_REF")
    # Without the range the base is origin/main, which the commit has not reached yet: flagged too.
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook"]) == (1, 1)
    assert both_verdicts(project.repo, monkeypatch, capsys, ["--hook", "--base", "main"]) == (0, 0)


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
    git(project.repo, "push", "-q", "origin", "main")  # the base is the remote's main
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
    git(project.repo, "push", "-q", "origin", "main")  # the base is the remote's main
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


# --- the commit hook (`hook warn`) on the same Typer-free dispatch ------------------------------

# What a hook must not load: the CLI's libraries, and dataclasses (its import, and the classes it
# generates, cost more start-up time than a quiet hook's whole scan; util/plain.py is the stand-in).
# dataclasses only while no rule family has to run: the pattern checks and the Python rules use it.
NEVER_ON_A_HOOK = ("typer", "click", "rich", "dataclasses")
# A change every family's gate turns away without importing the family (rules/__init__.py).
GATED_OUT = {"docs/guide.md": QUIET_FILES["docs/guide.md"], "inventory/format.py": QUIET_FILES["inventory/format.py"]}


def stage(repo: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    git(repo, "add", *files)


def probe_modules(repo: Path, *args: str) -> tuple[int, list[str], str, str]:
    """(exit code, which of NEVER_ON_A_HOOK got imported, stdout, stderr) of ``deploycheck ARGS``."""
    code = (
        "import json, sys\n"
        "from deploycheck.__main__ import main\n"
        "code = main(sys.argv[1:])\n"
        f"loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({NEVER_ON_A_HOOK!r}))\n"
        "print(json.dumps([code, loaded]), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=repo, env=git_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    *messages, last = proc.stderr.strip().splitlines()
    exit_code, loaded = json.loads(last)
    return exit_code, loaded, proc.stdout, "\n".join(messages)


def through_typer(repo: Path, *args: str) -> tuple[int, str, str]:
    """``deploycheck ARGS`` run by the Typer app (deploycheck.cli), as before the one dispatch."""
    code = "import sys\nfrom deploycheck.cli import run\nsys.exit(run(sys.argv[1:]))\n"
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=repo, env=git_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def test_quiet_push_hook_loads_none_of_the_cli_libraries_nor_dataclasses(project) -> None:
    git(project.repo, "checkout", "-q", "-b", "quiet")
    commit(project.repo, GATED_OUT, "docs and helpers")
    assert probe_modules(project.repo, "verify", "--hook") == (0, [], "", "")
    commit(project.repo, QUIET_FILES, "and a script the pattern packs read")
    code, loaded, out, err = probe_modules(project.repo, "verify", "--hook")
    assert (code, out, err) == (0, "", "") and not {"typer", "click", "rich"} & set(loaded)


def test_quiet_commit_hook_loads_none_of_the_cli_libraries_nor_dataclasses(project) -> None:
    stage(project.repo, GATED_OUT)
    assert probe_modules(project.repo, "hook", "warn") == (0, [], "", "")
    assert through_typer(project.repo, "hook", "warn") == (0, "", "")
    stage(project.repo, QUIET_FILES)
    code, loaded, out, err = probe_modules(project.repo, "hook", "warn")
    assert (code, out, err) == (0, "", "") and not {"typer", "click", "rich"} & set(loaded)


def test_commit_hook_warns_without_typer_and_says_what_the_typer_path_said(project) -> None:
    stage(project.repo, {"inventory/jobs.py": LOST_UPDATE_JOB})
    code, loaded, out, err = probe_modules(project.repo, "hook", "warn")
    assert (code, err) == (0, "") and not {"typer", "click", "rich"} & set(loaded)
    assert out.startswith("deploycheck: this commit touches jobs, queues or shared state (inventory/jobs.py:")
    assert through_typer(project.repo, "hook", "warn") == (0, out, "")


def test_commit_hook_says_which_committed_record_the_commit_makes_stale(project) -> None:
    # A new-user trial assessed the branch, committed the record, edited the job again and was
    # told only to "run deploycheck": the push hook then blocked on a stale record.
    project.flagged_branch()
    assert project.assess().returncode == 0
    git(project.repo, "commit", "-q", "-m", "record")
    record = git(project.repo, "ls-files", ".deploycheck/records/").strip()
    stage(project.repo, {"inventory/jobs.py": LOST_UPDATE_JOB.replace("product.save()", "product.save(update_fields=['stock'])")})
    code, _, out, err = probe_modules(project.repo, "hook", "warn")
    assert (code, err) == (0, "")
    assert out.strip().endswith(f"{record} no longer matches the branch once this is committed: run `deploycheck` "
                                "again before you push.")


def test_commit_hook_says_an_unflagged_edit_of_a_covered_file_makes_the_record_stale(project) -> None:
    # A new-user trial committed the record, then added only a comment to the job: the commit
    # hook passed in silence (the comment alone flags nothing) and the push hook then refused
    # the push on a stale record. The record binds to the covered file's bytes, comment or not.
    project.flagged_branch()
    assert project.assess().returncode == 0
    git(project.repo, "commit", "-q", "-m", "record")
    record = git(project.repo, "ls-files", ".deploycheck/records/").strip()
    covered = (project.repo / "inventory/jobs.py").read_text()
    stage(project.repo, {"inventory/jobs.py": "# Reserves stock for one order.\n" + covered})
    code, _, out, err = probe_modules(project.repo, "hook", "warn")
    assert (code, err) == (0, "")
    assert out.strip() == (f"deploycheck: this commit changes inventory/jobs.py, which {record} covers, so the record "
                           "no longer matches the branch once this is committed: run `deploycheck` again before you push.")
    assert through_typer(project.repo, "hook", "warn") == (0, out, "")
    # A file the record does not cover leaves the commit quiet, as before.
    git(project.repo, "reset", "-q", "HEAD", "--", "inventory/jobs.py")
    git(project.repo, "checkout", "-q", "--", "inventory/jobs.py")
    stage(project.repo, {"docs/guide.md": "How to run the service.\n"})
    assert probe_modules(project.repo, "hook", "warn")[2] == ""


def test_commit_hook_outside_a_repository_is_still_a_quiet_exit_0(tmp_path) -> None:
    code, loaded, out, err = probe_modules(tmp_path, "hook", "warn")
    assert (code, out) == (0, "") and err.startswith("deploycheck: warning skipped (")
    assert through_typer(tmp_path, "hook", "warn") == (0, out, err + "\n")
    assert loaded == []


def test_commit_hook_with_other_arguments_is_left_to_the_cli() -> None:
    from deploycheck.hooks.dispatch import run_hook

    assert run_hook(["hook", "warn", "--help"]) is None
    assert run_hook(["hook", "install"]) is None
    assert run_hook(["verify"]) is None
