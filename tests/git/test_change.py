"""The change model: base resolution and the parsed diff, on real repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deploycheck.git.change import compute_change
from deploycheck.errors import GitError
from support.gitrepo import commit, git, make_branch, make_repo


def change_of(repo: Path, base: str | None = "main", head: str | None = None):
    change, deck = compute_change(str(repo), base, head)
    return change, deck


def by_path(change):
    return {f.path: f for f in change.files}


def test_modified_file_lines_and_numbers(tmp_path):
    repo = make_repo(tmp_path / "r", {"app.py": "a\nb\nc\nd\n"})
    make_branch(repo, "feat", {"app.py": "a\nB\nc\nd\ne\n"})
    change, _ = change_of(repo)
    (fc,) = change.files
    assert (fc.path, fc.status, fc.old_mode, fc.new_mode) == ("app.py", "modified", "100644", "100644")
    removed = [(ln.number, ln.text) for ln in fc.removed_lines()]
    added = [(ln.number, ln.text) for ln in fc.added_lines()]
    assert removed == [(2, "b")]
    assert added == [(2, "B"), (5, "e")]
    assert change.base_source == "--base" and change.base_ref == "main"
    assert change.merge_base == git(repo, "rev-parse", "main")
    assert change.head_sha == git(repo, "rev-parse", "HEAD")


def test_rename_is_a_deletion_plus_an_addition(tmp_path):
    repo = make_repo(tmp_path / "r", {"old_name.py": "x = 1\n"})
    git(repo, "checkout", "-q", "-b", "feat")
    git(repo, "mv", "old_name.py", "new_name.py")
    commit(repo, message="rename")
    files = by_path(change_of(repo)[0])
    assert files["old_name.py"].status == "deleted"
    assert [ln.text for ln in files["old_name.py"].removed_lines()] == ["x = 1"]
    assert files["new_name.py"].status == "added"
    assert [(ln.number, ln.text) for ln in files["new_name.py"].added_lines()] == [(1, "x = 1")]


def test_deleted_and_added_files(tmp_path):
    repo = make_repo(tmp_path / "r", {"gone.py": "a\nb\n", "keep.py": "k\n"})
    make_branch(repo, "feat", {"gone.py": None, "new.py": "n\n"})
    files = by_path(change_of(repo)[0])
    assert files["gone.py"].status == "deleted" and files["gone.py"].new_path is None
    assert files["gone.py"].old_blob and files["gone.py"].new_blob is None
    assert [ln.number for ln in files["gone.py"].removed_lines()] == [1, 2]
    assert files["new.py"].status == "added" and files["new.py"].old_path is None
    assert "keep.py" not in files


def test_binary_file_has_blob_ids_and_no_lines(tmp_path):
    repo = make_repo(tmp_path / "r", {"img.bin": b"\x00\x01\x02"})
    make_branch(repo, "feat", {"img.bin": b"\x00\x01\x03\x04"})
    (fc,) = change_of(repo)[0].files
    assert fc.binary and fc.hunks == []
    assert fc.old_blob == git(repo, "rev-parse", "main:img.bin")
    assert fc.new_blob == git(repo, "rev-parse", "HEAD:img.bin")


def test_huge_file_is_treated_as_binary(tmp_path):
    repo = make_repo(tmp_path / "r", {"big.txt": "a\n"})
    make_branch(repo, "feat", {"big.txt": "line\n" * 2_500_000})  # 12.5 MB > core.bigFileThreshold
    (fc,) = change_of(repo)[0].files
    assert fc.binary and fc.hunks == []


def test_crlf_lines_keep_their_carriage_return(tmp_path):
    repo = make_repo(tmp_path / "r", {"w.py": b"a\r\nb\r\n"})
    make_branch(repo, "feat", {"w.py": b"a\r\nc\r\n"})
    (fc,) = change_of(repo)[0].files
    assert [ln.text for ln in fc.removed_lines()] == ["b\r"]
    assert [ln.text for ln in fc.added_lines()] == ["c\r"]


def test_no_newline_at_end_of_file(tmp_path):
    repo = make_repo(tmp_path / "r", {"n.py": "a\nb"})
    make_branch(repo, "feat", {"n.py": "a\nb\n"})
    (fc,) = change_of(repo)[0].files
    assert [ln.text for ln in fc.removed_lines()] == ["b"]
    assert [ln.text for ln in fc.added_lines()] == ["b"]


def test_symlink_and_type_change(tmp_path):
    repo = make_repo(tmp_path / "r", {"target.py": "t\n", "cfg.py": "c\n"})
    git(repo, "checkout", "-q", "-b", "feat")
    os.symlink("target.py", repo / "link.py")
    (repo / "cfg.py").unlink()
    os.symlink("target.py", repo / "cfg.py")
    commit(repo, message="links")
    files = by_path(change_of(repo)[0])
    assert files["link.py"].kind == "symlink" and files["link.py"].status == "added"
    assert [ln.text for ln in files["link.py"].added_lines()] == ["target.py"]
    assert files["cfg.py"].status == "type-changed"
    assert (files["cfg.py"].old_mode, files["cfg.py"].new_mode) == ("100644", "120000")


def test_mode_change_only(tmp_path):
    repo = make_repo(tmp_path / "r", {"run.sh": "echo hi\n"})
    git(repo, "checkout", "-q", "-b", "feat")
    (repo / "run.sh").chmod(0o755)
    commit(repo, message="chmod")
    (fc,) = change_of(repo)[0].files
    assert fc.mode_changed and (fc.old_mode, fc.new_mode) == ("100644", "100755") and fc.hunks == []


def test_submodule(tmp_path):
    sub = make_repo(tmp_path / "sub", {"s.py": "s\n"})
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    git(repo, "checkout", "-q", "-b", "feat")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    commit(repo, message="submodule")
    files = by_path(change_of(repo)[0])
    assert files["vendor/sub"].kind == "submodule"
    assert files["vendor/sub"].added_lines()[0].text.startswith("Subproject commit ")
    assert files[".gitmodules"].status == "added"


@pytest.mark.parametrize(
    "name",
    ["with space.py", "ünïcödé/jöbs.py", 'quote"and\\back.py', "tab\there.py", "new\nline.py"],
)
def test_unusual_file_names(tmp_path, name):
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    make_branch(repo, "feat", {name: "x = 1\n"})
    (fc,) = change_of(repo)[0].files
    assert fc.path == name and [ln.text for ln in fc.added_lines()] == ["x = 1"]


def test_non_utf8_file_name_and_content(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    git(repo, "checkout", "-q", "-b", "feat")
    raw_name = b"caf\xe9.py"
    with open(os.path.join(os.fsencode(repo), raw_name), "wb") as fh:
        fh.write(b"s = '\xff\xfe'\n")
    commit(repo, message="latin-1")
    (fc,) = change_of(repo)[0].files
    assert os.fsencode(fc.path) == raw_name
    assert fc.added_lines()[0].raw() == b"s = '\xff\xfe'"


def test_empty_change(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    git(repo, "checkout", "-q", "-b", "feat")
    change, deck = change_of(repo)
    assert change.files == [] and deck == [] and change.merge_base == change.head_sha


def test_detached_head(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    make_branch(repo, "feat", {"a.py": "b\n"})
    git(repo, "checkout", "-q", "--detach", "HEAD")
    change, _ = change_of(repo)
    assert [f.path for f in change.files] == ["a.py"]


def test_deploycheck_folder_is_excluded_but_reported_separately(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    make_branch(repo, "feat", {".deploycheck/records/x.yaml": "r: 1\n", "b.py": "b\n"})
    change, deck = change_of(repo)
    assert [f.path for f in change.files] == ["b.py"]
    assert [f.path for f in deck] == [".deploycheck/records/x.yaml"]


def test_hostile_git_configuration_changes_nothing(tmp_path):
    repo = make_repo(tmp_path / "r", {"app.py": "def f():\n    return 1\n\n\ndef g():\n    return 2\n"})
    make_branch(repo, "feat", {"app.py": "def f():\n    return 1\n\n\ndef h():\n    return 3\n\n\ndef g():\n    return 2\n"})
    clean = change_of(repo)[0].files
    for key, value in [
        ("diff.external", "false"),
        ("diff.noprefix", "true"),
        ("color.ui", "always"),
        ("color.diff", "always"),
        ("diff.algorithm", "histogram"),
        ("diff.mnemonicPrefix", "true"),
        ("diff.renames", "copies"),
        ("diff.relative", "true"),
        ("diff.context", "5"),
        ("core.quotepath", "true"),
    ]:
        git(repo, "config", key, value)
    (repo / "sub").mkdir()
    hostile = compute_change(str(repo / "sub"), "main", None)[0].files
    assert hostile == clean


def test_hook_environment_is_ignored(tmp_path, monkeypatch):
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    make_branch(repo, "feat", {"a.py": "b\n"})
    other = make_repo(tmp_path / "other", {"z.py": "z\n"})
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    assert [f.path for f in change_of(repo)[0].files] == ["a.py"]


def test_unknown_base_ref_names_it(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    with pytest.raises(GitError, match="base revision 'nope' \\(from --base\\) does not exist"):
        change_of(repo, base="nope")


def test_option_like_ref_is_not_an_option(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    with pytest.raises(GitError, match="'--output=x'"):
        change_of(repo, base="--output=x")
    assert not (repo / "x").exists()


def test_unknown_head_ref(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    with pytest.raises(GitError, match="head revision 'nope' does not exist"):
        change_of(repo, head="nope")


def test_not_a_repository(tmp_path):
    with pytest.raises(GitError, match="not inside a git repository"):
        compute_change(str(tmp_path), None, None)


def test_repository_without_commits(tmp_path):
    git(tmp_path, "init", "-q")
    with pytest.raises(GitError, match="no commits yet"):
        compute_change(str(tmp_path), None, None)


def test_unrelated_histories_are_an_error_not_an_empty_change(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    git(repo, "checkout", "-q", "--orphan", "other")
    commit(repo, {"b.py": "b\n"}, message="orphan")
    with pytest.raises(GitError, match="no common ancestor"):
        change_of(repo)


def test_a_remote_default_branch_of_other_history_names_set_head(tmp_path):
    # Conversations (a new user's trial, session 37): GitHub's default branch `redirect` is a stub
    # of unrelated history, so origin/HEAD shares nothing with the work on master.
    upstream = make_repo(tmp_path / "up", {"a.py": "a\n"}, branch="master")
    git(upstream, "checkout", "-q", "--orphan", "redirect")
    commit(upstream, {"README.md": "moved\n"}, message="stub")
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(repo))
    git(repo, "checkout", "-q", "-b", "feat", "origin/master")
    commit(repo, {"a.py": "b\n"}, message="work")
    with pytest.raises(GitError, match=r"no common ancestor.*`git remote set-head origin <branch>`"):
        compute_change(str(repo), None, None)
    with pytest.raises(GitError, match=r"`git remote set-head origin <branch>`"):  # the red team of session 37
        compute_change(str(repo), "refs/remotes/origin/HEAD", None)
    git(repo, "remote", "set-head", "origin", "master")
    change, _ = compute_change(str(repo), None, None)
    assert change.base_ref == "origin/HEAD"


# --- base resolution ------------------------------------------------------------------------


def test_default_base_is_main_then_master(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"}, branch="master")
    make_branch(repo, "feat", {"a.py": "b\n"})
    change, _ = compute_change(str(repo), None, None)
    assert (change.base_ref, change.base_source) == ("master", "default")


def test_origin_head_wins_over_main(tmp_path):
    upstream = make_repo(tmp_path / "up", {"a.py": "a\n"}, branch="trunk")
    git(upstream, "branch", "main")
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(repo))
    make_branch(repo, "feat", {"a.py": "b\n"})
    change, _ = compute_change(str(repo), None, None)
    assert (change.base_ref, change.base_source) == ("origin/HEAD", "origin/HEAD")


def test_env_base_and_config_base_branch(tmp_path, monkeypatch):
    # base_branch is read from the default branch's config, never from the branch under test
    repo = make_repo(tmp_path / "r", {"a.py": "a\n", ".deploycheck/config.yaml": "base_branch: develop\n"})
    git(repo, "branch", "develop")
    make_branch(repo, "feat", {"a.py": "b\n"})
    change, _ = compute_change(str(repo), None, None)
    assert (change.base_ref, change.base_source) == ("develop", "base_branch in .deploycheck/config.yaml on main")
    monkeypatch.setenv("DEPLOYCHECK_BASE", "main")
    change, _ = compute_change(str(repo), None, None)
    assert (change.base_ref, change.base_source) == ("main", "DEPLOYCHECK_BASE")
    change, _ = compute_change(str(repo), "develop", None)
    assert change.base_source == "--base"


def _pr_clone(tmp_path):
    upstream = make_repo(tmp_path / "up", {"a.py": "a\n"})
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(repo))
    make_branch(repo, "feat", {"a.py": "b\n"})
    commit(upstream, {"other.py": "o\n"}, message="main moved on")
    git(repo, "fetch", "-q", "origin")
    return upstream, repo


def test_github_actions_base_ref(tmp_path, monkeypatch):
    _, repo = _pr_clone(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    change, _ = compute_change(str(repo), None, None)
    assert (change.base_ref, change.base_source) == ("origin/main", "GITHUB_BASE_REF")
    assert [f.path for f in change.files] == ["a.py"]


def test_github_actions_event_payload(tmp_path, monkeypatch):
    upstream, repo = _pr_clone(tmp_path)
    base_sha = git(upstream, "rev-parse", "HEAD")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "opened", "number": 7, "pull_request": {"base": {"ref": "main", "sha": base_sha}, "head": {"ref": "feat"}}}))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    change, _ = compute_change(str(repo), None, None)
    assert (change.base_sha, change.base_source) == (base_sha, "GITHUB_EVENT_PATH pull_request.base.sha")


def test_gitlab_merge_request_variables(tmp_path, monkeypatch, capsys):
    upstream, repo = _pr_clone(tmp_path)
    base_sha = git(repo, "rev-parse", "origin/main")
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setenv("CI_MERGE_REQUEST_DIFF_BASE_SHA", base_sha)
    monkeypatch.setenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
    change, _ = compute_change(str(repo), None, None)
    assert (change.base_sha, change.base_source) == (base_sha, "CI_MERGE_REQUEST_DIFF_BASE_SHA")
    assert "warning" not in capsys.readouterr().err


# --- shallow clones -------------------------------------------------------------------------


def _long_history(tmp_path, n=30):
    upstream = make_repo(tmp_path / "up", {"a.py": "0\n"})
    for i in range(n):
        commit(upstream, {"a.py": f"{i}\n"}, message=f"c{i}")
    git(upstream, "checkout", "-q", "-b", "feat")
    for i in range(5):
        commit(upstream, {"job.py": f"{i}\n"}, message=f"f{i}")
    git(upstream, "checkout", "-q", "main")
    for i in range(3):
        commit(upstream, {"later.py": f"{i}\n"}, message=f"m{i}")
    return upstream


@pytest.mark.parametrize("back, said", [(101, True), (100, False)])
def test_a_base_given_far_back_is_said(tmp_path, capsys, back, said):
    # thunderbird (a new user's trial, session 38): `--base` at a commit 406 back scanned them all as
    # the branch's, 1,227 findings, with no word on why.
    repo = make_repo(tmp_path / "r", {"a.py": "0\n"})
    first = git(repo, "rev-parse", "HEAD")
    for i in range(back):
        git(repo, "commit", "-q", "--allow-empty", "-m", f"c{i}")
    change, _ = compute_change(str(repo), first, None)
    err = capsys.readouterr().err
    assert (f"the change holds {back} commits since the base {first}" in err) == said, err
    assert change.merge_base == first


def test_shallow_clone_is_deepened_from_its_remote(tmp_path):
    upstream = _long_history(tmp_path)
    repo = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth=1", "--no-single-branch", f"file://{upstream}", str(repo))
    git(repo, "checkout", "-q", "feat")
    assert git(repo, "rev-parse", "--is-shallow-repository") == "true"
    change, _ = compute_change(str(repo), "origin/main", None)
    assert [f.path for f in change.files] == ["job.py"]


def test_shallow_clone_without_remote_says_how_to_fetch(tmp_path):
    upstream = _long_history(tmp_path)
    repo = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth=1", "--no-single-branch", f"file://{upstream}", str(repo))
    git(repo, "checkout", "-q", "feat")
    git(repo, "branch", "main-copy", "origin/main")
    git(repo, "remote", "remove", "origin")
    with pytest.raises(GitError, match="fetch-depth: 0") as info:
        compute_change(str(repo), "main-copy", None)
    assert "GIT_DEPTH: 0" in info.value.message and "no remote" in info.value.message


def test_the_fetch_a_missing_base_names_works_in_a_single_branch_clone(tmp_path):
    # netbird (a new user's trial, session 35): the hint `git fetch origin main` brings no
    # `origin/main` into a single-branch clone; the command the message names must.
    import re
    import shlex

    upstream = _long_history(tmp_path)
    repo = tmp_path / "single"
    git(tmp_path, "clone", "-q", "--depth=1", "--single-branch", "--branch", "feat", f"file://{upstream}", str(repo))
    git(repo, "remote", "set-url", "origin", str(tmp_path / "unreachable"))  # the automatic fetch fails
    with pytest.raises(GitError) as info:
        compute_change(str(repo), "origin/main", None)
    command = re.search(r"`(git fetch [^`]+)`", info.value.message).group(1)
    git(repo, "remote", "set-url", "origin", f"file://{upstream}")
    git(repo, *shlex.split(command)[1:])
    assert git(repo, "rev-parse", "--verify", "--quiet", "origin/main", check=False) == git(upstream, "rev-parse", "main")


@pytest.mark.parametrize("spelled", ["upstream/main", "refs/remotes/upstream/main"])
@pytest.mark.parametrize("added", [True, False])
def test_the_fetch_hint_for_another_remote_s_branch_names_that_remote(tmp_path, added, spelled):
    # plots2 (a new user's trial, session 38): `--base upstream/main` was hinted as
    # `git fetch origin upstream/main:…`, a branch `upstream/main` of origin. Added as a remote,
    # the command named brings `upstream/main`; not added, the message says to add it.
    import re
    import shlex

    upstream = _long_history(tmp_path)
    repo = tmp_path / "single"
    git(tmp_path, "clone", "-q", "--depth=1", "--single-branch", "--branch", "feat", f"file://{upstream}", str(repo))
    if added:
        git(repo, "remote", "add", "upstream", str(tmp_path / "unreachable"))  # the automatic fetch fails
    with pytest.raises(GitError) as info:
        compute_change(str(repo), spelled, None)
    commands = re.findall(r"`(git (?:fetch|remote add) [^`]+)`", info.value.message)
    assert commands[0].startswith("git fetch upstream main:refs/remotes/upstream/main" if added else "git fetch origin"), commands
    if added:
        git(repo, "remote", "set-url", "upstream", f"file://{upstream}")
        git(repo, *shlex.split(commands[0])[1:])
        assert git(repo, "rev-parse", "--verify", "--quiet", "upstream/main", check=False) == git(upstream, "rev-parse", "main")
    else:
        assert commands[1:] == ["git remote add upstream URL", "git fetch upstream main"], commands


def test_missing_base_ref_is_fetched_when_a_remote_has_it(tmp_path):
    upstream = _long_history(tmp_path)
    repo = tmp_path / "single"
    git(tmp_path, "clone", "-q", "--single-branch", "--branch", "feat", f"file://{upstream}", str(repo))
    assert git(repo, "rev-parse", "--verify", "--quiet", "origin/main", check=False) == ""
    change, _ = compute_change(str(repo), "origin/main", None)
    assert [f.path for f in change.files] == ["job.py"]


def test_a_commit_id_is_fetched_only_when_it_is_whole(tmp_path):
    # New-user trial, session 10: `--base deadbeef` made deploycheck try `git fetch origin
    # deadbeef`, which can never bring a commit (a remote sends one by its full id only; git asks
    # it for a ref of that name). An abbreviation that is no object here exits 2 at once, saying
    # nothing was fetched and why; a full id is still fetched, as a CI's base sha in a shallow
    # clone needs.
    upstream = _long_history(tmp_path)
    repo = tmp_path / "single"
    git(tmp_path, "clone", "-q", "--single-branch", "--branch", "feat", f"file://{upstream}", str(repo))
    main = git(upstream, "rev-parse", "main")
    assert git(repo, "cat-file", "-e", main, check=False) == "" and git(repo, "rev-parse", "--verify", "-q", main[:12], check=False) == ""
    trace = tmp_path / "trace"
    env = {**os.environ, "GIT_TRACE": str(trace)}
    for short in (main[:12], "deadbeef"):
        proc = run_cli("scan", "--base", short, cwd=repo, env=env)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith(f"deploycheck: error: base revision '{short}' (from --base) does not exist")
        assert "cannot be fetched (git fetches a commit by its full id only), so nothing was fetched" in proc.stderr
        assert "fetching" not in proc.stderr and "git fetch origin" not in proc.stderr
    assert "git fetch" not in trace.read_text() and "rev-parse" in trace.read_text()  # traced, and no fetch
    change, _ = compute_change(str(repo), main, None)
    assert [f.path for f in change.files] == ["job.py"]
    assert git(repo, "cat-file", "-t", main) == "commit"


# --- the CLI boundary -----------------------------------------------------------------------


def run_cli(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "deploycheck", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_scan_json_shape_on_an_empty_rule_hit(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.txt": "a\n"})
    make_branch(repo, "feat", {"a.txt": "b\n"})
    proc = run_cli("scan", "--format", "json", "--base", "main", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc == {
        "version": 1,
        "base": git(repo, "rev-parse", "main"),
        "head": git(repo, "rev-parse", "HEAD"),
        "flagged": False,
        "checklists": [],
        "findings": [],
        "claims": [],  # issue 19: what the title, description or commits claim against the change
    }


def test_errors_exit_2_with_one_paragraph_and_no_traceback(tmp_path):
    proc = run_cli("scan", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("deploycheck: error: ") and "not inside a git repository" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    proc = run_cli("scan", "--format", "xml", cwd=tmp_path)
    assert proc.returncode == 2 and "Invalid value for '--format'" in proc.stderr
    proc = run_cli("frobnicate", cwd=tmp_path)
    assert proc.returncode == 2 and "No such command 'frobnicate'" in proc.stderr


def test_version_and_help():
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("deploycheck ")
    proc = run_cli("--help")
    assert proc.returncode == 0
    for command in ("check", "scan", "verify", "summary", "log", "explain", "rules", "init", "hook", "demo"):
        assert f"  {command} " in proc.stdout


def test_unexpected_exception_is_exit_2_and_traceback_only_with_debug(tmp_path):
    code = (
        "import sys, types\n"
        "mod = types.ModuleType('deploycheck.commands.rules')\n"
        "def run(**kw): raise ZeroDivisionError('boom')\n"
        "mod.run = run\n"
        "sys.modules['deploycheck.commands.rules'] = mod\n"
        "from deploycheck.__main__ import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    plain = subprocess.run([sys.executable, "-c", code, "rules"], capture_output=True, text=True)
    assert plain.returncode == 2
    assert "internal error (ZeroDivisionError: boom)" in plain.stderr and "Traceback" not in plain.stderr
    debug = subprocess.run([sys.executable, "-c", code, "rules", "--debug"], capture_output=True, text=True)
    assert debug.returncode == 2 and "Traceback" in debug.stderr


def test_ctrl_c_exits_130(tmp_path):
    code = (
        "import sys, types\n"
        "mod = types.ModuleType('deploycheck.commands.rules')\n"
        "def run(**kw): raise KeyboardInterrupt\n"
        "mod.run = run\n"
        "sys.modules['deploycheck.commands.rules'] = mod\n"
        "from deploycheck.__main__ import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, "rules"], capture_output=True, text=True)
    assert proc.returncode == 130 and "Traceback" not in proc.stderr
    # Ctrl-C is the user's choice, not an error (a new user read "error" as something gone wrong).
    assert proc.stderr.strip() == "deploycheck: interrupted; nothing was written.", proc.stderr
