"""Seeds and mutations for the fuzz suites (tests/test_fuzz_*.py).

Every parser is fed valid seeds first, then mutated copies: bit flips, truncation, deleted or
duplicated spans, inserted YAML syntax, inserted control characters and random unicode, line
ending changes. Seeds are real: records are signed by a real ssh-keygen key.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hypothesis import strategies as st

from deploycheck.checklist.answers import Answer
from deploycheck.git.model import Finding
from deploycheck.records.record import (
    BaseInfo, RecordBody, SignatureInfo, ToolInfo,
    attach_signature, build_body,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

# Fragments that change how YAML reads a document: flow and block syntax, anchors and aliases,
# tags (including the ones PyYAML's unsafe loader would execute), directives, quoting, merges.
YAML_SNIPPETS = [
    b"\n", b"\r\n", b"\r", b": ", b":", b"- ", b"? ", b"{", b"}", b"[", b"]", b",", b"#", b"|", b"|-",
    b">", b"&a ", b"*a", b"&anchor [1, 2]\nb: *anchor", b"<<: *a", b"!!python/object/apply:os.system ['id']",
    b"!!python/name:os.system", b"!!binary aGVsbG8=", b"!!str ", b"!!int ", b"!!set {a, b}", b"!foo ",
    b"%YAML 1.1\n---\n", b"---\n", b"...\n", b"'", b'"', b"\\", b"\\x00", b"\\u202e", b"~", b"null",
    b"yes", b"no", b"on", b"0x1F", b"1e400", b"2026-01-01", b"\t", b"    ", b"signature:", b"\nsignature:\n",
    b"deploycheck_record: 1\n", b"  answer: ", b"\xef\xbb\xbf", b"\x00", b"\x1b[2J", b"\x07", b"\xc2\x9b",
    b"\xe2\x80\xae", b"\xe2\x80\xa8", b"\xc2\x85", b"\xff", b"\xc3", b"\xed\xa0\x80",
]


@st.composite
def mutated(draw, seeds: list[bytes], max_ops: int = 4) -> bytes:
    """A seed after 0..max_ops random edits."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, max_ops))):
        op = draw(st.sampled_from(["flip", "truncate", "delete", "duplicate", "snippet", "bytes", "unicode", "crlf", "byte"]))
        pos = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            at = min(pos, len(data) - 1)
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte" and data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[pos:]
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        elif op == "duplicate":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 200))]
        elif op == "snippet":
            data[pos:pos] = draw(st.sampled_from(YAML_SNIPPETS))
        elif op == "bytes":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "unicode":
            data[pos:pos] = draw(st.text(min_size=1, max_size=8)).encode("utf-8", "surrogatepass")
        elif op == "crlf":
            data = bytearray(bytes(data).replace(b"\n", b"\r\n"))
    return bytes(data)


def inputs(seeds: list[bytes]):
    """Mostly mutated seeds, plus some wholly random bytes and text."""
    return st.one_of(
        mutated(seeds),
        mutated(seeds),
        mutated(seeds),
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
    )


# --- seeds ----------------------------------------------------------------------------------



def record_body() -> RecordBody:
    """The shared test record (support.records), with a multi-line answer and every question
    answered: the fuzzers mutate its bytes."""
    from support.records import make_body

    return make_body(
        id="0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        base=BaseInfo("main", "1" * 40, "2" * 40),
        tool=ToolInfo("0.1.0", "2.39.5"),
        findings=(
            Finding("DC301", "lost-update", "shared-state", "high", "inventory/jobs.py", 9, 11,
                    "stock is read, changed and saved back", ("shared-state", "sequential-assumption")),
        ),
        answers={
            "shared-state": Answer("yes", "decrements inventory.Product.stock\nand the API writes it too\n"),
            "sequential-assumption": Answer("no"),
            "concurrency-tested": Answer("yes", "tests/test_inventory_concurrency.py"),
            "rollback-safe": Answer("yes"),
            "silent-failure": Answer("Two workers processing orders for the same product at the same moment."),
        },
    )


