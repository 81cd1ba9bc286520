"""Finding the change, as CI and users meet it: the checkout GitHub makes by default, GitLab's
cross-check, contents read from git objects rather than the working tree, the streamed diff,
and the command line's exit 2 for a ref that does not exist. Real repositories, no mocked git."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from support.gitrepo import commit, git, make_branch, make_repo
from support.incident import JOB_BRANCH, JOB_MAIN, MODELS

from deploycheck.git.change import compute_change, diff_args
from deploycheck.git.diffparse import parse_diff, split_sections


def dc(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "deploycheck", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def _upstream_with_pr_merge(tmp_path: Path) -> Path:
    """main with 30 commits, a branch `feat` adding job.py, main one commit further, and the
    merge commit GitHub builds for the pull request at refs/pull/7/merge."""
    up = make_repo(tmp_path / "up", {"a.txt": "0\n"})
    for i in range(30):
        commit(up, {"a.txt": f"{i}\n"}, message=f"c{i}")
    make_branch(up, "feat", {"job.py": "x = 1\n"})
    git(up, "checkout", "-q", "main")
    commit(up, {"later.txt": "later\n"}, message="main moves on")
    git(up, "checkout", "-q", "--detach", "main")
    git(up, "merge", "-q", "--no-ff", "-m", "Merge feat into main", "feat")
    git(up, "update-ref", "refs/pull/7/merge", "HEAD")
    git(up, "checkout", "-q", "main")
    return up


def test_github_default_checkout_depth_1_of_the_merge_ref_is_fetched_and_deepened(tmp_path, monkeypatch, capfd):
    """actions/checkout without `fetch-depth: 0`: one commit (the PR's merge ref), no origin/main."""
    up = _upstream_with_pr_merge(tmp_path)
    ci = tmp_path / "ci"
    git(tmp_path, "init", "-q", str(ci))
    git(ci, "remote", "add", "origin", f"file://{up}")
    git(ci, "fetch", "-q", "--no-tags", "--depth=1", "origin", "+refs/pull/7/merge:refs/remotes/pull/7/merge")
    git(ci, "checkout", "-q", "--detach", "refs/remotes/pull/7/merge")
    assert git(ci, "rev-parse", "--is-shallow-repository") == "true"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    change, _ = compute_change(str(ci), None, None)
    assert (change.base_ref, change.base_source) == ("origin/main", "GITHUB_BASE_REF")
    assert change.merge_base == git(up, "rev-parse", "main")
    assert [f.path for f in change.files] == ["job.py"]
    err = capfd.readouterr().err
    assert "fetching origin/main (not present locally)" in err and "shallow clone, fetching 50 more commits" in err


def test_gitlab_diff_base_sha_not_on_the_target_branch_is_used_with_a_warning(tmp_path, monkeypatch, capfd):
    upstream = make_repo(tmp_path / "up", {"a.py": "a\n"})
    git(upstream, "branch", "release")
    commit(upstream, {"m.py": "m\n"}, message="main only")
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(repo))
    make_branch(repo, "feat", {"a.py": "b\n"})
    diff_base = git(repo, "rev-parse", "origin/main")  # not an ancestor of origin/release
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setenv("CI_MERGE_REQUEST_DIFF_BASE_SHA", diff_base)
    monkeypatch.setenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "release")
    change, _ = compute_change(str(repo), None, None)
    assert (change.base_sha, change.base_source) == (diff_base, "CI_MERGE_REQUEST_DIFF_BASE_SHA")
    assert capfd.readouterr().err == (
        f"deploycheck: warning: CI_MERGE_REQUEST_DIFF_BASE_SHA {diff_base[:12]} is not on origin/release; using it anyway.\n"
    )


