"""Environment parity (DC600-DC619): can pre-production reproduce production's concurrency?

Parity is a property of the whole change and of the repository's deployment files, not of one
changed file, so this family has no per-file detector. ``deploycheck.analysis.scan.scan_change`` calls
``parity_findings`` once, after the per-file detectors, and only when the change is already
flagged: the finding adds context to a risky change and never flags one on its own.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is for type checkers only: its import costs start-up time
if TYPE_CHECKING:
    from typing import Callable

from ..git.model import Finding
from .base import Rule

if TYPE_CHECKING:
    from typing import Protocol

    from ..config import Config
    from ..git.model import Change

    class ScanResult(Protocol):
        """What parity reads of analysis.scan.ScanResult (named, not imported: the scan sits
        above the rules and imports this module; tests/test_layout.py keeps it that way)."""

        change: Change

        @property
        def flagged(self) -> bool: ...

STAGING_FEWER_WORKERS = Rule(
    id="DC600",
    name="staging-fewer-workers",
    category="config",
    severity="warning",
    questions=("concurrency-tested",),
    summary="Pre-production runs fewer concurrent workers than production, so it cannot show concurrency bugs.",
    languages=("config",),
    what_it_does="""\
When a change is flagged, reads the deployment files committed in the head commit (Kubernetes
manifests and kustomize overlays, HPA bounds, Helm values files, docker-compose files per
environment, Procfiles, and `environments:` in `.deploycheck/config.yaml`), works out each
environment's effective worker concurrency (processes × jobs per process) and reports when the
best pre-production environment (staging, stage, stg, preprod, uat) runs fewer jobs at once than
production (production, prod, prd, live). The message names both numbers and the files and
lines they come from; `deploycheck envs` shows the whole calculation.""",
    why_bad="""\
A lost update, a check-then-act race or a double-processed message needs two workers touching
the same thing at the same moment. A staging environment with one worker runs jobs one after
another, so such a change passes staging every time and fails only in production, under real
load, usually silently. "It worked in staging" is then no evidence about concurrency at all,
and the checklist question "has it been tested under concurrent load?" needs another answer.""",
    known_problems="""\
Discovery reads files, not clusters: replicas changed by hand, by an operator or by a CI
variable are invisible, and a celery worker without `--concurrency` runs one process per CPU of
a machine the repository does not describe (the number is then a lower bound and parity is only
claimed when it still holds). Files that name no environment are treated as defaults every
environment inherits; several worker deployments in one environment are added up. When files
disagree the highest number is used and `deploycheck envs` says so. Declare the numbers in
`.deploycheck/config.yaml` when discovery gets them wrong.""",
    example="""\
# deploy/k8s/overlays/staging/worker-replicas.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: celery-worker}
spec:
  replicas: 1            # staging: one worker, jobs run one at a time

# deploy/k8s/overlays/production/worker-replicas.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: celery-worker}
spec:
  replicas: 8            # production: eight workers racing on the same rows""",
    use_instead="""\
# Give staging at least two workers (or run a concurrency test against it), so two jobs can
# touch the same row at the same moment before production does:
spec:
  replicas: 2

# Or, when the numbers are set outside the repository, declare them so the check is right:
# .deploycheck/config.yaml
environments:
  staging: {workers: deploy/values-staging.yaml#worker.replicas}
  production: {workers: 8, aliases: [eu-live]}""",
)

RULES = (STAGING_FEWER_WORKERS,)
# Rules whose findings may point outside the change; scan.ScanResult.flagged_files (which feeds
# the record fingerprint) leaves their paths out unless the change touches them.
WHOLE_CHANGE_RULES = frozenset(rule.id for rule in RULES)
DETECTORS: tuple = ()  # whole-change rule: see parity_findings, called by scan.scan_change


def parity_findings(
    result: "ScanResult",
    config: "Config",
    read_blob: Callable[[str], bytes | None] | None = None,
) -> list[Finding]:
    """At most one DC600 finding for a flagged change, pointing at production's value.

    Reads the head commit's deployment files (by name first, then only the candidates);
    ``read_blob`` reads a git object by id (the scan's open ``cat-file --batch``), or None to
    start one. Nothing discovered, or nothing to compare: no finding.
    """
    from .envparity import discover_at

    if not result.flagged:
        return []
    change = result.change
    discovery = discover_at(change.repo_root, change.head_sha, config.environments, config.source, read_blob)
    parity = discovery.parity
    if parity.status != "mismatch" or parity.production is None or parity.pre_production is None:
        return []
    changed = {fc.path for fc in change.files}
    edits = []
    for env in (parity.pre_production, parity.production):
        touched = sorted(env.paths() & changed)
        if touched:
            edits.append(f"this change edits {env.name}'s {', '.join(touched)}")
    for env in (parity.pre_production, parity.production):
        if any(note.startswith("ambiguous") for note in env.notes):
            edits.append(f"{env.name}'s files disagree; `deploycheck envs` shows which number was used")
    message = parity.message + (f" ({'; '.join(edits)})" if edits else "") + "."
    anchor = parity.production.anchor()
    return [STAGING_FEWER_WORKERS.finding(anchor.path, anchor.line, message)]
