"""Finding the change: which base, which merge-base, and what the diff says, as plain data."""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext

from . import gitcmd
from .diffparse import parse_diff
from ..errors import GitError
from .model import Change, FileChange
from ..util.plain import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Sequence

DECK_DIR = ".deploycheck/"

# The pinned diff of docs/design.md ("The fingerprint"). `-c` pins the configuration that could
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


# The default branch, in the order of docs/design.md "Finding the change", as full ref names: a
# short name such as `main` would let git prefer a tag `main` (refs/tags/ comes before
# refs/heads/ in git's lookup), and `origin/HEAD` a local branch `origin/HEAD`, both of which a
# pushed branch can bring along. The remote's branch comes before the local one of the same name:
# it is what CI compares with, and a local main with unpushed commits (a config that excludes the
# risky file, a signer added) would otherwise let the pre-push hook pass what CI refuses.
DEFAULT_BRANCHES = (
    ("refs/remotes/origin/HEAD", "origin/HEAD", "origin/HEAD"),
    ("refs/remotes/origin/main", "origin/main", "default"),
    ("refs/heads/main", "main", "default"),
    ("refs/remotes/origin/master", "origin/master", "default"),
    ("refs/heads/master", "master", "default"),
)
CONFIG_SOURCE = "base_branch in .deploycheck/config.yaml"
# Names git resolves from the repository's own files ($GIT_DIR/HEAD…), never from a ref a push brings.
_GIT_HEADS = ("HEAD", "FETCH_HEAD", "ORIG_HEAD", "MERGE_HEAD", "@")
_REVISION_OPERATORS = "~^@:"


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _github_event_base_sha() -> tuple[str, str] | None:
    """(sha, where) of the base GitHub's event payload names: ``pull_request.base.sha``, or in a
    merge queue run (``merge_group``, which sets no GITHUB_BASE_REF) ``merge_group.base_sha``,
    the commit the group is built on. Both come from GitHub, never from the branch under test."""
    path = _env("GITHUB_EVENT_PATH")
    if not path:
        return None
    import json

    try:
        with open(path, "rb") as fh:
            event = json.loads(fh.read(10_000_000))
    except (OSError, ValueError, RecursionError):
        return None
    for outer, inner, where in (("pull_request", "base", "pull_request.base.sha"), ("merge_group", None, "merge_group.base_sha")):
        try:
            obj = event[outer]
            sha = obj[inner]["sha"] if inner else obj["base_sha"]
        except (KeyError, TypeError):
            continue
        if isinstance(sha, str) and sha:
            return sha, f"GITHUB_EVENT_PATH {where}"
    return None


# A candidate is (ref, source, kind). kind says how ``ref`` may be read:
#   "rev"    a revision a person or the CI job chose (--base, DEPLOYCHECK_BASE): a branch, a
#            commit id or an expression on them (main~2), never a tag (but for ``scan``: ``tags``);
#   "branch" a branch name and nothing else (GITHUB_BASE_REF, base_branch);
#   "sha"    a commit id given by the CI system.
def _candidates(explicit: str | None) -> list[tuple[str, str, str]]:
    """The candidates docs/design.md "Finding the change" puts before the default branch."""
    if explicit:
        return [(explicit, "--base", "rev")]
    if base := _env("DEPLOYCHECK_BASE"):
        return [(base, "DEPLOYCHECK_BASE", "rev")]
    github_ref = _env("GITHUB_BASE_REF")
    if github_ref:
        out = [(f"origin/{github_ref}", "GITHUB_BASE_REF", "branch")]
        event = _github_event_base_sha()
        if event:
            out.append((event[0], event[1], "sha"))
        return out
    event = _github_event_base_sha()
    if event:
        return [(event[0], event[1], "sha")]
    gitlab = _env("CI_MERGE_REQUEST_DIFF_BASE_SHA")
    if gitlab:
        return [(gitlab, "CI_MERGE_REQUEST_DIFF_BASE_SHA", "sha")]
    return []


def _remotes(root: str) -> list[str]:
    return [r for r in gitcmd.output(["remote"], root).splitlines() if r]


def _fetch_args(root: str, ref: str) -> list[str] | None:
    """The `git fetch` that can bring a missing ``ref``: the branch of ``origin/x`` from its
    remote, or a full commit id (a CI's base sha that a shallow clone lacks). None for anything
    a fetch cannot help with: an abbreviated id (a remote sends a commit by its full id only;
    git would ask it for a ref of that name), another name, or a repository without remotes."""
    remotes = _remotes(root)
    if not remotes:
        return None
    remote, _, branch = ref.partition("/")
    if remote in remotes and branch:
        spec = f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"
        return ["fetch", "--no-tags", "--quiet", remote, spec]
    if _is_full_sha(ref):
        return ["fetch", "--no-tags", "--quiet", remotes[0], ref]
    return None


def _try_fetch_ref(root: str, ref: str) -> bool:
    """Fetch ``origin/x`` (or a full commit id) from its remote when it is missing locally."""
    args = _fetch_args(root, ref)
    if args is None:
        return False
    from ..util.safe import inert

    print(f"deploycheck: fetching {inert(ref, keep_newlines=False)} (not present locally)…", file=sys.stderr)
    return gitcmd.run(args, root, check=False).returncode == 0


