"""New-user frictions of issue 18 still open after points 1-11: the warning hook's output under
real pre-commit, `init --key`, what `init --pr-template` changes, and `log --base`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support.dcflow import FLAGGED_FILES, git_env, make_key, make_project, run_dc
from deploycheck.commands import init
from support.gitrepo import commit, git, make_repo
from deploycheck.records.signing import parse_allowed_signers

WARN = "deploycheck: this commit touches jobs, queues or shared state"


@pytest.mark.parametrize("on_path", [True, False])
def test_the_warning_hook_that_init_writes_is_shown_by_real_pre_commit(tmp_path: Path, on_path: bool) -> None:
    """pre-commit hides a passing hook's output unless the hook says `verbose: true`; the warning
    hook always passes, so without it the warning was never seen. Where `deploycheck` is not on
    PATH (a shell or git client outside its environment), the warning hook says so and the commit
    goes on: the second new-user trial of session 23 had every commit refused."""
    project = make_project(tmp_path)
    proc = run_dc(project.repo, "init", "--pre-commit")
    assert proc.returncode == 0, proc.stderr
    config = yaml.safe_load((project.repo / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: h for h in config["repos"][0]["hooks"]}
    assert hooks["deploycheck-warn"]["verbose"] is True
    assert "verbose" not in hooks["deploycheck"]  # the push hook speaks only when it blocks
    git(project.repo, "add", "-A")
    git(project.repo, "commit", "-q", "-m", "Set up deploycheck")
    env = {**git_env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never",
           # `language: system` runs the deploycheck installed on this machine: this checkout's
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}" if on_path else "/usr/bin:/bin"}
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=project.repo, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    git(project.repo, "checkout", "-q", "-b", "feature")
    for rel, text in FLAGGED_FILES.items():
        (project.repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (project.repo / rel).write_text(text)
    subprocess.run(["git", "add", "-A"], cwd=project.repo, env=env, check=True)
    committed = subprocess.run(["git", "commit", "-m", "Reserve stock"], cwd=project.repo, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert committed.returncode == 0, committed.stdout
    if on_path:
        assert WARN in committed.stdout, committed.stdout
    else:
        assert "deploycheck is not on PATH, so no warning" in committed.stdout, committed.stdout


def test_init_key_trusts_the_named_public_key(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    key, public = make_key(tmp_path / "keys", "work_ed25519")
    # no key in the home folder: only --key can name this one
    proc = run_dc(repo, "init", "--key", f"{key}.pub")
    assert proc.returncode == 0, proc.stderr
    assert "added your key: dev@example.com" in proc.stdout.splitlines()[1]
    assert "deploycheck init --key" not in proc.stdout  # no key step: one is trusted
    signers = parse_allowed_signers((repo / init.SIGNERS).read_text(), "allowed_signers")
    assert [(s.principals, s.public_key.openssh()) for s in signers] == [("dev@example.com", public)]
    # the private key works too (its .pub is beside it), and a second run changes nothing
    again = run_dc(repo, "init", "--key", str(key))
    assert again.returncode == 0 and "already trusts" in again.stdout.splitlines()[1]


def test_init_key_with_bad_input_is_exit_2_with_the_fix(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    missing = run_dc(repo, "init", "--key", str(tmp_path / "nope.pub"))
    assert missing.returncode == 2
    assert missing.stderr.startswith("deploycheck: error: --key ") and "no such file" in missing.stderr
    assert "ssh-keygen -t ed25519" in missing.stderr
    junk = tmp_path / "junk.pub"
    junk.write_text("not a key\n")
    bad = run_dc(repo, "init", "--key", str(junk))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert not (repo / init.SIGNERS).exists() and not (repo / init.CONFIG).exists()  # nothing half-written


def test_init_without_a_key_prints_the_exact_key_step(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    proc = run_dc(repo, "init")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    steps = lines[lines.index("Next steps:") + 1 :]
    assert steps[:3] == [
        "  1. Trust your SSH key to sign records (without a trusted key every record fails the gate):",
        "     ssh-keygen -t ed25519            # only if you have no key yet",
        "     deploycheck init --key ~/.ssh/id_ed25519.pub",
    ]
    assert steps[3].startswith("  2. Commit these files on your default branch")
    # following the step as printed (with this test's key) makes the signers file trust it
    key, public = make_key(tmp_path / "keys")
    follow = run_dc(repo, "init", "--key", f"{key}.pub")
    assert follow.returncode == 0, follow.stderr
    assert follow.stdout.splitlines()[1].split()[:4] == ["updated", ".deploycheck/allowed_signers", "(added", "your"]
    # ...and its commit step names every file the first run wrote and nobody committed yet
    # (a new-user trial: it named allowed_signers alone, so config.yaml stayed behind).
    commit_step = next(line for line in follow.stdout.splitlines() if line.lstrip().startswith("git add"))
    assert ".deploycheck/allowed_signers" in commit_step and ".deploycheck/config.yaml" in commit_step
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Set up deploycheck")
    quiet = run_dc(repo, "init", "--key", f"{key}.pub")
    assert quiet.returncode == 0 and "git add" not in quiet.stdout  # committed: nothing to add
    assert public in (repo / init.SIGNERS).read_text()


def test_init_pr_template_says_it_requires_the_field(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    proc = run_dc(repo, "init", "--pr-template")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == (
        "created  .deploycheck/config.yaml  (with pr_field: required (--pr-template): the gate fails any pull "
        'request whose description has no "Concurrency considerations" field (`N/A` is enough when nothing is '
        "flagged), a bot's (Dependabot, Renovate) too, whose descriptions skip the template; set `pr_field: warn` "
        "to only note it)"
    )
    assert "\npr_field: required\n" in (repo / init.CONFIG).read_text()
    # on an existing config that already requires the field, init says so (a new-user trial re-ran
    # init on its set-up main branch and was told to add `pr_field: required`, which was there)
    again = run_dc(repo, "init", "--pr-template")
    assert again.stdout.splitlines()[0] == ("unchanged  .deploycheck/config.yaml  (exists; left as it is (it already has "
                                            "pr_field: required, so the gate checks the template's field))")
    # on one that does not, it says that it did not change pr_field and what to add
    for text in ("pr_field: warn\n", "# pr_field: required\n", "pr_field: [\n"):
        (repo / init.CONFIG).write_text(text)
        other = run_dc(repo, "init", "--pr-template")
        assert other.stdout.splitlines()[0] == (
            "unchanged  .deploycheck/config.yaml  (exists; left as it is. --pr-template did not change pr_field: add "
            "`pr_field: required` to make the gate check the template's field)"), text
        assert (repo / init.CONFIG).read_text() == text


def test_log_base_reads_the_signers_of_the_named_branch(tmp_path: Path) -> None:
    """`log --base` resolves its base as scan and verify do: a release branch whose signers do not
    trust the author shows the record as untrusted; a mistyped name is exit 2 with a suggestion."""
    project = make_project(tmp_path)
    _, lead = make_key(tmp_path / "lead")
    git(project.repo, "checkout", "-q", "-b", "release")
    commit(project.repo, {".deploycheck/allowed_signers": f"lead@example.com {lead}\n"}, "release signers")
    git(project.repo, "checkout", "-q", "main")
    project.flagged_branch()
    assert project.assess().returncode == 0
    git(project.repo, "commit", "-q", "-m", "Concurrency record")
    default = run_dc(project.repo, "log", "--format", "json")
    assert default.returncode == 0, default.stderr
    release = run_dc(project.repo, "log", "--format", "json", "--base", "release")
    assert release.returncode == 0, release.stderr
    import json

    (trusted,) = json.loads(default.stdout)["records"]
    (untrusted,) = json.loads(release.stdout)["records"]
    assert trusted["verified"] is True
    assert untrusted["verified"] is False and "release" in untrusted["verification"]
    typo = run_dc(project.repo, "log", "--base", "relaese")
    assert typo.returncode == 2
    assert "relaese" in typo.stderr and "release" in typo.stderr and "Traceback" not in typo.stderr
