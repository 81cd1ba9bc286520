"""A merge queue's group, checked one pull request at a time (`verify --merge-group`, issue 18).

GitHub builds a merge group as a chain of commits on the base branch's tip, one per pull request
(a merge commit, or a squash or rebase commit), each the first parent of the next. A record is
bound to its pull request's change (fingerprint.py: the flagged files' hunks, without line
numbers), so the combined change of a group of two flagged pull requests matches neither record.
Here each first-parent step ``parent..commit`` is a change of its own and must pass the gate as
its pull request did: its record is the one that step adds (a rebase merge's commits are checked
together up to the one that adds their record: ``check_group``).

Trust never moves along the chain: every step is judged with the configuration, checklists and
allowed signers of the group's base (the base branch, chosen from the CI event as for any run),
so a pull request that edits allowed_signers cannot vouch for the ones queued behind it. The
records the earlier steps add count as already used for the later ones (records count once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..analysis.pipeline import Context
from ..config import Config
from ..errors import GitError
from ..git import gitcmd
from ..git.model import Change
from ..util.safe import inert
from .decision import MISSING, STALE, Problem, Verdict

# GitHub builds groups of at most 100 pull requests. A longer chain means the base is not the
# group's (an old commit, another branch), and checking it step by step would be slow and wrong.
MAX_STEPS = 100
GROUP_SHAPE, STEP_DIFFERS = "merge-group-shape", "merge-group-step-differs"
QUEUE_FIX = ("Rebase the pull request on the base branch with the pull requests queued ahead of it (or wait until "
             "they are merged), run `deploycheck` on it, commit the new record and queue it again; or queue it "
             "alone, so that no other pull request of its group touches the same code.")


@dataclass(frozen=True)
class Step:
    number: int  # 1 for the commit on the base, counting towards the group's head
    commit: str
    parent: str  # its first parent: the base, or the step before it
    parents: int  # 1: a squash or rebased commit; more: a merge commit
    subject: str  # from the branch: shown inert, never interpreted


@dataclass(frozen=True)
class GroupBase:
    """The whole group: its base (chosen as for any `verify`: from the CI event, never by the
    branch), its head, and the configuration read at the base."""

    change: Change  # base..head, with no files: the steps carry them
    config: Config


@dataclass
class StepResult:
    steps: list[Step]  # one commit, or consecutive ones checked as one change (see check_group)
    ctx: Context
    verdict: Verdict
    claims: list = field(default_factory=list)
    reviews: list = field(default_factory=list)

    @property
    def first(self) -> Step:
        return self.steps[0]

    @property
    def last(self) -> Step:
        return self.steps[-1]

    @property
    def kind(self) -> str:
        """``merge`` (a merge commit), ``commit`` (a squash or rebased commit), ``commits``."""
        return "commits" if len(self.steps) > 1 else "merge" if self.first.parents > 1 else "commit"

    def label(self, total: int) -> str:
        subject = inert(self.last.subject, keep_newlines=False)
        subject = subject if len(subject) <= 72 else subject[:71] + "…"
        if len(self.steps) == 1:
            return f'step {self.first.number}/{total} ({self.first.commit[:12]} "{subject}")'
        return (f'steps {self.first.number}-{self.last.number}/{total} ({self.first.parent[:12]}..{self.last.commit[:12]}, '
                f'up to "{subject}")')


@dataclass
class GroupVerdict:
    ok: bool
    base_sha: str
    head_sha: str
    steps: list[StepResult]  # each checked change, oldest first
    problems: list[Problem]  # the group's own (its shape); each step's are in its verdict
    commits: int  # first-parent commits from the base to the head


def first_parent_steps(root: str, base_sha: str, head_sha: str) -> tuple[list[Step], Problem | None]:
    """The group's steps, oldest first, when the first-parent chain from ``head_sha`` reaches
    ``base_sha``; else no steps and the problem (a verdict: exit 1). A base that is not in the
    head's history at all is no group of that base (GitError: exit 2)."""
    if gitcmd.run(["merge-base", "--is-ancestor", base_sha, head_sha], root, check=False).returncode != 0:
        shallow = gitcmd.is_shallow(root)
        raise GitError(
            f"the merge group's base {base_sha[:12]} is not an ancestor of its head {head_sha[:12]}"
            + (" in this shallow clone" if shallow else "")
            + ", so the group cannot be split into its pull requests. Fetch the full history (`fetch-depth: 0` for "
            "actions/checkout), and let the base come from the merge_group event (merge_group.base_sha) or name the "
            "branch the queue merges into with `--base`."
        )
    out = gitcmd.run(["log", "--first-parent", "-z", f"--max-count={MAX_STEPS + 1}", "--format=%H %P%n%s",
                      head_sha, f"^{base_sha}", "--"], root).stdout.decode("utf-8", "surrogateescape")
    entries = [e for e in out.split("\0") if e]
    if len(entries) > MAX_STEPS:
        raise GitError(
            f"the merge group's head {head_sha[:12]} is more than {MAX_STEPS} first-parent commits ahead of its base "
            f"{base_sha[:12]}; GitHub builds groups of at most {MAX_STEPS} pull requests, so this base is not the group's. "
            "Let the base come from the merge_group event (merge_group.base_sha), or pass it with `--base`."
        )
    chain = []
    for entry in reversed(entries):
        ids, _, subject = entry.partition("\n")
        commit, *parents = ids.split()
        chain.append((commit, parents, subject))
    steps: list[Step] = []
    expected = base_sha
    for commit, parents, subject in chain:
        if not parents or parents[0] != expected:
            if not parents and gitcmd.is_shallow(root):
                raise GitError(
                    f"commit {commit[:12]} of the merge group has no parent in this shallow clone. Fetch the full "
                    "history (`fetch-depth: 0` for actions/checkout) and run again."
                )
            where = "its first parent is not the base" if not steps else f"its first parent is not {expected[:12]}, the step before it"
            return [], Problem(
                GROUP_SHAPE, None,
                f"the merge group is not a chain of commits on its base {base_sha[:12]}: the first-parent history of its "
                f"head {head_sha[:12]} reaches {commit[:12]}, and {where} (the base was merged into the group, or the "
                "group was built on another commit), so it cannot be split into one change per pull request.",
                "Let the merge queue rebuild the group on the base branch; a group GitHub builds is such a chain. "
                "To check the combined change instead, run `deploycheck verify` without --merge-group.",
            )
        steps.append(Step(len(steps) + 1, commit, parents[0], len(parents), subject))
        expected = commit
    return steps, None


