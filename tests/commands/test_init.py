"""`deploycheck init`: creates, merges into, or leaves alone each file; never clobbers; idempotent."""

from __future__ import annotations

import hashlib
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support.dcflow import make_key, run_dc
from deploycheck import __version__, install_source
from deploycheck.commands import init
from deploycheck.config import TOP_KEYS, Config, parse_config_text
from deploycheck.records.signing import parse_allowed_signers
from support.gitrepo import git, make_repo

def tree_digest(root: Path) -> dict[str, str]:
    """Every file outside .git with its content hash and mode: any change shows up."""
    out = {}
    for path in sorted(root.rglob("*")):
        if ".git" in path.relative_to(root).parts[:1] or not path.is_file():
            continue
        out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest() + oct(path.stat().st_mode)
    return out


def home_key() -> str:
    """A default key in the (test) home directory, as `ssh-keygen -t ed25519` makes it."""
    _, public = make_key(Path(os.environ["HOME"]) / ".ssh", "id_ed25519")
    return public


def test_first_run_creates_config_and_trusts_the_users_key(tmp_path: Path) -> None:
    public = home_key()
    repo = make_repo(tmp_path / "repo")
    proc = run_dc(repo, "init")
    assert proc.returncode == 0, proc.stderr
    fingerprint = str(parse_allowed_signers(f"x {public}", "t")[0].public_key)
    assert proc.stdout.splitlines() == [
        "created  .deploycheck/config.yaml",
        f"created  .deploycheck/allowed_signers  (added your key: dev@example.com {fingerprint} (default key ~/.ssh/id_ed25519))",
        "",
        "Next steps:",
        "  1. Commit these files on your default branch (the one pull requests merge into) first (the gate trusts only the base branch's configuration and signers):",
        "     git add .deploycheck/config.yaml .deploycheck/allowed_signers && git commit -m 'Set up deploycheck'",
        "  2. Install the push hook, which refuses a flagged push without a valid record before CI does:",
        "     deploycheck hook install",
        "     (with the pre-commit framework: `deploycheck init --pre-commit`, then `pre-commit install --hook-type pre-push`)",
        "  3. Then, on a branch that changes jobs, queues or shared state, run `deploycheck` before opening the pull request.",
    ]
    signers_text = (repo / ".deploycheck/allowed_signers").read_text()
    assert signers_text == init.SIGNERS_HEADER + f"dev@example.com {public}\n"
    signers = parse_allowed_signers(signers_text, "allowed_signers")
    assert signers.problems == []
    assert [(s.principals, s.public_key.openssh()) for s in signers] == [("dev@example.com", public)]