def _looks_like_sha(ref: str) -> bool:
    return 7 <= len(ref) <= 64 and all(c in "0123456789abcdef" for c in ref.lower())


def _is_full_sha(ref: str) -> bool:
    return len(ref) in (40, 64) and all(c in "0123456789abcdef" for c in ref.lower())


def resolver(root: str, objects: gitcmd.BlobReader | None) -> Callable[[str], str | None]:
    """``gitcmd.resolve`` for ``root``, through ``objects`` (one long-lived git) when given."""
    return objects.resolve if objects is not None else (lambda rev: gitcmd.resolve(rev, root))


# How a base read as a tag is said (``scan`` only): its source, with this after it.
TAG_READ = ", read as a tag"


def read_as_tag(change: Change) -> bool:
    """Whether ``change``'s base is a tag, which only ``scan`` reads (``resolve_base``'s ``tags``)."""
    return change.base_source.endswith(TAG_READ)


def _tag_refused(name: str, source: str) -> GitError:
    return GitError(
        f"base '{name}' (from {source}) names a tag, not a branch; whoever can push a tag can point it anywhere, "
        "so deploycheck compares only with branches. Name the branch (`git branch -a` lists them), or pass "
        f"the commit itself: --base $(git rev-parse '{name}^{{commit}}'). (`deploycheck scan` takes a tag: it only "
        "shows the change.)"
    )


def exact_refs(root: str, refnames: Sequence[str]) -> dict[str, str]:
    """{refname: object id} for those of ``refnames`` that exist under exactly that name.

    Never ``rev-parse refs/heads/main``: when that ref is missing (a CI checkout of a feature
    branch has no local main), git's lookup goes on to refs/tags/refs/heads/main, a tag anyone
    who can push may create. ``for-each-ref`` only lists refs that exist (symbolic ones such as
    origin/HEAD give their target's object)."""
    wanted = [r for r in dict.fromkeys(refnames) if r.startswith("refs/") and "\n" not in r]
    if not wanted:
        return {}
    text = gitcmd.output(["for-each-ref", "--format=%(objectname) %(refname)", "--", *wanted], root)
    found = {}
    for line in text.splitlines():
        oid, _, name = line.partition(" ")
        if name in wanted:
            found[name] = oid
    return found


def _branch_ref(root: str, name: str, source: str, tags: bool = False) -> tuple[str, str] | None:
    """(full ref name, object id) of the BRANCH ``name`` (refs/heads/ or refs/remotes/), never a tag.

    ``origin/main`` is looked up under refs/remotes/ first, and under refs/heads/ only when its
    first part is no remote: a pushed branch named ``origin/main`` (which a CI checkout creates
    as refs/heads/origin/main) must not stand in for the remote's main; nor a branch ``origin``
    for origin/HEAD. A name that exists only as a tag is an error naming the cause, not a
    silent miss; with ``tags`` (``scan``, which decides nothing) it is that tag.
    """
    if name.startswith("refs/"):
        if tags and name.startswith("refs/tags/"):
            found = exact_refs(root, [name])
            return (name, found[name]) if name in found else None
        if not name.startswith(("refs/heads/", "refs/remotes/")):
            raise _tag_refused(name, source) if name.startswith("refs/tags/") else GitError(
                f"base '{name}' (from {source}) is not a branch. Name one under refs/heads/ or refs/remotes/ "
                "(`git branch -a` lists them), or pass a commit id."
            )
        order = [name]
    elif "/" in name:
        order = [f"refs/remotes/{name}", f"refs/heads/{name}"]
    else:
        order = [f"refs/heads/{name}", f"refs/remotes/{name}/HEAD"]  # `origin` means origin/HEAD, as in git
    found = exact_refs(root, [*order, f"refs/tags/{name}"])
    for refname in order:
        if refname in found:
            if refname.startswith("refs/heads/") and name.partition("/")[0] in _remotes(root):
                continue  # refs/heads/origin/main: a branch named like the remote's, not the remote's
            return refname, found[refname]
    if f"refs/tags/{name}" in found:
        if tags:
            return f"refs/tags/{name}", found[f"refs/tags/{name}"]
        raise _tag_refused(name, source)
    return None


def _split_revision(rev: str) -> tuple[str, str]:
    """(the name, the operators after it) of a revision: ``("main", "~2")`` for ``main~2``."""
    cut = min((i for i in (rev.find(c) for c in _REVISION_OPERATORS) if i >= 0), default=len(rev))
    return rev[:cut], rev[cut:]


def _names_a_tag(root: str, rev: str) -> bool:
    """Whether the name in ``rev`` (``v1.2``, ``v1.2~3``) was read as a tag: no branch has it."""
    name, _ = _split_revision(rev)
    if not name or name in _GIT_HEADS or _is_full_sha(name):
        return False
    try:
        branch = _branch_ref(root, name, "", tags=True)
    except GitError:
        return False
    return branch is not None and branch[0].startswith("refs/tags/")


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text.lower())