def group_base(cwd: str, base: str | None, head: str | None) -> GroupBase:
    from ..analysis.pipeline import config_at
    from ..git.change import gitlab_target_tip, resolve_base, resolve_head

    root = gitcmd.toplevel(cwd)
    with gitcmd.BlobReader(root) as objects:
        head_ref, head_sha = resolve_head(root, head, objects)
        choice = resolve_base(root, base, objects)
        change = Change(repo_root=root, base_ref=choice.ref, base_source=choice.source, base_sha=choice.sha,
                        merge_base=choice.sha, head_ref=head_ref, head_sha=head_sha, files=[])
        # as `analyse` reads it (a GitLab merge request's configuration is the target's today)
        config = config_at(objects, gitlab_target_tip(change) or choice.sha, choice.ref)
    return GroupBase(change, config)


def span_context(group: GroupBase, steps: list[Step], objects: gitcmd.BlobReader) -> Context:
    """The change from the first step's parent to the last step's commit, judged against the
    group's base: its config (read once, at the base) and, through ``change.base_sha``, its
    signers, checklists and records."""
    from ..analysis.pipeline import scan_context
    from ..git.change import read_files, split_own_files

    base, parent, commit = group.change, steps[0].parent, steps[-1].commit
    scanned, deck = split_own_files(read_files(base.repo_root, parent, commit))
    change = Change(repo_root=base.repo_root, base_ref=base.base_ref, base_source=base.base_source, base_sha=base.base_sha,
                    merge_base=parent, head_ref=commit, head_sha=commit, files=scanned)
    return scan_context(change, deck, group.config, objects)