def test_config_template_parses_to_the_defaults_and_documents_every_key(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    assert run_dc(repo, "init").returncode == 0
    text = (repo / ".deploycheck/config.yaml").read_text()
    parsed = parse_config_text(text, source="config.yaml")
    assert parsed == Config(source="config.yaml")
    for key in TOP_KEYS:
        assert f"\n# {key}:" in text, key
    for nested in ("disable:", "severity:", "block:", "require_details:", "allowed_signers:", "question:", "answer:", "when:", "message:"):
        assert re.search(rf"^#\s+(- )?{nested}", text, re.M), nested
    # Uncommenting the examples (a top-level key after "# ", or an indented line) gives a valid
    # configuration too.
    examples = [line[2:] for line in text.splitlines() if line.startswith("# ") and (
        line[2:3] == " " or line[2:].split(":")[0] in TOP_KEYS)]
    uncommented = "\n".join(examples) + "\n"
    config = parse_config_text(uncommented, source="uncommented")
    assert config.base_branch == "main"
    assert config.lock_wrappers == ("traced_atomic", "redis_lock")
    assert [(r.question, r.answer, r.when) for r in config.block] == [("rollback-safe", "no", "high")]
    assert config.severity_overrides == {"DC301": "high"}


def test_running_twice_changes_nothing(tmp_path: Path) -> None:
    home_key()
    repo = make_repo(tmp_path / "repo")
    first = run_dc(repo, "init", "--ci", "github", "--pre-commit", "--pr-template")
    assert first.returncode == 0, first.stderr
    before = tree_digest(repo)
    second = run_dc(repo, "init", "--ci", "github", "--pre-commit", "--pr-template")
    assert second.returncode == 0, second.stderr
    assert tree_digest(repo) == before
    statuses = [line.split()[0] for line in second.stdout.splitlines()[:5]]
    assert statuses == ["unchanged"] * 5
    # Nothing was committed yet: the second run still names every file to commit, once.
    (step,) = [line for line in second.stdout.splitlines() if "git add" in line]
    assert all(path in step for path in (".deploycheck/config.yaml", ".pre-commit-config.yaml", ".github/workflows/deploycheck.yml"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Set up deploycheck")
    third = run_dc(repo, "init", "--ci", "github", "--pre-commit", "--pr-template")
    assert third.returncode == 0 and "git add" not in third.stdout
    assert sorted(before) == [
        ".deploycheck/allowed_signers",
        ".deploycheck/config.yaml",
        ".github/pull_request_template.md",
        ".github/workflows/deploycheck.yml",
        ".pre-commit-config.yaml",
        "README.md",
    ]


def test_all_integrations_on_a_fresh_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    proc = run_dc(repo, "init", "--ci", "github", "--pre-commit", "--pr-template")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:5] == [
        "created  .deploycheck/config.yaml  (with pr_field: required (--pr-template): the gate fails any pull "
        'request whose description has no "Concurrency considerations" field (`N/A` is enough when nothing is '
        "flagged), a bot's (Dependabot, Renovate) too, whose descriptions skip the template; set `pr_field: warn` "
        "to only note it)",
        "created  .deploycheck/allowed_signers  (with no key yet: no SSH signing key found (create one with "
        "`ssh-keygen -t ed25519`); add one line per signer)",
        "created  .github/workflows/deploycheck.yml",
        "created  .pre-commit-config.yaml",
        "created  .github/pull_request_template.md",
    ]
    assert "     pre-commit install --hook-type pre-push" in lines
    assert (repo / ".deploycheck/allowed_signers").read_text() == init.SIGNERS_HEADER
    workflow = (repo / ".github/workflows/deploycheck.yml").read_text()
    assert 'python -I -m pip install "deploycheck @ file://' in workflow  # this checkout is a local install
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    assert config["default_stages"] == ["pre-commit"]
    assert [(r["repo"], [(h["id"], h["entry"], h["language"], h["stages"]) for h in r["hooks"]]) for r in config["repos"]] == [
        ("local", [("deploycheck", init.PUSH_ENTRY, "system", ["pre-push"]),
                   ("deploycheck-warn", init.WARN_ENTRY, "system", ["pre-commit"])]),
    ]
    template = (repo / ".github/pull_request_template.md").read_text()
    assert template.startswith("## Concurrency considerations\n")
    assert "N/A — this change does not touch shared state" in template


def test_never_overwrites_existing_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {
        ".deploycheck/config.yaml": "base_branch: develop\n",
        ".github/workflows/deploycheck.yml": "name: ours\n",
    })
    proc = run_dc(repo, "init", "--ci", "github")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "unchanged  .deploycheck/config.yaml  (exists; left as it is)"
    assert proc.stdout.splitlines()[2] == "unchanged  .github/workflows/deploycheck.yml  (exists; left as it is)"
    assert (repo / ".deploycheck/config.yaml").read_text() == "base_branch: develop\n"
    assert (repo / ".github/workflows/deploycheck.yml").read_text() == "name: ours\n"


def test_adds_the_users_key_to_an_existing_signers_file(tmp_path: Path) -> None:
    public = home_key()
    _, other = make_key(tmp_path / "other")
    existing = f"# our team\nlead@example.com {other}\n"
    repo = make_repo(tmp_path / "repo", {".deploycheck/allowed_signers": existing})
    proc = run_dc(repo, "init")
    assert proc.stdout.splitlines()[1].startswith("updated  .deploycheck/allowed_signers  (added your key: dev@example.com ")
    assert (repo / ".deploycheck/allowed_signers").read_text() == existing + f"dev@example.com {public}\n"
    again = run_dc(repo, "init")
    assert again.stdout.splitlines()[1].startswith("unchanged  .deploycheck/allowed_signers  (already trusts ssh-ed25519 SHA256:")


PRE_COMMIT_WITH_TRAILING_KEY = """\
# Our hooks. Keep this comment.
repos:
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.6.0
    hooks:
      - id: trailing-whitespace   # keep this one too
  # hooks we might add later

# pre-commit.ci settings
ci:
  autofix_prs: false
"""


def test_pre_commit_config_is_merged_textually(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".pre-commit-config.yaml": PRE_COMMIT_WITH_TRAILING_KEY})
    proc = run_dc(repo, "init", "--pre-commit")
    assert proc.stdout.splitlines()[2] == "updated  .pre-commit-config.yaml  (added the deploycheck hooks)"
    text = (repo / ".pre-commit-config.yaml").read_text()
    assert text == PRE_COMMIT_WITH_TRAILING_KEY.replace(
        "  # hooks we might add later\n", "  # hooks we might add later\n" + init.pre_commit_entry("  ")
    ).replace("repos:", init.DEFAULT_STAGES + "repos:", 1)
    data = yaml.safe_load(text)
    assert [r["repo"] for r in data["repos"]] == ["https://github.com/pre-commit/pre-commit-hooks", "local"]
    assert data["ci"] == {"autofix_prs": False}


