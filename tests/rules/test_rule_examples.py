"""Annotated rule examples: every file in tests/rule_examples/<family>/ must produce exactly the
findings its comments announce.

Where an example goes: in the folder named after the family of the rule registry
(``deploycheck.rules.FAMILIES``: ``python``, ``patterns``, ``trees``, ``not_analysed``, ``parity``)
that defines the rule the file is named after (``dc301_*.py`` is about DC301, a ``python`` rule).
An example may also mark other families' rules (a Sidekiq worker marks DC160 and the tree rules).

How an example file is written (any language):

* ``error: DC301`` in a comment marks a line that must produce that finding; ``ok: DC301`` a
  line that must not. Several ids may be listed (``error: DC101, DC301``). An id may carry the
  expected severity: ``error: DC101[info]``.
* The comment is either trailing on the line it is about, or alone on its line, in which case it
  applies to the next line that is not itself an annotation-only comment line.
* Comment syntax by file type: ``#`` for Python, Ruby, YAML, shell, TOML, INI, Procfile and
  Dockerfile; ``//`` for JS/TS, Go, Java, Kotlin, Scala, C#, Rust, Swift; ``--`` for SQL;
  ``<!-- … -->`` for XML.
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

from pathlib import Path

import pytest

from support.rule_examples import (
    EXAMPLES,
    Example,
    Expected,
    all_annotations,
    discover,
    family_folders,
    parse_annotations,
    run_example,
)

# Rules no annotated file can show, with the reason; each has scenario tests instead
# (tests/rules/test_registry.py checks that they exist).
WITHOUT_EXAMPLES = {
    "DC600": "environment parity looks at the whole change and the repository's deployment files "
             "(tests/rules/test_envparity.py)",
}


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


def test_examples_live_in_the_folders_of_the_registrys_families() -> None:
    from deploycheck.rules import FAMILIES

    names = {record.name for record in FAMILIES}
    folders = [folder.name for folder in family_folders()]
    assert set(folders) <= names, f"tests/rule_examples/ folders that name no family: {sorted(set(folders) - names)}"
    stray = [p.name for p in EXAMPLES.iterdir() if p.is_file() and not p.name.startswith(".")]
    assert stray == [], f"examples outside a family folder (move them to tests/rule_examples/<family>/): {stray}"


def test_each_example_is_in_the_folder_of_the_rule_it_is_named_after() -> None:
    import re

    from deploycheck.rules import family_of

    misplaced = []
    for example in discover():
        named = re.match(r"(?i)dc\d{3}", example.head.name)
        assert named, f"{example.family}/{example.head.name}: name an example after its rule (dc301_*.py)"
        family = family_of(named.group(0).upper()).name
        if example.family != family:
            misplaced.append(f"{example.family}/{example.head.name} -> {family}/")
    assert misplaced == []


def test_every_rule_in_the_registry_has_an_example_in_its_familys_folder() -> None:
    from deploycheck.rules import FAMILIES

    marked: dict[str, set[str]] = {}
    for example in discover():
        for side in ("head", "base"):
            for expected in example.annotations(side).errors:
                marked.setdefault(expected.rule, set()).add(example.family)
    missing = [
        f"{rule.id} ({record.name})"
        for record in FAMILIES
        for rule in record.load().RULES
        if record.name not in marked.get(rule.id, set()) and rule.id not in WITHOUT_EXAMPLES
    ]
    assert missing == [], f"rules with no `error:` example in tests/rule_examples/<family>/: {missing}"
    from deploycheck.rules.parity import WHOLE_CHANGE_RULES

    assert set(WITHOUT_EXAMPLES) <= WHOLE_CHANGE_RULES  # only a whole-change rule may go without
