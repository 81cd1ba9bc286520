"""Print the detection quality figures of the scenario suite (tests/scenarios/).

Run: python benchmarks/scenarios.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from scenarios.measure import TARGETS, measure, meets  # noqa: E402 - found through the sys.path entry above


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        figures, outcomes = measure(Path(tmp))
    print(f"scenarios: {figures['scenarios']}")
    for name, (op, target) in TARGETS.items():
        value = figures[name]
        print(f"{name:24} {value:6.1%}   target {op} {target:.0%}   {'OK' if meets(name, value) else 'MISSED'}")
    for o in outcomes:
        notes = []
        if o.flagged != o.scenario.flagged:
            notes.append(f"flagged={o.flagged} (expected {o.scenario.flagged})")
        if o.missed_hazards:
            notes.append(f"missed {o.missed_hazards}")
        if o.scenario.safe and o.highs:
            notes.append("safe change reported high: " + ", ".join(f"{f.rule}@{f.path}:{f.line}" for f in o.highs))
        if notes:
            print(f"  {o.scenario.name}: {'; '.join(notes)}")


if __name__ == "__main__":
    main()