def test_pre_commit_config_with_items_at_column_zero(tmp_path: Path) -> None:
    original = "repos:\n- repo: local\n  hooks:\n  - id: mine\n    name: mine\n    entry: true\n    language: system\n"
    merged = init.merge_pre_commit_config(original)
    assert merged == init.DEFAULT_STAGES + original + init.pre_commit_entry("")
    assert len(yaml.safe_load(merged)["repos"]) == 2


@pytest.mark.parametrize("text", [
    "repos:\n  - repo: https://example.com/x\n    rev: v1\n    hooks:\n      - id: deploycheck\n",
    "repos:\n  - repo: local\n    hooks:\n      - id: 'deploycheck-warn'\n",
])
def test_pre_commit_config_with_deploycheck_already_is_unchanged(text: str) -> None:
    assert init.merge_pre_commit_config(text) == text


def test_pre_commit_config_in_flow_style_is_left_for_the_user(tmp_path: Path) -> None:
    original = "repos: [{repo: local, hooks: []}]\n"
    repo = make_repo(tmp_path / "repo", {".pre-commit-config.yaml": original})
    proc = run_dc(repo, "init", "--pre-commit")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[2:6] == [
        "skipped  .pre-commit-config.yaml  (could not add the deploycheck hooks automatically; add this by hand)",
        "    " + init.DEFAULT_STAGES.rstrip("\n"),
        "    repos:",
        "      - repo: local",
    ]
    assert (repo / ".pre-commit-config.yaml").read_text() == original


def test_pr_template_section_is_appended_to_the_existing_template(tmp_path: Path) -> None:
    original = "## What\n\n## Why\n"
    repo = make_repo(tmp_path / "repo", {".github/PULL_REQUEST_TEMPLATE.md": original})
    proc = run_dc(repo, "init", "--pr-template")
    assert proc.stdout.splitlines()[2] == (
        'updated  .github/PULL_REQUEST_TEMPLATE.md  (added the "Concurrency considerations" section)'
    )
    text = (repo / ".github/PULL_REQUEST_TEMPLATE.md").read_text()
    assert text == original + "\n" + init.template("pull_request_template.md")
    assert not (repo / ".github/pull_request_template.md").exists() or sys.platform == "darwin"
    assert [p.name for p in (repo / ".github").iterdir()] == ["PULL_REQUEST_TEMPLATE.md"]