def test_contents_come_from_git_objects_not_the_working_tree(tmp_path):
    repo = make_repo(tmp_path / "shop", {"inventory/__init__.py": "", "inventory/models.py": MODELS,
                                         "inventory/jobs.py": JOB_MAIN})
    make_branch(repo, "refactor", {"inventory/jobs.py": JOB_BRANCH})
    (repo / "inventory" / "jobs.py").write_text(JOB_MAIN)  # uncommitted: the safe version again
    proc = dc(repo, "scan", "--base", "main", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["flagged"] and "DC301" in {f["rule"] for f in doc["findings"]}
    git(repo, "checkout", "-q", "-f", "main")
    git(repo, "checkout", "-q", "-b", "clean")
    (repo / "inventory" / "jobs.py").write_text(JOB_BRANCH)  # the hazard, never committed
    doc = json.loads(dc(repo, "scan", "--base", "main", "--format", "json").stdout)
    assert (doc["flagged"], doc["findings"]) == (False, [])


class _CountingStream:
    """A file-like diff that records how much of it was read."""

    def __init__(self, data: bytes) -> None:
        self._data, self.read_bytes = data, 0

    def read(self, size: int) -> bytes:
        chunk = self._data[self.read_bytes : self.read_bytes + size]
        self.read_bytes += len(chunk)
        return chunk


def test_the_diff_is_parsed_as_it_streams(tmp_path):
    # Well over the 1 MiB that the parser reads at a time: 3 MB of changed lines in 30 files.
    files = {f"pkg/m{i:03}.py": "".join(f"value_{j} = {j}\n" for j in range(5000)) for i in range(30)}
    repo = make_repo(tmp_path / "r", files)
    make_branch(repo, "feat", {p: t.replace(" = ", " == ") for p, t in files.items()})
    mb = git(repo, "merge-base", "main", "HEAD")
    out = subprocess.run(["git", *diff_args(mb, "HEAD")], cwd=repo, capture_output=True, check=True).stdout
    stream = _CountingStream(out)
    parsed = parse_diff(stream)
    first = next(parsed)
    assert first.path == "pkg/m000.py" and stream.read_bytes < len(out)
    assert [first.path, *(f.path for f in parsed)] == sorted(files)
    assert stream.read_bytes == len(out)


def test_unknown_base_or_head_on_the_command_line_is_exit_2_naming_it(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.py": "a\n"})
    for args, name in ((("--base", "no-such-branch"), "base revision 'no-such-branch' (from --base)"),
                       (("--head", "no-such-head"), "head revision 'no-such-head' does not exist")):
        proc = dc(repo, "scan", *args)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.startswith(f"deploycheck: error: {name}") and proc.stderr.count("\n") == 1
        assert "Traceback" not in proc.stderr


def test_configuration_passed_in_the_environment_changes_nothing(tmp_path, monkeypatch):
    """GIT_CONFIG_COUNT/KEY/VALUE (git 2.31+) is configuration a CI runner or a wrapper can set
    for every git process; the pinned diff must not follow it either."""
    repo = make_repo(tmp_path / "r", {"app.py": "def f():\n    return 1\n\n\ndef g():\n    return 2\n", "t é.py": "x\n"})
    make_branch(repo, "feat", {"app.py": "def f():\n    return 1\n\n\ndef h():\n    return 3\n\n\ndef g():\n    return 2\n",
                               "t é.py": "y\n"})
    clean = compute_change(str(repo), "main", None)[0].files
    settings = [("diff.external", "false"), ("diff.noprefix", "true"), ("color.ui", "always"),
                ("diff.algorithm", "histogram"), ("core.quotepath", "true"), ("diff.context", "5"),
                ("diff.mnemonicPrefix", "true"), ("diff.renames", "copies")]
    monkeypatch.setenv("GIT_CONFIG_COUNT", str(len(settings)))
    for i, (key, value) in enumerate(settings):
        monkeypatch.setenv(f"GIT_CONFIG_KEY_{i}", key)
        monkeypatch.setenv(f"GIT_CONFIG_VALUE_{i}", value)
    seen = subprocess.run(["git", "config", "diff.noprefix"], cwd=repo, capture_output=True, text=True).stdout
    assert seen == "true\n"  # git itself does read it
    assert compute_change(str(repo), "main", None)[0].files == clean
    assert sorted(f.path for f in clean) == ["app.py", "t é.py"]


class _Trickle(io.RawIOBase):
    """git's stdout as a pipe may deliver it: ``size`` bytes per read, whatever was asked."""

    def __init__(self, data: bytes, size: int) -> None:
        self._data, self._size, self._at = data, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(self._size, len(buffer), len(self._data) - self._at)
        buffer[:n] = self._data[self._at : self._at + n]
        self._at += n
        return n


def test_sections_are_the_same_however_the_diff_arrives(tmp_path):
    # The parser takes what the pipe holds (read1): a header split over two reads, or read one
    # byte at a time, must give the same files as the whole diff at once.
    files = {f"pkg/m{i}.py": f"a = {i}\nb = {i}\n" for i in range(12)}
    files["odd name é.txt"] = "b = é\n"
    repo = make_repo(tmp_path / "r", files)
    make_branch(repo, "feat", {p: t.replace("b =", "c =") for p, t in files.items()})
    mb = git(repo, "merge-base", "main", "HEAD")
    out = subprocess.run(["git", *diff_args(mb, "HEAD")], cwd=repo, capture_output=True, check=True).stdout
    whole = list(split_sections(io.BytesIO(out)))
    assert len(whole) == len(files)
    for size in (1, 2, 3, 7, 11, 12, 13, 64, 1000):
        assert list(split_sections(io.BufferedReader(_Trickle(out, size), buffer_size=size))) == whole, size
