"""`deploycheck init`: set deploycheck up in a repository, without ever overwriting a user's file.

Every step is "create if absent, merge if present, otherwise leave alone", and reports which of
the three happened, so running init twice changes nothing. Merging is textual (comments and
layout of the user's files survive); a merge that would not give the expected structure is not
written, and the user is shown what to add by hand instead.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .. import __version__, gitcmd
from ..errors import DeployCheckError, SigningError

CONFIG = ".deploycheck/config.yaml"
SIGNERS = ".deploycheck/allowed_signers"
GITHUB_WORKFLOW = ".github/workflows/deploycheck.yml"
GITLAB_CI = ".gitlab-ci.yml"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
PR_TEMPLATE = ".github/pull_request_template.md"
# Where GitHub looks for a single pull request template (the name is case-insensitive).
PR_TEMPLATE_DIRS = (".github", "", "docs")
PR_SECTION_TITLE = "Concurrency considerations"

# Where the pre-commit framework fetches the hooks from; `rev` is this version's tag.
PROJECT_REPO_URL = "https://github.com/deploycheck/deploycheck"

SIGNERS_HEADER = """\
# Trusted signers of deploycheck records: one line per key, in the format of git's
# gpg.ssh.allowedSignersFile:  PRINCIPAL[,PRINCIPAL] [OPTIONS] KEY-TYPE BASE64-KEY [COMMENT]
# e.g.  dev@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA...
# The gate reads this file from the base branch only: add keys there, protect it with
# CODEOWNERS, and review every change to it.
"""

CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"


@dataclass
class Outcome:
    path: str
    status: str  # created | updated | unchanged | skipped
    note: str = ""
    snippet: str = ""  # what to add by hand when an automatic merge was not possible


def template(name: str) -> str:
    text = resources.files("deploycheck").joinpath("templates").joinpath(name).read_text(encoding="utf-8")
    return text.replace("__DEPLOYCHECK_VERSION__", __version__)


# ---------------------------------------------------------------- pure text merges


def _ensure_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def pre_commit_entry(indent: str) -> str:
    """The `- repo:` entry for .pre-commit-config.yaml, with list items at ``indent``."""
    inner = indent + "  "
    return (
        f"{indent}- repo: {PROJECT_REPO_URL}\n"
        f"{inner}rev: v{__version__}\n"
        f"{inner}hooks:\n"
        f"{inner}  - id: deploycheck        # pre-push: blocks a flagged change without a valid record\n"
        f"{inner}  - id: deploycheck-warn   # pre-commit: one-line warning, never blocks\n"
    )


def new_pre_commit_config() -> str:
    return (
        "# See https://pre-commit.com. `pre-commit install` sets up both hook types below.\n"
        "default_install_hook_types: [pre-commit, pre-push]\n"
        "repos:\n" + pre_commit_entry("  ")
    )


_TOP_KEY = re.compile(r"^[^\s#-][^:]*:")
_REPOS_KEY = re.compile(r"^repos\s*:\s*(#.*)?$")
_DEPLOYCHECK_HOOK = re.compile(r"^\s*-?\s*id\s*:\s*['\"]?deploycheck(-warn)?['\"]?\s*(#.*)?$", re.M)


def merge_pre_commit_config(text: str) -> str | None:
    """``text`` with the deploycheck entry appended to its block-style ``repos:`` list.

    Returns ``text`` itself when a deploycheck hook is already configured, and None when the
    file's shape is not one this textual merge handles (flow-style ``repos: [...]``, no
    ``repos:`` key); the caller then asks the user to add the entry by hand.
    """
    if _DEPLOYCHECK_HOOK.search(text):
        return text
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _REPOS_KEY.match(line.rstrip("\r\n"))), None)
    if start is None:
        return None
    # The block ends at the next top-level key; list items may sit at column 0 ("- repo:").
    end = len(lines)
    for i in range(start + 1, len(lines)):
        if _TOP_KEY.match(lines[i]):
            end = i
            break
    body = lines[start + 1 : end]
    items = [line for line in body if line.lstrip().startswith("- ")]
    indent = re.match(r"^(\s*)", items[0]).group(1) if items else "  "
    # Insert after the list's last line. A comment at column 0 just before the next key
    # belongs to that key, so it stays below the new entry.
    last = start
    for i in range(start + 1, end):
        if lines[i].strip() and (lines[i][0].isspace() or lines[i].startswith("-")):
            last = i
    head = "".join(lines[: last + 1])
    merged = _ensure_newline(head) + pre_commit_entry(indent) + "".join(lines[last + 1 :])
    return merged if _has_deploycheck_repo(merged, len(_repos(text) or [])) else None


def _repos(text: str) -> list | None:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    repos = data.get("repos") if isinstance(data, dict) else None
    return repos if isinstance(repos, list) else None


def _has_deploycheck_repo(text: str, count_before: int) -> bool:
    """Whether the merged file parses with exactly one more repo, ours, carrying both hooks."""
    repos = _repos(text)
    if repos is None or len(repos) != count_before + 1:
        return False
    ours = [r for r in repos if isinstance(r, dict) and r.get("repo") == PROJECT_REPO_URL]
    return len(ours) == 1 and [h.get("id") for h in ours[0].get("hooks", [])] == ["deploycheck", "deploycheck-warn"]


def merge_pr_template(text: str) -> str:
    """``text`` with the "Concurrency considerations" section appended when it has none."""
    if re.search(rf"^#+\s*{PR_SECTION_TITLE}\s*$", text, re.M | re.I):
        return text
    section = template("pull_request_template.md")
    return _ensure_newline(text) + ("\n" if text.strip() else "") + section


def merge_gitlab_ci(text: str) -> str:
    """``text`` with the deploycheck job appended when no job of that name exists."""
    if re.search(r"^deploycheck\s*:", text, re.M):
        return text
    return _ensure_newline(text) + "\n" + template("gitlab-ci.yml")


def signers_line(principal: str, key_openssh: str) -> str:
    return f"{principal} {key_openssh}\n"


def signers_has_key(text: str, key_openssh: str) -> bool:
    key_type, blob = key_openssh.split(None, 1)
    for line in text.splitlines():
        words = line.split()
        if words and not words[0].startswith("#") and blob in words and key_type in words:
            return True
    return False


# ---------------------------------------------------------------- file system edges


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.deploycheck-tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def create_only(root: Path, rel: str, text: str, exists_note: str = "exists; left as it is") -> Outcome:
    path = root / rel
    if path.exists():
        return Outcome(rel, UNCHANGED, exists_note)
    _write(path, text)
    return Outcome(rel, CREATED)


def merge_into(root: Path, rel: str, create: str, merge, what: str, snippet: str = "") -> Outcome:
    """Create ``rel`` from ``create``, or merge with ``merge(old) -> new | None``."""
    path = root / rel
    old = _read(path)
    if old is None:
        _write(path, create)
        return Outcome(rel, CREATED)
    new = merge(old)
    if new is None:
        return Outcome(rel, SKIPPED, f"could not add {what} automatically; add this by hand", snippet)
    if new == old:
        return Outcome(rel, UNCHANGED, f"already has {what}")
    _write(path, new)
    return Outcome(rel, UPDATED, f"added {what}")


def find_pr_template(root: Path) -> str:
    for folder in PR_TEMPLATE_DIRS:
        directory = root / folder if folder else root
        if directory.is_dir():
            for entry in sorted(directory.iterdir()):
                if entry.is_file() and entry.name.lower() == "pull_request_template.md":
                    return str(entry.relative_to(root))
    return PR_TEMPLATE


def _confirm(question: str) -> bool:
    from rich.prompt import Confirm

    from ..console import out

    return Confirm.ask(question, default=True, console=out())


def setup_signers(root: Path) -> Outcome:
    """Create .deploycheck/allowed_signers, with the current user's key when one is found."""
    from ..signing import discover_signing_key

    path = root / SIGNERS
    old = _read(path)
    try:
        key = discover_signing_key(None, root)
    except SigningError:
        key = None
    public = key.public_key if key is not None else None
    principal = key.principal if key is not None else None
    base = old if old is not None else SIGNERS_HEADER
    status_if_written = CREATED if old is None else UPDATED
    if public is None or not principal:
        why = (
            "no SSH signing key found (create one with `ssh-keygen -t ed25519`)"
            if key is None
            else "set `git config user.email` first"
            if not principal
            else f"the public half of {key.describe()} cannot be read"
        )
        if old is not None:
            return Outcome(SIGNERS, UNCHANGED, f"no key added: {why}")
        _write(path, base)
        return Outcome(SIGNERS, CREATED, f"with no key yet: {why}; add one line per signer")
    entry = public.openssh()
    if signers_has_key(base, entry):
        return Outcome(SIGNERS, UNCHANGED, f"already trusts {public}")
    description = f"{principal} {public} ({key.source})"
    if sys.stdin.isatty() and not _confirm(f"Trust your key {description} to sign records?"):
        if old is not None:
            return Outcome(SIGNERS, UNCHANGED, "your key was not added")
        _write(path, base)
        return Outcome(SIGNERS, CREATED, "with no key (you declined to add yours)")
    _write(path, _ensure_newline(base) + signers_line(principal, entry))
    return Outcome(SIGNERS, status_if_written, f"added your key: {description}")


