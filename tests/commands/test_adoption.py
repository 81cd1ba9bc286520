"""Adoption without friction (issue 18): a real repository, a real terminal, a real CI.

Each test sets up what a team really has (a `.*` ignore rule, an unpushed main, a pipeline with
its own stages...) in a real git repository and runs the real command.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support.dcflow import BRANCH_JOB, MAIN_JOB, Project, git_env, make_project, run_dc
from support.gitrepo import commit, git, make_repo
from support.ptydrive import Terminal

from deploycheck import __version__, install_source
from deploycheck.commands import init

from support.ptydrive import Q_SHARED, Q_SEQUENTIAL, Q_TESTED, Q_ROLLBACK, DETAILS, ANSWER, MORE, SIGN  # noqa: E402 - the walkthrough's prompts
TEST_PATH = "tests/test_inventory_concurrency.py"


def flagged(tmp_path: Path, main_files: dict[str, str] | None = None) -> Project:
    p = make_project(tmp_path, {"inventory/jobs.py": MAIN_JOB, **(main_files or {})})
    git(p.repo, "checkout", "-q", "-b", "feature")
    commit(p.repo, {"inventory/jobs.py": BRANCH_JOB, TEST_PATH: "def test_two_workers():\n    pass\n"}, message="Refactor")
    return p


def ignore_dotfiles(p: Project) -> None:
    """The common `.*` rule, committed on main before the branch."""
    git(p.repo, "checkout", "-q", "main")
    (p.repo / ".gitignore").write_text(".*\n!.gitignore\n")
    git(p.repo, "add", ".gitignore")
    git(p.repo, "commit", "-q", "-m", "ignore dotfiles")
    git(p.repo, "push", "-q", "origin", "main")
    git(p.repo, "checkout", "-q", "feature")
    git(p.repo, "rebase", "-q", "main")


def term(p: Project, *args: str, columns: int = 100) -> Terminal:
    env = git_env()
    env.update(COLUMNS=str(columns), NO_COLOR="1", TERM="xterm")
    return Terminal(["--key", str(p.key), *args], p.repo, env, columns=columns)


def answer_all(t: Terminal, rollback: str = "Two workers at once sell stock twice.") -> str:
    shown = t.answer(Q_SHARED, "yes")
    t.answer(DETAILS, "Product.stock")
    t.answer(Q_SEQUENTIAL, "yes")
    t.answer(DETAILS, "a row lock comes next")
    t.answer(Q_TESTED, "yes")
    t.answer(DETAILS, TEST_PATH)
    t.answer(Q_ROLLBACK, "yes")
    for line in rollback.split("\n"):
        t.answer(ANSWER if line == rollback.split("\n")[0] else MORE, line)
    t.answer(MORE, ".")
    t.answer(SIGN, "y")
    return shown


# --- 1. repositories that ignore dotfiles ---------------------------------------------------------


def test_dotfile_ignoring_repo_is_told_before_the_first_question_and_the_record_is_staged(tmp_path: Path) -> None:
    p = flagged(tmp_path)
    ignore_dotfiles(p)
    t = term(p)
    shown = answer_all(t)
    assert t.wait() == 0, t.text
    before_question = shown.replace("\n", " ")
    assert "git add --force" in before_question and ".gitignore:1: .*" in before_question
    staged = git(p.repo, "diff", "--cached", "--name-only").split()
    assert len(staged) == 1 and staged[0].startswith(".deploycheck/records/")
    git(p.repo, "commit", "-q", "-m", "record")
    assert run_dc(p.repo, "verify").returncode == 0


def test_a_failure_after_the_answers_keeps_them_in_a_draft_and_says_how_to_resume(tmp_path: Path) -> None:
    p = flagged(tmp_path)
    (p.repo / ".deploycheck" / "records").write_text("not a folder\n")  # writing the record fails
    t = term(p)
    answer_all(t)
    assert t.wait() == 2
    text = " ".join(t.text.split())
    assert "cannot write the record" in text
    assert "Your answers are kept in the draft" in text and "run `deploycheck` again to resume" in text
    assert (p.repo / ".git" / "deploycheck" / "drafts" / "feature.yaml").is_file()


def test_init_in_a_dotfile_ignoring_repo_prints_a_git_add_that_works(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".gitignore": ".*\n"})
    proc = run_dc(repo, "init", "--ci", "gitlab", "--pre-commit", "--pr-template")
    assert proc.returncode == 0, proc.stderr
    (add,) = [line.strip() for line in proc.stdout.splitlines() if line.strip().startswith("git add")]
    assert add.startswith("git add --force .deploycheck/config.yaml .deploycheck/allowed_signers .gitlab-ci.yml")
    assert "meant to be tracked" in proc.stdout
    subprocess.run(add, shell=True, cwd=repo, env=git_env(), check=True)
    tracked = git(repo, "ls-files").split()
    assert {".deploycheck/config.yaml", ".gitlab-ci.yml", ".pre-commit-config.yaml",
            ".gitlab/merge_request_templates/Default.md"} <= set(tracked)


# --- 2. install lines that exist ------------------------------------------------------------------


@pytest.mark.parametrize("direct_url, expected", [
    (None, ("index", f"deploycheck=={__version__}")),
    ({"url": "https://github.com/acme/deploycheck", "vcs_info": {"vcs": "git", "commit_id": "a" * 40, "requested_revision": "main"}},
     ("vcs", f"deploycheck @ git+https://github.com/acme/deploycheck@{'a' * 40}")),
    ({"url": "file:///home/me/deploycheck", "dir_info": {"editable": True}}, ("local", "deploycheck @ file:///home/me/deploycheck")),
    ({"url": "https://files.acme/deploycheck-0.1.0-py3-none-any.whl", "archive_info": {"hash": "sha256=" + "b" * 64}},
     ("archive", "deploycheck @ https://files.acme/deploycheck-0.1.0-py3-none-any.whl#sha256=" + "b" * 64)),
])
def test_install_source_is_derived_from_pep_610_and_pinned(direct_url: dict | None, expected: tuple[str, str]) -> None:
    source = install_source.from_direct_url(direct_url, __version__)
    assert (source.kind, source.spec) == expected
    assert install_source.is_pinned(source.spec)


@pytest.mark.parametrize("spec, pinned", [
    ("deploycheck", False), ("deploycheck>=0.1", False), ("deploycheck @ git+https://h/o/deploycheck", False),
    ("deploycheck==0.1.0", True), ("deploycheck @ git+https://h/o/deploycheck@0123abc", True),
    ('deploycheck==0.1.0"; rm -rf /', False),
])
def test_only_pinned_install_specs_are_accepted(spec: str, pinned: bool) -> None:
    assert install_source.is_pinned(spec) is pinned


def _install_lines(text: str) -> list[str]:
    # A third-party action pinned by full commit id resolves as written (tests/test_ci_action.py
    # checks every `uses:`); any other `uses:` or `rev:` would name a tag.
    return [line for line in text.splitlines() if "pip install" in line or "PIP_SPEC:" in line
            or (re.search(r"^\s*(rev|uses):", line) and not re.search(r"uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40}\s", line))]


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_every_install_line_init_writes_resolves(tmp_path: Path, ci: str) -> None:
    """This checkout is installed from a local folder: init says so and writes that folder, which
    exists; with --install-spec the given pinned spec is written; nothing names a tag or release
    that does not exist, and nothing is unpinned."""
    repo = make_repo(tmp_path / "repo")
    proc = run_dc(repo, "init", "--ci", ci, "--pre-commit", "--pr-template")
    assert proc.returncode == 0, proc.stderr
    written = "\n".join(p.read_text() for p in repo.rglob("*") if p.is_file() and ".git/" not in str(p) + "/" and p.suffix in (".yml", ".yaml", ".md"))
    here = install_source.current(__version__)
    assert here.kind == "local"  # the test environment installs this checkout (pip install -e)
    assert Path(here.where).is_dir()
    assert "local install" in proc.stdout and "Replace it" in proc.stdout
    lines = _install_lines(written) + _install_lines(proc.stdout)
    assert lines and not any(re.search(r"rev:|uses:|==0\.1\.0|@v\d", line) for line in lines), lines
    assert all(here.spec in line or "$DEPLOYCHECK_PIP_SPEC" in line for line in _install_lines(written)), lines
    from packaging.requirements import Requirement

    requirement = Requirement(here.spec)  # what pip parses: a name and a URL pointing at this checkout
    assert requirement.name == "deploycheck" and requirement.url and Path(requirement.url[len("file://"):], "pyproject.toml").is_file()
    pre = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    assert pre["repos"][0]["repo"] == "local"
    assert {h["language"] for h in pre["repos"][0]["hooks"]} == {"system"}

    spec = "deploycheck @ git+https://example.com/acme/deploycheck@" + "c" * 40
    other = make_repo(tmp_path / "other")
    proc = run_dc(other, "init", "--ci", ci, "--install-spec", spec)
    assert proc.returncode == 0, proc.stderr
    path = other / (init.GITHUB_WORKFLOW if ci == "github" else init.GITLAB_CI)
    assert f'"{spec}"' in path.read_text()
    assert "as given by --install-spec" in proc.stdout

    refused = run_dc(make_repo(tmp_path / "third"), "init", "--ci", ci, "--install-spec", "deploycheck")
    assert refused.returncode == 2 and "is not pinned" in refused.stderr


def test_the_local_pre_commit_hook_runs_under_real_pre_commit(tmp_path: Path) -> None:
    p = flagged(tmp_path)
    git(p.repo, "checkout", "-q", "main")
    assert run_dc(p.repo, "init", "--pre-commit").returncode == 0
    git(p.repo, "add", ".")
    git(p.repo, "commit", "-q", "-m", "set up")
    git(p.repo, "checkout", "-q", "feature")
    git(p.repo, "rebase", "-q", "main")
    env = {**git_env(), "PRE_COMMIT_HOME": str(tmp_path / "pc"), "PRE_COMMIT_COLOR": "never",
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--hook-stage", "pre-push", "--all-files"],
                          cwd=p.repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 1, proc.stdout
    assert "deploycheck (block a flagged push without a valid record)" in proc.stdout and "Failed" in proc.stdout


# --- 6. pre-commit scope ----------------------------------------------------------------------------


def test_pre_commit_merge_keeps_existing_hooks_at_commit_and_advises_the_push_hook_only(tmp_path: Path) -> None:
    existing = "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n"
    repo = make_repo(tmp_path / "repo", {".pre-commit-config.yaml": existing})
    proc = run_dc(repo, "init", "--pre-commit")
    assert proc.returncode == 0, proc.stderr
    data = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    assert data["default_stages"] == ["pre-commit"]
    ours = data["repos"][1]["hooks"]
    assert [(h["id"], h["stages"]) for h in ours] == [("deploycheck", ["pre-push"]), ("deploycheck-warn", ["pre-commit"])]
    assert "     pre-commit install --hook-type pre-push" in proc.stdout.splitlines()
    assert "--hook-type pre-commit" not in proc.stdout
    assert "keeps your other hooks at commit" in proc.stdout
    validated = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(repo / ".pre-commit-config.yaml")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert validated.returncode == 0, validated.stdout


# --- 7. GitLab --------------------------------------------------------------------------------------


def test_gitlab_job_uses_an_existing_stage_and_the_template_is_a_merge_request_template(tmp_path: Path) -> None:
    existing = "stages: [build, deploy]\n\nbuild:\n  stage: build\n  script: [make]\n"
    repo = make_repo(tmp_path / "repo", {".gitlab-ci.yml": existing})
    proc = run_dc(repo, "init", "--pr-template", "--ci", "gitlab")
    assert proc.returncode == 0, proc.stderr
    data = yaml.safe_load((repo / ".gitlab-ci.yml").read_text())
    assert data["deploycheck"]["stage"] in data["stages"]
    assert (repo / ".gitlab/merge_request_templates/Default.md").is_file()
    assert not (repo / ".github").exists()
    # a GitLab project is recognised by its pipeline file too
    other = make_repo(tmp_path / "other", {".gitlab-ci.yml": existing})
    assert run_dc(other, "init", "--pr-template").returncode == 0
    assert (other / ".gitlab/merge_request_templates/Default.md").is_file()


# --- 3. base resolution surprises -------------------------------------------------------------------


def _clone_with_unpushed_main(tmp_path: Path) -> Path:
    p = flagged(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(p.remote), str(clone))  # origin/HEAD -> origin/main, as in every clone
    commit(clone, {".deploycheck/config.yaml": "# set up\n"}, message="Set up deploycheck")  # not pushed
    git(clone, "checkout", "-q", "-b", "feature")
    commit(clone, {"inventory/jobs.py": BRANCH_JOB}, message="Refactor")
    return clone


def test_a_local_main_ahead_of_origin_main_is_named_with_the_fix(tmp_path: Path) -> None:
    clone = _clone_with_unpushed_main(tmp_path)
    proc = run_dc(clone, "scan")
    assert proc.returncode == 0, proc.stderr
    assert ("the base is origin/main (origin/HEAD), and your local main is 1 commit ahead of it (not pushed)" in proc.stderr)
    assert "`git push origin main`" in proc.stderr and "`--base main`" in proc.stderr
    assert "ahead" not in run_dc(clone, "scan", "--base", "main").stderr
    git(clone, "push", "-q", "origin", "main")
    assert "ahead" not in run_dc(clone, "scan").stderr


def test_a_branch_of_an_integration_branch_is_told_which_base_leaves_its_own_commits(tmp_path: Path) -> None:
    # A new user's trial (session 27): umami's pull requests target `dev`, 192 commits ahead of
    # `master`; a branch from origin/dev checked against the default base gave 253 findings.
    p = flagged(tmp_path)
    git(p.repo, "checkout", "-q", "main")
    git(p.repo, "checkout", "-q", "-b", "dev")
    for i in range(21):
        commit(p.repo, {f"notes/{i}.txt": f"{i}\n"}, message=f"dev work {i}")
    git(p.repo, "push", "-q", "origin", "dev")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(p.remote), str(clone))
    git(clone, "checkout", "-q", "-b", "feature", "origin/dev")
    commit(clone, {"inventory/jobs.py": BRANCH_JOB}, message="Refactor")
    note = ("the change holds 22 commits since the base origin/main (origin/HEAD), and origin/dev would leave 1: "
            "if your pull request targets dev, compare with it: `--base origin/dev`.")
    assert note in run_dc(clone, "scan").stderr
    assert "would leave" not in run_dc(clone, "scan", "--base", "origin/dev").stderr
    git(clone, "checkout", "-q", "-b", "small", "origin/main")
    commit(clone, {"inventory/jobs.py": BRANCH_JOB}, message="Refactor")
    assert "would leave" not in run_dc(clone, "scan").stderr  # a few commits: nothing to say


def test_a_mistyped_base_suggests_the_branch(tmp_path: Path) -> None:
    p = flagged(tmp_path)
    proc = run_dc(p.repo, "scan", "--base", "mian")
    assert proc.returncode == 2
    assert "Did you mean `main`?" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert "Did you mean" not in run_dc(p.repo, "scan", "--base", "zzzzzz").stderr


def test_a_mistyped_base_never_suggests_a_branch_holding_the_change(tmp_path: Path) -> None:
    # A new user's trial (session 27): `GITHUB_BASE_REF=base-unread` missing suggested
    # `origin/unread`, the pull request's own head; as the base it leaves nothing to check.
    p = flagged(tmp_path)
    git(p.repo, "branch", "feature-copy")
    assert "Did you mean" not in run_dc(p.repo, "scan", "--base", "featur").stderr
    git(p.repo, "branch", "featurette", "main")  # a branch without the change is still offered
    assert "Did you mean `featurette`?" in run_dc(p.repo, "scan", "--base", "featur").stderr


def test_scan_says_when_it_fetches_the_base(tmp_path: Path) -> None:
    p = flagged(tmp_path)
    git(p.repo, "push", "-q", "origin", "main:release")
    git(p.repo, "update-ref", "-d", "refs/remotes/origin/release")  # on the remote, not fetched here
    proc = run_dc(p.repo, "scan", "--base", "origin/release")
    assert proc.returncode == 0, proc.stderr
    assert "deploycheck: fetching origin/release (not present locally)" in proc.stderr


# --- 5. multi-line answers in the PR block ----------------------------------------------------------

MULTILINE_ANSWERS = """\
shared-state: {answer: "yes", details: "decrements inventory.Product.stock"}
sequential-assumption: {answer: "yes", details: "read-modify-write of stock"}
concurrency-tested: {answer: "yes", details: "tests/test_inventory_concurrency.py"}
rollback-safe: "yes"
silent-failure: |
  Two workers reserve the same product.
  Both read 100 and write 99.