def _refuse_branch_named_like_a_commit(
    root: str, name: str, source: str, branch_commit: str | None, resolve: Callable[[str], str | None]
) -> None:
    """``--base 1a2b3c4`` meant as a commit id while a branch of that name exists: git would take
    the branch, and a pushed branch named like the CI's abbreviated base commit is the branch
    under test itself. Either reading may be wrong, so neither is taken."""
    proc = gitcmd.run(["rev-parse", f"--disambiguate={name}"], root, check=False)
    objects = proc.stdout.decode().split()
    if any(resolve(oid) not in (None, branch_commit) for oid in objects):
        raise GitError(
            f"base '{name}' (from {source}) is both a branch and the start of a commit id, so it is ambiguous. "
            f"Pass the full 40-character commit id, or name the branch in full (refs/heads/{name})."
        )


def _revision_sha(root: str, rev: str, source: str, resolve: Callable[[str], str | None],
                  tags: bool = False) -> str | None:
    """``rev`` (--base, DEPLOYCHECK_BASE) as git reads it, except that names are branches only
    (or, with ``tags``, a tag when no branch has the name): in ``main~2``, ``main`` is the branch
    (refs/heads/ or refs/remotes/). A commit id and the names git keeps in the repository's own
    files (HEAD, FETCH_HEAD…) are read as they are."""
    name, rest = _split_revision(rev)
    if not name or name in _GIT_HEADS or _is_full_sha(name):
        return resolve(rev)
    branch = _branch_ref(root, name, source, tags)
    if branch is not None:
        refname, oid = branch
        if _is_hex(name) and len(name) >= 4:
            _refuse_branch_named_like_a_commit(root, name, source, resolve(oid), resolve)
        # a reflog (`main@{1}`) needs the ref's name, which now exists exactly; the rest apply to the commit
        return resolve(refname + rest if rest.startswith("@") else oid + rest)
    if len(name) >= 4 and _is_hex(name):
        return resolve(rev)  # an abbreviated commit id: no branch or tag has that name
    return None


def _resolve_candidate(root: str, ref: str, source: str, kind: str, resolve: Callable[[str], str | None],
                       tags: bool = False) -> str | None:
    if ref.startswith("-") or "\n" in ref:
        return None
    if kind == "sha":
        if not _looks_like_sha(ref):
            return None
        # a full id is always the object; an abbreviated one must not be a branch's name either
        return resolve(ref) if _is_full_sha(ref) else _revision_sha(root, ref, source, resolve)
    if kind == "branch":
        if ref in _GIT_HEADS or any(c in ref for c in _REVISION_OPERATORS):
            raise GitError(
                f"base '{ref}' (from {source}) is not a branch name. Name the branch that changes are merged "
                "into (e.g. `base_branch: main` in the default branch's .deploycheck/config.yaml)."
            )
        branch = _branch_ref(root, ref, source)
        return None if branch is None else resolve(branch[1])
    return _revision_sha(root, ref, source, resolve, tags and kind == "rev")


def _ci_default_branch() -> tuple[str, str] | None:
    """(name, where it was read) of the default branch as the CI system states it: GitHub's event
    payload (``repository.default_branch``, in push and pull_request events alike) or GitLab's
    ``CI_DEFAULT_BRANCH``. None outside such a CI job."""
    path = _env("GITHUB_EVENT_PATH")
    if path:
        import json

        try:
            with open(path, "rb") as fh:
                name = json.loads(fh.read(10_000_000))["repository"]["default_branch"]
        except (OSError, ValueError, KeyError, TypeError):
            name = None
        if isinstance(name, str) and name.strip():
            return name.strip(), "GITHUB_EVENT_PATH repository.default_branch"
    name = _env("CI_DEFAULT_BRANCH")
    return (name, "CI_DEFAULT_BRANCH") if name else None


def _remote_default_branch(root: str) -> str | None:
    """In a CI job (``CI`` set) whose system names no default branch and whose checkout has no
    origin/HEAD: the branch origin's HEAD points at, asked of the remote (one round trip; the
    repository's administrators set it, a branch cannot). A CI checkout of one branch pushed as
    `master` in a `main` repository otherwise holds that branch alone, which would be its own
    base. None outside CI or without an origin. When origin cannot be asked or does not say, this
    is an error: taking the commit under test as its own base would pass everything."""
    if not _env("CI") or "origin" not in _remotes(root):
        return None
    proc = gitcmd.run(["ls-remote", "--symref", "origin", "HEAD"], root, check=False)
    if proc.returncode == 0:
        for line in proc.stdout.decode("utf-8", "replace").splitlines():
            target, _, name = line.partition("\t")
            if name == "HEAD" and target.startswith("ref: refs/heads/"):
                branch = target[len("ref: refs/heads/"):].strip()
                if branch:
                    return branch
    from ..util.safe import inert

    reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if proc.returncode else []
    why = f"asking origin failed ({inert(reason[0], keep_newlines=False)})" if reason else "origin does not name its HEAD"
    raise GitError(
        "cannot tell the default branch: every default-branch name in this checkout is the commit under test, "
        f"origin/HEAD is not set and {why}. Set DEPLOYCHECK_BASE to the base branch (e.g. origin/main), "
        "or fetch origin's HEAD before deploycheck runs (`git remote set-head origin --auto`)."
    )