def check_group(
    group: GroupBase, steps: list[Step], check: Callable[[Context, dict[str, str]], tuple[Verdict, list, list]],
) -> list[StepResult]:
    """Each step through ``check`` (the gate `verify` runs on a pull request), given the identities
    of the records the steps before it added (they count as used), oldest first.

    A queue that merges by rebasing puts every commit of a pull request in the group, and the
    record comes after the code it covers. So a flagged step that adds no record is tried once
    more together with the steps up to the next one that adds a record, as one change: it passes
    only when a record covers exactly that combined change (the same evidence a pull request of
    those commits would give). Otherwise the single step's failure is reported. Every commit is
    in exactly one checked change, so nothing in the group goes unchecked."""
    from .decision import record_identities
    from .verification import record_files

    results: list[StepResult] = []
    used: dict[str, str] = {}
    total = len(steps)

    def run(span: list[Step]) -> StepResult:
        ctx = span_context(group, span, objects)
        verdict, claims, reviews = check(ctx, dict(used))
        result = StepResult(span, ctx, verdict, claims, reviews)
        result.verdict = _with_queue_fix(verdict, result.label(total))
        return result

    with gitcmd.BlobReader(group.change.repo_root) as objects:
        at = 0
        while at < total:
            result = run([steps[at]])
            if not result.verdict.ok and result.verdict.flagged_files and not result.verdict.records:
                upto = _next_record_step(group.change.repo_root, steps, at)
                if upto is not None:
                    joined = run(steps[at:upto + 1])
                    if joined.verdict.ok:
                        result = joined
            results.append(result)
            for rf in record_files(result.ctx):
                for identity in record_identities(rf.data or b""):
                    used.setdefault(identity, rf.path)
            at += len(result.steps)
    return results


def _next_record_step(root: str, steps: list[Step], after: int) -> int | None:
    """The index of the first step after ``after`` that adds a file under the records folder."""
    from ..records.record import RECORDS_DIR

    for index in range(after + 1, len(steps)):
        added = gitcmd.output(["diff-tree", "-r", "--name-only", "--no-renames", "--diff-filter=A", steps[index].parent,
                               steps[index].commit, "--", RECORDS_DIR + "/"], root)
        if added:
            return index
    return None


def _with_queue_fix(verdict: Verdict, label: str) -> Verdict:
    """A step whose record is stale: its pull request's change is not what the queue merges (it
    was behind the queue, or a conflict was resolved). Said once, with the fix that works in a
    queue; a missing record's fix names the pull request rather than "this branch"."""
    if verdict.ok or not verdict.flagged_files:
        return verdict
    problems = list(verdict.problems)
    if any(p.code == STALE for p in problems) and verdict.records:
        paths = ", ".join(r.path for r in verdict.records)
        problems.insert(0, Problem(
            STEP_DIFFERS, None,
            f"{label} of the merge group does not make the change its record ({paths}) was signed for: "
            "the pull request was not up to date with the pull requests queued ahead of it, or merging it resolved "
            "a conflict.",
            QUEUE_FIX,
        ))
    problems = [Problem(p.code, p.path, p.message,
                        "Run `deploycheck` on that pull request's branch, answer the checklist, commit the record it writes "
                        "and queue the pull request again.") if p.code == MISSING else p for p in problems]
    return Verdict(ok=False, flagged_files=verdict.flagged_files, records=verdict.records, problems=problems, notes=verdict.notes)


def group_verdict(group: GroupBase, shape: Problem | None, results: list[StepResult]) -> GroupVerdict:
    problems = [shape] if shape is not None else []
    ok = shape is None and all(r.verdict.ok for r in results)
    return GroupVerdict(ok, group.change.base_sha, group.change.head_sha, results, problems, sum(len(r.steps) for r in results))