"""


def test_multi_line_answers_are_markdown_line_breaks_in_the_pr_block(tmp_path: Path) -> None:
    p = make_project(tmp_path)
    p.flagged_branch()
    answers = tmp_path / "answers.yaml"
    answers.write_text(MULTILINE_ANSWERS)
    proc = run_dc(p.repo, "check", "--answers", str(answers), "--yes", "--key", str(p.key))
    assert proc.returncode == 0, proc.stderr
    git(p.repo, "commit", "-q", "-m", "record")
    for text in (proc.stdout, run_dc(p.repo, "summary").stdout):
        assert "\\n" not in text, text
        assert "Two workers reserve the same product.\\\n  Both read 100 and write 99." in text, text
    plain = run_dc(p.repo, "summary", "--format", "text").stdout
    assert "Two workers reserve the same product.\n    Both read 100 and write 99." in plain


def test_a_multi_line_answer_typed_at_the_terminal_is_a_line_break_in_the_block(tmp_path: Path) -> None:
    p = flagged(tmp_path)
    t = term(p)
    answer_all(t, rollback="Two workers reserve the same product.\nBoth read 100 and write 99.")
    assert t.wait() == 0, t.text
    assert "Two workers reserve the same product.\\\n  Both read 100 and write 99." in t.text
    assert "product.\\nBoth" not in t.text


# --- 8. no hard wrapping in pipes and CI logs -------------------------------------------------------


def test_output_to_a_pipe_is_not_wrapped(tmp_path: Path) -> None:
    p = make_project(tmp_path)
    p.flagged_branch()
    env = {k: v for k, v in git_env().items() if k != "COLUMNS"}
    verify = subprocess.run([sys.executable, "-m", "deploycheck", "verify"], cwd=p.repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert verify.returncode == 1
    lines = verify.stdout.splitlines()
    assert "  [missing-record] this change is flagged (1 file: inventory/jobs.py) and adds no deploycheck record." in lines
    assert "      fix: Run `deploycheck` on this branch, answer the checklist, and commit the record it writes." in lines
    envs = subprocess.run([sys.executable, "-m", "deploycheck", "envs"], cwd=p.repo, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    example = envs.stdout[envs.stdout.index("environments:"):]
    assert yaml.safe_load(example)["environments"]["production"]["workers"] == [
        "deploy/values-prod.yaml#worker.replicas", "deploy/values-prod.yaml#worker.concurrency"]


def test_envs_example_stays_valid_yaml_in_a_narrow_terminal(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"README.md": "x\n"})
    env = git_env()
    env.update(NO_COLOR="1", TERM="xterm")
    env.pop("COLUMNS", None)
    t = Terminal(["envs"], repo, env, columns=60)
    assert t.wait() == 0
    text = t.text
    example = text[text.index("environments:"):]
    # the terminal folds long lines visually; the program itself writes them whole
    assert "    workers: [deploy/values-prod.yaml#worker.replicas, deploy/values-prod.yaml#worker.concurrency]" in t.raw.decode().replace("\r\n", "\n")
    assert example.startswith("environments:\n  staging:\n")


# --- 9. a passphrase key without a terminal ---------------------------------------------------------


def test_a_passphrase_key_without_a_terminal_says_so_and_how_to_use_ssh_agent(tmp_path: Path) -> None:
    p = make_project(tmp_path)
    p.flagged_branch()
    key = tmp_path / "keys" / "locked"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret phrase", "-C", "dev@example.com", "-f", str(key)],
                   check=True, stdout=subprocess.DEVNULL)
    env = {k: v for k, v in git_env().items() if k not in ("SSH_AUTH_SOCK", "SSH_ASKPASS", "SSH_ASKPASS_REQUIRE", "DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run(
        [sys.executable, "-m", "deploycheck", "check", "--answers", str(p.write_answers()), "--yes", "--key", str(key)],
        cwd=p.repo, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # no controlling terminal, as in a hook run by a GUI client or CI
    )
    assert proc.returncode == 2, proc.stderr
    assert "was wrong" not in proc.stderr
    assert "no terminal was available" in proc.stderr and "ssh-add" in proc.stderr and "ssh-agent" in proc.stderr


# --- 10. the demo cleans up on SIGHUP and SIGTERM ---------------------------------------------------


@pytest.mark.parametrize("how", ["SIGTERM", "close the terminal"])
def test_the_demo_removes_its_key_when_stopped_by_a_signal(tmp_path: Path, how: str) -> None:
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    env = dict(os.environ, TMPDIR=str(tmpdir), COLUMNS="200", NO_COLOR="1", TERM="xterm")
    t = Terminal(["demo"], tmp_path, env)
    try:
        t.expect("Does this job touch shared state?")  # at the walkthrough: the key exists now
        keys = [p for p in tmpdir.rglob("demo_ed25519") if p.is_file()]
        assert keys, sorted(tmpdir.rglob("*"))
        if how == "SIGTERM":
            os.kill(t.pid, signal.SIGTERM)
            status = t.wait()
            expected = 128 + signal.SIGTERM
            t.expect("demo stopped by SIGTERM; its temporary folder and key were removed.")
        else:
            os.close(t.fd)  # the kernel sends SIGHUP to the terminal's session
            t.status = os.waitstatus_to_exitcode(os.waitpid(t.pid, 0)[1])
            status, expected = t.status, 128 + signal.SIGHUP
    finally:
        t.close()
    assert status == expected, t.text
    assert list(tmpdir.iterdir()) == []


# --- 11. smaller things -----------------------------------------------------------------------------


def test_check_and_scan_do_not_ask_to_assess_what_is_being_or_was_assessed(tmp_path: Path) -> None:
    p = make_project(tmp_path)
    p.flagged_branch()
    assert "Run `deploycheck` to assess." in run_dc(p.repo, "scan").stdout
    assessed = p.assess()
    assert assessed.returncode == 0, assessed.stderr
    assert "Run `deploycheck` to assess." not in assessed.stdout
    summary = run_dc(p.repo, "summary")  # written and staged, not committed yet
    assert "(not answered)" not in summary.stdout
    assert "(record not committed yet)" in summary.stdout
    said = " ".join(summary.stderr.split())
    assert "is not committed yet" in said and "commit it, then run `deploycheck summary` again" in said
    git(p.repo, "commit", "-q", "-m", "record")
    scan = run_dc(p.repo, "scan")
    assert "Run `deploycheck` to assess." not in scan.stdout
    assert "A valid record covers it: .deploycheck/records/" in scan.stdout
    assert "(not answered)" not in run_dc(p.repo, "summary").stdout


def test_check_with_uncommitted_edits_to_a_flagged_file_does_not_say_nothing_to_do(tmp_path: Path) -> None:
    p = make_project(tmp_path)
    p.flagged_branch()
    assert p.assess().returncode == 0
    git(p.repo, "commit", "-q", "-m", "record")
    job = p.repo / "inventory" / "jobs.py"
    job.write_text(job.read_text() + "\n# more work\n")
    proc = run_dc(p.repo, "check", "--key", str(p.key))
    assert proc.returncode == 0, proc.stderr
    assert "Nothing to do" not in proc.stdout
    assert "uncommitted edits to inventory/jobs.py: commit them, then run deploycheck again" in proc.stdout


@pytest.mark.parametrize("state", ["recorded", "nothing flagged"])
def test_check_with_a_missing_answers_file_is_an_error_whatever_the_change(tmp_path: Path, state: str) -> None:
    # thelounge's trial (session 36): `--answers nonexist.yaml --yes` exited 0 beside a valid record.
    p = make_project(tmp_path)
    if state == "recorded":
        p.flagged_branch()
        assert p.assess().returncode == 0
        git(p.repo, "commit", "-q", "-m", "record")
    proc = run_dc(p.repo, "check", "--answers", "nonexist.yaml", "--yes", "--key", str(p.key))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "cannot read the answers file nonexist.yaml" in proc.stderr and "Traceback" not in proc.stderr


def test_hook_uninstall_removes_only_deploycheck_hooks_and_restores_the_replaced_one(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    hooks = repo / ".git" / "hooks"
    (hooks / "pre-push").write_text("#!/bin/sh\necho mine\n")
    assert run_dc(repo, "hook", "install", "--force").returncode == 0
    assert run_dc(repo, "hook", "install", "--stage", "pre-commit").returncode == 0
    proc = run_dc(repo, "hook", "uninstall")
    assert proc.returncode == 0, proc.stderr
    assert (hooks / "pre-push").read_text() == "#!/bin/sh\necho mine\n"
    assert not (hooks / "pre-commit").exists()
    assert not list(hooks.glob("*.deploycheck-backup*"))
    again = run_dc(repo, "hook", "uninstall", "--stage", "pre-push")
    assert "is not deploycheck's hook; left as it is" in again.stdout
    assert (hooks / "pre-push").read_text() == "#!/bin/sh\necho mine\n"


def test_init_dry_run_prints_what_it_would_write_and_writes_nothing(tmp_path: Path) -> None:
    existing = "stages: [build]\nbuild:\n  stage: build\n  script: [make]\n"
    repo = make_repo(tmp_path / "repo", {".gitlab-ci.yml": existing})
    before = sorted(str(p) for p in repo.rglob("*") if ".git/" not in str(p) + "/")
    proc = run_dc(repo, "init", "--dry-run", "--ci", "gitlab", "--pre-commit", "--pr-template")
    assert proc.returncode == 0, proc.stderr
    assert sorted(str(p) for p in repo.rglob("*") if ".git/" not in str(p) + "/") == before
    assert (repo / ".gitlab-ci.yml").read_text() == existing
    assert "would be created  .deploycheck/config.yaml" in proc.stdout
    assert "would be updated  .gitlab-ci.yml" in proc.stdout
    assert "--- .pre-commit-config.yaml (as it would be written)" in proc.stdout
    assert "  stage: build   # the pipeline has no `test` stage" in proc.stdout
    assert "Dry run: nothing was written." in proc.stdout


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_init_dry_run_says_the_ci_install_line_is_a_local_path_before_it_is_written(tmp_path: Path, ci: str) -> None:
    """The preview is when --install-spec can still be chosen (init never overwrites the CI file
    afterwards): it must say, as the real run does, that the install line names a folder that
    exists only on this machine (new-user trial, session 15)."""
    repo = make_repo(tmp_path / "repo")
    proc = run_dc(repo, "init", "--dry-run", "--ci", ci)
    assert proc.returncode == 0, proc.stderr
    said = " ".join(proc.stdout.split())
    assert "This deploycheck is a local install" in said and "exists only on this machine" in said
    assert "--install-spec" in said
    assert said.index("exists only on this machine") < said.index("Dry run: nothing was written.")
    assert not (repo / ".deploycheck").exists()


def test_the_gitlab_include_never_installs_an_unpinned_deploycheck(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    job = yaml.safe_load((root / "ci/gitlab/deploycheck.gitlab-ci.yml").read_text())["deploycheck"]
    install = job["script"][0].replace("python -I -m pip install --quiet", "echo")
    env = {k: v for k, v in os.environ.items() if k != "DEPLOYCHECK_PIP_SPEC"}
    unset = subprocess.run(["sh", "-c", install], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert unset.returncode != 0 and "set DEPLOYCHECK_PIP_SPEC to a pinned install" in unset.stderr
    pinned = subprocess.run(["sh", "-c", install], env={**env, "DEPLOYCHECK_PIP_SPEC": "deploycheck==0.1.0"},
                            stdout=subprocess.PIPE, text=True)
    assert pinned.stdout == "deploycheck==0.1.0\n"


def test_an_install_spec_that_could_inject_into_the_ci_files_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    proc = run_dc(repo, "init", "--ci", "github", "--install-spec", "deploycheck==1.0 ${{ github.token }}")
    assert proc.returncode == 2
    assert "cannot be written safely into the CI files" in proc.stderr
    assert not (repo / ".github").exists()


UNCOMMITTED = (
    "deploycheck: warning: uncommitted edits to {} are not part of this result: deploycheck reads commits, and a "
    "record binds to committed content. Commit them first, then run deploycheck again."
)


def test_scan_check_and_verify_say_when_edits_are_not_committed(tmp_path: Path) -> None:
    """Issue 18, point 11: the commands read commits; an edit in the work tree is named, never a
    silent pass or "Nothing to do". The edit to a file outside the change counts too (a job
    edited on a branch with nothing committed yet), the change's own files first."""
    p = make_project(tmp_path)
    p.flagged_branch()
    assert p.assess().returncode == 0
    git(p.repo, "commit", "-q", "-m", "record")
    for command in (["scan"], ["verify"], ["check", "--key", str(p.key)]):  # clean: nothing said
        proc = run_dc(p.repo, *command)
        assert (proc.returncode, proc.stderr) == (0, ""), command
    job = p.repo / "inventory" / "jobs.py"
    job.write_text(job.read_text() + "\n# more work\n")
    (p.repo / "README.md").write_text("inventory service, edited\n")
    said = UNCOMMITTED.format("inventory/jobs.py, README.md")
    for command in (["scan"], ["verify"], ["scan", "--format", "json"]):
        proc = run_dc(p.repo, *command)
        assert proc.returncode == 0, proc.stderr
        assert " ".join(proc.stderr.split()) == said, command
    assert run_dc(p.repo, "scan", "--format", "json").stdout.startswith("{")  # stdout stays the document
    head = git(p.repo, "rev-parse", "HEAD")
    assert run_dc(p.repo, "verify", "--head", "HEAD~1").stderr == ""  # not the checkout's HEAD: not about it
    assert run_dc(p.repo, "verify", "--head", head).stderr != ""
    checked = run_dc(p.repo, "check", "--key", str(p.key))
    assert "uncommitted edits to inventory/jobs.py, README.md: commit them, then run deploycheck again" in " ".join(checked.stdout.split())