def _declared_default_branch(root: str, resolve: Callable[[str], str | None], name: str, source: str) -> tuple[str, str, str]:
    """The default branch the CI system names, as a branch on origin (then a local one); fetched
    when missing. Never a guess among the refs present: a CI checkout of one pushed branch holds
    that branch alone, and a branch pushed under the name `master` in a `main` repository (or
    `main` in a `master` one) would be its own base, so the change would look empty."""
    if name in _GIT_HEADS or name.startswith(("-", "refs/")) or "\n" in name or any(c in name for c in _REVISION_OPERATORS):
        raise GitError(f"the default branch '{name}' (from {source}) is not a branch name. Pass the base with `--base REV`.")
    for attempt in range(2):
        found = exact_refs(root, [f"refs/remotes/origin/{name}", f"refs/heads/{name}"])
        for refname in (f"refs/remotes/origin/{name}", f"refs/heads/{name}"):
            sha = resolve(found[refname]) if refname in found else None
            if sha is not None:
                short = refname.split("/", 2)[2]
                return short, source, sha
        if attempt == 0 and not _try_fetch_ref(root, f"origin/{name}"):
            break
        resolve = lambda rev: gitcmd.resolve(rev, root)  # noqa: E731 - the fetch added refs a reader may not see
    raise GitError(
        f"the default branch '{name}' (from {source}) is not in this repository, so there is nothing to compare "
        f"with. Fetch it (`git fetch origin {name}:refs/remotes/origin/{name}`; in GitHub Actions use `actions/checkout` "
        "with `fetch-depth: 0`), "
        "or pass the base with `--base REV`."
    )


# The remote a pre-push hook pushes to (pre-commit exports it; so does `deploycheck hook
# install`'s hook, from git's first argument).
PUSH_REMOTE_ENV = "PRE_COMMIT_REMOTE_NAME"


def _default_branches(root: str) -> tuple[tuple[str, str, str], ...]:
    """DEFAULT_BRANCHES, or the same names on the remote a pre-push hook pushes to when that is a
    remote other than origin: in a fork workflow (origin = the author's fork, upstream = the
    team's repository) a push to upstream must be compared with upstream's default branch, which
    CI uses, not with the fork's main, which the author controls."""
    remote = _env(PUSH_REMOTE_ENV)
    if not remote or remote == "origin" or remote not in _remotes(root):
        return DEFAULT_BRANCHES
    return tuple(
        (refname.replace("refs/remotes/origin/", f"refs/remotes/{remote}/"), name.replace("origin/", f"{remote}/", 1),
         source.replace("origin/HEAD", f"{remote}/HEAD"))
        for refname, name, source in DEFAULT_BRANCHES
    )


def shown_ref(root: str, ref: str) -> str:
    """``ref`` as a reviewer reads it: `origin/HEAD` (a remote's HEAD) named by the branch it
    points at (`origin/main`). For display only: the base was already resolved to a commit."""
    if not ref.endswith("/HEAD") or ref.count("/") != 1:
        return ref
    target = gitcmd.output(["symbolic-ref", "-q", "--short", f"refs/remotes/{ref}"], root, check=False).strip()
    return target if target and "\n" not in target else ref


def no_default_branch_message(root: str) -> str:
    """Why no base was found, naming the branches that were looked up: on a push to a remote
    other than origin those are that remote's, and a message naming origin's would send the
    author looking at branches that exist and were never consulted."""
    candidates = _default_branches(root)
    names = ", ".join(name for _, name, _ in candidates)
    remote = candidates[0][1].rsplit("/", 1)[0]
    pushed_to = (
        f" This push goes to the remote '{remote}', so its default branch is the base, as that repository's CI "
        f"would use; fetch it (`git fetch {remote} && git remote set-head {remote} --auto`)."
        if remote != "origin" else ""
    )
    return (
        f"cannot find a base branch to compare with: none of {names} exists as a branch (base_branch is read "
        f"from that default branch, never from the branch under test).{pushed_to} Pass one with `--base REV`, "
        "or set DEPLOYCHECK_BASE."
    )


