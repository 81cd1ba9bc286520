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
from typing import Collection

from ..git import gitcmd
from .. import __version__
from ..errors import DeployCheckError, SigningError

CONFIG = ".deploycheck/config.yaml"
SIGNERS = ".deploycheck/allowed_signers"
GITHUB_WORKFLOW = ".github/workflows/deploycheck.yml"
GITLAB_CI = ".gitlab-ci.yml"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
PR_TEMPLATE = ".github/pull_request_template.md"
# GitLab reads merge request templates from this folder; `Default.md` is preselected.
GITLAB_MR_TEMPLATE = ".gitlab/merge_request_templates/Default.md"
# Where GitHub looks for a single pull request template (the name is case-insensitive).
PR_TEMPLATE_DIRS = (".github", "", "docs")
PR_SECTION_TITLE = "Concurrency considerations"

# The hooks run the `deploycheck` the team installed (a `repo: local` hook): a remote `repo:` needs
# a published tag for `rev`, and this version has none that a team could rely on.
PRE_COMMIT_REPO = "local"

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
    needs_key: bool = False  # allowed_signers trusts no key of this user: say how to add one


# The pip requirement the CI templates install: set by `run` from how this deploycheck was
# installed or from --install-spec (see install_source); always pinned.
_install_spec: list[str] = []


def install_spec() -> str:
    return _install_spec[-1] if _install_spec else f"deploycheck=={__version__}"


def template(name: str) -> str:
    text = resources.files("deploycheck").joinpath("templates").joinpath(name).read_text(encoding="utf-8")
    return text.replace("__DEPLOYCHECK_PIP_SPEC__", install_spec()).replace("__DEPLOYCHECK_VERSION__", __version__)


# ---------------------------------------------------------------- pure text merges


def _ensure_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


# The push hook fails closed where the command is missing, but says why and what to do (a new
# user's trial, session 26: pre-commit's "Executable `deploycheck` not found" blocked every push).
PUSH_ENTRY = ("sh -c 'command -v deploycheck >/dev/null 2>&1 || { echo \"deploycheck is not on PATH, so this push "
              "was not checked and is refused; activate the environment deploycheck is installed in (or install it "
              "there) and push again\" >&2; exit 1; }; exec deploycheck verify --hook' --")
WARN_ENTRY = ("sh -c 'command -v deploycheck >/dev/null 2>&1 || { echo \"deploycheck is not on PATH, so no warning "
              "(the pre-push hook and CI still check)\"; exit 0; }; exec deploycheck hook warn' --")


def pre_commit_entry(indent: str) -> str:
    """The `- repo: local` entry for .pre-commit-config.yaml, with list items at ``indent``:
    hooks that run the installed `deploycheck` command (`language: system`)."""
    inner = indent + "  "
    hook = inner + "    "

    def one(hook_id: str, name: str, entry: str, stage: str, comment: str, verbose: bool = False) -> str:
        return (
            f"{inner}  - id: {hook_id}   # {comment}\n"
            f"{hook}name: {name}\n"
            f"{hook}entry: {entry}\n"
            f"{hook}language: system   # runs the `deploycheck` command installed on this machine\n"
            f"{hook}pass_filenames: false\n"
            f"{hook}always_run: true\n"
            # pre-commit shows a passing hook's output only with `verbose: true`; the warning
            # hook always passes, so without it the warning would never be seen.
            + (f"{hook}verbose: true   # show the warning: pre-commit hides a passing hook's output\n" if verbose else "")
            + f"{hook}stages: [{stage}]\n"
        )

    return (
        f"{indent}- repo: {PRE_COMMIT_REPO}\n"
        f"{inner}hooks:\n"
        + one("deploycheck", "deploycheck (block a flagged push without a valid record)", PUSH_ENTRY,
              "pre-push", "blocks a flagged change without a valid record")
        # Never blocks, not even where the command is missing (a shell or a git client without the
        # environment deploycheck is installed in: the second new-user trial's commits failed).
        + one("deploycheck-warn", "deploycheck (warn when a commit touches shared state)", WARN_ENTRY,
              "pre-commit", "one-line warning at commit, never blocks", verbose=True)
    )


