"""Scan renderers: text, json, sarif, github (+ step summary), on real repositories.

The change (base, merge-base, head, blob ids) always comes from a real git repository, so the
source lines shown are read from real git objects; the findings are built directly so that each
renderer is tested independently of the rules.
"""

from __future__ import annotations

import textwrap

import hashlib
import json
import re
from pathlib import Path

import pytest

from deploycheck.output import report
from deploycheck.git.change import compute_change
from deploycheck.git.model import Finding
from deploycheck.rules.base import Rule
from deploycheck.analysis.scan import ScanResult
from support.gitrepo import git, make_branch, make_repo
from support.incident import JOB_BRANCH, JOB_MAIN

BASE_JOB = (
    "import x\n"
    "\n"
    "def reserve(order):\n"
    "    with lock():\n"
    "        p = get()\n"
    "        p.stock -= 1\n"
    "        p.save()\n"
)
HEAD_JOB = (
    "import x\n"
    "\n"
    "def reserve(order):\n"
    "    p = get()\n"
    "    p.stock -= order.quantity\n"
    "    p.save()\n"
    "    return p\n"
)
LOST = "Reads p.stock and saves it back; two workers running this at once lose an update."

HOSTILE_MESSAGE = "msg \x1b[31mred\x07 \x1b]8;;http://x\x07link [bold red]x[/] [link=http://evil]y[/link]"
HOSTILE_PATH = "jobs/\x1b[31mred\x07[bold red]x[/].py"
HOSTILE_SOURCE = "b = '\x1b]8;;http://x\x07[link=http://evil]y[/link]'"


def finding(rule="DC301", name="lost-update", severity="high", path="inventory/jobs.py", line=5, end=6,
            message=LOST, category="shared-state", **kw) -> Finding:
    return Finding(rule, name, category, severity, path, line, end, message,
                   ("shared-state", "sequential-assumption"), **kw)


def scan_result(repo: Path, findings: list[Finding]) -> ScanResult:
    change, _ = compute_change(str(repo), "main")
    result = ScanResult(change=change, findings=sorted(findings, key=Finding.sort_key))
    if result.flagged:
        result.checklists = ["background-jobs"]
    return result


@pytest.fixture
def job_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo", {"inventory/jobs.py": BASE_JOB})
    make_branch(repo, "work", {"inventory/jobs.py": HEAD_JOB})
    return repo


@pytest.fixture
def mixed(job_repo: Path) -> ScanResult:
    return scan_result(
        job_repo,
        [
            finding(),
            finding("DC305", "lock-removed", line=4, end=4, message="A lock around this block was removed.",
                    category="concurrency", side="base"),
            finding("DC101", "job-changed", "info", line=3, end=3, message="This file is a background job.",
                    category="job"),
            finding(line=7, end=7, message="Saves p.", suppressed=True, suppression_reason="single worker"),
        ],
    )


def shas(result: ScanResult) -> str:
    return f"merge-base {result.change.merge_base[:8]} · head {result.change.head_sha[:8]}"


# ------------------------------------------------------------------------------------ text


def test_text_report_exact(mixed: ScanResult, capsys) -> None:
    report.print_scan_text(mixed)
    assert capsys.readouterr().out == (
        f"Base: main (from --base) · {shas(mixed)}\n"
        "\n"
        "inventory/jobs.py:3: DC101 job-changed [info]\n"
        "  This file is a background job.\n"
        "    1 | import x\n"
        "    2 |\n"
        "  > 3 | def reserve(order):\n"
        "    4 |     p = get()\n"
        "    5 |     p.stock -= order.quantity\n"
        "\n"
        "inventory/jobs.py:4 (base): DC305 lock-removed [high]\n"
        "  A lock around this block was removed. (removed line 4 of the base version)\n"
        "    2 |\n"
        "    3 | def reserve(order):\n"
        "  > 4 |     with lock():\n"  # read from the base blob
        "    5 |         p = get()\n"
        "    6 |         p.stock -= 1\n"
        "\n"
        "inventory/jobs.py:5: DC301 lost-update [high]\n"
        f"  {LOST}\n"
        "    3 | def reserve(order):\n"
        "    4 |     p = get()\n"
        "  > 5 |     p.stock -= order.quantity\n"
        "  > 6 |     p.save()\n"
        "    7 |     return p\n"
        "\n"
        "Suppressed (1), not counted:\n"
        "inventory/jobs.py:7: DC301 lost-update [high] suppressed (single worker)\n"
        "  Saves p.\n"
        "\n"
        "Flagged: 2 findings in 1 file need the background-jobs checklist (1 more finding shown as context). Run `deploycheck` to assess.\n"
    )


def test_text_reads_git_objects_not_the_working_tree(job_repo: Path, capsys) -> None:
    (job_repo / "inventory" / "jobs.py").write_text("edited\n" * 10, encoding="utf-8")
    result = scan_result(job_repo, [finding(line=6, end=6, message="One line.")])
    report.print_scan_text(result)
    assert capsys.readouterr().out == (
        f"Base: main (from --base) · {shas(result)}\n"
        "\n"
        "inventory/jobs.py:6: DC301 lost-update [high]\n"
        "  One line.\n"
        "    4 |     p = get()\n"
        "    5 |     p.stock -= order.quantity\n"
        "  > 6 |     p.save()\n"
        "    7 |     return p\n"
        "\n"
        "Flagged: 1 finding in 1 file needs the background-jobs checklist. Run `deploycheck` to assess.\n"
    )


