"""Building the change model vs `git diff -U0` of the same range; start-up of `--version`.

Run: python benchmarks/bench_change.py [--files 5000]   (run_all.py runs this and more)
"""

from __future__ import annotations

import argparse
import sys

from _common import WORK, deploycheck_cmd, fast_import_branch, git, median_times, table

MODEL = (
    "import sys, os; from deploycheck.git.change import compute_change; "
    "c, d = compute_change(os.getcwd(), 'main', None); print(len(c.files))"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    repo = WORK / f"change-{args.files}"
    fast_import_branch(repo, args.files)
    mb = git(repo, "merge-base", "main", "feature")
    commands = {
        "git diff -U0": ["git", "diff", "--no-renames", "-U0", mb, "HEAD"],
        "change model": [sys.executable, "-c", MODEL],
        "python -c pass": [sys.executable, "-c", "pass"],
        "deploycheck --version": deploycheck_cmd("--version"),
    }
    t = median_times(commands, repo, args.runs)
    rows = [("measurement", "median", "ratio", "target")]
    rows.append(("git diff -U0", f"{t['git diff -U0']*1000:.0f} ms", "1.00x", ""))
    ratio = t["change model"] / t["git diff -U0"]
    rows.append((f"change model ({args.files} files)", f"{t['change model']*1000:.0f} ms", f"{ratio:.2f}x", "<= 1.5x " + ("OK" if ratio <= 1.5 else "MISSED")))
    v = t["deploycheck --version"]
    rows.append(("python -c pass", f"{t['python -c pass']*1000:.0f} ms", "", ""))
    rows.append(("deploycheck --version", f"{v*1000:.0f} ms", f"{v / t['python -c pass']:.1f}x python", "< 150 ms " + ("OK" if v < 0.150 else "MISSED")))
    print(table(rows))


if __name__ == "__main__":
    main()