def test_a_pr_template_that_is_a_symlink_is_left_as_it_is(tmp_path: Path) -> None:
    # airsonic-advanced (a new user's trial, session 33): the template links to CONTRIBUTING.md; init
    # replaced the link with a copy, and later edits to CONTRIBUTING.md no longer reached it.
    repo = make_repo(tmp_path / "repo", {"CONTRIBUTING.md": "## How to contribute\n"})
    (repo / ".github").mkdir()
    (repo / ".github/PULL_REQUEST_TEMPLATE.md").symlink_to("../CONTRIBUTING.md")
    proc = run_dc(repo, "init", "--pr-template")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[2] == (
        "skipped  .github/PULL_REQUEST_TEMPLATE.md  (is a symbolic link to ../CONTRIBUTING.md; left as it is: add "
        'the "Concurrency considerations" section to the file it points to by hand)'
    )
    assert (repo / ".github/PULL_REQUEST_TEMPLATE.md").is_symlink()
    assert (repo / "CONTRIBUTING.md").read_text() == "## How to contribute\n"


def test_pr_template_that_has_the_section_is_unchanged() -> None:
    text = "## Summary\n\n### Concurrency Considerations\nN/A — this change does not touch shared state\n"
    assert init.merge_pr_template(text) == text


def test_gitlab_job_is_created_or_appended(tmp_path: Path) -> None:
    existing = "stages: [build, test]\n\nbuild:\n  stage: build\n  script: [make]\n"
    repo = make_repo(tmp_path / "repo", {".gitlab-ci.yml": existing})
    proc = run_dc(repo, "init", "--ci", "gitlab")
    assert proc.stdout.splitlines()[2] == "updated  .gitlab-ci.yml  (added the deploycheck job)"
    data = yaml.safe_load((repo / ".gitlab-ci.yml").read_text())
    assert list(data) == ["stages", "build", "deploycheck"]
    assert data["deploycheck"]["variables"]["GIT_DEPTH"] == "0"
    again = run_dc(repo, "init", "--ci", "gitlab")
    assert again.stdout.splitlines()[2] == "unchanged  .gitlab-ci.yml  (already has the deploycheck job)"

    fresh = make_repo(tmp_path / "fresh")
    assert run_dc(fresh, "init", "--ci", "gitlab").returncode == 0
    assert (fresh / ".gitlab-ci.yml").read_text() == init.template("gitlab-ci.yml").replace(
        f"deploycheck=={__version__}", install_source.current(__version__).spec)


def test_asks_before_trusting_the_key_on_a_terminal(tmp_path: Path) -> None:
    """With a terminal on stdin, init asks (Rich Confirm); answering "n" leaves the key out."""
    home_key()
    repo = make_repo(tmp_path / "repo")
    primary, secondary = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "deploycheck", "init"], cwd=repo, stdin=secondary,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        os.write(primary, b"n\n")
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(primary)
        os.close(secondary)
    assert proc.returncode == 0, err
    assert "Trust your key dev@example.com ssh-ed25519 SHA256:" in out
    assert "created  .deploycheck/allowed_signers  (with no key (you declined to add yours))" in out.splitlines()
    assert (repo / ".deploycheck/allowed_signers").read_text() == init.SIGNERS_HEADER


def test_input_ended_at_the_key_question_writes_nothing(tmp_path: Path) -> None:
    """A new user's trial (session 27): Ctrl-D (or Ctrl-C) at "Trust your key…?" said "nothing
    was written" after the config was; the next init left it unchanged and never gave its notes."""
    home_key()
    repo = make_repo(tmp_path / "repo")
    primary, secondary = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "deploycheck", "init", "--pr-template"], cwd=repo, stdin=secondary,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        os.write(primary, b"\x04")  # Ctrl-D on an empty line: end of input
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(primary)
        os.close(secondary)
    assert proc.returncode != 0
    assert "Trust your key" in out
    assert "nothing was written" in err
    assert not (repo / ".deploycheck").exists() and not (repo / ".github").exists()