def test_text_long_finding_is_shortened(tmp_path: Path, capsys) -> None:
    repo = make_repo(tmp_path / "repo")
    make_branch(repo, "work", {"big.py": "".join(f"x{i} = {i}\n" for i in range(1, 31))})
    result = scan_result(repo, [finding(path="big.py", line=3, end=20, severity="warning", message="Long.")])
    report.print_scan_text(result)
    out = capsys.readouterr().out
    assert out == (
        f"Base: main (from --base) · {shas(result)}\n"
        "\n"
        "big.py:3: DC301 lost-update [warning]\n"
        "  Long.\n"
        "     1 | x1 = 1\n"
        "     2 | x2 = 2\n"
        + "".join(f"  > {i:>2} | x{i} = {i}\n" for i in range(3, 11))
        + "       | … 10 more lines\n"
        "    21 | x21 = 21\n"
        "    22 | x22 = 22\n"
        "\n"
        "Flagged: 1 finding in 1 file needs the background-jobs checklist. Run `deploycheck` to assess.\n"
    )


def test_text_line_numbers_follow_git_not_str_splitlines(tmp_path: Path, capsys) -> None:
    repo = make_repo(tmp_path / "repo")
    make_branch(repo, "work", {"job.py": "a = 1\x0c\nb = '\u2028'\nc = 3\r\nd = 4\n"})
    result = scan_result(repo, [finding(path="job.py", line=3, end=3, message="Here.")])
    report.print_scan_text(result)
    assert capsys.readouterr().out == (
        f"Base: main (from --base) · {shas(result)}\n"
        "\n"
        "job.py:3: DC301 lost-update [high]\n"
        "  Here.\n"
        "    1 | a = 1\\x0c\n"
        "    2 | b = '\\u2028'\n"
        "  > 3 | c = 3\n"
        "    4 | d = 4\n"
        "\n"
        "Flagged: 1 finding in 1 file needs the background-jobs checklist. Run `deploycheck` to assess.\n"
    )


def test_text_nothing_flagged(job_repo: Path, capsys) -> None:
    result = scan_result(job_repo, [])
    report.print_scan_text(result, hint=True)  # as `scan` prints it where no job_paths are configured
    assert capsys.readouterr().out == (
        f"Base: main (from --base) · {shas(result)}\n"
        "\n"
        "Nothing flagged: deploycheck found no change to jobs, queues or shared state.\n"
        # Code changed: where to turn if its background work is of a kind not recognised.
        + "".join(f"  {line}\n" for line in textwrap.wrap(report.NOT_RECOGNISED_HINT, 98, break_on_hyphens=False))
    )


def test_text_info_only_is_context(job_repo: Path, capsys) -> None:
    result = scan_result(job_repo, [finding("DC101", "job-changed", "info", line=1, end=1, message="A job.")])
    report.print_scan_text(result)
    assert capsys.readouterr().out == (
        f"Base: main (from --base) · {shas(result)}\n"
        "\n"
        "inventory/jobs.py:1: DC101 job-changed [info]\n"
        "  A job.\n"
        "  > 1 | import x\n"
        "    2 |\n"
        "    3 | def reserve(order):\n"
        "\n"
        "Nothing flagged: no risky change to jobs, queues or shared state "
        "(1 informational finding shown as context).\n"
    )


def test_verdict_wording() -> None:
    from deploycheck.git.model import Change

    change = Change("/r", "main", "default", "b" * 40, "m" * 40, "HEAD", "h" * 40)
    only_suppressed = ScanResult(change, [finding(suppressed=True, suppression_reason="ok")])
    assert report.verdict(only_suppressed) == (
        "Nothing flagged: no risky change to jobs, queues or shared state (1 suppressed)."
    )
    two = ScanResult(change, [finding(), finding(path="b.py")], ["background-jobs", "migrations"])
    assert report.verdict(two) == (
        "Flagged: 2 findings in 2 files need the background-jobs and migrations checklists. "
        "Run `deploycheck` to assess."
    )
    assert report.base_line(change) == "Base: main (default branch) · merge-base mmmmmmmm · head hhhhhhhh"
    remote = Change("/r", "origin/HEAD", "origin/HEAD", "b" * 40, "m" * 40, "HEAD", "h" * 40)
    assert report.base_line(remote) == "Base: origin/HEAD (default branch) · merge-base mmmmmmmm · head hhhhhhhh"
    chosen = Change("/r", "main", "--base", "b" * 40, "m" * 40, "HEAD", "h" * 40)
    assert report.base_line(chosen) == "Base: main (from --base) · merge-base mmmmmmmm · head hhhhhhhh"


def hostile_result(tmp_path: Path) -> ScanResult:
    repo = make_repo(tmp_path / "repo")
    make_branch(repo, "work", {HOSTILE_PATH: "a = 1\n" + HOSTILE_SOURCE + "\n"})
    return scan_result(
        repo,
        [finding(path=HOSTILE_PATH, line=2, end=2, message=HOSTILE_MESSAGE),
         finding(path=HOSTILE_PATH, line=1, end=1, message="s", suppressed=True, suppression_reason=HOSTILE_MESSAGE)],
    )


INERT_PATH = "jobs/\\x1b[31mred\\x07[bold red]x[/].py"
INERT_MESSAGE = "msg \\x1b[31mred\\x07 \\x1b]8;;http://x\\x07link [bold red]x[/] [link=http://evil]y[/link]"
INERT_SOURCE = "b = '\\x1b]8;;http://x\\x07[link=http://evil]y[/link]'"