def signed_record(key: Path, body: RecordBody | None = None) -> bytes:
    """A record signed with the real key file ``key`` through deploycheck's signer."""
    from deploycheck.records.signing import discover_signing_key, sign

    data = build_body(body or record_body())
    spec = discover_signing_key(str(key), key.parent)
    armored = sign(data, spec)
    return attach_signature(data, SignatureInfo(principal="dev@example.com", key=spec.public_key.fingerprint(), value=armored))


def with_answer(body: RecordBody, qid: str, text: str) -> RecordBody:
    answers = dict(body.answers)
    answers[qid] = dataclasses.replace(answers[qid], answer=text) if qid in answers else Answer(text)
    return dataclasses.replace(body, answers=answers)


ANSWERS_SEEDS = [
    b'shared-state: {answer: "yes", details: "decrements inventory.Product.stock"}\n'
    b'sequential-assumption: {answer: "no"}\n'
    b'concurrency-tested: {answer: "yes", details: "tests/test_inventory_concurrency.py"}\n'
    b'rollback-safe: "yes"\n'
    b'silent-failure: "Two workers processing orders for the same product at the same moment."\n',
    b"shared-state:\n  answer: yes\n  details: |\n    two lines\n    of details\n  rebuttal: >\n    folded text here\n"
    b"rollback-safe: no\nsilent-failure: 'quoted'\n",
]

CONFIG_SEEDS = [
    b"base_branch: main\nexclude:\n  - \"docs/**\"\njob_paths: [\"app/workers/**\"]\nlock_wrappers: [redis_lock]\n"
    b"rules:\n  disable: [DC101]\n  severity:\n    DC301: high\nchecklists: [background-jobs]\n"
    b"policy:\n  block:\n    - question: rollback-safe\n      answer: \"no\"\n      when: high\n      message: \"Write it.\"\n"
    b"  require_details:\n    - question: concurrency-tested\n      answer: \"yes\"\n"
    b"signing:\n  allowed_signers: .deploycheck/allowed_signers\nenvironments: {}\n",
    b"{}\n",
]


def checklist_seeds() -> list[bytes]:
    return [
        (REPO_ROOT / "checklists" / "background-jobs.yaml").read_bytes(),
        b"id: small\nversion: 2\nquestions:\n  - id: q-one\n    text: \"Is it safe?\"\n    answers: [\"yes\", \"no\"]\n",
    ]


def config_template() -> bytes:
    return (REPO_ROOT / "src" / "deploycheck" / "templates" / "config.yaml").read_bytes()


# --- explicit hostile YAML, for every YAML reader (tests/records/test_fuzz_parsers.py) ----------

ALIAS_BOMB = (
    b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + b"".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n".encode() for i in range(8)
    )
)


HOSTILE = {
    # The record reader caps nesting at 6 levels, so it may refuse a bomb for its depth first.
    "alias bomb": (ALIAS_BOMB, "aliases|nested more than"),
    "merge key": (b"base: &b {x: 1}\nother:\n  <<: *b\n", "aliases|merges"),
    "deep nesting 10k": (b"x: " + b"[" * 10_000 + b"]" * 10_000 + b"\n", "nest"),
    "deep block nesting": (b"".join(b" " * i + b"k:\n" for i in range(2000)) + b" " * 2000 + b"v\n", "nest|over the limit"),
    "python tag": (b"x: !!python/object/apply:os.system ['touch /tmp/pwned']\n", "tag"),
    "python name tag": (b"x: !!python/name:os.system\n", "tag"),
    "custom tag": (b"x: !include /etc/passwd\n", "tag"),
    "binary tag": (b"x: !!binary aGVsbG8=\n", "tag"),
    "duplicate keys": (b"x: 1\nx: 2\n", "duplicate key"),
    "NUL byte": (b"x: 1\n\x00\n", "NUL"),
    "invalid UTF-8": (b"x: \xff\xfe\n", "UTF-8"),
    "lone surrogate": (b"x: \xed\xa0\x80\n", "UTF-8"),
    "complex key": (b"? [a, b]\n: 1\n", "keys must be plain"),
    "two documents": (b"x: 1\n---\ny: 2\n", "invalid YAML"),
}
