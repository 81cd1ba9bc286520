"""Git edge cases seen in CI and in developers' clones, and a gate that fails closed.

Real repositories, real remotes (bare repositories on disk), GitHub's pull-request refs built
the way GitHub builds them; the only stand-in is a `git` wrapper on PATH that crashes for one
subcommand, to show that a broken git can never make the gate pass.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from support.gitrepo import commit, git
from support.incident import incident_repo, signer_line, write_answers
from support.gate import dc, sign_record

from deploycheck.records.record import RECORDS_DIR


def verify(cwd: Path, *args: str, env: dict | None = None) -> tuple[int, dict, str]:
    proc = dc(cwd, "verify", "--format", "json", *args, env=env)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def fails(cwd: Path, *args: str, env: dict | None = None) -> str:
    """Run a command that must exit 2 with one readable message; return the message."""
    proc = dc(cwd, *args, env=env)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert proc.stdout == "" or "PASS" not in proc.stdout
    assert proc.stderr.startswith("deploycheck: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    return proc.stderr


def github_env(**extra: str) -> dict:
    return {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "main", **extra}


# --- checkouts CI makes ---------------------------------------------------------------------


def test_detached_head(repo, key, tmp_path):
    code, doc, _ = verify(repo, "--base", "main")
    assert code == 1 and [p["code"] for p in doc["problems"]] == ["missing-record"]
    record = sign_record(repo, key, tmp_path)
    git(repo, "checkout", "-q", "--detach", "HEAD")
    code, doc, _ = verify(repo, "--base", "main")
    assert code == 0 and doc["records"] == [{"path": record, "status": "valid", "signer": "dev@example.com"}]


def _origin_with_pr(tmp_path: Path, repo: Path) -> Path:
    """A bare 'origin' holding main and refs/pull/7/head, plus refs/pull/7/merge: the merge of
    the PR head into main that GitHub creates (a merge commit whose first parent is main)."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(repo, "push", "-q", str(origin), "main:refs/heads/main", "refactor:refs/pull/7/head")
    builder = tmp_path / "builder"
    git(tmp_path, "clone", "-q", str(origin), str(builder))
    git(builder, "fetch", "-q", "origin", "+refs/pull/7/head:refs/remotes/pull/7/head")
    git(builder, "checkout", "-q", "--detach", "origin/main")
    git(builder, "merge", "-q", "--no-ff", "-m", "Merge 7 into main", "refs/remotes/pull/7/head")
    git(builder, "push", "-q", "origin", "HEAD:refs/pull/7/merge")
    return origin


def _ci_checkout(tmp_path: Path, origin: Path, ref: str) -> Path:
    """What actions/checkout does for a pull_request event: fetch the PR ref, check it out detached."""
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--no-checkout", str(origin), str(ci))
    git(ci, "fetch", "-q", "origin", f"+{ref}:refs/remotes/{ref[len('refs/'):]}")
    git(ci, "checkout", "-q", "--detach", f"refs/remotes/{ref[len('refs/'):]}")
    return ci


def test_github_pull_request_merge_commit(repo, key, tmp_path):
    record = sign_record(repo, key, tmp_path)
    origin = _origin_with_pr(tmp_path, repo)
    ci = _ci_checkout(tmp_path, origin, "refs/pull/7/merge")
    assert len(git(ci, "rev-list", "--parents", "-n", "1", "HEAD").split()) == 3  # a merge commit
    code, doc, _ = verify(ci, env=github_env(GITHUB_HEAD_REF="refactor"))
    assert code == 0, doc
    assert doc["flagged_files"] == ["inventory/jobs.py"]
    assert doc["base"] == git(ci, "rev-parse", "origin/main")
    assert doc["records"] == [{"path": record, "status": "valid", "signer": "dev@example.com"}]