def test_text_untrusted_strings_are_inert(tmp_path: Path, capsys) -> None:
    result = hostile_result(tmp_path)
    report.print_scan_text(result)
    out = capsys.readouterr().out
    assert out == (
        f"Base: main (from --base) · {shas(result)}\n"
        "\n"
        f"{INERT_PATH}:2: DC301 lost-update [high]\n"
        f"  {INERT_MESSAGE}\n"
        "    1 | a = 1\n"
        f"  > 2 | {INERT_SOURCE}\n"
        "\n"
        "Suppressed (1), not counted:\n"
        f"{INERT_PATH}:1: DC301 lost-update [high] suppressed ({INERT_MESSAGE})\n"
        "  s\n"
        "\n"
        "Flagged: 1 finding in 1 file needs the background-jobs checklist. Run `deploycheck` to assess.\n"
    )
    assert "\x1b" not in out and "\x07" not in out


def test_text_in_colour_still_inert(tmp_path: Path) -> None:
    """With colours on, styling comes only from deploycheck; the untrusted text stays literal."""
    from rich.console import Console

    result = hostile_result(tmp_path)
    sources = {(HOSTILE_PATH, "head"): ["a = 1", HOSTILE_SOURCE]}
    console = Console(force_terminal=True, color_system="standard", width=200, markup=False, highlight=False)
    with console.capture() as capture:
        for renderable in report.render_scan_text(result, sources):
            console.print(renderable)
    out = capture.get()
    assert INERT_MESSAGE in out and INERT_SOURCE in out
    assert "\x07" not in out and "\x1b]8" not in out and "http://evil" in out  # no hyperlink (OSC 8) emitted
    assert "\x1b[31mred" not in out  # the finding's own escape never reaches the terminal


# ------------------------------------------------------------------------------------ json


def test_json_document(mixed: ScanResult) -> None:
    document = json.loads(report.dumps(report.scan_json(mixed)))
    common = {"questions": ["shared-state", "sequential-assumption"], "path": "inventory/jobs.py"}
    assert document == {
        "version": 1,
        "base": mixed.change.merge_base,
        "head": mixed.change.head_sha,
        "flagged": True,
        "checklists": ["background-jobs"],
        "findings": [
            {"rule": "DC101", "name": "job-changed", "category": "job", "severity": "info", "line": 3,
             "end_line": 3, "message": "This file is a background job.", **common},
            {"rule": "DC305", "name": "lock-removed", "category": "concurrency", "severity": "high", "line": 4,
             "end_line": 4, "message": "A lock around this block was removed.", "side": "base", **common},
            {"rule": "DC301", "name": "lost-update", "category": "shared-state", "severity": "high", "line": 5,
             "end_line": 6, "message": LOST, **common},
            {"rule": "DC301", "name": "lost-update", "category": "shared-state", "severity": "high", "line": 7,
             "end_line": 7, "message": "Saves p.", "suppressed": True, "suppression_reason": "single worker",
             **common},
        ],
    }


# ----------------------------------------------------------------------------------- sarif

RULES = (
    Rule("DC101", "job-changed", "job", "info", ("shared-state",), "A background job changed.",
         "Marks files that are jobs.", "Jobs run concurrently.", "", "def task(): ...", "def task(): ..."),
    Rule("DC301", "lost-update", "shared-state", "high", ("shared-state", "sequential-assumption"),
         "Read-modify-write of shared state.", "Finds a read, a change and a save.", "Workers overwrite each other.",
         "Misses updates through helpers.", "p.stock -= 1\np.save()", "```python\nP.objects.update(stock=F('stock') - 1)\n```",
         ("python",)),
)


def check_sarif_structure(log: dict) -> None:
    """The parts of SARIF 2.1.0 that GitHub code scanning requires or relies on."""
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "deploycheck" and isinstance(driver["version"], str)
    assert driver["informationUri"].startswith("https://")
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for rule in driver["rules"]:
        assert set(rule) >= {"id", "name", "shortDescription", "fullDescription", "defaultConfiguration", "properties"}
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
        assert all(isinstance(tag, str) for tag in rule["properties"]["tags"])
        if "help" in rule:
            assert rule["help"]["text"] and rule["help"]["markdown"]
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    for result in run["results"]:
        assert result["ruleId"] == driver["rules"][result["ruleIndex"]]["id"]
        assert result["level"] in ("none", "note", "warning", "error")
        assert isinstance(result["message"]["text"], str) and result["message"]["text"]
        assert len(result["locations"]) == 1
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "://" not in uri and "\\" not in uri
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = physical["region"]
        assert isinstance(region["startLine"], int) and region["startLine"] >= 1
        assert region["endLine"] >= region["startLine"]
        assert all(isinstance(v, str) for v in result["partialFingerprints"].values())
        for suppression in result.get("suppressions", []):
            assert suppression["kind"] in ("inSource", "external")
    json.dumps(log, ensure_ascii=True)  # serialisable