# Hooks without `stages:` run at every hook type installed; installing the pre-push hook would
# make a team's existing commit hooks (formatters, linters) run again at every push.
DEFAULT_STAGES = "default_stages: [pre-commit]   # hooks without `stages:` run at commit only, not at push\n"


def new_pre_commit_config() -> str:
    return (
        "# See https://pre-commit.com. `pre-commit install --hook-type pre-push` installs the push hook.\n"
        + DEFAULT_STAGES
        + "repos:\n" + pre_commit_entry("  ")
    )


_DEFAULT_STAGES_KEY = re.compile(r"^default_stages\s*:", re.M)


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
    indent = m.group(1) if items and (m := re.match(r"^(\s*)", items[0])) else "  "
    # Insert after the list's last line. A comment at column 0 just before the next key
    # belongs to that key, so it stays below the new entry.
    last = start
    for i in range(start + 1, end):
        if lines[i].strip() and (lines[i][0].isspace() or lines[i].startswith("-")):
            last = i
    head = "".join(lines[: last + 1])
    if not _DEFAULT_STAGES_KEY.search(text):
        head = "".join(lines[:start]) + DEFAULT_STAGES + "".join(lines[start : last + 1])
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
    ours = [r for r in repos if isinstance(r, dict) and r.get("repo") == PRE_COMMIT_REPO
            and [h.get("id") for h in r.get("hooks", [])] == ["deploycheck", "deploycheck-warn"]]
    return len(ours) == 1


def merge_pr_template(text: str) -> str:
    """``text`` with the "Concurrency considerations" section appended when it has none."""
    if re.search(rf"^#+\s*{PR_SECTION_TITLE}\s*$", text, re.M | re.I):
        return text
    section = template("pull_request_template.md")
    return _ensure_newline(text) + ("\n" if text.strip() else "") + section


def gitlab_stages(text: str) -> list[str] | None:
    """The pipeline's top-level ``stages:`` list, or None when it sets none (GitLab's defaults,
    which include ``test``, apply)."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    # GitLab's own tags (!reference) must not make the whole file unreadable here.
    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        data = None
    stages = data.get("stages") if isinstance(data, dict) else None
    return [str(s) for s in stages] if isinstance(stages, list) and stages else None


def merge_gitlab_ci(text: str) -> str:
    """``text`` with the deploycheck job appended when no job of that name exists. The job runs
    in the ``test`` stage; a pipeline whose ``stages:`` has no ``test`` gets the job in its
    first stage instead (GitLab rejects a job whose stage is not listed)."""
    if re.search(r"^deploycheck\s*:", text, re.M):
        return text
    job = template("gitlab-ci.yml")
    stages = gitlab_stages(text)
    if stages is not None and "test" not in stages:
        job = job.replace("  stage: test\n", f"  stage: {stages[0]}   # the pipeline has no `test` stage\n", 1)
    return _ensure_newline(text) + "\n" + job


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


def _read_config(root: Path) -> str | None:
    """The existing config's text, or None when it cannot be read as text (a folder, no permission)."""
    try:
        return _read(root / CONFIG)
    except (OSError, UnicodeDecodeError):
        return None


# `init --dry-run`: what would be written, by path, instead of writing it.
_dry_run: list[dict[str, str]] = []


def _write(path: Path, text: str) -> None:
    if _dry_run:
        _dry_run[-1][str(path)] = text
        return
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
    if path.is_symlink():
        # Writing would replace the link with a copy (airsonic's PR template is a link to
        # CONTRIBUTING.md: a new user's trial, session 33); the file it points to is the author's.
        return Outcome(rel, SKIPPED, f"is a symbolic link to {os.readlink(path)}; left as it is: add {what} to "
                                     "the file it points to by hand", snippet or create)
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

    from ..output.console import out

    return Confirm.ask(question, default=True, console=out())