def test_fork_pull_request(repo, key, tmp_path):
    """Base from `origin`, head from the contributor's fork."""
    record = sign_record(repo, key, tmp_path)
    origin, fork = tmp_path / "origin.git", tmp_path / "fork.git"
    for bare in (origin, fork):
        git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "push", "-q", str(origin), "main")
    git(repo, "push", "-q", str(fork), "main", "refactor")
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", str(origin), str(ci))
    git(ci, "remote", "add", "fork", str(fork))
    git(ci, "fetch", "-q", "fork", "refactor")
    git(ci, "checkout", "-q", "--detach", "fork/refactor")
    code, doc, _ = verify(ci, env=github_env(GITHUB_HEAD_REF="refactor"))
    assert code == 0 and doc["records"][0]["path"] == record and doc["records"][0]["status"] == "valid"


def test_force_pushed_base_keeps_the_record_valid(repo, key, tmp_path):
    git(repo, "checkout", "-q", "main")
    first = git(repo, "rev-parse", "HEAD")
    commit(repo, {"docs/guide.md": "v1\n"}, message="docs")
    git(repo, "checkout", "-q", "refactor")
    git(repo, "rebase", "-q", "main")  # the branch forks from main's "docs" commit
    record = sign_record(repo, key, tmp_path)
    old_base = git(repo, "merge-base", "main", "refactor")
    # main is force-pushed under the branch: "docs" is replaced by another commit and main grows,
    # so the branch's fork point is no longer on main.
    git(repo, "checkout", "-q", "main")
    git(repo, "reset", "-q", "--hard", first)
    commit(repo, {"docs/guide.md": "v1, rewritten\n"}, message="docs, amended")
    commit(repo, {"docs/notes.md": "later work\n"}, message="later")
    git(repo, "checkout", "-q", "refactor")
    new_base = git(repo, "merge-base", "main", "refactor")
    assert new_base != old_base
    code, doc, _ = verify(repo, "--base", "main")
    assert code == 0 and doc["base"] == new_base and doc["records"][0]["status"] == "valid"
    git(repo, "rebase", "-q", "--onto", "main", old_base)  # and after moving the branch onto the rewritten main
    code, doc, _ = verify(repo, "--base", "main")
    assert code == 0 and doc["base"] == git(repo, "rev-parse", "main") and doc["records"][0]["path"] == record


# --- names git allows -------------------------------------------------------------------------


def test_option_like_ref_names_are_never_options(repo, key, tmp_path):
    """`git branch` refuses `-x`, but update-ref makes refs/heads/--output=x; deploycheck must never
    hand such a name to git where it would be read as `--output=x` (which writes a file)."""
    assert subprocess.run(["git", "branch", "--", "-dash"], cwd=repo, capture_output=True).returncode != 0
    head = git(repo, "rev-parse", "main")
    git(repo, "update-ref", "refs/heads/--output=x", head)
    message = fails(repo, "verify", "--base", "--output=x")
    assert message == (
        "deploycheck: error: base revision '--output=x' (from --base) does not exist in this repository. "
        "Check the name, or fetch it first.\n"
    )
    # Checked out, the same name is the branch a record is written for, and the gate passes.
    git(repo, "update-ref", "refs/heads/--output=x", git(repo, "rev-parse", "refactor"))
    git(repo, "symbolic-ref", "HEAD", "refs/heads/--output=x")
    record = sign_record(repo, key, tmp_path)
    assert record.startswith(f"{RECORDS_DIR}/") and "-output-x-" in record
    code, doc, _ = verify(repo, "--base", "main")
    assert code == 0
    assert not (repo / "x").exists() and not (tmp_path / "x").exists()


def test_unicode_branch_and_base_names(repo, key, tmp_path):
    git(repo, "branch", "-q", "-m", "main", "häuptling/✓")
    git(repo, "branch", "-q", "-m", "refactor", "féature/ünïcode")
    code, doc, _ = verify(repo, "--base", "häuptling/✓")
    assert code == 1 and [p["code"] for p in doc["problems"]] == ["missing-record"]
    proc = dc(repo, "check", "--base", "häuptling/✓", "--answers", str(write_answers(tmp_path)), "--yes", "--key", str(key))
    assert proc.returncode == 0, proc.stderr
    commit(repo, message="record")
    code, doc, _ = verify(repo, "--base", "häuptling/✓")
    assert code == 0 and doc["records"][0]["path"].endswith(".yaml") and "-f-ature-n-code-" in doc["records"][0]["path"]


