from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """No test may read or write the real $HOME or the user's git configuration."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    for var in (
        "DEPLOYCHECK_BASE", "DEPLOYCHECK_SIGNING_KEY", "GITHUB_ACTIONS", "GITHUB_BASE_REF",
        "GITHUB_EVENT_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_HEAD_REF", "GITLAB_CI",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
        "SSH_AUTH_SOCK", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "PRE_COMMIT_LOCAL_BRANCH", "PRE_COMMIT_REMOTE_NAME",
    ):
        monkeypatch.delenv(var, raising=False)
    for var in list(os.environ):
        if var.startswith("GIT_") and var not in ("GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL"):
            monkeypatch.delenv(var, raising=False)
    yield home


# The incident of docs/design.md ("The incident") as a real repository, trusted to one throwaway key: what the gate,
# git edge-case and concurrency tests start from.
@pytest.fixture
def key(tmp_path) -> Path:
    from support.incident import keygen

    return keygen(tmp_path / "id_ed25519")


@pytest.fixture
def attack(tmp_path) -> object:
    """A project on main pushed to `origin`, and a branch `attack` with a risky change, no record
    (the tests of what the gate trusts; _isolated_home has already removed every CI variable)."""
    from support.dcflow import attack_project

    return attack_project(tmp_path)


@pytest.fixture
def repo(tmp_path, key) -> Path:
    """main with the shop (and allowed_signers for ``key``); branch `refactor` with the refactor."""
    from support.incident import incident_repo

    return incident_repo(tmp_path, key)