def setup(root: Path, ci: str | None, pre_commit: bool, pr_template: bool) -> list[Outcome]:
    config = template("config.yaml")
    if pr_template:  # the template asks for the field, so the gate checks it (docs/pr-field.md)
        config += "\n# Written by `deploycheck init --pr-template`: the PR template has the field, so require it.\npr_field: required\n"
    outcomes = [create_only(root, CONFIG, config), setup_signers(root)]
    if ci == "github":
        outcomes.append(create_only(root, GITHUB_WORKFLOW, template("github-workflow.yml")))
    elif ci == "gitlab":
        outcomes.append(merge_into(root, GITLAB_CI, template("gitlab-ci.yml"), merge_gitlab_ci, "the deploycheck job"))
    if pre_commit:
        outcomes.append(
            merge_into(root, PRE_COMMIT_CONFIG, new_pre_commit_config(), merge_pre_commit_config,
                       "the deploycheck hooks", snippet="repos:\n" + pre_commit_entry("  "))
        )
    if pr_template:
        rel = find_pr_template(root)
        outcomes.append(
            merge_into(root, rel, template("pull_request_template.md"), merge_pr_template, f'the "{PR_SECTION_TITLE}" section')
        )
    return outcomes


# Where each CI template names the package it installs (the release is not on PyPI yet, so a
# team must be told where to change it before its first pipeline runs).
CI_INSTALL_LINE = {
    "github": f"the `Install deploycheck` step of {GITHUB_WORKFLOW}",
    "gitlab": f"DEPLOYCHECK_PIP_SPEC in {GITLAB_CI}",
}