def default_branch(root: str, resolve: Callable[[str], str | None]) -> tuple[str, str, str] | None:
    """(short name, source, commit) of the default branch: the one the CI system names, else
    origin/HEAD's target, else main, else master (each local, then on origin), looked up as exact
    ref names; None when there is none."""
    declared = _ci_default_branch()
    if declared is not None:
        return _declared_default_branch(root, resolve, *declared)
    candidates = _default_branches(root)
    found = exact_refs(root, [refname for refname, _, _ in candidates])
    commits = [(name, source, sha) for refname, name, source in candidates
               if refname in found and (sha := resolve(found[refname])) is not None]
    if commits and candidates[0][0] not in found and {c[2] for c in commits} == {resolve("HEAD")}:
        # Every default-branch name here is the commit under test (a CI checkout of one branch,
        # perhaps pushed as `master` in a `main` repository): ask origin which branch is its HEAD.
        remote = _remote_default_branch(root)
        if remote is not None:
            return _declared_default_branch(root, resolve, remote, "origin's HEAD (git ls-remote)")
    if not commits:
        return None
    # Without origin/HEAD nothing says which of main and master is the default. A CI checkout of
    # a pushed branch called `main` in a `master` repository has both, and taking `main` would
    # make the branch under test its own base (and its own config the one that is read).
    first = commits[0]
    if not first[1].endswith("/HEAD"):
        family = first[0].rpartition("/")[2]
        other = next((c for c in commits if c[0].rpartition("/")[2] != family and c[2] != first[2]), None)
        if other is not None:
            # On a push to another remote its HEAD was looked up, not origin's (a new user's trial
            # named origin/HEAD, which was set, for a push to a remote fetched but empty).
            remote = candidates[0][1].rsplit("/", 1)[0]
            raise GitError(
                f"cannot tell the default branch: {first[0]} and {other[0]} both exist, point at different commits, "
                f"and {remote}/HEAD is not set. Set it (`git fetch {remote} && git remote set-head {remote} --auto`), "
                "or pass the base with `--base REV` (or DEPLOYCHECK_BASE). A remote with no branches yet has no HEAD "
                # a first push to a new, empty remote (a new user's trial, session 41): `--auto` reads nothing there
                f"to read: push the default branch there first (`DEPLOYCHECK_BASE={first[0]} git push {remote} "
                f"{first[0].rpartition('/')[2]}`), then `git remote set-head {remote} {first[0].rpartition('/')[2]}`."
            )
    return first


def config_base_branch(
    root: str, objects: gitcmd.BlobReader | None = None, default: tuple[str, str, str] | None = None
) -> tuple[str, str] | None:
    """(``base_branch``, where it was read) from the config of the DEFAULT branch, or None.

    Never from the change under test: a branch that could name its own base (``base_branch:
    HEAD``, or itself) would compare itself with itself and always pass. ``default``: the
    default branch when already looked up."""
    from ..config import parse_config_text  # yaml only when a config file exists

    found = default or default_branch(root, resolver(root, objects))
    if found is None:
        return None
    name, _, sha = found
    path = ".deploycheck/config.yaml"
    data = objects.blob(sha, path) if objects is not None else gitcmd.show_file(sha, path, root)
    if data is None:
        return None
    value = parse_config_text(data, source=f"{path} on {name}").base_branch
    return (value, f"{CONFIG_SOURCE} on {name}") if value else None


def resolve_base(
    root: str, explicit: str | None, objects: gitcmd.BlobReader | None = None, head_sha: str | None = None,
    say_ahead: bool = True, tags: bool = False,
) -> BaseChoice:
    """The base, chosen only by what the branch under test cannot change (docs/design.md "Finding the change").

    ``head_sha``: the commit under test, when known (the note about an unpushed main is not said
    when the head is that main). ``say_ahead=False``: a look-up whose caller looks again, so
    that the note is said once per command. ``tags``: a revision a person chose (--base,
    DEPLOYCHECK_BASE) may name a tag, for ``scan`` alone: it shows a change and decides nothing,
    while the gate's trust comes from the base, which a tag anyone may push must never be."""
    resolve = resolver(root, objects)
    candidates = _candidates(explicit)
    found = None
    if not candidates:
        found = default_branch(root, resolve)
        configured = config_base_branch(root, objects, found) if found is not None else None
        if configured is not None:
            candidates = [(configured[0], configured[1], "branch")]
    if not candidates:
        if found is None:
            raise GitError(no_default_branch_message(root))
        if say_ahead:
            _say_about_the_default_base(root, found, head_sha)
        return BaseChoice(found[0], found[1], found[2])
    for ref, source, kind in candidates:
        sha = _resolve_candidate(root, ref, source, kind, resolve, tags)
        if sha is None and not ref.startswith("-") and _try_fetch_ref(root, ref):
            sha = _resolve_candidate(root, ref, source, kind, lambda rev: gitcmd.resolve(rev, root), tags)
        if sha is not None:
            _cross_check_gitlab(root, sha)
            return BaseChoice(ref, source + (TAG_READ if tags and kind == "rev" and _names_a_tag(root, ref) else ""), sha)
        if len(candidates) == 1:
            break
    asked = candidates[0]
    shallow = gitcmd.is_shallow(root)
    remotes = _remotes(root)
    if _looks_like_sha(asked[0]) and not _is_full_sha(asked[0]):
        # Nothing was fetched: say why, and what can be fetched instead.
        depth = CI_DEPTH_HINT if shallow or remotes else ""
        raise GitError(
            f"base revision '{asked[0]}' (from {asked[1]}) does not exist in this repository: no branch has that "
            "name and no commit here has an id that starts with it. A commit id this short cannot be fetched "
            "(git fetches a commit by its full id only), so nothing was fetched. "
            f"{_did_you_mean(root, asked[0])}Check it, or pass the full commit id or a branch name{depth}."
        )
    fetch = _fetch_args(root, asked[0])  # what was tried above
    hint = _fetch_hint(asked[0], remotes) if shallow or remotes else ""
    raise GitError(
        f"base revision '{asked[0]}' (from {asked[1]}) does not exist in this repository"
        + (f", and fetching it from {fetch[3]} did not bring it. " if fetch else ". ")
        + f"{_did_you_mean(root, asked[0])}Check the name, or fetch it first{hint}."
    )


