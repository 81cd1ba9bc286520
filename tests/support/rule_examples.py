"""The annotated rule examples of tests/rule_examples/<family>/: found, parsed and scanned for real.

Each folder is named after a family of the rule registry (``deploycheck.rules.FAMILIES``) and holds
the examples of that family's rules, named after the rule they are about (``dc301_*.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


from support.gitrepo import make_branch, make_repo

EXAMPLES = Path(__file__).resolve().parents[1] / "rule_examples"

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
    if suffix == ".xml":
        return "<!--"  # closed by ` -->`, which the markers allow
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
    only_marker = re.compile(rf"^\s*(?:{prefix}\s*(?:error|ok):\s*{_IDS}\s*(?:-->\s*)?)+$")
    path_marker = re.compile(rf"^\s*{prefix}\s*path:\s*(\S+?)\s*(?:-->\s*)?$")
    lines = text.splitlines()
    out = Annotations()
    for line in lines[:3]:
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
    def family(self) -> str:
        """The family folder the example lives in (``python``, ``patterns``, …)."""
        return self.head.parent.name

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


def discover(root: Path = EXAMPLES) -> list[Example]:
    """Every example in every family folder under ``root``, by family then file name."""
    return [example for folder in family_folders(root) for example in discover_in(folder)]


def family_folders(root: Path = EXAMPLES) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def discover_in(folder: Path) -> list[Example]:
    """The examples of one folder (a family's), each with its base and config companions."""
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
