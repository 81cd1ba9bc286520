"""Every performance target of deploycheck, measured against its reference in the same run.

Run: python benchmarks/run_all.py [--runs 7] [--quick]

Builds its repositories under benchmarks/.work/ once (delete the folder to rebuild), then runs
each measurement as the median of alternating runs of deploycheck and its reference (bare
Python, or `git diff -U0` of the same range), so machine load affects both sides alike.
Prints one table; the last column says OK or MISSED for each target. Exits 0 either way:
these are measurements, not tests.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from _common import (
    ENV, WORK, deploycheck_cmd, exit_code, git, log_repo, median_times, mixed_branch, peak_rss_mb,
    project_repo, table,
)

PYTHON_PASS = [sys.executable, "-c", "pass"]
MODEL = (
    "import os; from deploycheck.git.change import compute_change; "
    "c, d = compute_change(os.getcwd(), 'main', None); print(len(c.files))"
)

# The same, timed inside one Python process after its imports: the diff read and parsed as git
# writes it, without the interpreter's start-up (median of N runs, printed in seconds).
MODEL_IN_PROCESS = (
    "import os, statistics, sys, time\n"
    "from deploycheck.git.change import compute_change\n"
    "times = []\n"
    "for _ in range(int(sys.argv[1]) + 1):\n"
    "    start = time.perf_counter()\n"
    "    compute_change(os.getcwd(), 'main', None)\n"
    "    times.append(time.perf_counter() - start)\n"
    "print(statistics.median(times[1:]))\n"
)

# The least any Python scanner must do: start, find the merge-base, read git's diff to the end.
FLOOR = (
    "import subprocess as s\n"
    "mb = s.run(['git', 'merge-base', 'main', 'HEAD'], capture_output=True).stdout.strip()\n"
    "p = s.Popen(['git', 'diff', '--no-renames', '-U0', mb, 'HEAD'], stdout=s.PIPE)\n"
    "while p.stdout.read1(1 << 20):\n"
    "    pass\n"
    "p.wait()\n"
)

Row = tuple[str, str, str, str]


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def bench_hook(runs: int) -> list[Row]:
    rows = _bench_hook(WORK / "hook-project", runs, "")
    return rows + _bench_hook(WORK / "hook-project-init", runs, " + init's config.yaml", initialised=True)


def _bench_hook(repo: Path, runs: int, label: str, initialised: bool = False) -> list[Row]:
    project_repo(repo, initialised=initialised)
    rows: list[Row] = []
    hook = deploycheck_cmd("verify", "--hook")
    # The verdicts first, so a fast wrong answer cannot pass unnoticed.
    codes = {}
    for branch in ("quiet", "flagged", "recorded"):
        git(repo, "checkout", "-q", branch)
        codes[branch] = exit_code(hook, repo)
    git(repo, "checkout", "-q", "quiet")
    expected = {"quiet": 0, "flagged": 1, "recorded": 0}
    rows.append((f"verify --hook exit codes (quiet/flagged/recorded){label}", "/".join(str(codes[b]) for b in expected),
                 "", "0/1/0 " + verdict(codes == expected)))
    t = median_times({"hook": hook, "python": PYTHON_PASS, "version": deploycheck_cmd("--version")}, repo, runs)
    rows.append(("python -c pass", ms(t["python"]), "1.0x", ""))
    ratio = t["hook"] / t["python"]
    rows.append((f"verify --hook, nothing risky (300-file project{label})", ms(t["hook"]), f"{ratio:.1f}x python",
                 "<= 100 ms and <= 5x python " + verdict(t["hook"] <= 0.100 and ratio <= 5)))
    if not initialised:
        rows.append(("deploycheck --version", ms(t["version"]), f"{t['version'] / t['python']:.1f}x python",
                     "< 150 ms " + verdict(t["version"] < 0.150)))
        # No target: a push of job changes with their signed record (records, signature, trust).
        git(repo, "checkout", "-q", "recorded")
        t_rec = median_times({"hook": hook, "python": PYTHON_PASS}, repo, runs)
        git(repo, "checkout", "-q", "quiet")
        rows.append(("verify --hook, flagged, valid signed record", ms(t_rec["hook"]),
                     f"{t_rec['hook'] / t_rec['python']:.1f}x python", ""))
    # A pre-push hook run by the pre-commit framework: the range comes from its variables.
    head = git(repo, "rev-parse", "HEAD")
    main = git(repo, "rev-parse", "main")
    env = {**ENV, "PRE_COMMIT_FROM_REF": main, "PRE_COMMIT_TO_REF": head}
    t = median_times({"hook": deploycheck_cmd("verify", "--hook"), "python": PYTHON_PASS}, repo, runs, env=env)
    ratio = t["hook"] / t["python"]
    rows.append((f"verify --hook via PRE_COMMIT_FROM/TO_REF{label}", ms(t["hook"]), f"{ratio:.1f}x python",
                 "<= 100 ms and <= 5x python " + verdict(t["hook"] <= 0.100 and ratio <= 5)))
    return rows


def bench_scan(files: int, runs: int) -> list[Row]:
    repo = WORK / f"scan-{files}"
    mixed_branch(repo, files, untouched=files // 10)
    mb = git(repo, "merge-base", "main", "feature")
    scan = deploycheck_cmd("scan", "--base", "main")
    t = median_times({"git": ["git", "diff", "--no-renames", "-U0", mb, "HEAD"], "scan": scan,
                      "floor": [sys.executable, "-c", FLOOR]}, repo, runs)
    ratio = t["scan"] / t["git"]
    rss = peak_rss_mb(["scan", "--base", "main"], repo)
    return [
        (f"git diff -U0 ({files} files)", ms(t["git"]), "1.00x", ""),
        (f"Python reading that diff, nothing else ({files} files)", ms(t["floor"]), f"{t['floor'] / t['git']:.2f}x git", ""),
        (f"scan ({files} files)", ms(t["scan"]), f"{ratio:.2f}x git", "<= 1.5x " + verdict(ratio <= 1.5)),
        (f"scan ({files} files) peak memory", f"{rss:.0f} MB", "", "< 100 MB " + verdict(rss < 100)),
    ]


def bench_change_model(files: int, runs: int) -> list[Row]:
    repo = WORK / f"scan-{files}"
    mixed_branch(repo, files, untouched=files // 10)
    mb = git(repo, "merge-base", "main", "feature")
    t = median_times({"git": ["git", "diff", "--no-renames", "-U0", mb, "HEAD"], "model": [sys.executable, "-c", MODEL]}, repo, runs)
    ratio = t["model"] / t["git"]
    rss = peak_rss_mb([], repo, code=MODEL)
    inside = float(subprocess.run([sys.executable, "-c", MODEL_IN_PROCESS, str(runs)], cwd=repo, env=ENV,
                                  capture_output=True, text=True, check=True).stdout)
    return [
        (f"git diff -U0 ({files} files)", ms(t["git"]), "1.00x", ""),
        (f"change model ({files} files)", ms(t["model"]), f"{ratio:.2f}x git", "<= 1.5x " + verdict(ratio <= 1.5)),
        (f"change model ({files} files), in process, start-up excluded", ms(inside), f"{inside / t['git']:.2f}x git", ""),
        (f"change model ({files} files) peak memory", f"{rss:.0f} MB", "", "< 100 MB " + verdict(rss < 100)),
    ]


def _wall_and_cpu(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, tuple[float, float]]:
    """Like median_times (alternating runs after a warm-up round), with the median CPU time
    (user + system, the command and its children: git, a forked reader) beside the wall time."""
    import resource
    import statistics
    import time

    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, cmd in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if round_:
                samples[name].append((wall, cpu))
    return {n: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for n, v in samples.items()}


def bench_log(records: int, runs: int) -> list[Row]:
    repo = WORK / f"log-{records}"
    log_repo(repo, records)
    # `log` keeps the outcome of each signature check in <git dir>/deploycheck/ (see
    # deploycheck/records/logcache.py): "cold" deletes that file before each run (a fresh clone, a
    # changed allowed_signers or deploycheck version), "warm" is every later run.
    cache = repo / ".git" / "deploycheck" / "log-signatures.json"
    def cold(*args: str) -> list[str]:
        return ["sh", "-c", f'rm -f "{cache}" && exec "$@"', "sh", *deploycheck_cmd(*args)]
    t = _wall_and_cpu({
        "pass": PYTHON_PASS,
        "log cold": cold("log"), "log warm": deploycheck_cmd("log"),
        "json cold": cold("log", "--format", "json"), "json warm": deploycheck_cmd("log", "--format", "json"),
    }, repo, runs)
    rows: list[Row] = [("python -c pass (the machine's load)", f"{ms(t['pass'][0])} (CPU {ms(t['pass'][1])})", "", "")]
    for name, label in (("log", "log"), ("json", "log --format json")):
        for state in ("cold", "warm"):
            wall, cpu = t[f"{name} {state}"]
            rows.append((f"{label} ({records} records), {state} cache", f"{ms(wall)} (CPU {ms(cpu)})", "", "< 1 s " + verdict(wall < 1.0)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command (after one warm-up)")
    parser.add_argument("--quick", action="store_true", help="skip the 20,000-file scan")
    parser.add_argument("--only", choices=("hook", "scan", "log", "model"), help="run one group")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    groups = {
        "hook": lambda: bench_hook(args.runs),
        "model": lambda: bench_change_model(5000, args.runs),
        "scan": lambda: bench_scan(3000, args.runs) + ([] if args.quick else bench_scan(20000, max(3, args.runs // 2))),
        "log": lambda: bench_log(5000, max(3, args.runs // 2)),
    }
    rows: list[Row] = [("measurement", "median", "ratio", "target")]
    for name, group in groups.items():
        if args.only in (None, name):
            print(f"… {name}", file=sys.stderr, flush=True)
            rows += group()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
