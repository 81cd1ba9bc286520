"""`deploycheck rules` and `deploycheck explain`, through the real entry point."""

from __future__ import annotations

import json

import pytest

from deploycheck.output import report
from deploycheck.__main__ import main
from deploycheck.rules import all_rules
from deploycheck.rules.base import Rule

SAMPLE = (
    Rule("DC101", "job-changed", "job", "info", ("shared-state",), "A background job changed.",
         "", "", "", "", ""),
    Rule("DC302", "check-then-act", "concurrency", "high", (),
         "Checks a condition and then acts on it in a separate statement, so another worker can change "
         "the state in between the two.", "", "", "", "", ""),
)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_rules_table_layout(capsys) -> None:
    report.print_lines(report.render_rules_table(SAMPLE, width=100))
    assert capsys.readouterr().out == (
        "id     name            category     severity  summary\n"
        "DC101  job-changed     job          info      A background job changed.\n"
        "DC302  check-then-act  concurrency  high      Checks a condition and then acts on it in a separate\n"
        "                                              statement, so another worker can change the state in\n"
        "                                              between the two.\n"
    )


def test_rules_text_lists_every_registered_rule(capsys) -> None:
    code, out, err = run(capsys, "rules")
    assert (code, err) == (0, "")
    rules = list(all_rules().values())
    if not rules:
        assert out == "No rules are registered.\n"
        return
    expected_lines = []
    for renderable in report.render_rules_table(rules, 100):
        expected_lines.append(renderable.plain)
    assert out == "\n".join(expected_lines) + "\n"
    assert [line.split()[0] for line in out.splitlines()[1:] if not line.startswith(" ")] == list(all_rules())


def test_rules_json(capsys) -> None:
    code, out, err = run(capsys, "rules", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == [
        {"id": r.id, "name": r.name, "category": r.category, "severity": r.severity, "summary": r.summary,
         "questions": list(r.questions), "languages": list(r.languages)}
        for r in all_rules().values()
    ]


def test_rules_json_fields() -> None:
    assert report.rules_json(SAMPLE[:1]) == [
        {"id": "DC101", "name": "job-changed", "category": "job", "severity": "info",
         "summary": "A background job changed.", "questions": ["shared-state"], "languages": []}
    ]


def test_rules_bad_format(capsys) -> None:
    code, out, err = run(capsys, "rules", "--format", "xml")
    assert code == 2 and out == ""
    assert err.startswith("deploycheck: error: Invalid value for '--format'")


@pytest.mark.parametrize("spelling", ["DC301", "dc301", "lost-update", "LOST-UPDATE", " Lost-Update "])
def test_explain_by_id_or_name(capsys, spelling: str) -> None:
    rule = all_rules()["DC301"]
    code, out, err = run(capsys, "explain", spelling)
    assert (code, err) == (0, "")
    expected = [renderable.plain for renderable in report.render_explain(rule)]
    assert out == "\n".join(expected) + "\n"
    assert out.startswith("DC301 lost-update\nCategory: shared-state · Default severity: high")
    titles = [line for line in out.splitlines() if line in
              ("What it does", "Why is this bad?", "Known problems", "Example", "Use instead")]
    assert titles == ["What it does", "Why is this bad?", "Known problems", "Example", "Use instead"]


def test_explain_unknown_rule(capsys) -> None:
    code, out, err = run(capsys, "explain", "DC000")
    assert (code, out) == (2, "")
    assert err == (
        "deploycheck: error: unknown rule 'DC000'. Run `deploycheck rules` to list every rule id and name.\n"
    )


def test_explain_unknown_rule_is_inert_and_suggests(capsys) -> None:
    code, out, err = run(capsys, "explain", "lost-updat\x1b[31m")
    assert (code, out) == (2, "")
    assert err == (
        "deploycheck: error: unknown rule 'lost-updat\\x1b[31m'. Did you mean DC301 (lost-update)? "
        "Run `deploycheck rules` to list every rule id and name.\n"
    )


def test_every_rule_renders_in_every_format() -> None:
    for rule in all_rules().values():
        assert rule.summary and "\n" not in rule.summary, rule.id
        markdown = report.rule_doc_markdown(rule)
        assert markdown.count("\n## ") == 4, rule.id
        assert [line.plain for line in report.render_explain(rule)][0] == f"{rule.id} {rule.name}"
    table = report.render_rules_markdown()
    assert table.count("\n") == 2 + len(all_rules())