def test_outside_a_repository_is_an_error(tmp_path: Path) -> None:
    proc = run_dc(tmp_path, "init")
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"deploycheck: error: {tmp_path} is not inside a git repository.")
    assert list(tmp_path.iterdir()) == []


def test_with_a_ci_job_the_next_steps_say_where_it_installs_deploycheck_from(tmp_path: Path) -> None:
    from deploycheck import __version__

    for ci, where in (
        ("github", "the `Install deploycheck` step of .github/workflows/deploycheck.yml"),
        ("gitlab", "DEPLOYCHECK_PIP_SPEC in .gitlab-ci.yml"),
    ):
        repo = make_repo(tmp_path / ci)
        proc = run_dc(repo, "init", "--ci", ci, "--install-spec", f"deploycheck=={__version__}")
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        step = lines.index("Next steps:") + 1
        assert lines[step] == (
            f"  1. The CI job installs `deploycheck=={__version__}` (as given by --install-spec). If your team "
            f"installs deploycheck from elsewhere, change {where} (keep it pinned to a version or a commit)."
        )
        # no SSH key in this test's home: the key step comes first, then the commit of both
        assert lines[step + 1].startswith("  2. Trust your SSH key to sign records")
        assert any(line.startswith("  3. Commit these files on your default branch") for line in lines)
        # the named setting is really in the file init wrote
        written = (repo / (".github/workflows/deploycheck.yml" if ci == "github" else ".gitlab-ci.yml")).read_text()
        assert ("name: Install deploycheck" if ci == "github" else "DEPLOYCHECK_PIP_SPEC:") in written
        assert f"deploycheck=={__version__}" in written

    plain = make_repo(tmp_path / "plain")
    assert "The CI job installs" not in run_dc(plain, "init").stdout


def test_a_second_run_with_another_install_spec_does_not_claim_the_kept_ci_job_installs_it(tmp_path: Path) -> None:
    # A new user followed "run init again with --install-spec": init left the workflow as it
    # was (it never overwrites) yet said the job installs the new spec.
    for ci, path, where in (
        ("github", ".github/workflows/deploycheck.yml", "the `Install deploycheck` step of .github/workflows/deploycheck.yml"),
        ("gitlab", ".gitlab-ci.yml", "DEPLOYCHECK_PIP_SPEC in .gitlab-ci.yml"),
    ):
        repo = make_repo(tmp_path / ci)
        first = run_dc(repo, "init", "--ci", ci, "--install-spec", "deploycheck==0.0.1")
        assert first.returncode == 0, first.stderr
        written = (repo / path).read_text()
        second = run_dc(repo, "init", "--ci", ci, "--install-spec", "deploycheck==0.0.2")
        assert second.returncode == 0, second.stderr
        assert (repo / path).read_text() == written and "deploycheck==0.0.2" not in written
        lines = second.stdout.splitlines()
        assert lines[lines.index("Next steps:") + 1] == (
            f"  1. {path} was already there and init left it as it is, so the CI job still installs what {where} "
            "names, not `deploycheck==0.0.2`: edit it there by hand if it should change (keep it pinned to a "
            "version or a commit)."
        )
        # the same spec again: the kept file does install it, so the usual line stands
        third = run_dc(repo, "init", "--ci", ci, "--install-spec", "deploycheck==0.0.1")
        lines = third.stdout.splitlines()
        assert lines[lines.index("Next steps:") + 1].startswith("  1. The CI job installs `deploycheck==0.0.1` (as given by --install-spec).")


def test_the_local_install_advice_never_says_a_second_run_would_change_the_ci_job() -> None:
    local = install_source.InstallSource(install_source.LOCAL, "deploycheck @ file:///src/dc", "/src/dc")
    step = init.install_step(local, "github")
    assert "run init again" not in step
    assert step.endswith("init never overwrites the file, so edit it by hand (or give --install-spec on the run that creates it).")


