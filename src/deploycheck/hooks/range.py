"""Which range a pre-push hook checks: the pushed commits, read from the pre-commit framework.

The pre-commit framework exports ``PRE_COMMIT_FROM_REF`` / ``PRE_COMMIT_TO_REF`` to pre-push
hooks: TO is the local commit being pushed, FROM is either the remote branch's current tip (an
update of an existing branch) or, for a new branch, the parent of the first commit the remote
does not have yet (roughly the fork point). The plain hook written by ``deploycheck hook
install`` exports the same two variables from git's pre-push stdin, so both hooks share this.

A record covers a branch's whole change (``merge-base(base, head)..head``), so the gate must
look at the same range CI will. FROM is therefore used as the base only when it widens the
range the normal base gives and that range is empty: pushing ``main`` itself, where the normal
base may be ``main`` and the change would look empty. Anywhere else
the normal base is kept: FROM inside the branch (a second push of a feature branch) would cut
the change short and make every committed record look stale, and FROM off the branch's line
(the old tip after a rebase and force-push) would check a range CI never sees, against
signers read from a commit the base branch has moved past.
"""

from __future__ import annotations

import os

from ..git import gitcmd
from ..git.change import resolve_base, resolver

FROM_ENV = "PRE_COMMIT_FROM_REF"
TO_ENV = "PRE_COMMIT_TO_REF"


def _is_zero_sha(ref: str) -> bool:
    return set(ref) == {"0"}


# The branch being pushed. pre-commit exports no FROM/TO when the pushed history reaches a root
# commit (the first push to an empty remote: it runs hooks on all files), but still names the
# local branch: without it the hook would check HEAD, which need not be the branch pushed.
LOCAL_BRANCH_ENV = "PRE_COMMIT_LOCAL_BRANCH"


def _env_refs() -> tuple[str | None, str | None]:
    from_ref = os.environ.get(FROM_ENV, "").strip() or None
    to_ref = os.environ.get(TO_ENV, "").strip() or os.environ.get(LOCAL_BRANCH_ENV, "").strip() or None
    if from_ref is not None and _is_zero_sha(from_ref):
        from_ref = None  # a new branch: the remote has nothing to compare with
    if to_ref is not None and _is_zero_sha(to_ref):
        to_ref = None  # a branch deletion: nothing is pushed (callers skip it anyway)
    return from_ref, to_ref


def _is_ancestor(root: str, older: str, newer: str) -> bool:
    return gitcmd.run(["merge-base", "--is-ancestor", older, newer], root, check=False).returncode == 0


def _normal_fork_point(root: str, head_sha: str, objects: gitcmd.BlobReader | None = None) -> str | None:
    """merge-base(normal base, head); None only when the two have no common ancestor.

    A normal base that cannot be found is the error ``verify`` gives (exit 2), never a reason
    to fall back to FROM: FROM inside the branch would check only the last push, and the
    hook must never pass what verify against the branch's base would refuse."""
    choice = resolve_base(root, None, objects, say_ahead=False)  # verify looks again, and says it then
    proc = gitcmd.run(["merge-base", choice.sha, head_sha], root, check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode().strip() or None


def choose_base(root: str, from_ref: str | None, head_sha: str, objects: gitcmd.BlobReader | None = None) -> str | None:
    """``from_ref`` when it widens the change beyond the normal base's, else None (normal base).

    Pure decision over git ancestry; see the module docstring for why. ``objects`` (a reader
    started in ``root``) answers the questions about revisions without a git process each.
    """
    if from_ref is None:
        return None
    from_sha = resolver(root, objects)(from_ref)
    if from_sha is None:
        return None  # not in this repository (never fetched): the normal base still works
    fork = _normal_fork_point(root, head_sha, objects)
    if fork is None:
        return None  # unrelated to its base: verify's own error (exit 2), not a narrower range
    if fork == head_sha and from_sha != fork and _is_ancestor(root, from_sha, fork):
        # The normal change is empty (pushing main itself): FROM behind it widens it. Only then:
        # a branch with a change of its own is checked over the range CI checks, never a wider
        # one whose fingerprint and signers (read at FROM) CI would not see.
        return from_sha
    return None  # inside the branch, or off its line after a rebase: check all of it, as CI will


def pushed_range(cwd: str | None = None, objects: gitcmd.BlobReader | None = None) -> tuple[str | None, str | None]:
    """(base, head) for ``verify --hook`` from the pre-push variables; None means "the default".

    Without the variables (not run by a pre-push hook) both are None. An all-zero FROM (a new
    branch) gives the normal base. ``objects``: as for ``choose_base``.
    """
    from_ref, to_ref = _env_refs()
    if from_ref is None and to_ref is None:
        return None, None
    root = gitcmd.toplevel(cwd or os.getcwd())
    head_sha = resolver(root, objects)(to_ref or "HEAD")
    if head_sha is None:
        return None, to_ref  # let verify report the unknown head in its usual words
    return choose_base(root, from_ref, head_sha, objects), to_ref
