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

from pathlib import Path

import pytest

from support.rule_examples import Example, Expected, all_annotations, discover, parse_annotations, run_example


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
