"""The scenario suite: realistic branches, measured against the detection targets of issue 3."""

from __future__ import annotations

from scenarios.catalog import S
from scenarios.measure import TARGETS, meets, measure


def test_scenario_suite_meets_targets(tmp_path):
    assert len(S) >= 40
    figures, outcomes = measure(tmp_path)
    report = []
    for o in outcomes:
        if o.flagged != o.scenario.flagged:
            report.append(f"{o.scenario.name}: flagged={o.flagged}, expected {o.scenario.flagged}")
        if o.missed_hazards:
            report.append(f"{o.scenario.name}: hazards missed at {o.missed_hazards}")
        if o.scenario.safe and o.highs:
            report.append(f"{o.scenario.name}: safe change reported high: {[(f.rule, f.path, f.line) for f in o.highs]}")
    failing = [name for name in TARGETS if not meets(name, figures[name])]
    assert not failing, f"targets missed: {failing}; figures {figures}; details: {report}"