def test_a_signing_key_git_would_not_use_for_ssh_is_named(tmp_path: Path) -> None:
    # A new-user trial set user.signingkey to an SSH key without gpg.format=ssh and read "no SSH
    # signing key found": init now names the setting it skipped and the one-line fix.
    repo = make_repo(tmp_path / "repo")
    key, public = make_key(tmp_path / "keys")
    subprocess.run(["git", "config", "user.signingkey", f"{key}.pub"], cwd=repo, check=True)
    proc = run_dc(repo, "init")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1] == (
        f"created  .deploycheck/allowed_signers  (with no key yet: git's user.signingkey ({key}.pub) is not used, as "
        "gpg.format is not `ssh` (`git config gpg.format ssh` if it is an SSH key, then run init again); add one "
        "line per signer)")
    subprocess.run(["git", "config", "gpg.format", "ssh"], cwd=repo, check=True)
    again = run_dc(repo, "init")
    assert again.returncode == 0, again.stderr
    assert public in (repo / ".deploycheck/allowed_signers").read_text()


def test_in_a_husky_repository_the_next_steps_say_to_add_deploycheck_to_its_tracked_hook(tmp_path: Path) -> None:
    """A new-user trial (session 19, Flowise): husky points core.hooksPath at `.husky`, a folder
    of the repository. Both printed routes failed there: `hook install` will not replace the
    tracked `.husky/pre-push`, and `pre-commit install` refuses while core.hooksPath is set."""
    home_key()
    repo = make_repo(tmp_path / "repo", {"README.md": "app\n", ".husky/pre-push": "#!/bin/sh\nnpm test\n"})
    git(repo, "config", "core.hooksPath", ".husky")
    said = "  2. Add deploycheck to .husky/pre-push, the push hook this repository keeps (core.hooksPath points"
    for args in (("init",), ("init", "--pre-commit")):
        lines = run_dc(repo, *args).stdout.splitlines()
        step = next(line for line in lines if line.startswith(said))
        assert 'docs/integrations.md ("Hooks kept in the repository")' in step
        assert not any(line.strip() in ("deploycheck hook install", "pre-commit install --hook-type pre-push") for line in lines)
    # With the documented lines in the hook, the step is done.
    hook = repo / ".husky" / "pre-push"
    hook.write_text(hook.read_text() + "    deploycheck verify --hook </dev/null || exit 1\n")
    assert "Add deploycheck to .husky/pre-push" not in run_dc(repo, "init").stdout


def test_with_hooks_kept_in_the_work_tree_the_steps_and_hook_install_keep_the_hook_out_of_commits(tmp_path: Path) -> None:
    """A new user's trial (convoy): `make setup` points core.hooksPath at `.githooks`, a tracked
    folder holding a pre-commit hook and no pre-push. The printed `pre-commit install --hook-type
    pre-push` refused ("core.hooksPath set"), and `deploycheck hook install` wrote an untracked
    `.githooks/pre-push`, with this machine's Python path in it, that `git status` offered to commit."""
    home_key()
    repo = make_repo(tmp_path / "repo", {"README.md": "app\n", ".githooks/pre-commit": "#!/bin/sh\nmake swagger\n"})
    git(repo, "config", "core.hooksPath", ".githooks")
    lines = run_dc(repo, "init", "--pre-commit").stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "`pre-commit install` refuses while core.hooksPath is set" in line)
    assert "it names .githooks" in lines[at] and lines[at + 1].strip() == "deploycheck hook install"
    assert not any(line.strip() == "pre-commit install --hook-type pre-push" for line in lines)
    installed = run_dc(repo, *lines[at + 1].split()[1:])
    assert installed.returncode == 0, installed.stderr
    assert "do not commit it" in installed.stdout and ".githooks/pre-push" in installed.stdout
    assert (repo / ".githooks" / "pre-push").exists()
    assert "pre-push" not in git(repo, "status", "--porcelain", "--untracked-files=all")
    assert "/.githooks/pre-push" in (repo / ".git" / "info" / "exclude").read_text().splitlines()
    # Installed again: the exclude file keeps one line.
    run_dc(repo, "hook", "install", "--force")
    assert (repo / ".git" / "info" / "exclude").read_text().splitlines().count("/.githooks/pre-push") == 1


