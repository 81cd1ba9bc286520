"""Finding the change: which base, which merge-base, and what the diff says, as plain data."""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext

from . import gitcmd
from .diffparse import parse_diff
from .errors import GitError
from .model import Change, FileChange
from .plain import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

DECK_DIR = ".deploycheck/"

# The pinned diff of DESIGN.md ("The fingerprint"). `-c` pins the configuration that could
# still reshape hunks; the flags override everything else a user or repository may set.
DIFF_CONFIG = (
    "-c", "core.quotepath=off",
    "-c", "core.bigFileThreshold=10m",  # huge files are treated as binary: blob ids, no text
    "-c", "diff.indentHeuristic=true",
    "-c", "diff.interHunkContext=0",
    "-c", "diff.suppressBlankEmpty=false",
)
DIFF_FLAGS = (
    "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
    "--diff-algorithm=myers", "-U0", "--src-prefix=a/", "--dst-prefix=b/",
    "--full-index", "--no-relative", "--ignore-submodules=none", "--submodule=short",
)

DEEPEN_STEPS = (50, 200, 1000, 5000)


class BaseChoice(Frozen):
    _fields = ("ref", "source", "sha")

    def __init__(self, ref: str, source: str, sha: str) -> None:
        self.ref = ref  # what was asked for ("origin/main", a sha, …)
        self.source = source  # how it was chosen
        self.sha = sha


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _github_event_base_sha() -> str | None:
    path = _env("GITHUB_EVENT_PATH")
    if not path:
        return None
    import json

    try:
        with open(path, "rb") as fh:
            event = json.loads(fh.read(10_000_000))
        sha = event["pull_request"]["base"]["sha"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return sha if isinstance(sha, str) and sha else None


def _candidates(explicit: str | None, config_base: str | None) -> list[tuple[str, str]]:
    """(ref, source) pairs in the order of DESIGN.md "Finding the change"."""
    if explicit:
        return [(explicit, "--base")]
    if _env("DEPLOYCHECK_BASE"):
        return [(_env("DEPLOYCHECK_BASE"), "DEPLOYCHECK_BASE")]  # type: ignore[list-item]
    github_ref = _env("GITHUB_BASE_REF")
    if github_ref:
        out = [(f"origin/{github_ref}", "GITHUB_BASE_REF")]
        sha = _github_event_base_sha()
        if sha:
            out.append((sha, "GITHUB_EVENT_PATH pull_request.base.sha"))
        return out
    sha = _github_event_base_sha()
    if sha:
        return [(sha, "GITHUB_EVENT_PATH pull_request.base.sha")]
    gitlab = _env("CI_MERGE_REQUEST_DIFF_BASE_SHA")
    if gitlab:
        return [(gitlab, "CI_MERGE_REQUEST_DIFF_BASE_SHA")]
    if config_base:
        return [(config_base, "base_branch in .deploycheck/config.yaml")]
    return [
        ("origin/HEAD", "origin/HEAD"),
        ("main", "default"),
        ("origin/main", "default"),
        ("master", "default"),
        ("origin/master", "default"),
    ]


def _remotes(root: str) -> list[str]:
    return [r for r in gitcmd.output(["remote"], root).splitlines() if r]


def _try_fetch_ref(root: str, ref: str) -> bool:
    """Fetch ``origin/x`` (or a sha) from its remote when it is missing locally."""
    remotes = _remotes(root)
    if not remotes:
        return False
    remote, _, branch = ref.partition("/")
    if remote in remotes and branch:
        spec = f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"
        args = ["fetch", "--no-tags", "--quiet", remote, spec]
    elif _looks_like_sha(ref):
        args = ["fetch", "--no-tags", "--quiet", remotes[0], ref]
    else:
        return False
    print(f"deploycheck: fetching {ref} (not present locally)…", file=sys.stderr)
    return gitcmd.run(args, root, check=False).returncode == 0


def _looks_like_sha(ref: str) -> bool:
    return 7 <= len(ref) <= 64 and all(c in "0123456789abcdef" for c in ref.lower())


def resolver(root: str, objects: gitcmd.BlobReader | None) -> Callable[[str], str | None]:
    """``gitcmd.resolve`` for ``root``, through ``objects`` (one long-lived git) when given."""
    return objects.resolve if objects is not None else (lambda rev: gitcmd.resolve(rev, root))


def resolve_base(
    root: str, explicit: str | None, config_base: str | None = None, objects: gitcmd.BlobReader | None = None
) -> BaseChoice:
    candidates = _candidates(explicit, config_base)
    resolve = resolver(root, objects)
    for ref, source in candidates:
        sha = resolve(ref)
        if sha is None and source not in ("default", "origin/HEAD") and not ref.startswith("-"):
            if _try_fetch_ref(root, ref):
                sha = gitcmd.resolve(ref, root)
        if sha is not None:
            _cross_check_gitlab(root, sha)
            return BaseChoice(ref, source, sha)
        if source != "default" and source != "origin/HEAD" and len(candidates) == 1:
            break
    asked = candidates[0]
    if asked[1] in ("origin/HEAD", "default"):
        raise GitError(
            "cannot find a base branch to compare with: none of origin/HEAD, main, origin/main, master, "
            "origin/master exists. Pass one with `--base REV` (or set DEPLOYCHECK_BASE, or `base_branch` "
            "in .deploycheck/config.yaml)."
        )
    shallow = gitcmd.is_shallow(root)
    hint = _fetch_hint(asked[0]) if shallow or _remotes(root) else ""
    raise GitError(
        f"base revision '{asked[0]}' (from {asked[1]}) does not exist in this repository. "
        f"Check the name, or fetch it first{hint}."
    )


def _cross_check_gitlab(root: str, base_sha: str) -> None:
    target = _env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
    if not (_env("CI_MERGE_REQUEST_DIFF_BASE_SHA") and target):
        return
    target_sha = gitcmd.resolve(f"origin/{target}", root)
    if target_sha is None:
        return
    ok = gitcmd.run(["merge-base", "--is-ancestor", base_sha, target_sha], root, check=False).returncode == 0
    if not ok:
        print(
            f"deploycheck: warning: CI_MERGE_REQUEST_DIFF_BASE_SHA {base_sha[:12]} is not on "
            f"origin/{target}; using it anyway.",
            file=sys.stderr,
        )


def _fetch_hint(ref: str) -> str:
    branch = ref.split("/", 1)[1] if ref.startswith("origin/") else ref
    return (
        f" (`git fetch origin {branch}`; in GitHub Actions use `actions/checkout` with `fetch-depth: 0`; "
        "in GitLab CI set `GIT_DEPTH: 0`)"
    )


def find_merge_base(root: str, base: BaseChoice, head_sha: str) -> str:
    """merge-base(base, head), deepening a shallow clone step by step before giving up.

    A missing merge-base must never be mistaken for an empty change: it is always an error.
    """
    for step in (None, *DEEPEN_STEPS):
        if step is not None:
            if not gitcmd.is_shallow(root) or not _remotes(root):
                break
            print(f"deploycheck: shallow clone, fetching {step} more commits of history…", file=sys.stderr)
            remote = "origin" if "origin" in _remotes(root) else _remotes(root)[0]
            gitcmd.run(["fetch", "--no-tags", "--quiet", f"--deepen={step}", remote], root, check=False)
        proc = gitcmd.run(["merge-base", base.sha, head_sha], root, check=False)
        if proc.returncode == 0 and proc.stdout.strip():
            return proc.stdout.decode().strip()
    if gitcmd.is_shallow(root):
        remote_note = (
            "it has no remote to fetch more history from"
            if not _remotes(root)
            else "fetching more history did not reach the merge-base"
        )
        raise GitError(
            f"this is a shallow clone and the merge-base of {base.ref} and HEAD is not in it ({remote_note}). "
            "Fetch the full history: `git fetch --unshallow origin` locally, `fetch-depth: 0` for "
            "actions/checkout in GitHub Actions, or `GIT_DEPTH: 0` in GitLab CI."
        )
    raise GitError(
        f"{base.ref} and HEAD have no common ancestor (unrelated histories), so there is no change to "
        "assess. Pass the branch this work was started from with `--base REV`."
    )


def resolve_head(root: str, head: str | None, objects: gitcmd.BlobReader | None = None) -> tuple[str, str]:
    ref = head or "HEAD"
    sha = resolver(root, objects)(ref)
    if sha is None:
        if ref == "HEAD":
            raise GitError("this repository has no commits yet. Commit your work, then run deploycheck again.")
        raise GitError(f"head revision '{ref}' does not exist. Check the name passed to --head.")
    return ref, sha


def diff_args(merge_base: str, head_sha: str) -> list[str]:
    return [*DIFF_CONFIG, *DIFF_FLAGS, merge_base, head_sha, "--"]


# Attributes decide whether git shows a file's text ("*.py -diff", "binary", a diff driver), and
# the in-tree ones come from the branch under test: a branch could make every change "Binary files
# differ". The diff is therefore taken on the git directory as a bare repository, from an empty
# folder, so no .gitattributes of the work tree or the index is read (git 2.39 has no
# --attr-source); the user's and the system's attribute files are switched off too. Git still calls
# a file binary by its content (a NUL byte, or over core.bigFileThreshold), which the scan reports
# as not analysed when the file is code (rules/not_analysed.py).
NO_ATTRIBUTES = ("-c", "core.attributesFile=/dev/null")


def read_files(root: str, merge_base: str, head_sha: str) -> list[FileChange]:
    git_dir = gitcmd.git_dir(root)
    env = gitcmd.clean_env({"GIT_ATTR_NOSYSTEM": "1"})
    with gitcmd.attribute_free_dir() as empty:
        args = [f"--git-dir={git_dir}", "--bare", *NO_ATTRIBUTES, *diff_args(merge_base, head_sha)]
        with gitcmd.stream(args, empty, env) as out:
            return list(parse_diff(out))


def is_deploycheck_path(path: str) -> bool:
    return path == ".deploycheck" or path.startswith(DECK_DIR)


def config_base_branch(root: str, head_sha: str, objects: gitcmd.BlobReader | None = None) -> str | None:
    """``base_branch`` from the config as committed at head (needed before the base is known)."""
    from .config import parse_config_text  # yaml only when a config file exists

    path = ".deploycheck/config.yaml"
    data = objects.blob(head_sha, path) if objects is not None else gitcmd.show_file(head_sha, path, root)
    if data is None:
        return None
    return parse_config_text(data, source=f"{head_sha[:12]}:.deploycheck/config.yaml").base_branch


def compute_change(
    cwd: str, base: str | None = None, head: str | None = None, objects: gitcmd.BlobReader | None = None
) -> tuple[Change, list[FileChange]]:
    """The change ``merge-base(base, head)..head``: (change without .deploycheck/, .deploycheck/ files).

    ``objects``, a reader started in ``cwd`` or the repository root, answers the questions about
    revisions and files (one git process instead of one per question; a git hook feels each)."""
    root = gitcmd.toplevel(cwd)
    with nullcontext(objects) if objects is not None else gitcmd.BlobReader(root) as objects:
        head_ref, head_sha = resolve_head(root, head, objects)
        config_base = None if (base or _env("DEPLOYCHECK_BASE")) else config_base_branch(root, head_sha, objects)
        choice = resolve_base(root, base, config_base, objects)
    merge_base = find_merge_base(root, choice, head_sha)
    files = read_files(root, merge_base, head_sha)
    # Code under .deploycheck/ can still be imported or required by the application (issue 15):
    # only deploycheck's own files (records, config, checklists, signers) are set aside.
    from .rules.not_analysed import may_be_code

    aside = [is_deploycheck_path(f.path) and not may_be_code(f.path) for f in files]
    scanned = [f for f, set_aside in zip(files, aside) if not set_aside]
    deck = [f for f, set_aside in zip(files, aside) if set_aside]
    change = Change(
        repo_root=root,
        base_ref=choice.ref,
        base_source=choice.source,
        base_sha=choice.sha,
        merge_base=merge_base,
        head_ref=head_ref,
        head_sha=head_sha,
        files=scanned,
    )
    return change, deck
