"""Annotated rule examples: every file in tests/rule_examples/ must produce exactly the findings
its comments announce.

How an example file is written (any language):

* ``error: DC301`` in a comment marks a line that must produce that finding; ``ok: DC301`` a
  line that must not. Several ids may be listed (``error: DC101, DC301``). An id may carry the
  expected severity: ``error: DC101[info]``.
* The comment is either trailing on the line it is about, or alone on its line, in which case it
  applies to the next line that is not itself an annotation-only comment line.
* Comment syntax by file type: ``#`` for Python, Ruby, YAML, shell, TOML, INI, Procfile and
  Dockerfile; ``//`` for JS/TS, Go, Java, Kotlin, Scala, C#, Rust, Swift; ``--`` for SQL.
* ``path: some/dir/file.ext`` in a comment on one of the first three lines sets where the file is
  committed in the test repository (default: the example's own file name). Use it for rules that
  depend on location (``tests/``, ``migrations/``, ``management/commands/``, ``Procfile``).

How it runs: a real git repository is built in a temporary folder. Without a sibling base file the
example is added on a branch over an empty ``main`` (every line is added). With a sibling
``NAME.base.EXT`` (``NAME.base`` for files without an extension), ``main`` holds the base file and
the branch replaces it with the example, so only the real diff is "changed"; annotations in the
base file describe findings reported on the base side (``side: base``, base line numbers, e.g. a
removed safeguard). A sibling ``NAME.deploycheck.yaml`` is committed on ``main`` as
``.deploycheck/config.yaml``. The real ``deploycheck.analysis.scan`` runs through
``deploycheck.analysis.pipeline.analyse(base="main", cwd=repo)``, and the exact set of
``(line, rule, side)`` of the active findings must equal the annotated set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gitrepo import make_branch, make_repo

EXAMPLES = Path(__file__).parent / "rule_examples"

HASH_SUFFIXES = {".py", ".pyi", ".rb", ".yaml", ".yml", ".sh", ".bash", ".toml", ".cfg", ".ini", ".env", ".conf"}
SLASH_SUFFIXES = {".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".java", ".kt", ".kts", ".scala", ".cs", ".rs", ".swift"}
DASH_SUFFIXES = {".sql", ".lua"}
HASH_NAMES = {"Procfile", "Dockerfile", "Gemfile", "Rakefile", "Makefile"}

_IDS = r"DC\d{3}(?:\[(?:info|warning|high)\])?(?:\s*,\s*DC\d{3}(?:\[(?:info|warning|high)\])?)*"


def split_name(name: str) -> tuple[str, str]:
    """("dc301_x", ".py") for "dc301_x.py"; ("Procfile", "") for "Procfile"."""
    stem, dot, suffix = name.rpartition(".")
    return (stem, dot + suffix) if stem else (name, "")


def comment_prefix(name: str) -> str:
    stem, suffix = split_name(name)
    if stem.endswith(".base"):
        return comment_prefix(stem[: -len(".base")] + suffix)
    if suffix in SLASH_SUFFIXES:
        return "//"
    if suffix in DASH_SUFFIXES:
        return "--"
    return "#"


@dataclass(frozen=True)
class Expected:
    line: int
    rule: str
    side: str
    severity: str | None = None


@dataclass
class Annotations:
    errors: list[Expected] = field(default_factory=list)
    oks: list[Expected] = field(default_factory=list)
    path: str | None = None


def parse_annotations(text: str, name: str, side: str = "head") -> Annotations:
    prefix = re.escape(comment_prefix(name))
    marker = re.compile(rf"{prefix}\s*(error|ok):\s*({_IDS})")
    only_marker = re.compile(rf"^\s*(?:{prefix}\s*(?:error|ok):\s*{_IDS}\s*)+$")
    path_marker = re.compile(rf"^\s*{prefix}\s*path:\s*(\S+)\s*$")
    lines = text.splitlines()
    out = Annotations()
    for index, line in enumerate(lines[:3]):
        m = path_marker.match(line)
        if m:
            out.path = m.group(1)
    for index, line in enumerate(lines):
        found = marker.findall(line)
        if not found:
            continue
        target = index + 1
        if only_marker.match(line):
            target = next((n + 1 for n in range(index + 1, len(lines)) if not only_marker.match(lines[n])), len(lines))
        for kind, ids in found:
            for item in re.split(r"\s*,\s*", ids.strip()):
                rule, _, severity = item.partition("[")
                expected = Expected(target, rule, side, severity.rstrip("]") or None)
                (out.errors if kind == "error" else out.oks).append(expected)
    return out


@dataclass
class Example:
    head: Path
    base: Path | None
    config: Path | None

    @property
    def repo_path(self) -> str:
        return self.annotations("head").path or self.head.name

    def annotations(self, side: str) -> Annotations:
        file = self.head if side == "head" else self.base
        if file is None:
            return Annotations()
        return parse_annotations(file.read_text(encoding="utf-8"), file.name, side)


def _is_companion(name: str) -> bool:
    stem, _suffix = split_name(name)
    return stem.endswith(".base") or name.endswith(".base") or name.endswith(".deploycheck.yaml")


def discover(folder: Path = EXAMPLES) -> list[Example]:
    examples = []
    for file in sorted(folder.iterdir()):
        name = file.name
        if not file.is_file() or name.startswith((".", "_")) or name.upper().startswith("README") or _is_companion(name):
            continue
        stem, suffix = split_name(name)
        base = folder / (f"{stem}.base{suffix}" if suffix else f"{name}.base")
        config = folder / f"{stem}.deploycheck.yaml"
        examples.append(Example(file, base if base.exists() else None, config if config.exists() else None))
    return examples


def run_example(example: Example, tmp_path: Path):
    """Build the repository for ``example`` and scan it for real; returns the analyse() context."""
    from deploycheck.analysis.pipeline import analyse

    repo = tmp_path / "repo"
    path = example.repo_path
    main_files: dict[str, str | bytes] = {"README.md": "example\n"}
    if example.base is not None:
        main_files[path] = example.base.read_bytes()
    if example.config is not None:
        main_files[".deploycheck/config.yaml"] = example.config.read_bytes()
    make_repo(repo, main_files)
    make_branch(repo, "example", {path: example.head.read_bytes()})
    return analyse(base="main", cwd=str(repo))


def all_annotations() -> dict[str, dict[str, set[str]]]:
    """rule id -> {"error": example files, "ok": example files} over every example and base file."""
    table: dict[str, dict[str, set[str]]] = {}
    for example in discover():
        for side in ("head", "base"):
            notes = example.annotations(side)
            for kind, items in (("error", notes.errors), ("ok", notes.oks)):
                for item in items:
                    table.setdefault(item.rule, {"error": set(), "ok": set()})[kind].add(example.head.name)
    return table


def _describe(findings) -> str:
    return "\n".join(
        f"  {f.side} line {f.line}: {f.rule} {f.name} [{f.severity}] {f.message}" for f in findings
    ) or "  (none)"


@pytest.mark.parametrize("example", discover(), ids=lambda e: e.head.name)
def test_example(example: Example, tmp_path: Path) -> None:
    expected = example.annotations("head").errors + example.annotations("base").errors
    oks = example.annotations("head").oks + example.annotations("base").oks
    assert expected or oks, f"{example.head.name} has no `error:` or `ok:` annotation"

    context = run_example(example, tmp_path)
    findings = context.scan.active
    actual = {(f.line, f.rule, f.side) for f in findings}
    wanted = {(e.line, e.rule, e.side) for e in expected}
    forbidden = {(o.line, o.rule, o.side) for o in oks} & actual
    assert not forbidden, f"{example.head.name}: findings on `ok:` lines {sorted(forbidden)}\n{_describe(findings)}"
    assert actual == wanted, (
        f"{example.head.name}: missing {sorted(wanted - actual)}, unexpected {sorted(actual - wanted)}\n"
        f"findings:\n{_describe(findings)}"
    )
    assert all(f.path == example.repo_path for f in findings)
    for e in expected:
        if e.severity:
            got = next(f.severity for f in findings if (f.line, f.rule, f.side) == (e.line, e.rule, e.side))
            assert got == e.severity, f"{example.head.name} line {e.line} {e.rule}: severity {got}, expected {e.severity}"


def test_annotations_name_known_rules() -> None:
    from deploycheck.rules import all_rules

    unknown = sorted(set(all_annotations()) - set(all_rules()))
    assert unknown == [], f"annotations name rules that do not exist: {unknown}"


def test_annotation_parser_forms() -> None:
    py = "a = 1  # error: DC301\n# error: DC101[info], DC320\n# ok: DC302\nb = 2\n# path: x/y.py\n"
    notes = parse_annotations(py, "job.py")
    assert [(e.line, e.rule, e.severity) for e in notes.errors] == [(1, "DC301", None), (4, "DC101", "info"), (4, "DC320", None)]
    assert [(o.line, o.rule) for o in notes.oks] == [(4, "DC302")]
    assert notes.path is None  # only the first three lines may hold `path:`
    ts = "// path: src/worker.ts\nqueue.process(job)  // error: DC351\n"
    assert [(e.line, e.rule) for e in parse_annotations(ts, "worker.ts").errors] == [(2, "DC351")]
    assert parse_annotations(ts, "worker.ts").path == "src/worker.ts"
    sql = "-- ok: DC451\nALTER TABLE t ADD COLUMN c int;\n"
    assert [(o.line, o.rule) for o in parse_annotations(sql, "m.sql").oks] == [(2, "DC451")]
    assert parse_annotations("x  # error: DC301\n", "a.base.py", "base").errors == [Expected(1, "DC301", "base")]
