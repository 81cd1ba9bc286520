"""Build every scenario as a real git repository, scan it, and compute the quality figures."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .catalog import S, Scenario


@dataclass
class Outcome:
    scenario: Scenario
    flagged: bool
    highs: list  # findings with severity high
    missed_hazards: list


def build(root: Path, sc: Scenario) -> Path:
    from support.gitrepo import commit, git, make_repo

    repo = make_repo(root / sc.name, sc.base)
    git(repo, "checkout", "-q", "-b", "change")
    commit(repo, sc.head, message=sc.name)
    return repo


def run_one(root: Path, sc: Scenario) -> Outcome:
    from deploycheck.analysis.pipeline import analyse

    repo = build(root, sc)
    ctx = analyse("main", None, cwd=str(repo))
    highs = [f for f in ctx.scan.active if f.severity == "high"]
    missed = []
    for hazard in sc.hazards:
        side, path, line = ("base", *hazard[1:]) if hazard[0] == "base" else ("head", *hazard)
        hit = any(f.side == side and f.path == path and f.line <= line <= max(f.end_line, f.line) for f in highs)
        if not hit:
            missed.append(hazard)
    return Outcome(sc, ctx.scan.flagged, highs, missed)


def measure(root: Path) -> tuple[dict, list[Outcome]]:
    outcomes = [run_one(root, sc) for sc in S]
    should = [o for o in outcomes if o.scenario.flagged]
    harmless = [o for o in outcomes if not o.scenario.flagged]
    hazards = sum(len(o.scenario.hazards) for o in outcomes)
    safe = [o for o in outcomes if o.scenario.safe]
    figures = {
        "scenarios": len(outcomes),
        "flag_recall": sum(o.flagged for o in should) / max(1, len(should)),
        "false_flag_rate": sum(o.flagged for o in harmless) / max(1, len(harmless)),
        "hazards_at_right_line": (hazards - sum(len(o.missed_hazards) for o in outcomes)) / max(1, hazards),
        "safe_reported_high": sum(bool(o.highs) for o in safe) / max(1, len(safe)),
    }
    return figures, outcomes


TARGETS = {
    "flag_recall": (">=", 0.95),
    "false_flag_rate": ("<=", 0.05),
    "hazards_at_right_line": (">=", 0.90),
    "safe_reported_high": ("<=", 0.05),
}


def meets(name: str, value: float) -> bool:
    op, target = TARGETS[name]
    return value >= target if op == ">=" else value <= target