def setup_signers(root: Path, key_path: Path | None = None) -> Outcome:
    """Create .deploycheck/allowed_signers, with the current user's key when one is found, or
    with the key ``init --key PATH`` names (which must be readable: an error otherwise)."""
    from ..records.signing import discover_signing_key, unused_git_signing_key

    path = root / SIGNERS
    old = _read(path)
    if key_path is not None:
        key = _named_key(root, key_path)
    else:
        try:
            key = discover_signing_key(None, root)
        except SigningError:
            key = None
    public = key.public_key if key is not None else None
    principal = key.principal if key is not None else None
    base = old if old is not None else SIGNERS_HEADER
    status_if_written = CREATED if old is None else UPDATED
    if public is None or not principal:
        unused = unused_git_signing_key(root) if key is None else None
        why = (
            f"git's user.signingkey ({unused}) is not used, as gpg.format is not `ssh` "
            "(`git config gpg.format ssh` if it is an SSH key, then run init again)"
            if unused
            else "no SSH signing key found (create one with `ssh-keygen -t ed25519`)"
            if key is None
            else "set `git config user.email` first"
            if not principal
            else f"the public half of {key.describe()} cannot be read"
        )
        if old is not None:
            return Outcome(SIGNERS, UNCHANGED, f"no key added: {why}", needs_key=not _trusts_any_key(old))
        _write(path, base)
        return Outcome(SIGNERS, CREATED, f"with no key yet: {why}; add one line per signer", needs_key=True)
    entry = public.openssh()
    if signers_has_key(base, entry):
        return Outcome(SIGNERS, UNCHANGED, f"already trusts {public}")
    description = f"{principal} {public} ({key.source})"
    # A key named with --key is the user's explicit choice: no second question.
    if key_path is None and sys.stdin.isatty() and not _dry_run and not _confirm(f"Trust your key {description} to sign records?"):
        if old is not None:
            return Outcome(SIGNERS, UNCHANGED, "your key was not added", needs_key=not _trusts_any_key(old))
        _write(path, base)
        return Outcome(SIGNERS, CREATED, "with no key (you declined to add yours)", needs_key=True)
    _write(path, _ensure_newline(base) + signers_line(principal, entry))
    return Outcome(SIGNERS, status_if_written, f"added your key: {description}")


def _trusts_any_key(text: str) -> bool:
    return any(line.split() and not line.lstrip().startswith("#") for line in text.splitlines())


def _named_key(root: Path, key_path: Path):
    """The key of ``init --key PATH`` (a .pub file, or a private key whose public half can be
    read), with git's user.email as its principal; bad input is exit 2 with the fix."""
    from ..errors import UsageError
    from ..records.signing import discover_signing_key

    shown = str(key_path)
    if not key_path.expanduser().is_file():
        raise UsageError(f"--key {shown}: no such file. Name your SSH public key, e.g. `--key ~/.ssh/id_ed25519.pub` "
                         "(create a key with `ssh-keygen -t ed25519`).")
    try:
        key = discover_signing_key(str(key_path.expanduser()), root)
    except SigningError as exc:
        raise UsageError(f"--key {shown}: {exc.message}") from None
    if key.public_key is None:
        raise UsageError(f"--key {shown}: its public half cannot be read (a passphrase-protected key without its .pub "
                         "beside it). Pass the .pub file instead.")
    if not key.principal:
        raise UsageError("--key: git's user.email is not set, and it names the signer in allowed_signers. "
                         "Run `git config user.email you@example.com`, then `deploycheck init --key` again.")
    return key


def is_gitlab(root: Path, ci: str | None) -> bool:
    return ci == "gitlab" or (ci is None and (root / GITLAB_CI).is_file())