def test_nothing_flagged_with_an_uncommitted_job_edit_is_not_a_silent_pass(tmp_path: Path) -> None:
    p = make_project(tmp_path, {"inventory/jobs.py": MAIN_JOB})
    git(p.repo, "checkout", "-q", "-b", "docs")
    commit(p.repo, {"README.md": "inventory service, documented\n"})
    (p.repo / "inventory" / "jobs.py").write_text(BRANCH_JOB)  # the risky edit, not committed
    for command in (["scan"], ["check"], ["verify"]):
        proc = run_dc(p.repo, *command)
        assert proc.returncode == 0, proc.stderr
        assert "othing flagged" in proc.stdout
        assert " ".join(proc.stderr.split()) == UNCOMMITTED.format("inventory/jobs.py"), command
    git(p.repo, "add", "inventory/jobs.py")  # staged is still not committed
    assert " ".join(run_dc(p.repo, "scan").stderr.split()) == UNCOMMITTED.format("inventory/jobs.py")


def test_a_default_branch_named_otherwise_is_suggested(tmp_path: Path) -> None:
    # The trial on dawarich (whose default branch is `master`): `--base main` got no hint.
    p = flagged(tmp_path)
    git(p.repo, "branch", "-m", "main", "master")
    proc = run_dc(p.repo, "scan", "--base", "main")
    assert proc.returncode == 2
    assert "Did you mean `master`?" in proc.stderr
    assert "Did you mean" not in run_dc(p.repo, "scan", "--base", "trunkless").stderr
    # A mistyped default name (the trial on Amplication: `--base mian` where the branch is `master`).
    for typo in ("mian", "mastr"):
        assert "Did you mean `master`?" in run_dc(p.repo, "scan", "--base", typo).stderr, typo