def next_steps(outcomes: list[Outcome], pre_commit: bool, ci: str | None = None) -> list[str]:
    changed = [o.path for o in outcomes if o.status in (CREATED, UPDATED)]
    steps = []
    if ci in CI_INSTALL_LINE:
        steps.append(
            f"The CI job installs deploycheck=={__version__} from PyPI; if your team installs it from "
            f"elsewhere (a git URL, a wheel you host), change {CI_INSTALL_LINE[ci]}."
        )
    if changed:
        steps.append(
            "Commit these files on your main branch first (the gate trusts only the base branch's "
            "configuration and signers):\n"
            f"     git add {' '.join(changed)} && git commit -m 'Set up deploycheck'"
        )
    if pre_commit:
        steps.append("Install the hooks:\n     pre-commit install --hook-type pre-commit --hook-type pre-push")
    steps.append("Then, on a branch that changes jobs, queues or shared state, run `deploycheck` before opening the pull request.")
    return steps


def run(ci: str | None, pre_commit: bool, pr_template: bool) -> int:
    from rich.text import Text

    from ..console import out
    from ..safe import inert

    root = Path(gitcmd.toplevel(os.getcwd()))
    try:
        outcomes = setup(root, ci, pre_commit, pr_template)
    except OSError as exc:
        raise DeployCheckError(
            f"cannot write in {root}: {exc.strerror or exc} ({exc.filename}). Check the folder's "
            "permissions and run `deploycheck init` again; files already written are kept."
        ) from None
    console = out()
    width = max(len(o.status) for o in outcomes)
    for o in outcomes:
        line = Text(f"{o.status:<{width}}  ", style="green" if o.status in (CREATED, UPDATED) else "dim")
        line.append(inert(o.path))
        if o.note:
            line.append(f"  ({inert(o.note)})")
        console.print(line, soft_wrap=True)
        for snippet_line in o.snippet.splitlines():
            console.print(Text("    " + snippet_line), soft_wrap=True)
    console.print()
    console.print("Next steps:")
    for number, step in enumerate(next_steps(outcomes, pre_commit, ci), start=1):
        console.print(Text(f"  {number}. {step}"), soft_wrap=True)
    return 0