# Every pull request needs the field, not only a flagged one (docs/pr-field.md: `N/A` is accepted
# when nothing is flagged); saying "a flagged pull request" here let a docs-only PR fail unexpectedly.
PR_FIELD_REQUIRED_NOTE = ("with pr_field: required (--pr-template): the gate fails any pull request whose description "
                          f'has no "{PR_SECTION_TITLE}" field (`N/A` is enough when nothing is flagged), '
                          "a bot's (Dependabot, Renovate) too, whose descriptions skip the template; "
                          "set `pr_field: warn` to only note it")
PR_FIELD_UNCHANGED_NOTE = ("exists; left as it is. --pr-template did not change pr_field: add `pr_field: required` "
                           "to make the gate check the template's field")
PR_FIELD_ALREADY_NOTE = "exists; left as it is (it already has pr_field: required, so the gate checks the template's field)"


# Bots that open pull requests on a schedule, by the file that sets them up.
_BOT_FILES = {".github/dependabot.yml": "Dependabot", ".github/dependabot.yaml": "Dependabot",
              "renovate.json": "Renovate", ".github/renovate.json": "Renovate", "renovate.json5": "Renovate",
              ".renovaterc": "Renovate", ".renovaterc.json": "Renovate"}


def _bots_here(root: Path) -> str:
    """The bots this repository is set up for, said beside the note (a new user's trial: hawkBit
    has Dependabot, and the generic word did not say that its next pull requests would fail)."""
    found = sorted({bot: path for path, bot in _BOT_FILES.items() if (root / path).is_file()}.items())
    if not found:
        return ""
    named = " and ".join(f"{bot} ({path})" for bot, path in found)
    return f". This repository is set up for {named}: its pull requests will fail the gate unless pr_field is warn"


def pr_field_note(existing: str | None) -> str:
    """What init says of an existing config under --pr-template. It said to add `pr_field:
    required` to a config that had it (a new-user trial re-ran init on its set-up main branch);
    a config that cannot be read keeps the advice, and `verify` names its error."""
    from ..config import parse_config_text

    try:
        required = existing is not None and parse_config_text(existing).pr_field == "required"
    except DeployCheckError:
        required = False
    return PR_FIELD_ALREADY_NOTE if required else PR_FIELD_UNCHANGED_NOTE


def setup(root: Path, ci: str | None, pre_commit: bool, pr_template: bool, key_path: Path | None = None) -> list[Outcome]:
    # The one question (whether to trust the key) comes before any file is written: stopped
    # there, nothing was, as the interruption says (a new user's trial, session 27, found the
    # config written and its notes lost to the next run, which left it unchanged).
    signers = setup_signers(root, key_path)
    config = template("config.yaml")
    if pr_template:  # the template asks for the field, so the gate checks it (docs/pr-field.md)
        config += "\n# Written by `deploycheck init --pr-template`: the PR template has the field, so require it.\npr_field: required\n"
    config_outcome = create_only(root, CONFIG, config)
    if pr_template:  # a setting that can fail the gate is never changed silently
        config_outcome.note = PR_FIELD_REQUIRED_NOTE + _bots_here(root) if config_outcome.status == CREATED \
            else pr_field_note(_read_config(root))
    outcomes = [config_outcome, signers]
    if ci == "github":
        outcomes.append(create_only(root, GITHUB_WORKFLOW, template("github-workflow.yml")))
    elif ci == "gitlab":
        outcomes.append(merge_into(root, GITLAB_CI, template("gitlab-ci.yml"), merge_gitlab_ci, "the deploycheck job"))
    if pre_commit:
        outcomes.append(
            merge_into(root, PRE_COMMIT_CONFIG, new_pre_commit_config(), merge_pre_commit_config,
                       "the deploycheck hooks", snippet=DEFAULT_STAGES + "repos:\n" + pre_commit_entry("  "))
        )
    if pr_template:
        rel = GITLAB_MR_TEMPLATE if is_gitlab(root, ci) else find_pr_template(root)
        outcomes.append(
            merge_into(root, rel, template("pull_request_template.md"), merge_pr_template, f'the "{PR_SECTION_TITLE}" section')
        )
    return outcomes


