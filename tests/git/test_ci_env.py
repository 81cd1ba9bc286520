"""CI integrations: the GitHub Action and workflow, the GitLab job, and `verify` in simulated CI
environments (real clones, real event payloads, the variables the runners set)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support.dcflow import Project, git_env, run_dc, pushed_flagged_branch
from deploycheck.commands.init import template
from support.gitrepo import git

ROOT = Path(__file__).resolve().parents[2]
FIX = "Run `deploycheck` on this branch, answer the checklist, and commit the record it writes."


# --- structure of the shipped files ---------------------------------------------------------


def test_action_is_a_composite_that_runs_verify_with_inputs_passed_safely() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"version", "base", "allowed-signers", "python-version"} <= set(action["inputs"])
    assert all(spec["required"] is False for spec in action["inputs"].values())
    steps = action["runs"]["steps"]
    assert [s.get("id") for s in steps if s.get("id")] == ["setup-python", "python", "verify"]
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            # Inputs reach scripts through env only: an input can never be spliced into shell code.
            assert "${{" not in step["run"]
    install = next(s for s in steps if s.get("name") == "Install deploycheck")
    assert install["env"]["DEPLOYCHECK_ACTION_PATH"] == "${{ github.action_path }}"
    assert "--format github" in next(s for s in steps if s.get("id") == "verify")["run"]


def test_workflow_template_uses_pull_request_full_history_and_read_only_token() -> None:
    workflow = yaml.safe_load(template("github-workflow.yml"))
    on = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    assert list(on) == ["pull_request", "merge_group"]
    assert workflow["permissions"] == {"contents": "read"}
    steps = workflow["jobs"]["deploycheck"]["steps"]
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"] == {"fetch-depth": 0}
    # a pull request is checked as one change; a merge group pull request by pull request
    assert [(s["if"], s["run"]) for s in steps[-2:]] == [
        ("github.event_name != 'merge_group'", "deploycheck verify --format github"),
        ("github.event_name == 'merge_group'", "deploycheck verify --format github --merge-group"),
    ]


@pytest.mark.parametrize("text", [
    template("gitlab-ci.yml"),
    (ROOT / "ci/gitlab/deploycheck.gitlab-ci.yml").read_text(),
], ids=["init-template", "include-file"])
def test_gitlab_job_runs_on_merge_requests_with_full_history(text: str) -> None:
    job = yaml.safe_load(text)["deploycheck"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert job["variables"]["GIT_DEPTH"] == "0"
    assert job["script"][-1].startswith("deploycheck verify")
    assert job["image"].startswith("python:")


# --- simulated runners ---------------------------------------------------------------------




def _github_checkout(project: Project, tmp_path: Path) -> Path:
    """What actions/checkout does for a pull_request with fetch-depth 0: a full clone with the
    test merge commit (refs/pull/N/merge) checked out, detached."""
    clone = tmp_path / "runner" / "work"
    git(tmp_path, "clone", "-q", str(project.remote), str(clone))
    git(clone, "checkout", "-q", "--detach", "origin/main")
    git(clone, "merge", "-q", "--no-ff", "--no-edit", "-m", "Merge feature into main", "origin/feature")
    return clone


def _github_env(tmp_path: Path, project: Project, head_sha: str) -> dict[str, str]:
    event = {
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "state": "open",
            "title": "Refactor stock reservation",
            "base": {"ref": "main", "sha": project.main_sha, "repo": {"full_name": "shop/inventory"}},
            "head": {"ref": "feature", "sha": head_sha, "repo": {"full_name": "shop/inventory"}},
        },
        "repository": {"full_name": "shop/inventory", "default_branch": "main"},
    }
    runner = tmp_path / "runner"
    (runner / "event.json").write_text(json.dumps(event))
    summary = runner / "step_summary.md"
    summary.write_text("")
    return {
        **git_env(),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(runner / "event.json"),
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": "feature",
        "GITHUB_REF": "refs/pull/7/merge",
        "GITHUB_STEP_SUMMARY": str(summary),
    }


def _without_claims(stdout: str, first_claim: str) -> list[str]:
    """The output's lines after the leading claim warnings (issue 19), checking the first one."""
    lines = stdout.splitlines()
    prefix = "::warning title=deploycheck%3A claim vs change::"
    assert lines[0].startswith(prefix + first_claim), lines[0]
    return [line for line in lines if not line.startswith(prefix)]