def test_sarif_document(mixed: ScanResult) -> None:
    log = json.loads(report.dumps(report.scan_sarif(mixed, RULES)))
    check_sarif_structure(log)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == ["DC101", "DC301", "DC305"]  # DC305: not in the registry given
    assert driver["rules"][1] == {
        "id": "DC301",
        "name": "lost-update",
        "shortDescription": {"text": "Read-modify-write of shared state."},
        "fullDescription": {"text": "Finds a read, a change and a save."},
        "help": {
            "text": (
                "What it does\nFinds a read, a change and a save.\n\n"
                "Why is this bad?\nWorkers overwrite each other.\n\n"
                "Known problems\nMisses updates through helpers.\n\n"
                "Example\np.stock -= 1\np.save()\n\n"
                "Use instead\n```python\nP.objects.update(stock=F('stock') - 1)\n```\n"
            ),
            "markdown": (
                "## What it does\n\nFinds a read, a change and a save.\n\n"
                "## Why is this bad?\n\nWorkers overwrite each other.\n\n"
                "## Known problems\n\nMisses updates through helpers.\n\n"
                "## Example\n\n```python\np.stock -= 1\np.save()\n```\n\n"
                "## Use instead\n\n```python\nP.objects.update(stock=F('stock') - 1)\n```\n"
            ),
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["shared-state"], "category": "shared-state", "severity": "high",
                       "questions": ["shared-state", "sequential-assumption"]},
    }
    assert driver["rules"][0]["defaultConfiguration"] == {"level": "note"}
    assert driver["rules"][0]["help"]["markdown"].count("None known.") == 1
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": Path(mixed.change.repo_root).resolve().as_uri() + "/"}}

    def digest(rule: str, message: str) -> str:
        return hashlib.sha256(f"{rule}\0inventory/jobs.py\0{message}".encode()).hexdigest()

    summary = [
        (r["ruleId"], r["ruleIndex"], r["level"], r["message"]["text"],
         r["locations"][0]["physicalLocation"]["region"], r["partialFingerprints"]["deploycheck/v1"],
         r.get("suppressions"))
        for r in run["results"]
    ]
    assert summary == [
        ("DC101", 0, "note", "This file is a background job.", {"startLine": 3, "endLine": 3},
         digest("DC101", "This file is a background job."), None),
        ("DC305", 2, "error", "A lock around this block was removed. (removed line 4 of the base version)",
         {"startLine": 4, "endLine": 4}, digest("DC305", "A lock around this block was removed."), None),
        ("DC301", 1, "error", LOST, {"startLine": 5, "endLine": 6}, digest("DC301", LOST), None),
        ("DC301", 1, "error", "Saves p.", {"startLine": 7, "endLine": 7}, digest("DC301", "Saves p."),
         [{"kind": "inSource", "justification": "single worker"}]),
    ]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "inventory/jobs.py", "uriBaseId": "%SRCROOT%"
    }


def test_sarif_deleted_file_duplicates_and_odd_paths(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"old job.py": "lock()\n", "a%b#c.py": "x\n"})
    make_branch(repo, "work", {"old job.py": None, "a%b#c.py": "y\n"})
    result = scan_result(
        repo,
        [finding(path="old job.py", line=1, end=1, message="Lock removed.", side="base"),
         finding(path="a%b#c.py", line=1, end=1, message="Same."),
         finding(path="a%b#c.py", line=1, end=1, rule="DC302", message="Same."),
         finding(path="a%b#c.py", line=1, end=0, message="Same.")],
    )
    log = report.scan_sarif(result, RULES)
    check_sarif_structure(log)
    results = log["runs"][0]["results"]
    locations = [r["locations"][0]["physicalLocation"] for r in results]
    assert [loc["artifactLocation"]["uri"] for loc in locations] == ["a%25b%23c.py"] * 3 + ["old%20job.py"]
    assert results[3]["message"]["text"] == (
        "Lock removed. (removed line 1 of the base version; the file is deleted in this change)"
    )
    prints = [r["partialFingerprints"]["deploycheck/v1"] for r in results]
    assert [r["ruleId"] for r in results] == ["DC301", "DC301", "DC302", "DC301"]
    assert prints[1] == prints[0] + ":2"  # identical rule+path+message: kept apart
    assert prints[2] != prints[0]  # the rule is part of the fingerprint
    assert locations[1]["region"] == {"startLine": 1, "endLine": 1}  # end_line 0 is clamped
    assert locations[3]["region"] == {"startLine": 1, "endLine": 1}  # a deleted file has no head line: 1


def test_removed_lines_are_anchored_where_the_head_lost_them(tmp_path: Path) -> None:
    """A base-side finding sits on the head line where its hunk is (new_start), not at line 1:
    after two lines added above it, a pure deletion of base line 6 is anchored at head line 7
    (the line just above the gap, as git's -U0 hunk header says: @@ -6 +7,0 @@)."""
    base = "".join(f"line {n}\n" for n in range(1, 11))
    head = "new a\nnew b\n" + base.replace("line 6\n", "")
    repo = make_repo(tmp_path / "repo", {"job.py": base})
    make_branch(repo, "work", {"job.py": head})
    removed = finding(path="job.py", line=6, end=6, message="Lock removed.", side="base")
    result = scan_result(repo, [removed])
    assert [(h.old_start, h.old_count, h.new_start, h.new_count) for h in result.change.files[0].hunks] == [
        (0, 0, 1, 2), (6, 1, 7, 0),
    ]
    (sarif,) = report.scan_sarif(result, RULES)["runs"][0]["results"]
    assert sarif["locations"][0]["physicalLocation"]["region"] == {"startLine": 7, "endLine": 7}
    assert sarif["message"]["text"] == "Lock removed. (removed line 6 of the base version)"
    assert sarif["properties"]["line"] == 6 and sarif["properties"]["side"] == "base"
    assert report.github_commands(result) == [
        "::error file=job.py,line=7,endLine=7,title=DC301 lost-update::Lock removed. (removed line 6 of the base version)"
    ]


def test_sarif_uses_the_registry_by_default(mixed: ScanResult) -> None:
    from deploycheck.rules import all_rules

    log = report.scan_sarif(mixed)
    check_sarif_structure(log)
    registered = list(all_rules())
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]][: len(registered)] == registered


# ---------------------------------------------------------------------------------- github


