"""`deploycheck envs`: the worker concurrency discovered per environment, and where it came from.

Reads the files committed at HEAD (never the working tree) and the configuration at HEAD, so a
team sees what its branch declares and can correct it before the parity check (DC600) uses it.
"""

from __future__ import annotations

import os
from typing import Any

from ..git import gitcmd
from ..config import load_config_at
from ..rules.envparity import CONFIG_FILE, KIND_LABELS, Discovery, Environment, discover_at
from ..errors import GitError

HOW_TO_DECLARE = f"""\
deploycheck looks for Kubernetes manifests and kustomize overlays (overlays/staging/, \
overlays/production/), Helm values files (values-staging.yaml, values-prod.yaml), docker-compose \
files per environment (docker-compose.staging.yml), Procfiles (Procfile.staging beside Procfile) \
and worker commands with their concurrency (celery --concurrency, sidekiq -c, rq worker, rake jobs:work, good_job start). \
To declare the numbers yourself, add to {CONFIG_FILE}:

environments:
  staging:
    workers: deploy/values-staging.yaml#worker.replicas   # FILE#key.path, or a number
  production:
    workers: [deploy/values-prod.yaml#worker.replicas, deploy/values-prod.yaml#worker.concurrency]
    aliases: [eu-live]                                     # other names used in paths"""


def run(format: str) -> int:
    root = gitcmd.toplevel(os.getcwd())
    head = gitcmd.resolve("HEAD", root)
    if head is None:
        raise GitError("this repository has no commits yet, so there are no deployment files to read. Commit them and run `deploycheck envs` again.")
    config = load_config_at(root, head)
    discovery = discover_at(root, head, config.environments, config.source)
    if format == "json":
        from ..output.report import dumps

        print(dumps(envs_json(discovery, head)))
    else:
        print_text(discovery, head)
    return 0


def envs_json(discovery: Discovery, head: str) -> dict[str, Any]:
    return {
        "version": 1,
        "head": head,
        "environments": {name: env.to_json() for name, env in discovery.environments.items()},
        "parity": discovery.parity.to_json(),
        "skipped": [{"path": path, "reason": reason} for path, reason in discovery.skipped],
    }


def _environment_lines(env: Environment) -> list[tuple[str, str]]:
    """(text, style) lines for one environment."""
    out: list[tuple[str, str]] = []
    if env.units:
        count = f"{'' if env.exact else 'at least '}{env.workers} {'worker' if env.workers == 1 else 'workers'}"
    else:
        count = "no job workers found"
    out.append((f"{env.name} ({env.tier}): {count}", "bold"))
    if env.units:
        out.append((f"  from {KIND_LABELS.get(env.kind, env.kind)}: {env.describe()}", ""))
    for unit in env.units + env.web:
        role = "job worker" if unit.unit.role == "worker" else "web server (not counted as a job worker)"
        conc = str(unit.concurrency.value) if unit.concurrency else "?"
        out.append((f"  {unit.unit.name} [{role}]: {unit.processes.value} process(es) × {conc} = {unit.workers}", ""))
        out.append((f"    {unit.processes.path}:{unit.processes.line}  {unit.processes.key}  {unit.processes.label} = {unit.processes.value}", "dim"))
        if unit.concurrency is not None and unit.concurrency.label:
            c = unit.concurrency
            out.append((f"    {c.path}:{c.line}  {c.key}  {c.label} = {c.value}", "dim"))
        elif unit.concurrency is None:
            out.append((f"    per-process concurrency unknown: {unit.unit.concurrency_unknown or 'not set'}", "dim"))
    for note in dict.fromkeys(env.notes):
        out.append((f"  note: {note}", "yellow"))
    return out


def print_text(discovery: Discovery, head: str) -> None:
    from rich.text import Text

    from ..output.console import out
    from ..util.safe import inert

    console = out()
    if not discovery.environments:
        console.print(Text(f"No environments discovered in the files committed at {head[:12]}.", style="bold"))
        console.print(Text(HOW_TO_DECLARE), soft_wrap=True)  # a YAML example: its lines are never broken
    else:
        console.print(Text(f"Worker concurrency per environment, from the files committed at {head[:12]}:"))
        for env in discovery.environments.values():
            console.print()
            for line, style in _environment_lines(env):
                console.print(Text(inert(line), style=style))
        console.print()
        parity = discovery.parity
        style = {"mismatch": "yellow", "ok": "green"}.get(parity.status, "")
        console.print(Text(f"Parity: {parity.status}: ", style=style) + Text(inert(parity.message) + "."))
    for path, reason in discovery.skipped:
        console.print(Text(inert(f"skipped {path}: {reason}"), style="dim"))