def test_the_next_steps_name_the_push_hook_until_one_is_set_up(tmp_path: Path) -> None:
    """A new-user trial (session 17) ran `init --ci github --pr-template`, did each printed step,
    and pushed with no hook at all: only the README's step 5 named it. The step is printed until
    deploycheck's hook is installed (following it as printed) or the pre-commit framework's
    configuration names deploycheck."""
    home_key()
    step = "Install the push hook, which refuses a flagged push without a valid record before CI does:"
    repo = make_repo(tmp_path / "repo")
    first = run_dc(repo, "init", "--ci", "github")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.endswith(step))
    assert lines[at + 1].strip() == "deploycheck hook install"
    follow = run_dc(repo, *lines[at + 1].split()[1:])
    assert follow.returncode == 0, follow.stderr
    assert step not in run_dc(repo, "init", "--ci", "github").stdout

    framework = make_repo(tmp_path / "framework")
    assert step not in run_dc(framework, "init", "--pre-commit").stdout
    assert step not in run_dc(framework, "init").stdout  # its configuration already names deploycheck


def test_pr_template_names_the_bots_this_repository_is_set_up_for(tmp_path: Path) -> None:
    # A new user's trial (session 24, hawkBit): the repository has Dependabot, and the note's
    # generic "a bot's (Dependabot, Renovate) too" did not say its next pull requests would fail.
    repo = make_repo(tmp_path / "repo", {".github/dependabot.yml": "version: 2\nupdates: []\n"})
    proc = run_dc(repo, "init", "--pr-template")
    assert proc.returncode == 0, proc.stderr
    assert ("This repository is set up for Dependabot (.github/dependabot.yml): its pull requests will fail the gate "
            "unless pr_field is warn)") in proc.stdout.splitlines()[0]
    plain = make_repo(tmp_path / "plain")
    assert "This repository is set up for" not in run_dc(plain, "init", "--pr-template").stdout


@pytest.mark.parametrize("owners, said", [
    # nats-server (a new user's trial, session 39): owners for its code, none for `.deploycheck/`.
    ({".github/CODEOWNERS": "/server/ @nats-io/core\n"}, ".github/CODEOWNERS leaves `.deploycheck/`'s signers"),
    ({"CODEOWNERS": "# owners\n/.deploycheck/ @org/leads\n/src/ @org/dev\n"}, None),
    ({"docs/CODEOWNERS": "* @org/everyone\n"}, None),
    ({}, None),
    # As GitHub reads it (the red team of session 39): a comment is no owner, the last matching line
    # decides (an owner-less override), and both anchors need one.
    ({"CODEOWNERS": "/.deploycheck/  # TODO: platform leads\n"}, "CODEOWNERS leaves"),
    ({"CODEOWNERS": "* @acme/engineering\n/.deploycheck/\n"}, "CODEOWNERS leaves"),
    ({"CODEOWNERS": "/.deploycheck/config.yaml @acme/leads\n"}, "CODEOWNERS leaves"),
])
def test_init_says_when_codeowners_leaves_the_trust_anchors_unowned(tmp_path: Path, owners, said) -> None:
    home_key()
    repo = make_repo(tmp_path / "repo", owners or None)
    proc = run_dc(repo, "init", "--ci", "github")
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())
    step = "Protect the gate's trust anchors"
    if said is None:
        assert step not in text
    else:
        assert f"{step}: {said}" in text and "/.deploycheck/ @your-org/platform-leads" in text
