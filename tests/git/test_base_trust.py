"""What the gate trusts to choose the base (issue 15): only refs and configuration the branch
under test cannot change. Real repositories, real `git push` through the installed hook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.dcflow import LOST_UPDATE_JOB, make_project, remote_has, run_dc, run_git
from deploycheck.git.change import compute_change
from deploycheck.errors import GitError
from support.gitrepo import commit, git, make_branch, make_repo

from support.dcflow import RISKY, dc_env, verify


def one_line_error(proc) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()  # progress lines ("fetching …") may come first
    assert [line for line in lines if "error" in line] == lines[-1:], proc.stderr
    assert lines[-1].startswith("deploycheck: error: ") and "Traceback" not in proc.stderr
    return lines[-1]


# --- 2. the base comes from the branch ---------------------------------------------------------


@pytest.mark.parametrize("named", ["HEAD", "attack", "refs/heads/attack"])
def test_base_branch_written_by_the_branch_itself_is_not_read(attack, named: str) -> None:
    commit(attack.repo, {".deploycheck/config.yaml": f"base_branch: {named}\n"}, "compare with myself")
    proc = verify(attack.repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Base: origin/main (default branch)" in proc.stdout
    assert "inventory/jobs.py" in proc.stdout


def test_base_branch_on_the_default_branch_is_used_and_named(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.py": "a\n", ".deploycheck/config.yaml": "base_branch: develop\n"})
    git(repo, "branch", "develop")
    make_branch(repo, "feat", {".deploycheck/config.yaml": "base_branch: feat\n", "a.py": "b\n"})
    change, _ = compute_change(str(repo), None, None)
    assert (change.base_ref, change.base_source) == ("develop", "base_branch in .deploycheck/config.yaml on main")


@pytest.mark.parametrize("named", ["HEAD", "HEAD~0", "main~1"])
def test_base_branch_that_is_no_branch_name_is_refused(tmp_path: Path, named: str) -> None:
    repo = make_repo(tmp_path / "r", {".deploycheck/config.yaml": f"base_branch: {named}\n"})
    make_branch(repo, "feat", {"a.py": "b\n"})
    message = one_line_error(run_dc(repo, "verify", env=dc_env()))
    assert f"base '{named}' (from base_branch in .deploycheck/config.yaml on main) is not a branch name" in message


def test_github_push_event_ignores_the_branch_config(attack, tmp_path: Path) -> None:
    """A push event: no GITHUB_BASE_REF; the checkout holds the pushed branch and origin/*."""
    commit(attack.repo, {".deploycheck/config.yaml": "base_branch: HEAD\n"}, "compare with myself")
    assert run_git(attack.repo, "push", "-q", "origin", "attack", "--no-verify").returncode == 0
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--branch", "attack", str(attack.remote), str(ci))
    git(ci, "remote", "set-head", "origin", "-d")  # actions/checkout leaves no origin/HEAD
    payload = tmp_path / "event.json"
    payload.write_text(json.dumps({"ref": "refs/heads/attack", "after": git(ci, "rev-parse", "HEAD")}))
    proc = verify(ci, GITHUB_ACTIONS="true", GITHUB_EVENT_NAME="push", GITHUB_EVENT_PATH=str(payload))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Base: origin/main (default branch)" in proc.stdout


# --- 3. a tag shadows the base branch ------------------------------------------------------------


def test_tag_named_like_the_base_branch_does_not_win(attack) -> None:
    git(attack.repo, "tag", "main", "HEAD")
    git(attack.repo, "tag", "origin/main", "HEAD")
    for args in (("--base", "main"), ("--base", "origin/main"), ("--base", "main~0"), ()):
        proc = verify(attack.repo, *args)
        assert proc.returncode == 1, (args, proc.stdout + proc.stderr)
        assert "inventory/jobs.py" in proc.stdout
    proc = verify(attack.repo, GITHUB_BASE_REF="main")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Base: origin/main (from GITHUB_BASE_REF)" in proc.stdout


def test_tag_named_like_a_full_branch_ref_does_not_stand_in_for_a_missing_branch(attack, tmp_path: Path) -> None:
    """In a CI checkout of the pushed branch there is no local main: `refs/heads/main` must not
    fall through git's lookup to a pushed tag `refs/heads/main` (refs/tags/refs/heads/main)."""
    git(attack.repo, "tag", "refs/heads/main", "HEAD")
    assert run_git(attack.repo, "push", "-q", "origin", "attack", "--tags", "--no-verify").returncode == 0
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--branch", "attack", str(attack.remote), str(ci))
    git(ci, "remote", "set-head", "origin", "-d")
    assert git(ci, "tag") == "refs/heads/main"
    proc = verify(ci)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Base: origin/main (default branch)" in proc.stdout


@pytest.mark.parametrize("how", [("--base", "v1"), ("--base", "refs/tags/v1"), ("--base", "v1~0")])
def test_a_name_that_is_only_a_tag_is_refused_with_cause_and_fix(attack, how) -> None:
    git(attack.repo, "tag", "v1", "main")
    message = one_line_error(verify(attack.repo, *how))
    assert "names a tag, not a branch" in message and "git rev-parse 'v1^{commit}'" in message.replace("refs/tags/", "")
    sha = git(attack.repo, "rev-parse", "v1^{commit}")
    assert verify(attack.repo, "--base", sha).returncode == 1  # the fix the message gives works


def test_a_name_that_is_only_a_tag_is_refused_from_the_environment(attack) -> None:
    git(attack.repo, "tag", "release", "main")
    message = one_line_error(verify(attack.repo, DEPLOYCHECK_BASE="release"))
    assert "base 'release' (from DEPLOYCHECK_BASE) names a tag" in message


def scan(cwd: Path, *args: str, **env: str):
    return run_dc(cwd, "scan", *args, env=dc_env(**env))


@pytest.mark.parametrize("how", [("--base", "v1"), ("--base", "refs/tags/v1"), ("--base", "v1~0")])
def test_scan_takes_a_tag_as_its_base_where_every_command_that_trusts_the_base_refuses_it(attack, how) -> None:
    """`scan --base v0.10.0` (a new user's trial) was refused as the gate refuses it:
    scan shows a change and gives no verdict, so any commit-ish will do."""
    git(attack.repo, "tag", "-a", "v1", "-m", "release 1", "main")
    shown = scan(attack.repo, *how)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    merge_base = git(attack.repo, "rev-parse", "main")[:8]
    assert f"Base: {how[1]} (from --base, read as a tag) · merge-base {merge_base}" in shown.stdout
    assert "inventory/jobs.py:" in shown.stdout and "Flagged: " in shown.stdout
    assert json.loads(scan(attack.repo, *how, "--format", "json").stdout)["flagged"] is True
    assert scan(attack.repo, DEPLOYCHECK_BASE="v1").returncode == 0
    for command in ("verify", "summary", "log"):  # they read the base's signers: a branch's only
        message = one_line_error(run_dc(attack.repo, command, *how, env=dc_env()))
        assert "names a tag, not a branch" in message and "`deploycheck scan` takes a tag" in message, command
    # A name that is a branch and a tag is the branch, in scan too: a tag at the head shows nothing.
    git(attack.repo, "tag", "main", "HEAD")
    shown = scan(attack.repo, "--base", "main")
    assert "Base: main (from --base) ·" in shown.stdout and "inventory/jobs.py:" in shown.stdout


def test_scan_against_a_tag_says_nothing_of_the_record(tmp_path: Path) -> None:
    """The signers would be read at the tag: no "a valid record covers it" from there."""
    project = make_project(tmp_path)
    git(project.repo, "tag", "v1", "main")
    project.flagged_branch()
    assert project.assess().returncode == 0
    record = git(project.repo, "diff", "--cached", "--name-only")
    git(project.repo, "commit", "-q", "-m", "Concurrency record")
    assert f"A valid record covers it: {record}." in " ".join(scan(project.repo).stdout.split())
    said = " ".join(scan(project.repo, "--base", "v1").stdout.split())
    assert ("The change adds a record; whether it covers the change, `deploycheck verify` decides against the base "
            "branch (never a tag).") in said and "A valid record covers it" not in said


def test_a_branch_named_like_the_remote_branch_does_not_shadow_it(attack) -> None:
    """`git checkout -B origin/main` (a CI checkout of a pushed branch called origin/main) makes
    refs/heads/origin/main, which git's lookup of `origin/main` prefers to refs/remotes/."""
    git(attack.repo, "fetch", "-q", "origin")
    git(attack.repo, "branch", "origin/main", "HEAD")
    git(attack.repo, "branch", "origin/HEAD", "HEAD")
    for args, env in ((("--base", "origin/main"), {}), ((), {"GITHUB_BASE_REF": "main"})):
        proc = verify(attack.repo, *args, **env)
        assert proc.returncode == 1, (args, env, proc.stdout + proc.stderr)
        assert "inventory/jobs.py" in proc.stdout
    # With the remote's branch missing (and not fetchable), the local look-alike is still never used.
    git(attack.repo, "update-ref", "-d", "refs/remotes/origin/main")
    git(attack.repo, "remote", "set-url", "origin", str(attack.repo.parent / "gone.git"))
    message = one_line_error(verify(attack.repo, "--base", "origin/main"))
    assert "base revision 'origin/main' (from --base) does not exist" in message


def test_default_branch_is_never_a_local_branch_named_origin_head(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"}, branch="master")
    make_branch(repo, "feat", {"a.py": "b\n"})
    git(repo, "branch", "origin/HEAD", "HEAD")
    change, _ = compute_change(str(repo), None, None)
    assert (change.base_ref, change.base_source) == ("master", "default")
    assert [f.path for f in change.files] == ["a.py"]


def test_revisions_on_branches_and_commit_ids_still_resolve(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    first = git(repo, "rev-parse", "HEAD")
    commit(repo, {"a.py": "a2\n"}, "second")
    make_branch(repo, "feat", {"a.py": "b\n"})
    for base, expected in (("main~1", first), ("main^", first), ("HEAD~2", first), (first, first), (first[:10], first),
                           ("refs/heads/main~1", first)):
        change, _ = compute_change(str(repo), base, None)
        assert change.base_sha == expected, base
    with pytest.raises(GitError, match="does not exist"):
        compute_change(str(repo), "nope", None)


# --- 11. the hook and verify agree ---------------------------------------------------------------


def test_hook_never_passes_what_verify_refuses_after_an_invalid_config_push(tmp_path: Path) -> None:
    """Push 1: the risky change (hook skipped). Push 2: an invalid .deploycheck/config.yaml. The
    hook over push 2 must block as `verify --base main` does, not check push 2 alone."""
    project = make_project(tmp_path)
    assert run_dc(project.repo, "hook", "install").returncode == 0
    git(project.repo, "checkout", "-q", "-b", "attack")
    commit(project.repo, RISKY, "minor refactor")
    assert run_git(project.repo, "push", "-q", "--no-verify", "origin", "attack").returncode == 0
    commit(project.repo, {".deploycheck/config.yaml": "rules: [oops\n"}, "tidy config")

    full = verify(project.repo, "--base", "main")
    assert full.returncode == 1, full.stdout + full.stderr
    pushed = run_git(project.repo, "push", "origin", "attack")
    assert pushed.returncode != 0, pushed.stdout + pushed.stderr
    assert "inventory/jobs.py" in pushed.stderr
    assert remote_has(project, "attack") != git(project.repo, "rev-parse", "HEAD")


def test_hook_range_errors_as_verify_does_when_the_base_cannot_be_found(tmp_path: Path, monkeypatch) -> None:
    """No base anywhere: verify exits 2, so the pushed-range hook must too (it used to fall back
    to the remote's old tip and check the last push alone)."""
    from deploycheck.hooks.range import pushed_range

    repo = make_repo(tmp_path / "r", {"a.py": "a\n"}, branch="trunk")
    old_tip = commit(repo, RISKY, "risky, pushed earlier")
    head = commit(repo, {"README.md": "docs\n"}, "docs")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", old_tip)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", head)
    with pytest.raises(GitError, match="cannot find a base branch"):
        pushed_range(str(repo))
    proc = run_dc(repo, "verify", "--hook", env=dc_env(PRE_COMMIT_FROM_REF=old_tip, PRE_COMMIT_TO_REF=head))
    assert "cannot find a base branch" in one_line_error(proc)


def test_a_branch_named_like_an_abbreviated_base_commit_is_ambiguous(attack) -> None:
    """CI passing an abbreviated base commit: a pushed branch with that very name would be the
    base under git's rules (refs win), i.e. the branch under test compared with itself."""
    base = git(attack.repo, "rev-parse", "main")
    short = base[:10]
    git(attack.repo, "branch", short, "HEAD")
    message = one_line_error(verify(attack.repo, DEPLOYCHECK_BASE=short))
    assert f"base '{short}' (from DEPLOYCHECK_BASE) is both a branch and the start of a commit id" in message
    assert verify(attack.repo, "--base", base).returncode == 1  # the full id, as the message says
    assert verify(attack.repo, "--base", f"refs/heads/{short}").returncode == 0  # the branch, when that is meant


def test_main_and_master_without_origin_head_is_no_guess(attack, tmp_path: Path) -> None:
    """A push event in a `master` repository for a pushed branch called `main`: the checkout has
    refs/heads/main (the branch under test) and origin/master, and no origin/HEAD."""
    git(attack.repo, "branch", "-m", "main", "master")
    git(attack.repo, "push", "-q", "origin", "master")
    git(attack.repo, "branch", "-m", "attack", "main")
    commit(attack.repo, {".deploycheck/config.yaml": "base_branch: main\n"}, "compare with myself")
    assert run_git(attack.repo, "push", "-q", "--no-verify", "origin", "main").returncode == 0
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--branch", "main", str(attack.remote), str(ci))
    git(ci, "remote", "set-head", "origin", "-d")
    message = one_line_error(verify(ci))
    assert "cannot tell the default branch: origin/main and origin/master both exist" in message
    assert verify(ci, "--base", "origin/master").returncode == 1
    git(ci, "remote", "set-head", "origin", "master")
    proc = verify(ci)
    assert proc.returncode == 1 and "Base: origin/HEAD" in proc.stdout, proc.stdout + proc.stderr


def test_config_edited_in_the_same_push_as_the_risky_change_changes_nothing(attack) -> None:
    """The branch excludes its own risky file and names itself the base, in one push."""
    assert run_dc(attack.repo, "hook", "install").returncode == 0
    commit(attack.repo, {".deploycheck/config.yaml": "base_branch: attack\nexclude: ['inventory/**']\n"}, "config")
    assert verify(attack.repo).returncode == 1
    assert verify(attack.repo, "--base", "main").returncode == 1
    pushed = run_git(attack.repo, "push", "origin", "attack")
    assert pushed.returncode != 0 and "inventory/jobs.py" in pushed.stderr, pushed.stdout + pushed.stderr


def test_commit_warning_reads_the_default_branchs_config_not_the_branchs(attack) -> None:
    git(attack.repo, "checkout", "-q", "-b", "quiet", "main")
    commit(attack.repo, {".deploycheck/config.yaml": "exclude: ['inventory/**']\n"}, "quiet, please")
    assert run_dc(attack.repo, "hook", "install", "--stage", "pre-commit").returncode == 0
    (attack.repo / "inventory" / "jobs.py").write_text(LOST_UPDATE_JOB)
    git(attack.repo, "add", "inventory/jobs.py")
    proc = run_git(attack.repo, "commit", "-q", "-m", "more")
    assert proc.returncode == 0, proc.stderr
    assert "deploycheck: this commit touches jobs, queues or shared state (inventory/jobs.py" in proc.stderr


def test_pushed_range_behind_the_fork_point_of_a_real_change_is_the_range_ci_checks(tmp_path: Path, monkeypatch) -> None:
    """The branch was first pushed with no commit of its own (remote tip = old main), then
    rebased onto a newer main: FROM lies behind the fork point, but the branch has a change of
    its own, so the hook checks merge-base(main)..head, as CI does, not old-main..head (which
    would hold main's own commits, and read signers at FROM)."""
    from deploycheck.hooks.range import pushed_range

    repo = make_repo(tmp_path / "repo")
    old_main = git(repo, "rev-parse", "HEAD")
    commit(repo, {"m.txt": "main moved on\n"})
    head = make_branch(repo, "feature", RISKY)
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", old_main)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", head)
    assert pushed_range(str(repo)) == (None, head)


def test_a_branch_named_like_the_remote_does_not_stand_in_for_its_head(attack) -> None:
    git(attack.repo, "remote", "set-head", "origin", "main")
    git(attack.repo, "branch", "origin", "HEAD")
    proc = verify(attack.repo, "--base", "origin")
    assert proc.returncode == 1 and "inventory/jobs.py" in proc.stdout, proc.stdout + proc.stderr


def test_an_abbreviated_commit_id_from_the_ci_is_not_a_branch_name(attack, tmp_path: Path) -> None:
    short = git(attack.repo, "rev-parse", "main")[:12]
    git(attack.repo, "branch", short, "HEAD")
    message = one_line_error(verify(attack.repo, CI_MERGE_REQUEST_DIFF_BASE_SHA=short))
    assert "is both a branch and the start of a commit id" in message


def test_a_first_push_without_from_and_to_checks_the_pushed_branch_not_head(attack) -> None:
    """pre-commit exports no PRE_COMMIT_FROM_REF/TO_REF when the pushed history reaches a root
    commit (a first push to an empty remote), only PRE_COMMIT_LOCAL_BRANCH: the hook checked HEAD
    (here main, nothing flagged) and let the risky branch through (found in a new-user trial)."""
    repo = attack.repo
    git(repo, "checkout", "-q", "main")
    proc = run_dc(repo, "verify", "--hook", env=dc_env(PRE_COMMIT_LOCAL_BRANCH="refs/heads/attack"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "missing-record" in proc.stdout + proc.stderr


def test_unpushed_commits_on_the_local_main_do_not_decide_the_hook(attack) -> None:
    """Without origin/HEAD (a repository pushed to a new remote), the local main used to come
    before origin/main. A config committed on the local main but never pushed (here one that
    excludes the risky file) then let the pre-push hook pass what CI, comparing with origin/main,
    refuses."""
    repo = attack.repo
    assert run_git(repo, "rev-parse", "--verify", "--quiet", "refs/remotes/origin/HEAD").returncode != 0
    assert run_dc(repo, "hook", "install").returncode == 0
    git(repo, "checkout", "-q", "main")
    commit(repo, {".deploycheck/config.yaml": "exclude: ['inventory/**']\n"}, "local only: exclude inventory")
    git(repo, "checkout", "-q", "attack")
    git(repo, "rebase", "-q", "main")  # the branch now sits on the unpushed main, as a local branch would
    proc = verify(repo)
    assert proc.returncode == 1 and "Base: origin/main" in proc.stdout, proc.stdout + proc.stderr
    assert "is not in the base yet" in proc.stderr  # and it says why the local main was not used
    pushed = run_git(repo, "push", "origin", "attack")
    assert pushed.returncode != 0 and "inventory/jobs.py" in pushed.stderr, pushed.stdout + pushed.stderr
    assert remote_has(attack, "attack") is None
    assert verify(repo, "--base", "main").returncode == 0  # the local main, when that is what is meant


def test_a_push_to_another_remote_is_compared_with_that_remotes_default_branch(attack, tmp_path: Path) -> None:
    """A fork workflow: origin is the author's fork, whose main the author controls (here it
    excludes the risky file), upstream is the team's repository, whose CI compares with its own
    main. The pre-push hook compared every push with origin's main, so a push to upstream passed
    the hook that upstream's CI then refused."""
    repo = attack.repo
    upstream = tmp_path / "upstream.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(upstream))
    git(repo, "remote", "add", "upstream", str(upstream))
    git(repo, "push", "-q", "upstream", "main")
    git(repo, "checkout", "-q", "main")
    commit(repo, {".deploycheck/config.yaml": "exclude: ['inventory/**']\n"}, "the fork's own config")
    git(repo, "push", "-q", "origin", "main")
    git(repo, "checkout", "-q", "attack")
    git(repo, "rebase", "-q", "main")
    git(repo, "fetch", "-q", "upstream")
    hook_env = {"PRE_COMMIT_LOCAL_BRANCH": "refs/heads/attack"}
    to_fork = run_dc(repo, "verify", "--hook", env=dc_env(**hook_env, PRE_COMMIT_REMOTE_NAME="origin"))
    assert to_fork.returncode == 0, to_fork.stdout + to_fork.stderr  # the fork's own rules, for the fork
    to_team = run_dc(repo, "verify", "--hook", env=dc_env(**hook_env, PRE_COMMIT_REMOTE_NAME="upstream"))
    assert to_team.returncode == 1 and "inventory/jobs.py" in to_team.stderr, to_team.stdout + to_team.stderr
    assert run_dc(repo, "hook", "install").returncode == 0  # the plain hook passes the remote on
    pushed = run_git(repo, "push", "upstream", "attack")
    assert pushed.returncode != 0 and "inventory/jobs.py" in pushed.stderr, pushed.stdout + pushed.stderr


def test_a_push_to_a_remote_with_no_default_branch_here_names_the_branches_looked_up(tmp_path: Path) -> None:
    """A new user pushed a branch to a second, just-added remote. The hook compares a push with
    that remote's default branch, found none, and said none of origin/HEAD, origin/main… existed
    while origin/HEAD was right there: the message named branches it had not looked up."""
    repo, other = _clone_with_an_empty_second_remote(tmp_path, "trunk")
    make_branch(repo, "feature", RISKY, "risky")
    assert run_dc(repo, "hook", "install").returncode == 0
    pushed = run_git(repo, "push", "other", "feature")
    assert pushed.returncode != 0 and remote_has_branch(other, "feature") is False, pushed.stderr
    assert "none of other/HEAD, other/main, main, other/master, master exists as a branch" in pushed.stderr, pushed.stderr
    assert "origin/HEAD" not in pushed.stderr
    assert "`git fetch other && git remote set-head other --auto`" in pushed.stderr
    # the remote's default branch fetched and named: the hook compares with it and blocks the change
    git(repo, "push", "-q", "--no-verify", "other", "origin/trunk:refs/heads/trunk")
    git(repo, "fetch", "-q", "other")
    git(repo, "remote", "set-head", "other", "--auto")
    again = run_git(repo, "push", "other", "feature")
    assert again.returncode != 0 and "inventory/jobs.py" in again.stderr, again.stderr
    # a verify run outside a push keeps naming origin's branches (and finds origin/HEAD)
    assert verify(repo).returncode == 1


def test_a_push_to_a_remote_with_no_head_when_main_and_master_differ_names_that_remote(tmp_path: Path) -> None:
    """A new user's trial (session 31): a push to a second remote, fetched but empty, in a clone
    with a local `main` and `master` on different commits. The hook could not choose between
    them and said origin/HEAD was not set, while origin/HEAD was set and never consulted."""
    repo, other = _clone_with_an_empty_second_remote(tmp_path, "main")
    git(repo, "branch", "master")
    commit(repo, {"NOTES.md": "a note on main\n"}, "a note")
    git(repo, "fetch", "-q", "other")
    make_branch(repo, "feature", RISKY, "risky")
    assert run_dc(repo, "hook", "install").returncode == 0
    pushed = run_git(repo, "push", "other", "feature")
    assert pushed.returncode != 0 and remote_has_branch(other, "feature") is False, pushed.stderr
    said = " ".join(pushed.stderr.split())
    assert "main and master both exist, point at different commits, and other/HEAD is not set" in said, said
    assert "`git fetch other && git remote set-head other --auto`" in said and "origin/HEAD" not in said
    # a remote with no branches has no HEAD for `--auto` to read: the fix that works there is named
    assert "(`DEPLOYCHECK_BASE=main git push other main`), then `git remote set-head other main`" in said, said
    first = run_git(repo, "push", "other", "main", env=dc_env(DEPLOYCHECK_BASE="main"))
    assert first.returncode == 0 and remote_has_branch(other, "main"), first.stderr
    git(repo, "remote", "set-head", "other", "main")
    again = run_git(repo, "push", "other", "feature")
    assert again.returncode != 0 and "inventory/jobs.py" in again.stderr, again.stderr  # now compared, and blocked


def _clone_with_an_empty_second_remote(tmp_path: Path, branch: str) -> tuple[Path, Path]:
    """A clone of a team repository whose default branch is ``branch``, and a second remote
    `other` added to it: an empty bare repository."""
    seed = make_repo(tmp_path / "seed", {"README.md": "hello\n"}, branch=branch)
    team = tmp_path / "team.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(team))
    repo = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(team), str(repo))
    git(repo, "config", "user.email", "dev@example.com")
    git(repo, "config", "user.name", "Dev Example")
    other = tmp_path / "other.git"
    git(tmp_path, "init", "-q", "--bare", "-b", branch, str(other))
    git(repo, "remote", "add", "other", str(other))
    return repo, other


def remote_has_branch(bare: Path, name: str) -> bool:
    return run_git(bare, "rev-parse", "--verify", "-q", f"refs/heads/{name}").returncode == 0
