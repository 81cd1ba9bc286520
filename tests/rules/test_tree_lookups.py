"""The lookups that spare the hook a Python walk of every node (rules/trees/parse.nodes_of) and a
regex search per name and file (rules/trees/naming._holds) answer as what they replace."""

from __future__ import annotations

import random
import re

import pytest

from deploycheck.rules.trees.naming import _RUN, _holds
from deploycheck.rules.trees import parse
from deploycheck.rules.trees.parse import Parsed, nodes_of, parse_bytes, walk

SOURCES = {
    "go": ("go_statement call_expression for_statement function_declaration method_declaration",
           "package x\n\nfunc (s *S) Run() {\n\tgo s.loop(func() { f(g(1)) })\n\tfor range t.C {\n\t\th()\n\t}\n}\n\n"
           "func a() { go func() { for { b(c()) } }() }\n"),
    "ruby": ("class call method", "class A < B\n  include Sidekiq::Job\n  class C\n    def d; e(f); end\n  end\nend\n"
             "class G; def h; i; end; end\n"),
    "javascript": ("decorator variable_declarator public_field_definition new_expression call_expression",
                   "const w = new Worker('q', async (job) => { await f(g(job)); });\nfunction h() { return k(new L()); }\n"),
    "typescript": ("decorator variable_declarator public_field_definition new_expression call_expression",
                   "@Processor('q')\nclass P {\n  @Process() async run(job: Job) { await this.f(g(1)); }\n"
                   "  private x: number = h(new Y());\n}\nconst work: JobHandler<D> = async (d) => k(d);\n"),
    "java": ("method_declaration class_declaration lambda_expression method_reference",
             "class A implements Runnable {\n  @Scheduled(fixedRate = 1) void run() { ex.submit(() -> f(this::g)); }\n"
             "  class B { void c() { list.forEach(x -> d(x)); } }\n}\n"),
    "kotlin": ("function_declaration class_declaration object_declaration lambda_literal annotated_lambda callable_reference",
               "class A {\n  @Scheduled(fixedRate = 1) fun run() { scope.launch { f(::g) } }\n  object B { fun c() = listOf(1).map { it } }\n}\n"),
}


@pytest.mark.parametrize("by", ["query", "walk"])
@pytest.mark.parametrize("language", sorted(SOURCES))
def test_nodes_of_lists_what_a_walk_of_every_node_finds_in_its_order(language, by, monkeypatch) -> None:
    # A query is compiled once the trees asked about outgrow the walk's budget: both ways answer alike.
    monkeypatch.setattr(parse, "_QUERIES", {})
    monkeypatch.setattr(parse, "_walked", {})
    monkeypatch.setattr(parse, "WALK_BUDGET", 0 if by == "query" else 10**9)
    types, source = SOURCES[language]
    p = parse_bytes(language, source.encode())
    assert isinstance(p, Parsed)
    wanted = frozenset(types.split())
    expected = [(n.type, n.start_byte, n.end_byte) for n in walk(p.root) if n.type in wanted and n.is_named]
    assert len(expected) >= 3  # the source holds several of them, nested
    assert [(n.type, n.start_byte, n.end_byte) for n in nodes_of(p, wanted)] == expected
    assert bool(parse._QUERIES) is (by == "query")


def test_nodes_of_leaves_out_a_type_the_grammar_lacks(monkeypatch) -> None:
    monkeypatch.setattr(parse, "_QUERIES", {})
    monkeypatch.setattr(parse, "WALK_BUDGET", 0)
    p = parse_bytes("javascript", b"class A { x = f(); }\n")
    assert isinstance(p, Parsed)
    assert [n.type for n in nodes_of(p, frozenset({"public_field_definition", "call_expression"}))] == ["call_expression"]
    assert nodes_of(p, frozenset({"public_field_definition"})) == []


def test_a_touched_text_holds_a_name_exactly_when_a_whole_word_search_finds_it() -> None:
    rng = random.Random(11)
    for _ in range(20_000):
        text = "".join(rng.choice("ab_1?!. é\n:") for _ in range(rng.randint(0, 24)))
        name = "a" + "".join(rng.choice("ab_1") for _ in range(rng.randint(0, 2))) + rng.choice(["", "", "?", "!"])
        expected = re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", text) is not None
        assert _holds((frozenset(_RUN.findall(text)), text), name) is expected, (text, name)