def test_github_commands_and_summary(mixed: ScanResult, tmp_path: Path, monkeypatch, capsys) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("before\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    report.print_github_scan(mixed)
    assert capsys.readouterr().out == (
        "::notice file=inventory/jobs.py,line=3,endLine=3,title=DC101 job-changed::This file is a background job.\n"
        "::error file=inventory/jobs.py,line=4,endLine=4,title=DC305 lock-removed::"
        "A lock around this block was removed. (removed line 4 of the base version)\n"
        f"::error file=inventory/jobs.py,line=5,endLine=6,title=DC301 lost-update::{LOST}\n"
        "::notice file=inventory/jobs.py,line=7,endLine=7,title=DC301 lost-update (suppressed)::"
        "Saves p. [suppressed: single worker]\n"
        "Flagged: 2 findings in 1 file need the background-jobs checklist (1 more finding shown as context). Run `deploycheck` to assess.\n"
    )
    assert summary.read_text(encoding="utf-8") == (
        "before\n"
        "\n"
        "### deploycheck scan\n"
        "\n"
        "Flagged: 2 findings in 1 file need the background-jobs checklist (1 more finding shown as context). Run `deploycheck` to assess.\n"
        "\n"
        f"Base: main (from --base) · {shas(mixed)}\n"
        "\n"
        "| Severity | Rule | Location | Message |\n"
        "|---|---|---|---|\n"
        "| info | DC101 job-changed | inventory/jobs.py:3 | This file is a background job. |\n"
        "| high | DC305 lock-removed | inventory/jobs.py:4 (base) | "
        "A lock around this block was removed. (removed line 4 of the base version) |\n"
        f"| high | DC301 lost-update | inventory/jobs.py:5 | {LOST} |\n"
        "\n"
        "Suppressed (not counted):\n"
        "\n"
        "| Rule | Location | Reason | Message |\n"
        "|---|---|---|---|\n"
        "| DC301 lost-update | inventory/jobs.py:7 | single worker | Saves p. |\n"
    )


def test_github_deleted_file_has_no_line(tmp_path: Path, capsys) -> None:
    repo = make_repo(tmp_path / "repo", {"job.py": "lock()\n"})
    make_branch(repo, "work", {"job.py": None})
    result = scan_result(repo, [finding(path="job.py", line=1, end=1, message="Lock removed.", side="base")])
    assert report.github_commands(result) == [
        "::error file=job.py,title=DC301 lost-update::Lock removed. (removed line 1 of the base version)"
    ]


def test_github_and_summary_untrusted_strings_are_inert(tmp_path: Path, monkeypatch, capsys) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = hostile_result(tmp_path)
    report.print_github_scan(result)
    out = capsys.readouterr().out
    escaped_path = "jobs/\\x1b[31mred\\x07[bold red]x[/].py"
    assert out == (
        f"::notice file={escaped_path},line=1,endLine=1,title=DC301 lost-update (suppressed)::"
        f"s [suppressed: {INERT_MESSAGE}]\n"
        f"::error file={escaped_path},line=2,endLine=2,title=DC301 lost-update::{INERT_MESSAGE}\n"
        "Flagged: 1 finding in 1 file needs the background-jobs checklist. Run `deploycheck` to assess.\n"
    )
    md_path = "jobs/\\\\x1b\\[31mred\\\\x07\\[bold red\\]x\\[/\\].py"
    md_message = (
        "msg \\\\x1b\\[31mred\\\\x07 \\\\x1b\\]8;;http\\://x\\\\x07link \\[bold red\\]x\\[/\\] "
        "\\[link=http\\://evil\\]y\\[/link\\]"
    )
    assert summary.read_text(encoding="utf-8") == (
        "\n"
        "### deploycheck scan\n"
        "\n"
        "Flagged: 1 finding in 1 file needs the background-jobs checklist. Run `deploycheck` to assess.\n"
        "\n"
        f"Base: main (from --base) · {shas(result)}\n"
        "\n"
        "| Severity | Rule | Location | Message |\n"
        "|---|---|---|---|\n"
        f"| high | DC301 lost-update | {md_path}:2 | {md_message} |\n"
        "\n"
        "Suppressed (not counted):\n"
        "\n"
        "| Rule | Location | Reason | Message |\n"
        "|---|---|---|---|\n"
        f"| DC301 lost-update | {md_path}:1 | {md_message} | s |\n"
    )


def test_github_without_step_summary_writes_no_file(job_repo: Path, tmp_path: Path, capsys) -> None:
    result = scan_result(job_repo, [])
    report.print_github_scan(result)
    assert capsys.readouterr().out == "Nothing flagged: deploycheck found no change to jobs, queues or shared state.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


# ----------------------------------------------------------------------------- rules docs


def test_rules_markdown_table() -> None:
    odd = Rule("DC999", "odd-rule", "config", "warning", (), "Pipes | and `ticks` <b>", "", "", "", "", "")
    assert report.render_rules_markdown([*RULES, odd]) == (
        "| Rule | Name | Category | Severity | Summary |\n"
        "|---|---|---|---|---|\n"
        "| DC101 | `job-changed` | job | info | A background job changed. |\n"
        "| DC301 | `lost-update` | shared-state | high | Read-modify-write of shared state. |\n"
        "| DC999 | `odd-rule` | config | warning | Pipes \\| and \\`ticks\\` &lt;b&gt; |\n"
    )


def test_explain_rendering(capsys) -> None:
    report.print_lines(report.render_explain(RULES[1]))
    assert capsys.readouterr().out == (
        "DC301 lost-update\n"
        "Category: shared-state · Default severity: high · Languages: python\n"
        "Checklist questions: shared-state, sequential-assumption\n"
        "Summary: Read-modify-write of shared state.\n"
        "\n"
        "What it does\n"
        "Finds a read, a change and a save.\n"
        "\n"
        "Why is this bad?\n"
        "Workers overwrite each other.\n"
        "\n"
        "Known problems\n"
        "Misses updates through helpers.\n"
        "\n"
        "Example\n"
        "p.stock -= 1\n"
        "p.save()\n"
        "\n"
        "Use instead\n"
        "```python\n"
        "P.objects.update(stock=F('stock') - 1)\n"
        "```\n"
    )


def test_git_identity_is_fixed(job_repo: Path) -> None:
    # The exact outputs above rely on deterministic commits; guard the assumption.
    assert git(job_repo, "log", "-1", "--format=%an <%ae> %ad", "--date=iso-strict") == (
        "Dev Example <dev@example.com> 2026-01-01T00:00:00+00:00"
    )


# ------------------------------------------------------------------- through `deploycheck scan`


def cli(capsys, monkeypatch, repo: Path, *args: str) -> tuple[int, str, str]:
    from deploycheck.__main__ import main

    monkeypatch.chdir(repo)
    code = main(["scan", "--base", "main", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def docs_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo", {"README.md": "hello\n"})
    make_branch(repo, "work", {"README.md": "hello again\n", "docs/guide.md": "# Guide\n"})
    return repo


def test_cli_scan_text_nothing_flagged(docs_repo: Path, capsys, monkeypatch) -> None:
    code, out, err = cli(capsys, monkeypatch, docs_repo, "--fail-on-findings")
    merge_base = git(docs_repo, "rev-parse", "main")[:8]
    head = git(docs_repo, "rev-parse", "HEAD")[:8]
    assert (code, err) == (0, "")
    assert out == (
        f"Base: main (from --base) · merge-base {merge_base} · head {head}\n"
        "\n"
        "Nothing flagged: deploycheck found no change to jobs, queues or shared state.\n"
    )


def test_cli_scan_sarif_and_github_nothing_flagged(docs_repo: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    code, out, err = cli(capsys, monkeypatch, docs_repo, "--format", "sarif")
    assert (code, err) == (0, "")
    log = json.loads(out)
    check_sarif_structure(log)
    assert log["runs"][0]["results"] == []
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = cli(capsys, monkeypatch, docs_repo, "--format", "github")
    assert (code, out, err) == (0, "Nothing flagged: deploycheck found no change to jobs, queues or shared state.\n", "")
    merge_base = git(docs_repo, "rev-parse", "main")[:8]
    head = git(docs_repo, "rev-parse", "HEAD")[:8]
    assert summary.read_text(encoding="utf-8") == (
        "\n### deploycheck scan\n\n"
        "Nothing flagged: deploycheck found no change to jobs, queues or shared state.\n\n"
        f"Base: main (from --base) · merge-base {merge_base} · head {head}\n"
    )


# ------------------------------------------------- a real rule (DC301 lost-update) end to end

# The incident, as defined once in support/incident.py (the branch's version without its comment).
BEFORE_REFACTOR = JOB_MAIN
AFTER_REFACTOR = JOB_BRANCH.replace("    # minor refactor, no behavioral changes\n", "")


@pytest.fixture
def incident_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo", {"inventory/jobs.py": BEFORE_REFACTOR, "inventory/models.py": ""})
    make_branch(repo, "refactor", {"inventory/jobs.py": AFTER_REFACTOR}, message="minor refactor")
    return repo


def test_cli_lost_update_in_every_format(incident_repo: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    code, out, err = cli(capsys, monkeypatch, incident_repo, "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    lost = [f for f in document["findings"] if f["rule"] == "DC301"]
    assert [(f["name"], f["severity"], f["path"], f["line"], f["end_line"]) for f in lost] == [
        ("lost-update", "high", "inventory/jobs.py", 9, 10)
    ]
    message = lost[0]["message"]
    flagged = [f for f in document["findings"] if f["severity"] in ("warning", "high")]

    # text: the finding's block, read from the head blob, and the verdict
    code, out, err = cli(capsys, monkeypatch, incident_repo, "--fail-on-findings")
    assert (code, err) == (1, "")
    lines = out.splitlines()
    start = lines.index("inventory/jobs.py:9: DC301 lost-update [high]")
    end = lines.index("", start)
    block = lines[start + 1 : end]
    text_message = [line for line in block if not line.startswith(("    ", "  > "))]
    assert " ".join(line.strip() for line in text_message) == message
    assert all(len(line) <= 100 and line.startswith("  ") for line in text_message)
    assert block[len(text_message):] == [
        "     7 | def reserve_stock(product_id, quantity):",
        "     8 |     product = Product.objects.get(pk=product_id)",
        "  >  9 |     product.stock = product.stock - quantity",
        "  > 10 |     product.save()",
    ]
    assert lines[-1] == (
        f"Flagged: {len(flagged)} findings in 1 file need the background-jobs checklist. Run `deploycheck` to assess."
    )

    # github: the commit's contradicted claim first, then one workflow command per finding, DC301
    # as an error on lines 9-10, then the verdict
    code, out, err = cli(capsys, monkeypatch, incident_repo, "--format", "github")
    assert (code, err) == (0, "")
    commands = out.splitlines()
    assert commands[0].startswith("::warning title=deploycheck%3A claim vs change::commit ")
    assert len(commands) == 1 + len(document["findings"]) + 1
    assert (
        f"::error file=inventory/jobs.py,line=9,endLine=10,title=DC301 lost-update::{message}" in commands
    )

    # sarif: the result, its rule descriptor with the rule's documentation
    code, out, err = cli(capsys, monkeypatch, incident_repo, "--format", "sarif")
    assert (code, err) == (0, "")
    log = json.loads(out)
    check_sarif_structure(log)
    run_ = log["runs"][0]
    [result] = [r for r in run_["results"] if r["ruleId"] == "DC301"]
    descriptor = run_["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert (result["level"], result["message"]["text"]) == ("error", message)
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 9, "endLine": 10}
    assert descriptor["id"] == "DC301" and descriptor["name"] == "lost-update"
    assert descriptor["defaultConfiguration"] == {"level": "error"}
    assert descriptor["properties"]["tags"] == ["shared-state"]
    assert descriptor["help"]["markdown"].startswith("## What it does\n\n")


def test_example_markdown_separates_prose_and_code() -> None:
    body = (
        "Keep the lock, or update atomically:\n\n"
        "PROCESSED = Counter()\nLOCK = threading.Lock()\n\n"
        "def worker(item):\n    with LOCK:\n        PROCESSED[item] += 1\n\n"
        "Release 2: drop the column.\n"
    )
    assert report._example_markdown(body, ("jvm",)) == (
        "Keep the lock, or update atomically:\n\n"
        "```java\nPROCESSED = Counter()\nLOCK = threading.Lock()\n\n"
        "def worker(item):\n    with LOCK:\n        PROCESSED[item] += 1\n```\n\n"
        "Release 2: drop the column."
    )
    assert report._example_markdown("DELETE FROM sessions;", ("sql",)) == "```sql\nDELETE FROM sessions;\n```"
    assert report._example_markdown("replicas: 3", ("worker-config",)) == "```\nreplicas: 3\n```"
    assert report._example_markdown("```go\nx++\n```", ("go",)) == "```go\nx++\n```"


def test_lines_written_directly_are_what_rich_prints(capsys) -> None:
    # print_lines writes a plain line itself when Rich would print it unchanged; every kind of
    # line, direct or not, must come out as Rich prints it on a console like ours.
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from deploycheck.output.console import out

    table = Table("a", "b")
    table.add_row("1", "2")
    styled = Text("app/jobs.py:12: ", style="bold")
    styled.append("DC301 lost-update [high]", style="red")
    renderables = [
        Text("plain ascii"), Text(""), styled, Text("  > 12 | product.stock -= 1"), Text("trailing blank  "),
        Text("tab\there"), Text("wide 漢字 and é"), Text("two\nlines"), Text("bell \x07 inside"), Text("right", justify="right"),
        Text("no end", end=""), Text("after"), Text("x" * 120), table, Text(":: starts a runner command"), Text("last"),
    ]
    console = out()
    reference = io.StringIO()
    rich = Console(file=reference, markup=False, highlight=False, emoji=False, width=console.width, soft_wrap=False,
                   color_system=None, force_terminal=False)
    for renderable in renderables:
        rich.print(renderable, soft_wrap=True)
    report.print_lines(renderables)
    expected = reference.getvalue().replace(":: starts", "\\x3a: starts")  # out() guards CI runner commands
    assert capsys.readouterr().out == expected


def test_text_finding_changed_at_its_ends_folds_the_unchanged_middle(tmp_path: Path, capsys) -> None:
    # A function changed only at its first and last line (a new parameter, a new attribute) is
    # shown as those two lines with their context, not as a stretch of changed lines.
    before = "".join(f"x{i} = {i}\n" for i in range(1, 31))
    repo = make_repo(tmp_path / "repo", {"big.py": before})
    make_branch(repo, "work", {"big.py": before.replace("x3 = 3\n", "x3 = 33\n").replace("x20 = 20\n", "x20 = 200\n")})
    result = scan_result(repo, [finding(path="big.py", line=3, end=20, severity="warning", message="Ends.")])
    report.print_scan_text(result)
    out = capsys.readouterr().out
    assert (
        "     1 | x1 = 1\n     2 | x2 = 2\n  >  3 | x3 = 33\n     4 | x4 = 4\n     5 | x5 = 5\n"
        "       | …\n"
        "    18 | x18 = 18\n    19 | x19 = 19\n  > 20 | x20 = 200\n    21 | x21 = 21\n    22 | x22 = 22\n"
    ) in out
    assert out.count(">") == 2


HOSTILE_NAME = "Sync#run\x1b[2J\u202e [x](1) \\"


def test_the_job_and_the_trail_stay_inert_in_every_format(tmp_path: Path, capsys) -> None:
    # `job` and `trail` carry paths and names read from the repository: JSON escapes them, SARIF
    # makes its related locations' text inert (and no `[x](1)` link), and the text and GitHub
    # outputs show only the message, as before.
    job = {"kind": "Sidekiq job", "path": HOSTILE_PATH, "line": 1, "name": HOSTILE_NAME}
    trail = ({"path": HOSTILE_PATH, "line": 2, "name": HOSTILE_NAME, "calls": "run\x07"},)
    result = hostile_result(tmp_path)
    [shown] = [f for f in result.findings if not f.suppressed]
    report.print_scan_text(result)
    report.print_github_scan(result)
    before = capsys.readouterr().out
    shown.job, shown.trail = job, trail
    document = report.dumps(report.scan_json(result))
    assert "\x1b" not in document and "\x07" not in document and "\u202e" not in document
    [data] = [f for f in json.loads(document)["findings"] if "job" in f]
    assert data["job"] == job and data["trail"] == [trail[0]]
    log = json.loads(report.dumps(report.scan_sarif(result, RULES)))
    check_sarif_structure(log)
    [entry] = [r for r in log["runs"][0]["results"] if "relatedLocations" in r]
    assert entry["message"]["text"] == INERT_MESSAGE  # the words are unchanged, their controls visible
    assert entry["properties"]["job"] == job and entry["properties"]["trail"] == [trail[0]]
    texts = [r["message"]["text"] for r in entry["relatedLocations"]]
    # SARIF escapes a backslash too: a viewer shows `\x1b` where the name had the control.
    assert texts == [r"Sidekiq job Sync#run\\x1b\[2J\\u202e \[x\](1) \\",
                     r"Sync#run\\x1b\[2J\\u202e \[x\](1) \\ calls run\\x07"]
    uris = {r["physicalLocation"]["artifactLocation"]["uri"] for r in entry["relatedLocations"]}
    assert uris == {report._uri(HOSTILE_PATH)} and "\x1b" not in uris.pop()
    assert [r["physicalLocation"]["region"]["startLine"] for r in entry["relatedLocations"]] == [1, 2]
    report.print_scan_text(result)
    report.print_github_scan(result)
    assert capsys.readouterr().out == before


def test_a_sarif_message_never_renders_a_link(tmp_path: Path) -> None:
    # SARIF viewers render `[text](1)` in a result's message as a link to a related location and
    # `[text](https://…)` as one off the page; a message quotes code and an author's reason.
    repo = make_repo(tmp_path / "repo")
    make_branch(repo, "work", {"jobs/a.py": "a = 1\nb = 2\n"})
    quoted = "counts[x](https://evil.example) += 1 \\[y](1)"
    result = scan_result(repo, [
        finding(path="jobs/a.py", line=1, end=1, message=quoted),
        finding(path="jobs/a.py", line=2, end=2, message="plain [list] text", suppressed_by_author=True,
                suppression_reason="ok](https://evil.example)")])
    log = json.loads(report.dumps(report.scan_sarif(result, RULES)))
    check_sarif_structure(log)
    texts = [r["message"]["text"] for r in log["runs"][0]["results"]]
    # An embedded link needs an unescaped `[` … `](`: none is left, and a viewer shows the characters.
    link = re.compile(r"(?<!\\)(?:\\\\)*\[[^\]]*(?<!\\)(?:\\\\)*\]\(")
    assert [link.search(text) for text in texts] == [None, None]
    assert texts[0] == r"counts\[x\](https://evil.example) += 1 \\\[y\](1)"
    assert re.sub(r"\\(.)", r"\1", texts[1]).startswith("plain [list] text [")
    # A message with no `](` is left as written.
    plain = scan_result(repo, [finding(path="jobs/a.py", line=1, end=1, message="items[0] changed")])
    assert [r["message"]["text"] for r in report.scan_sarif(plain, RULES)["runs"][0]["results"]] == ["items[0] changed"]


RUBY_JOB = "class RevertImportJob < ApplicationJob\n  def perform(import)\n    import.revert_entries\n  end\nend\n"
RUBY_MODEL = "class Import < ApplicationRecord\n  def revert_entries\n    entries.destroy_all\n  end\nend\n"
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_no_control_character_reaches_a_sarif_text_a_viewer_shows(tmp_path: Path, capsys, monkeypatch) -> None:
    # A result's message quotes the job's path and an author's reason, read from the repository;
    # the JSON escapes keep the characters, so a viewer would get ESC, BEL and U+202E (which
    # reorders the text after it) as they are. They are shown as escapes, like the related
    # locations' text, and so is a suppression's justification.
    job = "app/jobs/revert\x1b[31m\u202eboj.rb"
    reason = "fine \x1b[2J\x07\u202e [x](https://evil.example)"
    repo = make_repo(tmp_path / "repo", {job: RUBY_JOB, "app/models/import.rb": RUBY_MODEL})
    suppressed = RUBY_MODEL.replace("    entries.destroy_all\n", f"    # deploycheck: ignore[DC701] {reason}\n    entries.delete_all\n")
    make_branch(repo, "work", {"app/models/import.rb": suppressed})
    code, out, err = cli(capsys, monkeypatch, repo, "--format", "sarif")
    [result] = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "DC701"]
    message = result["message"]["text"]
    assert "by the author" in message and "\\u202eboj.rb" in message and "\\x1b" in message
    assert r"\\x1b\[2J\\x07\\u202e \[x\](https" in message  # SARIF escapes the inert backslashes too
    assert CONTROLS.search(message) is None
    log = json.loads(report.dumps(report.scan_sarif(hostile_result(tmp_path / "hostile"), RULES)))
    [justification] = [s["justification"] for r in log["runs"][0]["results"] for s in r.get("suppressions", ())]
    assert justification == INERT_MESSAGE


def test_on_the_default_branch_itself_there_is_nothing_to_check(tmp_path: Path) -> None:
    # The head is the merge-base: "nothing flagged" would read as a verdict on work never compared.
    from support.gate import dc

    repo = make_repo(tmp_path / "repo", {"jobs/a.py": "a = 1\n"})
    proc = dc(repo, "scan", "--base", "main")
    assert proc.returncode == 0, proc.stderr
    assert "Nothing to check: the head brings no change the base does not already hold" in proc.stdout
    assert "Nothing flagged" not in proc.stdout
    make_branch(repo, "work", {"jobs/a.py": "a = 2\n"})
    assert "Nothing flagged" in dc(repo, "scan", "--base", "main").stdout


def test_verify_on_the_default_branch_itself_says_there_is_nothing_to_check(tmp_path: Path) -> None:
    # A new-user trial ran `deploycheck verify` on main: scan said "Nothing to check", verify
    # said "PASS: nothing flagged", as if a change had been compared (docs/cli.md says both
    # say "Nothing to check"). The exit code stays 0: there is nothing to refuse.
    from support.gate import dc

    repo = make_repo(tmp_path / "repo", {"jobs/a.py": "a = 1\n"})
    for fmt in ("text", "github"):
        proc = dc(repo, "verify", "--base", "main", "--format", fmt)
        assert proc.returncode == 0, proc.stderr
        assert "PASS: nothing to check: the head brings no change the base does not already hold" in proc.stdout
        assert "nothing flagged" not in proc.stdout
    make_branch(repo, "work", {"jobs/a.py": "a = 2\n"})
    assert "PASS: nothing flagged" in dc(repo, "verify", "--base", "main").stdout