# Where each CI template names the package it installs, so the team knows what to change when it
# installs deploycheck from elsewhere.
CI_INSTALL_LINE = {
    "github": f"the `Install deploycheck` step of {GITHUB_WORKFLOW}",
    "gitlab": f"DEPLOYCHECK_PIP_SPEC in {GITLAB_CI}",
}
CI_FILE = {"github": GITHUB_WORKFLOW, "gitlab": GITLAB_CI}


def install_step(source, ci: str, kept_without_spec: bool = False) -> str:
    """What the CI job installs, where that came from, and what to change for another source.

    ``kept_without_spec``: the CI file was there before and left as it is, and it does not name
    ``source.spec``. Then the job installs whatever that file already names, and saying it
    installs the spec would be false (init never overwrites a file, so a second run with
    --install-spec cannot change it either)."""
    from ..install_source import ARCHIVE, INDEX, LOCAL, OVERRIDE, VCS

    where = CI_INSTALL_LINE[ci]
    spec = source.spec
    if kept_without_spec:
        return (
            f"{CI_FILE[ci]} was already there and init left it as it is, so the CI job still installs what "
            f"{where} names, not `{spec}`: edit it there by hand if it should change (keep it pinned to a "
            "version or a commit)."
        )
    if source.kind == LOCAL:
        return (
            f"This deploycheck is a local install (from {source.where}), so the CI job installs `{spec}`, "
            f"a path that exists only on this machine. Replace it in {where} with where your team gets "
            "deploycheck, pinned (`deploycheck==VERSION`, or `deploycheck @ git+https://HOST/ORG/deploycheck@COMMIT`); "
            "init never overwrites the file, so edit it by hand (or give --install-spec on the run that creates it)."
        )
    origin = {
        INDEX: "the release installed here, from your package index",
        VCS: "the git commit installed here",
        ARCHIVE: "the archive installed here",
        OVERRIDE: "as given by --install-spec",
    }[source.kind]
    return (
        f"The CI job installs `{spec}` ({origin}). If your team installs deploycheck from elsewhere, "
        f"change {where} (keep it pinned to a version or a commit)."
    )


def _origin_default_branch(root: Path) -> str | None:
    """The branch origin's HEAD names (`develop` for diaspora: a new user's trial, session 26, was
    told to commit on "your main branch"), or None when git does not know it."""
    from ..git.change import origin_head

    return origin_head(str(root)).partition("/")[2] or None


def _uncommitted(root: Path, paths: list[str]) -> set[str]:
    """Those of ``paths`` that exist but differ from HEAD or are not tracked (an earlier `init`
    wrote them and they were never committed)."""
    if not paths:
        return set()
    proc = gitcmd.run(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths], str(root), check=False)
    return {e[3:].decode("utf-8", "surrogateescape") for e in proc.stdout.split(b"\0") if len(e) > 3} & set(paths)