# --- repository layouts ---------------------------------------------------------------------


def test_worktree_keeps_records_lock_and_drafts_in_its_own_checkout(repo, key, tmp_path):
    git(repo, "checkout", "-q", "main")
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(wt), "refactor")
    record = sign_record(wt, key, tmp_path)
    assert (wt / record).is_file() and not (repo / RECORDS_DIR).exists()
    wt_git_dir = Path(git(wt, "rev-parse", "--absolute-git-dir"))
    assert wt_git_dir.parent.name == "worktrees" and (wt_git_dir / "deploycheck" / "lock").is_file()
    assert not (repo / ".git" / "deploycheck").exists()  # the main checkout's state is untouched
    code, doc, _ = verify(wt, "--base", "main")
    assert code == 0 and doc["records"][0]["path"] == record


def test_core_hooks_path_and_failing_hooks_do_not_matter(repo, key, tmp_path):
    """A repository whose hooks live elsewhere (core.hooksPath) and whose hooks always fail:
    check stages with `git add` (no hook runs) and verify only reads."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("pre-commit", "post-index-change", "pre-push"):
        (hooks / name).write_text("#!/bin/sh\nexit 1\n")
        (hooks / name).chmod(0o755)
    git(repo, "config", "core.hooksPath", str(hooks))
    proc = dc(repo, "check", "--base", "main", "--answers", str(write_answers(tmp_path)), "--yes", "--key", str(key))
    assert proc.returncode == 0, proc.stderr
    assert git(repo, "diff", "--cached", "--name-only").startswith(RECORDS_DIR + "/")
    git(repo, "commit", "-q", "--no-verify", "-m", "record")
    code, doc, _ = verify(repo, "--base", "main")
    assert code == 0


def test_repository_owned_by_someone_else_names_safe_directory(repo):
    message = fails(repo, "verify", "--base", "main", env={"GIT_TEST_ASSUME_DIFFERENT_OWNER": "1"})
    assert "safe.directory" in message and f"git config --global --add safe.directory '{repo}'" in message


def test_a_bare_repository_reads_commits_and_refuses_what_needs_a_work_tree(repo, key, tmp_path):
    # New-user trial, session 10: in a bare repository every command said "not inside a git
    # repository ... `git init` one first", which it is, and which would not help. The commands that
    # read commits work from the objects (a server-side or mirror check); those that write into a
    # work tree say a bare repository has none, and how to get one. Nothing is written there.
    sign_record(repo, key, tmp_path)
    bare = tmp_path / "shop.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    code, document, _ = verify(bare, "--base", "main", "--head", "refactor")
    assert code == 0 and document["ok"] and document["flagged_files"] == ["inventory/jobs.py"]
    scanned = dc(bare, "scan", "--base", "main", "--head", "refactor", "--format", "json")
    assert scanned.returncode == 0 and json.loads(scanned.stdout)["flagged"], scanned.stderr
    summary = dc(bare, "summary", "--base", "main")  # the clone's HEAD is the branch it came from: refactor
    assert summary.returncode == 0 and "Concurrency considerations" in summary.stdout, summary.stderr
    before = sorted(p.relative_to(bare) for p in bare.rglob("*") if "deploycheck" not in p.parts)
    for command in (["check", "--answers", str(write_answers(tmp_path)), "--yes", "--key", str(key)], ["init"],
                    ["hook", "install"], ["review"]):
        message = fails(bare, *command)
        assert f"{bare} is a bare repository (no work tree)" in message, message
        assert f"`git clone '{bare}' DIR && cd DIR`" in message and "git init" not in message
    assert sorted(p.relative_to(bare) for p in bare.rglob("*") if "deploycheck" not in p.parts) == before
    # Inside the git directory of a checkout: run it from the work tree.
    message = fails(repo / ".git" / "refs", "scan", "--base", "main")
    assert "is inside a repository's git directory, not its work tree" in message and "git init" not in message


# --- the gate fails closed --------------------------------------------------------------------


def _git_crashing_on(tmp_path: Path, subcommand: str) -> dict:
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True).stdout.strip()
    folder = tmp_path / "fakebin"
    folder.mkdir(exist_ok=True)
    (folder / "git").write_text(
        "#!/bin/sh\n"
        f'for a in "$@"; do [ "$a" = "{subcommand}" ] && {{ echo "fatal: simulated crash" >&2; exit 128; }}; done\n'
        f'exec {real} "$@"\n'
    )
    (folder / "git").chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize("with_record", [False, True], ids=["no-record", "signed-record"])
def test_git_crashing_for_cat_file_is_exit_2_never_a_pass(repo, key, tmp_path, with_record):
    if with_record:
        sign_record(repo, key, tmp_path)
    for _ in range(5):  # the crash races with deploycheck's writes to git: repeat
        message = fails(repo, "verify", "--base", "main", env=_git_crashing_on(tmp_path, "cat-file"))
        assert "simulated crash" in message or "`git cat-file --batch` stopped before answering" in message


def test_missing_object_of_the_record_is_exit_2(repo, key, tmp_path):
    record = sign_record(repo, key, tmp_path)
    oid = git(repo, "rev-parse", f"HEAD:{record}")
    (repo / ".git" / "objects" / oid[:2] / oid[2:]).unlink()
    message = fails(repo, "verify", "--base", "main")
    assert oid in message or "unable to read" in message


def test_invalid_yaml_in_the_base_config_is_exit_2(tmp_path, key):
    repo = incident_repo(tmp_path, key, extra_main={".deploycheck/config.yaml": "policy: [unclosed\n"})
    message = fails(repo, "verify", "--base", "main")
    assert ".deploycheck/config.yaml (at " in message and "line 2" in message and "invalid YAML" in message
    # Fixing it on the branch changes nothing, so the message says where it must be fixed.
    commit(repo, {".deploycheck/config.yaml": "policy: []\n"}, "fix the config here")
    assert fails(repo, "scan", "--base", "main") == message
    assert message.rstrip().endswith("This is the copy committed on the base (main), the only one deploycheck reads: fix it "
                            "there; an edit on this branch or in the working tree takes effect once merged.")


def test_allowed_signers_with_only_malformed_lines_is_exit_2(tmp_path, key):
    good = signer_line(key)
    broken = "dev@example.com ssh-ed25519 not-base64!!\n" + 'dev@example.com valid-before="tomorrow" ' + good.split(" ", 1)[1]
    repo = incident_repo(tmp_path, key, signers=broken)
    sign_record(repo, key, tmp_path)
    message = fails(repo, "verify", "--base", "main")
    assert message.startswith("deploycheck: error: .deploycheck/allowed_signers (at main) has no usable line")
    assert "allowed_signers (at main):1:" in message and "allowed_signers (at main):2:" in message
    # One good line among broken ones: the gate judges records again (exit 0 here).
    repo2 = incident_repo(tmp_path / "two", key, signers=broken + good)
    sign_record(repo2, key, tmp_path / "two")
    code, doc, _ = verify(repo2, "--base", "main")
    assert code == 0


def test_allowed_signers_flag_with_only_malformed_lines_is_exit_2(repo, key, tmp_path):
    sign_record(repo, key, tmp_path)
    org = tmp_path / "org_signers"
    org.write_text("just garbage\n")
    message = fails(repo, "verify", "--base", "main", "--allowed-signers", str(org))
    assert f"{org} has no usable line" in message