# The event's pull request has no description, so pr_field: warn (the default) notes a missing
# field: a notice in the log and a line of the step summary, as the text output's "Note:".
NO_FIELD = 'the pull request description has no "Concurrency considerations" field (a heading or a bold label). (pr_field: warn)'
NO_FIELD_NOTICE = f"::notice title=deploycheck%3A note::{NO_FIELD}"
MD_NO_FIELD = NO_FIELD.replace("pr_field", "pr\\_field")  # Markdown-escaped in the step summary


def test_github_pull_request_without_record_fails_with_annotations_and_summary(tmp_path: Path) -> None:
    project, head = pushed_flagged_branch(tmp_path, with_record=False)
    clone = _github_checkout(project, tmp_path)
    env = _github_env(tmp_path, project, head)
    proc = run_dc(clone, "verify", "--format", "github", env=env)
    assert proc.returncode == 1, proc.stderr
    missing = "missing-record: this change is flagged (1 file: inventory/jobs.py) and adds no deploycheck record."
    # First the claims of the title and commits that the diff contradicts (issue 19), in one
    # warning when one change contradicts them all.
    assert sum("claim vs change" in line for line in proc.stdout.splitlines()) == 1
    lines = _without_claims(proc.stdout, "the title says 'Refactor', and commit ")
    assert ", but Product.stock is read" in proc.stdout.splitlines()[0]
    # The missing record is annotated on each flagged line of the pull request's diff.
    assert lines == [
        NO_FIELD_NOTICE,
        "::error file=inventory/jobs.py,line=6,endLine=10,title=deploycheck missing-record::"
        f"{missing} (DC101 job-code-changed: Celery task `reserve_stock` is new and touches shared state "
        "(database, cache, files or globals): a new background job runs many times at once and in an order "
        f"nobody chose; answer the checklist for it.) Fix: {FIX}",
        "::error file=inventory/jobs.py,line=9,endLine=10,title=deploycheck missing-record::"
        f"{missing} (DC301 lost-update: Product.stock is read, recomputed and saved without a lock or F() "
        f"expression: two workers running reserve_stock at once can overwrite each other's update.) Fix: {FIX}",
        "FAIL: the change is flagged and has no valid, current, signed record (1 problem).",
    ]
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.startswith(
        "\n## deploycheck verify\n\n"
        "**FAIL: the change is flagged and has no valid, current, signed record (1 problem).**\n\n"
        "Flagged files: `inventory/jobs.py`\n\n"
        f"- Note: {MD_NO_FIELD}\n"
    )
    assert "| missing-record |" in summary