def next_steps(outcomes: list[Outcome], pre_commit: bool, ci: str | None = None, source=None,
               ignored: dict[str, str] | None = None, uncommitted: Collection[str] = (),
               kept_ci_text: str | None = None, push_hook: bool = True, tracked_hook: str | None = None,
               hooks_in_tree: str | None = None, default_branch: str | None = None,
               git_key: str | None = None, codeowners: str | None = None) -> list[str]:
    """``kept_ci_text``: the CI file's text when init found it there and left it as it is.
    ``push_hook``: whether a deploycheck push hook is already set up (a plain hook, or the
    pre-commit framework's configuration naming deploycheck). ``tracked_hook``: the repository
    path of the pre-push hook git runs, when the repository tracks it (husky's `.husky/pre-push`)
    and it does not run deploycheck yet. ``hooks_in_tree``: the folder core.hooksPath names in the
    work tree (convoy's `.githooks`), when git's pre-push hook there is not the repository's.
    ``default_branch``: the branch origin's HEAD names (`develop`), when git knows it.
    ``git_key``: git's user.signingkey when git would not use it for SSH signing.
    ``codeowners``: the repository's CODEOWNERS file when it exists and leaves a trust anchor of
    `.deploycheck/` without an owner."""
    # Files an earlier `init` wrote and nobody committed yet belong in the same commit.
    changed = [o.path for o in outcomes if o.status in (CREATED, UPDATED) or o.path in uncommitted]
    steps = []
    if ci in CI_INSTALL_LINE and source is not None:
        kept_without_spec = kept_ci_text is not None and source.spec not in kept_ci_text
        steps.append(install_step(source, ci, kept_without_spec))
    if any(o.needs_key for o in outcomes):
        # Before the commit step: the key belongs in the commit that sets deploycheck up.
        if git_key:
            # git's user.signingkey, unused as gpg.format is not ssh: that key, not a stock path
            # that may not exist (a new user's trial, session 26).
            steps.append("Trust your SSH key to sign records (without a trusted key every record fails the gate):\n"
                         f"     git config gpg.format ssh && deploycheck init   # or: deploycheck init --key {git_key}")
        else:
            steps.append("Trust your SSH key to sign records (without a trusted key every record fails the gate):\n"
                         "     ssh-keygen -t ed25519            # only if you have no key yet\n"
                         "     deploycheck init --key ~/.ssh/id_ed25519.pub")
    if changed:
        from ..git.gitignore import force_note

        ignored = ignored or {}
        add = "git add --force" if any(p in ignored for p in changed) else "git add"
        why = ""
        if ignored:
            first = next(p for p in changed if p in ignored)
            why = f"\n     (--force: {force_note(ignored[first])}.)"
        where = f"your default branch ({default_branch})" if default_branch else "your default branch (the one pull requests merge into)"
        steps.append(
            f"Commit these files on {where} first (the gate trusts only the base branch's "
            "configuration and signers):\n"
            f"     {add} {' '.join(changed)} && git commit -m 'Set up deploycheck'{why}"
        )
    # A new-user trial (session 19, Flowise with husky): core.hooksPath names a folder of the
    # repository, so `hook install` will not replace its pre-push and pre-commit will not install.
    in_repo = (f"Add deploycheck to {tracked_hook}, the push hook this repository keeps (core.hooksPath points "
               "into the work tree, as husky sets it, so `deploycheck hook install` leaves that file alone and "
               "`pre-commit install` refuses): the lines are in docs/integrations.md (\"Hooks kept in the repository\").")
    if tracked_hook is not None:
        steps.append(in_repo)
    elif pre_commit and hooks_in_tree is not None:
        # A new user's trial (convoy, whose `make setup` points core.hooksPath at `.githooks`):
        # `pre-commit install` refuses while core.hooksPath is set, and unsetting it would turn
        # the repository's own hooks off.
        steps.append(
            f"Install the push hook (the gate): `pre-commit install` refuses while core.hooksPath is set (it names "
            f"{hooks_in_tree}, this repository's hooks), so install deploycheck's own instead:\n"
            "     deploycheck hook install\n"
            f"     It writes {hooks_in_tree}/pre-push and keeps it out of commits (.git/info/exclude).")
    elif pre_commit:
        steps.append(
            "Install the push hook (the gate):\n     pre-commit install --hook-type pre-push\n"
            "     Only deploycheck's hook runs at push (`stages: [pre-push]`); `default_stages: [pre-commit]` keeps "
            "your other hooks at commit. The warning hook runs at commit where `pre-commit install` was run. "
            "Both run the `deploycheck` command installed on each machine (`language: system`)."
        )
    elif not push_hook:
        # A new-user trial (session 17) followed these steps to the letter and pushed without any
        # hook: the README's step 5 names it, the printed steps did not.
        steps.append(
            "Install the push hook, which refuses a flagged push without a valid record before CI does:\n"
            "     deploycheck hook install\n"
            "     (with the pre-commit framework: `deploycheck init --pre-commit`, then "
            "`pre-commit install --hook-type pre-push`)"
        )
    if codeowners is not None:
        # A new user's trial (nats-server, session 39): the repository had owners for its code but
        # none for the gate's trust anchors, and init said nothing of it.
        steps.append(f"Protect the gate's trust anchors: {codeowners} leaves `.deploycheck/`'s signers or "
                     "configuration without an owner, so anyone who may merge can change them. Add a line such as\n"
                     "     /.deploycheck/   @your-org/platform-leads\n"
                     "     and require code-owner review (docs/integrations.md, 'Protect the trust anchors with CODEOWNERS').")
    steps.append("Then, on a branch that changes jobs, queues or shared state, run `deploycheck` before opening the pull request.")
    return steps


