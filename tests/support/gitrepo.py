"""Real git repositories in temporary folders, for tests. No mocked git anywhere."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Mapping

IDENTITY = {
    "GIT_AUTHOR_NAME": "Dev Example",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Dev Example",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


def git(repo: Path | str, *args: str, check: bool = True, input: bytes | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(IDENTITY)
    proc = subprocess.run(
        ["git", *args], cwd=repo, env=env, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode("utf-8", "surrogateescape").strip()


def write_files(repo: Path, files: Mapping[str, str | bytes | None]) -> None:
    """Write (or with None, delete) files relative to the repository root."""
    for rel, content in files.items():
        path = repo / rel
        if content is None:
            if path.exists() or path.is_symlink():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def commit(repo: Path, files: Mapping[str, str | bytes | None] | None = None, message: str = "change") -> str:
    if files:
        write_files(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def make_repo(path: Path, files: Mapping[str, str | bytes | None] | None = None, branch: str = "main") -> Path:
    """A repository with one commit of ``files`` on ``branch``."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", branch)
    git(path, "config", "user.name", "Dev Example")
    git(path, "config", "user.email", "dev@example.com")
    git(path, "config", "commit.gpgsign", "false")
    commit(path, files or {"README.md": "hello\n"}, message="initial")
    return path


def make_branch(repo: Path, name: str, files: Mapping[str, str | bytes | None], message: str = "work") -> str:
    """Create ``name`` from the current HEAD, commit ``files`` on it, and stay on it."""
    git(repo, "checkout", "-q", "-b", name)
    return commit(repo, files, message)