def test_the_branch_on_another_remote_is_suggested(tmp_path: Path) -> None:
    # A new user's trial (nightscout): `DEPLOYCHECK_BASE=dev` where only `upstream/dev` existed
    # was told to fetch `dev` from origin.
    p = flagged(tmp_path)
    git(p.repo, "update-ref", "refs/remotes/upstream/dev", "main")
    git(p.repo, "update-ref", "refs/remotes/upstream/devel-old", "main")
    proc = run_dc(p.repo, "scan", "--base", "dev")
    assert proc.returncode == 2
    assert "Did you mean `upstream/dev`?" in proc.stderr


def test_a_branch_named_in_other_case_is_suggested_first(tmp_path: Path) -> None:
    # A new user's trial (convoy): `--base base-a` suggested `base-D`, though `base-A` existed.
    p = flagged(tmp_path)
    for name in ("base-D", "base-A"):
        git(p.repo, "branch", name, "main")
    proc = run_dc(p.repo, "scan", "--base", "base-a")
    assert proc.returncode == 2
    assert "Did you mean `base-A`?" in proc.stderr


def test_the_gate_does_not_pass_when_its_reader_went_away(tmp_path: Path) -> None:
    # `verify` drops its report when stdout's reader has gone (as `check` does, to write its
    # record), but never exits 0 for a pass it could not finish telling.
    p = make_project(tmp_path)
    git(p.repo, "checkout", "-q", "-b", "docs")
    commit(p.repo, {"README.md": "inventory service, documented\n"})
    assert run_dc(p.repo, "verify", "--base", "main").returncode == 0
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, "-m", "deploycheck", "verify", "--base", "main"], cwd=p.repo,
                              env=git_env(), stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert proc.returncode == 1 and proc.stderr == ""


def test_verify_after_the_checklist_re_signed_says_the_new_record_is_not_committed(tmp_path: Path) -> None:
    """A new user's trial (signon, session 41): the job edited after signing, the checklist run
    again (it re-signs and stages the record), then `verify`: "stale-record", with no word of the
    new record staged beside it. The verdict still reads commits; the note says why."""
    p = make_project(tmp_path)
    p.flagged_branch()
    assert p.assess().returncode == 0
    git(p.repo, "commit", "-q", "-m", "record")
    assert run_dc(p.repo, "verify").stderr == ""
    job = p.repo / "inventory" / "jobs.py"
    commit(p.repo, {"inventory/jobs.py": job.read_text() + "\n# more work\n"}, "more work")
    assert p.assess().returncode == 0  # re-signed and staged, not committed
    proc = run_dc(p.repo, "verify")
    said = " ".join(proc.stderr.split())
    assert proc.returncode == 1 and "stale-record" in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert "is written but not committed, so this result read the committed one: commit it" in said, said
    git(p.repo, "commit", "-q", "-m", "record again")
    again = run_dc(p.repo, "verify")
    assert (again.returncode, again.stderr) == (0, ""), again.stdout + again.stderr