def test_github_pull_request_with_a_record_passes(tmp_path: Path) -> None:
    project, head = pushed_flagged_branch(tmp_path, with_record=True)
    clone = _github_checkout(project, tmp_path)
    env = _github_env(tmp_path, project, head)
    proc = run_dc(clone, "verify", "--format", "github", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record = git(clone, "diff", "--name-only", "origin/main", "HEAD", "--", ".deploycheck/records/")
    assert re.fullmatch(r"\.deploycheck/records/[^/\n]+\.yaml", record)
    headline = f"PASS: {record} (signed by dev@example.com) covers every flagged file."
    assert _without_claims(proc.stdout, "the title says 'Refactor'") == [NO_FIELD_NOTICE, headline]
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text() == (
        f"\n## deploycheck verify\n\n**{headline}**\n\nFlagged files: `inventory/jobs.py`\n\n- Note: {MD_NO_FIELD}\n"
    )


def test_github_base_from_the_event_payload_alone(tmp_path: Path) -> None:
    """Without GITHUB_BASE_REF (e.g. a workflow_run re-dispatch), the payload's base sha is used."""
    project, head = pushed_flagged_branch(tmp_path, with_record=False)
    clone = _github_checkout(project, tmp_path)
    env = _github_env(tmp_path, project, head)
    del env["GITHUB_BASE_REF"]
    proc = run_dc(clone, "verify", "--format", "json", env=env)
    assert proc.returncode == 1, proc.stderr
    verdict = json.loads(proc.stdout)
    assert (verdict["base"], verdict["flagged_files"]) == (project.main_sha, ["inventory/jobs.py"])
    assert [p["code"] for p in verdict["problems"]] == ["missing-record"]


def test_the_actions_verify_step_passes_its_inputs_as_arguments(tmp_path: Path) -> None:
    """Run the action's own verify script with bash, as the runner would, with the inputs set."""
    project, head = pushed_flagged_branch(tmp_path, with_record=True)
    clone = _github_checkout(project, tmp_path)
    env = _github_env(tmp_path, project, head)
    runner_temp = tmp_path / "runner" / "temp"
    for name, args in (("deploycheck", "-m deploycheck "), ("python", "")):
        shim = runner_temp / "deploycheck-venv" / "bin" / name
        shim.parent.mkdir(parents=True, exist_ok=True)
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" {args}"$@"\n')
        shim.chmod(0o755)
    step = next(s for s in yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"] if s.get("id") == "verify")
    (tmp_path / "runner" / "output").write_text("")
    env["GITHUB_OUTPUT"] = str(tmp_path / "runner" / "output")
    # An organisation-wide signers file held by CI that does not trust the author's key.
    org_signers = tmp_path / "runner" / "org_allowed_signers"
    _, other_key = __import__("support.dcflow").dcflow.make_key(tmp_path / "org")
    org_signers.write_text(f"lead@example.com {other_key}\n")
    run_env = {
        **env,
        "RUNNER_TEMP": str(runner_temp),
        "DEPLOYCHECK_INPUT_BASE": "origin/main",
        "DEPLOYCHECK_INPUT_ALLOWED_SIGNERS": str(org_signers),
    }
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=clone, env=run_env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "untrusted-signer" in proc.stdout
    # With the inputs empty, the base branch's signers apply and the same record passes.
    run_env.update(DEPLOYCHECK_INPUT_BASE="", DEPLOYCHECK_INPUT_ALLOWED_SIGNERS="")
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=clone, env=run_env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("PASS: ")


def _gitlab_checkout(project: Project, tmp_path: Path, head_sha: str) -> Path:
    """A merge-request pipeline's clone: only the source branch fetched, head detached, GIT_DEPTH 0."""
    clone = tmp_path / "builds" / "shop" / "inventory"
    git(tmp_path, "clone", "-q", "--single-branch", "--branch", "feature", str(project.remote), str(clone))
    git(clone, "checkout", "-q", "--detach", head_sha)
    git(clone, "branch", "-q", "-D", "feature")
    return clone


def _gitlab_env(project: Project, head_sha: str) -> dict[str, str]:
    return {
        **git_env(),
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_IID": "7",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": project.main_sha,
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
        "CI_COMMIT_SHA": head_sha,
    }


def test_gitlab_merge_request_reads_the_diff_base_sha(tmp_path: Path) -> None:
    project, head = pushed_flagged_branch(tmp_path, with_record=False)
    # main moves on after the branch was made: the diff base is the fork point, not main's tip.
    git(project.repo, "checkout", "-q", "main")
    git(project.repo, "commit", "-q", "--allow-empty", "-m", "later work on main")
    git(project.repo, "push", "-q", "origin", "main")
    clone = _gitlab_checkout(project, tmp_path, head)
    # Without the merge-request variables there is nothing to compare with in this clone.
    lost = run_dc(clone, "verify")
    assert lost.returncode == 2
    assert "cannot find a base branch to compare with" in lost.stderr

    env = _gitlab_env(project, head)
    proc = run_dc(clone, "verify", "--format", "json", env=env)
    assert proc.returncode == 1, proc.stderr
    verdict = json.loads(proc.stdout)
    assert (verdict["base"], verdict["head"]) == (project.main_sha, head)
    assert [p["code"] for p in verdict["problems"]] == ["missing-record"]

    text = run_dc(clone, "verify", env=env)
    assert text.returncode == 1
    assert "FAIL: the change is flagged and has no valid, current, signed record (1 problem)." in text.stdout.splitlines()


def test_gitlab_merge_request_with_a_record_passes(tmp_path: Path) -> None:
    project, head = pushed_flagged_branch(tmp_path, with_record=True)
    clone = _gitlab_checkout(project, tmp_path, head)
    proc = run_dc(clone, "verify", env=_gitlab_env(project, head))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS: .deploycheck/records/" in proc.stdout