# Where GitHub and GitLab look for the owners file, in their order.
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")


# The gate's trust anchors, each of which the owners file must give an owner.
_ANCHORS = (".deploycheck/allowed_signers", ".deploycheck/config.yaml")


def unowned_codeowners(root: Path) -> str | None:
    """The repository's CODEOWNERS file when one of the gate's trust anchors has no owner there,
    else None (no file, or both owned). As GitHub and GitLab read it: the last line whose pattern
    matches a path decides its owners, a `#` starts a comment, and a line with no owner leaves the
    path unowned (the red team of session 39: an owner-less override, a comment read as owners)."""
    for path in CODEOWNERS_PATHS:
        text = _text(root / path)
        if not text:
            continue
        rules = [words for line in text.splitlines() if (words := line.split("#", 1)[0].split())]
        for anchor in _ANCHORS:
            owners = [words[1:] for words in rules if _owns(words[0], anchor)]
            if not owners or not owners[-1]:
                return path
        return None
    return None


def _owns(pattern: str, path: str) -> bool:
    """Whether a CODEOWNERS ``pattern`` matches the repository ``path`` (gitignore's rules, as far
    as a trust anchor needs: anchored or not, a folder, `*` and `**`)."""
    import fnmatch

    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    if pattern in ("*", "**"):
        return True
    candidates = [path] if anchored else [path, *(path.split("/", i)[-1] for i in range(1, path.count("/") + 1))]
    parts = path.split("/")
    folders = ["/".join(parts[:i]) for i in range(1, len(parts))]
    return any(fnmatch.fnmatchcase(c, pattern) or fnmatch.fnmatchcase(c, pattern + "/**") for c in candidates) \
        or any(fnmatch.fnmatchcase(f, pattern) for f in folders) \
        or (not anchored and any(fnmatch.fnmatchcase(part, pattern) for part in parts[:-1]))


def push_hook_configured(root: Path) -> bool:
    """Whether pushes from this clone already run deploycheck: deploycheck's own pre-push hook,
    or a .pre-commit-config.yaml that names a deploycheck hook (installed or not, that is the
    framework's step, which `init --pre-commit` prints)."""
    from .hook import hooks_dir

    return _runs_deploycheck(_text(hooks_dir(str(root)) / "pre-push")) or bool(_DEPLOYCHECK_HOOK.search(_text(root / PRE_COMMIT_CONFIG)))


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _runs_deploycheck(hook: str) -> bool:
    """deploycheck's own hook, or one with the lines docs/integrations.md gives for a hook the
    repository tracks."""
    from .hook import MARKER

    return MARKER in hook or "deploycheck verify --hook" in hook