_DEFAULT_BRANCHES = ("main", "master", "trunk", "develop")


def _did_you_mean(root: str, name: str) -> str:
    """"Did you mean `main`? " for a mistyped branch name (a close match among the branches)."""
    import difflib

    refs = ["--format=%(refname:short)", "refs/heads", "refs/remotes"]
    text = gitcmd.run(["for-each-ref", *refs], root, check=False)
    # Never a branch that holds the change itself (the pull request's own head, `origin/unread` for
    # `unread`): as the base it leaves nothing to check, and the gate would pass for any change (a
    # new user's trial, session 27).
    holding = gitcmd.run(["for-each-ref", "--contains", "HEAD", *refs], root, check=False)
    theirs = set(holding.stdout.decode("utf-8", "replace").splitlines()) if holding.returncode == 0 else set()
    branches = [b for b in text.stdout.decode("utf-8", "replace").splitlines()
                if b and not b.endswith("/HEAD") and b not in theirs]
    # A default branch named otherwise (`main` asked where the repository's is `master`): no close
    # spelling, the same role.
    prefix, _, tail = name.rpartition("/")
    defaults = [f"{prefix}/{other}" if prefix else other for other in _DEFAULT_BRANCHES if other != tail]
    present = [b for b in defaults if b in branches][:1]
    # A mistyped default branch name (`mian`, `mastr`) where that branch is named otherwise here
    # (a trial's `--base mian` in a `master` repository was told only to fetch `mian`): last.
    mistyped = tail not in _DEFAULT_BRANCHES and any(
        abs(len(tail) - len(d)) <= 2 and difflib.SequenceMatcher(None, tail, d).ratio() >= 0.75 for d in _DEFAULT_BRANCHES)
    # The same name in other case first (`base-a` for `base-A`, a trial's): difflib rates
    # `base-D` as close as `base-A`, and the first branch listed wins.
    # The branch itself on another remote (`dev` asked where only `upstream/dev` is: a new user's
    # trial, session 25).
    elsewhere = [b for b in branches if "/" in b and b.partition("/")[2] == name and "/" not in name][:1]
    close = (present if tail in _DEFAULT_BRANCHES else []) or elsewhere \
        or [b for b in branches if b.lower() == name.lower()][:1] \
        or difflib.get_close_matches(name, branches, n=1, cutoff=0.6) \
        or (present if mistyped else [])
    if not close or name.startswith("-") or close[0].startswith("-"):  # never suggest an option-like name
        return ""
    from ..util.safe import inert

    return f"Did you mean `{inert(close[0], keep_newlines=False)}`? "