def run(ci: str | None, pre_commit: bool, pr_template: bool, install_spec: str | None = None, dry_run: bool = False,
        key: Path | None = None) -> int:
    from rich.text import Text

    from .. import install_source
    from ..output.console import out
    from ..git.gitignore import ignored as ignored_paths
    from ..util.safe import inert

    source = install_source.from_option(install_spec) if install_spec else install_source.current(__version__)
    root = Path(gitcmd.work_tree(os.getcwd(), "init", "writes its configuration files for you to commit"))
    _install_spec.append(source.spec)
    if dry_run:
        _dry_run.append({})
    if key is not None:
        _named_key(root, key)  # bad --key input stops init before it writes anything
    try:
        outcomes = setup(root, ci, pre_commit, pr_template, key)
        would = _dry_run[-1] if dry_run else {}
    except OSError as exc:
        raise DeployCheckError(
            f"cannot write in {root}: {exc.strerror or exc} ({exc.filename}). Check the folder's "
            "permissions and run `deploycheck init` again; files already written are kept."
        ) from None
    finally:
        _install_spec.pop()
        if dry_run:
            _dry_run.pop()
    pending = _uncommitted(root, [o.path for o in outcomes if o.status not in (CREATED, UPDATED, "skipped")]) if not dry_run else set()
    ignored = ignored_paths(str(root), [o.path for o in outcomes if o.status in (CREATED, UPDATED) or o.path in pending])
    console = out()
    width = max(len(o.status) for o in outcomes)
    prefix = "would be " if dry_run else ""
    for o in outcomes:
        line = Text(f"{prefix}{o.status:<{width}}  ", style="green" if o.status in (CREATED, UPDATED) else "dim")
        line.append(inert(o.path))
        if o.note:
            line.append(f"  ({inert(o.note)})")
        console.print(line, soft_wrap=True)
        for snippet_line in o.snippet.splitlines():
            console.print(Text("    " + snippet_line), soft_wrap=True)
    if dry_run:
        for path, text in would.items():
            console.print()
            console.print(Text(f"--- {inert(os.path.relpath(path, root))} (as it would be written)"), soft_wrap=True)
            console.print(Text(text.rstrip("\n")), soft_wrap=True)
        if ci in CI_INSTALL_LINE:
            # The preview is the moment to choose another source with --install-spec: the real run
            # writes the CI file once and never overwrites it, so say now what its install line names.
            kept = next((o for o in outcomes if o.path == CI_FILE[ci] and o.status == UNCHANGED), None)
            kept_text = _read(root / kept.path) if kept is not None else None
            console.print()
            console.print(Text(install_step(source, ci, kept_text is not None and source.spec not in kept_text)), soft_wrap=True)
        console.print()
        console.print(Text("Dry run: nothing was written. Run without --dry-run to write these files."), soft_wrap=True)
        return 0
    console.print()
    console.print("Next steps:")
    kept_ci = next((o for o in outcomes if ci in CI_FILE and o.path == CI_FILE[ci] and o.status == UNCHANGED), None)
    kept_ci_text = _read(root / kept_ci.path) if kept_ci is not None else None
    from .hook import hooks_dir, in_work_tree, tracked_hook

    pre_push = hooks_dir(str(root)) / "pre-push"
    # Once the hook runs deploycheck (the lines docs/integrations.md gives), neither step is due.
    runs = _runs_deploycheck(_text(pre_push))
    tracked = None if runs else tracked_hook(str(root), pre_push)
    in_tree = None if runs else in_work_tree(str(root), pre_push)
    hooks_in_tree = (in_tree.rpartition("/")[0] or ".") if in_tree is not None else None
    from ..records.signing import unused_git_signing_key

    steps = next_steps(outcomes, pre_commit, ci, source, ignored, pending, kept_ci_text, push_hook_configured(root), tracked,
                       hooks_in_tree, _origin_default_branch(root), unused_git_signing_key(root), unowned_codeowners(root))
    for number, step in enumerate(steps, start=1):
        console.print(Text(f"  {number}. {step}"), soft_wrap=True)
    return 0