def origin_head(root: str) -> str:
    """What origin's HEAD points at (`origin/develop`), or "" when git does not know."""
    return gitcmd.run(["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], root, check=False).stdout.decode(
        "utf-8", "replace").strip()


def _say_about_the_default_base(root: str, found: tuple[str, str, str], head_sha: str | None) -> None:
    """The notes on a default base, from one look-up of the refs they need (a git hook feels each
    git process): the local branch ahead of it, and a nearer integration branch."""
    name = found[0]
    if not name.startswith("origin/"):
        return  # a base of the repository's own (no remote): no git process spent on notes
    target = origin_head(root) if name == "origin/HEAD" else name
    local = target.partition("/")[2]
    wanted = ([f"refs/heads/{local}"] if local and local != "HEAD" else []) + [
        f"refs/remotes/origin/{b}" for b in _INTEGRATION_BRANCHES]
    refs = exact_refs(root, wanted)
    _say_if_local_is_ahead(root, found, target, refs, head_sha)
    nearer = {ref: oid for ref, oid in refs.items() if ref.startswith("refs/remotes/")}
    if nearer:
        _say_if_another_base_is_nearer(root, found, target or name, nearer, head_sha)


def _say_if_local_is_ahead(root: str, found: tuple[str, str, str], target: str, refs: dict[str, str],
                           head_sha: str | None = None) -> None:
    """The default base is the remote's branch (origin/main). Work committed on the local main
    and not pushed yet (typically `deploycheck init`'s configuration and signers) is not in it,
    which surprises: say so, and the two ways out. Silent when local main is not ahead, and when
    the head under test is local main itself: its unpushed commits are then the change being
    checked (`git push origin main` running the hook), and `--base main` would leave none."""
    name, source, sha = found
    local = target.partition("/")[2]
    if not local or local == "HEAD":
        return
    local_sha = refs.get(f"refs/heads/{local}")
    if local_sha is None or local_sha == sha or local_sha == head_sha:
        return
    counts = gitcmd.run(["rev-list", "--count", f"{sha}..{local_sha}"], root, check=False).stdout.decode().strip()
    if not counts.isdigit() or int(counts) == 0:
        return
    from ..util.safe import inert

    n, local = int(counts), inert(local, keep_newlines=False)
    print(
        f"deploycheck: note: the base is {inert(target, keep_newlines=False)} ({inert(source, keep_newlines=False)}), and your "
        f"local {local} is {n} commit{'s' if n != 1 else ''} ahead of it (not pushed): what you committed there, such as "
        f"deploycheck's configuration and signers, is not in the base yet. Push it (`git push origin {local}`), "
        f"or compare with your local branch: `--base {local}`.",
        file=sys.stderr,
    )


# Branches a team may open its pull requests against, other than the default one.
_INTEGRATION_BRANCHES = ("dev", "develop", "development", "next", "staging", "canary", "beta")
_MANY_COMMITS = 20


def _say_if_another_base_is_nearer(root: str, found: tuple[str, str, str], shown: str, refs: dict[str, str],
                                   head_sha: str | None = None) -> None:
    """A branch made from `origin/dev` in a repository whose pull requests target `dev`, checked
    against the default branch, carries every commit `dev` has and `main` has not: hundreds of
    findings in other people's code (umami, a new user's trial, session 27). When the change holds
    many commits and an integration branch of origin leaves far fewer, say so and how to pass it."""
    _name, source, sha = found
    head = head_sha or "HEAD"
    count = gitcmd.run(["rev-list", "--count", f"{sha}..{head}"], root, check=False).stdout.decode().strip()
    if not count.isdigit() or int(count) <= _MANY_COMMITS:
        return
    best: tuple[int, str] | None = None
    for ref, other in sorted(refs.items()):
        if other == sha:
            continue
        left = gitcmd.run(["rev-list", "--count", f"{other}..{head}"], root, check=False).stdout.decode().strip()
        if left.isdigit() and 0 < int(left) * 4 <= int(count) and (best is None or int(left) < best[0]):
            best = (int(left), ref.removeprefix("refs/remotes/"))
    if best is None:
        return
    from ..util.safe import inert

    branch = inert(best[1], keep_newlines=False)
    print(
        f"deploycheck: note: the change holds {count} commits since the base {inert(shown, keep_newlines=False)} "
        f"({inert(source, keep_newlines=False)}), and {branch} would leave {best[0]}: if your pull request targets "
        f"{branch.partition('/')[2]}, compare with it: `--base {branch}`.",
        file=sys.stderr,
    )


def _cross_check_gitlab(root: str, base_sha: str) -> None:
    target = _env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
    if not (_env("CI_MERGE_REQUEST_DIFF_BASE_SHA") and target):
        return
    target_sha = gitcmd.resolve(f"refs/remotes/origin/{target}", root)  # the branch, never a tag of that name
    if target_sha is None:
        return
    ok = gitcmd.run(["merge-base", "--is-ancestor", base_sha, target_sha], root, check=False).returncode == 0
    if not ok:
        from ..util.safe import inert

        print(
            f"deploycheck: warning: CI_MERGE_REQUEST_DIFF_BASE_SHA {base_sha[:12]} is not on "
            f"origin/{inert(target, keep_newlines=False)}; using it anyway.",
            file=sys.stderr,
        )


_FULL_HISTORY = "in GitHub Actions use `actions/checkout` with `fetch-depth: 0`; in GitLab CI set `GIT_DEPTH: 0`"
CI_DEPTH_HINT = f" ({_FULL_HISTORY})"


def _fetch_hint(ref: str, remotes: list[str] | None = None) -> str:
    # Spelled out to the remote-tracking ref: in a single-branch clone (`--depth 1`), `git fetch
    # origin main` leaves no `origin/main` (a new user's trial on netbird, session 35). A ref that
    # starts with another remote's name is that remote's branch: `upstream/main` is fetched from
    # `upstream`, not as a branch `upstream/main` of origin (plots2's trial, session 38).
    ref = ref.removeprefix("refs/remotes/") if ref.startswith("refs/remotes/") else ref.removeprefix("refs/heads/")
    remote, _, branch = ref.partition("/")
    other = ""
    if not branch or (remote != "origin" and remote not in (remotes or [])):
        if branch:  # `release/2.0` is origin's branch; `upstream/main` a remote not added yet
            other = f"; or, if `{remote}` is meant as a remote, `git remote add {remote} URL` and `git fetch {remote} {branch}`"
        remote, branch = "origin", ref
    return f" (`git fetch {remote} {branch}:refs/remotes/{remote}/{branch}`{other}; {_FULL_HISTORY})"


def gitlab_target_tip(change: Change) -> str | None:
    """The commit the target branch is at now, when the CI named the base by an older commit:
    GitLab's CI_MERGE_REQUEST_DIFF_BASE_SHA is the merge-base, so the configuration and signers
    read there are those of the day the branch forked (a key main has since removed still
    signed, an `exclude:` main has since dropped still applied), and the records main gained
    since (a change merged with its record, then reverted) were not known to it (red team 3).
    ``origin/<CI_MERGE_REQUEST_TARGET_BRANCH_NAME>``, fetched when missing; None outside such a
    pipeline or when the branch cannot be had (the merge-base then stands)."""
    target = _env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
    if change.base_source != "CI_MERGE_REQUEST_DIFF_BASE_SHA" or not target or target.startswith("-") or "\n" in target:
        return None
    root, ref = change.repo_root, f"refs/remotes/origin/{target}"
    found = exact_refs(root, [ref])
    if ref not in found and _try_fetch_ref(root, f"origin/{target}"):
        found = exact_refs(root, [ref])
    tip = found.get(ref)
    return tip if tip and tip != change.base_sha else None


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
        proc = gitcmd.run(["merge-base", "--all", base.sha, head_sha], root, check=False)
        bases = proc.stdout.decode().split() if proc.returncode == 0 else []
        if len(bases) == 1:
            return bases[0]
        if len(bases) > 1 and not gitcmd.is_shallow(root):
            # Criss-cross history: git merges over a virtual base built from all of them, so the
            # change measured from any single one can miss what the merge brings in (a branch
            # whose merge with main re-resolves a file to the text main reverted). No single
            # merge-base says what merging does: fail closed (issue 15 red team).
            raise GitError(
                f"{base.ref} and HEAD have {len(bases)} merge-bases ({', '.join(b[:8] for b in bases)}): the branch "
                f"and {base.ref} have each merged the other's history, so no single range shows what merging this "
                f"branch changes. Merge {base.ref} into the branch (or rebase it onto {base.ref}) and run deploycheck again."
            )
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
    # A remote's default branch can be a stub of other history (Conversations' `redirect`, a new
    # user's trial, session 37): every command then measured from it; name the lasting fix.
    remote_head = f" If {base.ref} is not the branch work merges into, point it there once: " \
        f"`git remote set-head {base.ref.removeprefix('refs/remotes/').split('/')[0]} <branch>`." \
        if base.ref.endswith("/HEAD") else ""
    raise GitError(
        f"{base.ref} and HEAD have no common ancestor (unrelated histories), so there is no change to "
        f"assess. Pass the branch this work was started from with `--base REV`.{remote_head}"
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


# deploycheck's own files: what it writes (records, reviews), reads from the base (configuration,
# signers, checklists) and reports as such (verification.DECK_NOTES).
OWN_FILES = (DECK_DIR + "config.yaml", DECK_DIR + "allowed_signers")
OWN_FOLDERS = (DECK_DIR + "records/", DECK_DIR + "reviews/", DECK_DIR + "checklists/")


def is_own_deploycheck_file(path: str) -> bool:
    return path in OWN_FILES or path.startswith(OWN_FOLDERS)


def split_own_files(files: list[FileChange]) -> tuple[list[FileChange], list[FileChange]]:
    """(files to scan, deploycheck's own files) of a diff."""
    # Code under .deploycheck/ can still be imported or required by the application (issue 15):
    # only deploycheck's own files (records, config, checklists, signers) are set aside.
    from ..rules.not_analysed import may_be_code

    # Anything else there is scanned like any other file: an extensionless script run as `python
    # .deploycheck/x`, a compose file a deploy applies (red team, issue 15).
    # A code file in one of deploycheck's own folders is both: scanned as code, and seen by the
    # record and review checks, for which it is no record or review (the gate fails on it).
    own = [is_own_deploycheck_file(f.path) for f in files]
    scanned = [f for f, mine in zip(files, own) if not mine or may_be_code(f.path)]
    deck = [f for f, mine in zip(files, own) if mine]
    return scanned, deck


# A branch rarely holds this many commits of its own: a `--base` this far back is usually not the
# branch's start (thunderbird's trial, session 38: a base 406 commits back gave 1,227 findings in
# 190 files, with no word on why).
_FAR_BASE = 100


def _say_if_the_base_is_far(root: str, shown: str, merge_base: str, head_sha: str) -> None:
    count = gitcmd.run(["rev-list", "--count", f"{merge_base}..{head_sha}"], root, check=False).stdout.decode().strip()
    if not count.isdigit() or int(count) <= _FAR_BASE:
        return
    from ..util.safe import inert

    print(
        f"deploycheck: note: the change holds {count} commits since the base {inert(shown, keep_newlines=False)} "
        "(--base): every one is scanned as this branch's. If your branch holds fewer, pass the commit or branch "
        "it was made from.",
        file=sys.stderr,
    )


def compute_change(
    cwd: str, base: str | None = None, head: str | None = None, objects: gitcmd.BlobReader | None = None,
    tags: bool = False,
) -> tuple[Change, list[FileChange]]:
    """The change ``merge-base(base, head)..head``: (change without .deploycheck/, .deploycheck/ files).

    ``objects``, a reader started in ``cwd`` or the repository root, answers the questions about
    revisions and files (one git process instead of one per question; a git hook feels each).
    ``tags``: as for ``resolve_base`` (``scan`` only)."""
    root = gitcmd.toplevel(cwd)
    with nullcontext(objects) if objects is not None else gitcmd.BlobReader(root) as objects:
        head_ref, head_sha = resolve_head(root, head, objects)
        choice = resolve_base(root, base, objects, head_sha, tags=tags)
    merge_base = find_merge_base(root, choice, head_sha)
    if choice.source == "--base":
        _say_if_the_base_is_far(root, choice.ref, merge_base, head_sha)
    scanned, deck = split_own_files(read_files(root, merge_base, head_sha))
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
