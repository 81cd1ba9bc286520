"""Fuzzing every parser of untrusted input: records, SSH signatures, allowed_signers, answers
files, checklists and the configuration.

Each input must end in a parsed value or the parser's own DeployCheckError subclass: never
another exception type, never longer than the hypothesis ``deadline``, never a large memory
spike. The generated inputs start from valid seeds and are mutated (fuzzkit.mutated); explicit
cases cover the classic attacks on YAML and on signature parsers.

Each fuzz test counts the inputs it tried and prints ``fuzz: <parser>: N inputs`` (visible with
``-s``; set DEPLOYCHECK_FUZZ_COUNTS=FILE to append the counts to a file).
"""

from __future__ import annotations

import os
import re
import tracemalloc
from datetime import timedelta
from pathlib import Path

import pytest
from support.fuzzkit import (
    ANSWERS_SEEDS, CONFIG_SEEDS, checklist_seeds, config_template, inputs, mutated, record_body,
    signed_record,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.counting import Counted
from support.incident import keygen

from deploycheck.util import plain
from deploycheck.records import sshsig
from deploycheck.checklist.answers import Answer, parse_answers
from deploycheck.checklist.checklist import Checklist, load_builtin, parse_checklist
from deploycheck.config import Config, parse_config_text
from deploycheck.errors import ConfigError, RecordError, SigningError
from deploycheck.records.record import NAMESPACE, Record, parse_record
from deploycheck.records.signing import AllowedSigners, parse_allowed_signers

# Sized so the whole module runs in well under a minute on two cores.
EXAMPLES = int(os.environ.get("DEPLOYCHECK_FUZZ_EXAMPLES", "2000"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(milliseconds=1500),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    database=None,
    print_blob=True,
)
MB = 1024 * 1024


def report(parser: str, count: int) -> None:
    line = f"fuzz: {parser}: {count} inputs"
    print(line)
    target = os.environ.get("DEPLOYCHECK_FUZZ_COUNTS")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def fuzz(parser: str, strategy, check) -> int:
    """Run ``check`` on every generated input; return how many inputs were tried."""
    tried = 0

    @FUZZ
    @given(strategy)
    def run(data):
        nonlocal tried
        tried += 1
        check(data)

    run()
    report(parser, tried)
    # Hypothesis may stop early only when it has exhausted the strategy; ours never are.
    assert tried >= EXAMPLES // 2
    return tried


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("fuzzkeys")
    return {kind: keygen(folder / f"id_{kind}", kind) for kind in ("ed25519", "ecdsa", "rsa")}


@pytest.fixture(scope="module")
def records(keys) -> dict[str, bytes]:
    return {kind: signed_record(path) for kind, path in keys.items()}


@pytest.fixture(scope="module")
def checklist() -> Checklist:
    return load_builtin("background-jobs")


def signers_text(keys: dict[str, Path]) -> str:
    pubs = {kind: Path(str(path) + ".pub").read_text().split()[:2] for kind, path in keys.items()}
    ed, ec, rsa = (" ".join(pubs[k]) for k in ("ed25519", "ecdsa", "rsa"))
    return (
        "# trusted signers\n"
        f"dev@example.com {ed}\n"
        f'ops@example.com,*@ci.example.com,!bob@example.com namespaces="deploycheck-record-v1",'
        f'valid-after="20200101Z",valid-before="20991231235959Z" {ec} ops key\n'
        f'"dev two@example.com" {rsa}\n'
        f"ca@example.com cert-authority {ed}\n"
    )


# --- records ----------------------------------------------------------------------------------


def _record_outcome(data: bytes) -> None:
    try:
        rec = parse_record(data, "r.yaml")
    except RecordError:
        return
    assert isinstance(rec, Record)
    try:
        key = sshsig.verify_sshsig(rec.signed_bytes, rec.signature.value, NAMESPACE)
    except SigningError:
        return
    assert isinstance(key, sshsig.PublicKey)


def test_fuzz_record_loader_and_signature(records):
    for seed in records.values():  # the seeds themselves parse and verify
        rec = parse_record(seed, "r.yaml")
        assert sshsig.verify_sshsig(rec.signed_bytes, rec.signature.value, NAMESPACE)
    fuzz("record.parse_record + verify_sshsig", inputs(list(records.values())), _record_outcome)


def test_mutated_signed_record_never_verifies_with_changed_body(records):
    """A mutation that keeps the record readable and the signature valid must not have
    changed the signed bytes: what verifies is exactly what was signed."""
    seed = records["ed25519"]
    original = parse_record(seed, "r.yaml").signed_bytes

    def check(data: bytes) -> None:
        try:
            rec = parse_record(data, "r.yaml")
            sshsig.verify_sshsig(rec.signed_bytes, rec.signature.value, NAMESPACE)
        except (RecordError, SigningError):
            return
        assert rec.signed_bytes == original

    fuzz("record (signed-bytes invariant)", mutated([seed]), check)


# --- SSHSIG -------------------------------------------------------------------------------------


def _sig_outcome(message: bytes):
    def check(data: bytes) -> None:
        text = data.decode("utf-8", "surrogateescape")
        try:
            sshsig.parse_sshsig(text)
        except SigningError:
            pass
        try:
            key = sshsig.verify_sshsig(message, text, NAMESPACE)
        except SigningError:
            return
        assert isinstance(key, sshsig.PublicKey)

    return check


def test_fuzz_sshsig_armored(records):
    armored = {k: parse_record(v, "r").signature.value for k, v in records.items()}
    message = parse_record(records["ed25519"], "r").signed_bytes
    fuzz("sshsig.parse_sshsig/verify_sshsig (armored text)", inputs([a.encode() for a in armored.values()]), _sig_outcome(message))


def test_fuzz_sshsig_blob(records):
    """Mutate the decoded wire format and armor it again, so the fuzzer reaches past base64."""
    parsed = {k: parse_record(v, "r") for k, v in records.items()}
    blobs = [sshsig.dearmor(r.signature.value) for r in parsed.values()]
    messages = {sshsig.dearmor(r.signature.value): r.signed_bytes for r in parsed.values()}
    message = next(iter(messages.values()))

    def check(blob: bytes) -> None:
        try:
            sshsig.verify_sshsig(message, sshsig.armor(blob), NAMESPACE)
        except SigningError:
            return
        assert blob in blobs  # only an untouched signature verifies (every seed signs the same body)

    fuzz("sshsig wire blob", mutated(blobs, max_ops=3), check)


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa", "rsa"])
def test_every_truncation_and_single_bit_flip_of_a_signature_is_rejected(records, kind):
    rec = parse_record(records[kind], "r")
    blob = sshsig.dearmor(rec.signature.value)
    assert sshsig.verify_sshsig(rec.signed_bytes, sshsig.armor(blob), NAMESPACE)
    tried = 0
    for cut in range(len(blob)):
        with pytest.raises(SigningError):
            sshsig.verify_sshsig(rec.signed_bytes, sshsig.armor(blob[:cut]), NAMESPACE)
        tried += 1
    for bit in range(len(blob) * 8):
        flipped = bytearray(blob)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(SigningError):
            sshsig.verify_sshsig(rec.signed_bytes, sshsig.armor(bytes(flipped)), NAMESPACE)
        tried += 1
    report(f"sshsig {kind} truncations + bit flips (exhaustive)", tried)


def test_armored_text_edits_are_rejected(records):
    rec = parse_record(records["ed25519"], "r")
    value, body = rec.signature.value, rec.signed_bytes
    cases = {
        "truncated armor": value[: len(value) // 2],
        "no end line": value.replace("-----END SSH SIGNATURE-----", ""),
        "two signatures": value + value,
        "not base64": value.replace(value.splitlines()[1][:4], "!!!!", 1),
        "empty": "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n",
        "huge": "-----BEGIN SSH SIGNATURE-----\n" + "A" * (2 * MB) + "\n-----END SSH SIGNATURE-----\n",
        "NUL": value.replace("\n", "\n\0", 1),
        "non-ascii": value.replace("\n", "\n\u00e9", 1),
    }
    for text in cases.values():
        with pytest.raises(SigningError, match="malformed"):
            sshsig.verify_sshsig(body, text, NAMESPACE)
    # CRLF and re-wrapping keep the signature valid (armor is only transport).
    assert sshsig.verify_sshsig(body, value.replace("\n", "\r\n"), NAMESPACE)


# --- allowed_signers ----------------------------------------------------------------------------


def test_fuzz_allowed_signers(keys):
    seed = signers_text(keys).encode()
    good = parse_allowed_signers(seed.decode(), "s")
    assert [s.principals for s in good] == ["dev@example.com", "ops@example.com,*@ci.example.com,!bob@example.com", "dev two@example.com"]
    assert len(good.problems) == 1 and "cert-authority" in good.problems[0]

    def check(data: bytes) -> None:
        for text in (data.decode("utf-8", "replace"), data.decode("latin-1")):
            try:
                result = parse_allowed_signers(text, "s")
            except SigningError:
                continue
            assert isinstance(result, AllowedSigners)
            for signer in result:  # every accepted line holds a usable key
                assert signer.public_key.bits >= 256
                signer.allows_principal("dev@example.com")
                signer.allows_namespace(NAMESPACE)

    fuzz("signing.parse_allowed_signers", inputs([seed]), check)


def test_allowed_signers_hostile_sizes_are_refused_or_bounded(keys):
    # What the parser does with each, not how long it takes: a line longer than any key is set
    # aside unparsed, junk lines one by one, and a pattern's match is bounded by text × pattern
    # reads (counted). Nothing here depends on the machine's speed.
    line = signers_text(keys).splitlines()[1]
    too_long = {
        "one 3 MB line": "a" * (3 * MB),
        "3 MB principal before a key": "x" * (3 * MB) + " " + line.split(" ", 1)[1],
        "unterminated quote over 3 MB": '"' + "b" * (3 * MB),
    }
    for name, text in too_long.items():
        result = parse_allowed_signers(text, "s")
        assert len(result) == 0 and len(result.problems) == 1 and "too long for a signer's key" in result.problems[0], name
    junk = parse_allowed_signers("dev@x ssh-ed25519 AAAA\n" * 100_000, "s")
    assert len(junk) == 0 and len(junk.problems) == 100_000
    bomb = parse_allowed_signers("*" * 1000 + "a" * 1000 + " " + line.split(" ", 1)[1], "s")
    assert len(bomb) == 1
    Counted.reads = 0
    asked = Counted("b" * 5000)
    assert not bomb[0].allows_principal(asked)
    assert Counted.reads <= 4 * len(asked) * 2000
    with pytest.raises(SigningError, match="larger than 4 MiB"):
        parse_allowed_signers("a" * (30 * MB), "s")


# --- answers, checklists, config ---------------------------------------------------------------


def _config_outcome(parse, kind):
    def check(data: bytes) -> None:
        for value in (data, data.decode("utf-8", "replace")):
            try:
                result = parse(value)
            except ConfigError:
                continue
            assert isinstance(result, kind)

    return check


def test_fuzz_answers(checklist):
    def parse(data):
        result = parse_answers(data, "answers.yaml", checklist)
        assert all(isinstance(a, Answer) and isinstance(a.answer, str) for a in result.values())
        return result

    fuzz("answers.parse_answers", inputs(ANSWERS_SEEDS), _config_outcome(parse, dict))


def test_fuzz_checklist():
    fuzz("checklist.parse_checklist", inputs(checklist_seeds()), _config_outcome(lambda d: parse_checklist(d, "c.yaml"), Checklist))


def test_fuzz_config():
    seeds = CONFIG_SEEDS + [config_template()]
    fuzz("config.parse_config_text", inputs(seeds), _config_outcome(lambda d: parse_config_text(d, "config.yaml"), Config))


# --- explicit hostile YAML, for every YAML reader ------------------------------------------------

from support.fuzzkit import HOSTILE  # noqa: E402 - shared with the end-to-end fuzz tests


def _readers(checklist):
    return {
        "record": (lambda d: parse_record(d, "r.yaml"), RecordError),
        "answers": (lambda d: parse_answers(d, "answers.yaml", checklist), ConfigError),
        "checklist": (lambda d: parse_checklist(d, "c.yaml"), ConfigError),
        "config": (lambda d: parse_config_text(d, "config.yaml"), ConfigError),
    }


def _record_wrapping(body: bytes, records) -> bytes:
    """``body`` as a record: the real signature block of a signed record after it."""
    seed = records["ed25519"]
    return body + seed[seed.index(b"\nsignature:") + 1 :]


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_yaml_is_refused_by_every_reader(case, checklist, records):
    data, words = HOSTILE[case]
    for name, (read, error) in _readers(checklist).items():
        doc = _record_wrapping(data, records) if name == "record" else data
        tracemalloc.start()
        try:
            with pytest.raises(error) as caught:
                read(doc)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # Refused before anything expands: an alias bomb or a deep nest built out shows in the
        # memory peak on any machine (measured, not timed).
        assert peak < 8 * MB, (case, name, peak)
        message = caught.value.message
        assert re.search(words, message, re.IGNORECASE), (case, name, message)
        assert "Traceback" not in message


@pytest.mark.parametrize("where", ["plain", "quoted", "block", "key"])
def test_30_mb_scalar_is_refused_before_parsing(where, checklist, records):
    big = "x" * (30 * MB)
    doc = {
        "plain": f"x: {big}\n",
        "quoted": f'x: "{big}"\n',
        "block": f"x: |\n  {big}\n",
        "key": f"{big}: 1\n",
    }[where].encode()
    for name, (read, error) in _readers(checklist).items():
        tracemalloc.start()
        try:
            with pytest.raises(error, match="over the limit|larger than"):
                read(doc)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # Measured in memory, not time: a 30 MB scalar decoded or copied shows in the peak on any
        # machine, fast or slow.
        assert peak < 5 * MB, (name, peak)  # refused by size, never decoded or copied


def test_wrong_types_are_named(checklist, records):
    seed = records["ed25519"]
    wrong = {
        b"deploycheck_record: 1\n": (b'deploycheck_record: "1"\n', "deploycheck_record must be a whole number"),
        b'  version: 1\n': (b"  version: [1]\n", "checklist.version must be a whole number"),
        b'created: "2026-11-28T10:15:00Z"\n': (b'created: "yesterday"\n', "created must be a UTC time"),
        b"  line: 9\n": (b"  line: -3\n", "finding line must be at least 0"),
    }
    for old, (new, words) in wrong.items():
        assert old in seed
        with pytest.raises(RecordError, match=words):
            parse_record(seed.replace(old, new, 1), "r.yaml")
    answers_list = seed[: seed.index(b"\nanswers:\n") + 1] + b"answers: [1, 2]\n" + seed[seed.index(b"\nsignature:") + 1 :]
    with pytest.raises(RecordError, match="answers must be a mapping"):
        parse_record(answers_list, "r.yaml")
    with pytest.raises(ConfigError, match="the answers file must be a mapping"):
        parse_answers(b"- yes\n- no\n", "a.yaml", checklist)
    with pytest.raises(ConfigError, match="must be text, not a list"):
        parse_answers(b"shared-state: [yes]\n", "a.yaml", checklist)
    with pytest.raises(ConfigError, match="version must be a whole number"):
        parse_checklist(b"id: x\nversion: one\nquestions: []\n", "c.yaml")
    with pytest.raises(ConfigError, match="exclude must be a list"):
        parse_config_text(b"exclude: docs\n", "config.yaml")


def test_line_endings_and_bom(checklist, records):
    seed = records["ed25519"]
    crlf = seed.replace(b"\n", b"\r\n")
    rec = parse_record(crlf, "r.yaml")  # CRLF is normalised before the signature is checked
    assert rec.signed_bytes == parse_record(seed, "r.yaml").signed_bytes
    assert sshsig.verify_sshsig(rec.signed_bytes, rec.signature.value, NAMESPACE)
    with pytest.raises(RecordError, match="byte-order mark"):
        parse_record(b"\xef\xbb\xbf" + seed, "r.yaml")
    with pytest.raises(RecordError, match="carriage return"):
        parse_record(seed.replace(b"\n", b"\r", 3), "r.yaml")

    for text, parse in (
        (ANSWERS_SEEDS[0], lambda d: parse_answers(d, "a.yaml", checklist)),
        (checklist_seeds()[0], lambda d: parse_checklist(d, "c.yaml")),
        (CONFIG_SEEDS[0], lambda d: parse_config_text(d, "config.yaml")),
    ):
        expected = _comparable(parse(text))
        assert _comparable(parse(text.replace(b"\n", b"\r\n"))) == expected
        assert _comparable(parse(b"\xef\xbb\xbf" + text)) == expected


def _comparable(value):
    # Config keeps the environments section as a YAML node (validated elsewhere); compare the rest.
    return plain.replace(value, environments=None) if isinstance(value, Config) else value


def test_record_body_survives_hostile_text_round_trip(records, keys):
    """Whatever an author types, the writer's record reads back to the same answers."""
    from support.fuzzkit import with_answer

    from deploycheck.records.record import build_body, parse_body

    tried = 0

    @FUZZ
    @given(st.text(max_size=200))
    def run(text):
        nonlocal tried
        tried += 1
        body = with_answer(record_body(), "silent-failure", text)
        assert parse_body(build_body(body), "r.yaml").answers["silent-failure"].answer == text

    run()
    report("record.build_body/parse_body round trip", tried)


# Pieces that decide whether a text is "comments only" for YAML: other line breaks, tabs,
# document markers, non-printable characters, a BOM, and plain content.
_YAML_PIECES = ["# c", " ", "\t", "\n", "\r\n", "\r", "\x85", "\u2028", "\u2029", "\ufeff", "a: 1", "#", "---",
                "...", "é", "\x07", "\x7f", "- x", "  #x", "\t# t", ":", "'", '"', "\u00a0", "&a", "%YAML 1.1", "\ufffe"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_YAML_PIECES), max_size=10).map("".join))
def test_the_comments_only_shortcut_agrees_with_pyyaml(text):
    # yamlload.compose answers "empty document" for such texts without importing PyYAML; PyYAML
    # (both loaders) must read exactly that from every text the shortcut takes.
    import yaml

    from deploycheck.util.yamlload import only_comments

    if only_comments(text):
        assert yaml.compose(text, Loader=yaml.CSafeLoader) is None
        assert yaml.compose(text, Loader=yaml.SafeLoader) is None


def test_yaml_merges_are_read_only_where_asked_and_within_a_budget() -> None:
    # An application's configuration (`<<: *default`) is read with merges; deploycheck's own files
    # never are, a plain alias never is, and merges that would copy without bound are refused.
    import yaml

    from deploycheck.util import yamlload as Y

    text = "default: &default\n  adapter: postgresql\n  pool: 5\nproduction:\n  <<: *default\n  pool: 10\n"
    node = Y.compose(text, "database.yml", merges=True)
    production = dict((k.value, v.value) for k, v in node.value)["production"]
    assert [(k.value, v.value) for k, v in production] == [("pool", "10"), ("adapter", "postgresql")]
    with pytest.raises(Y.YamlError, match="no '<<' merges"):
        Y.compose(text, "config.yaml")
    with pytest.raises(Y.YamlError, match="aliases"):
        Y.compose("a: &a [1]\nb: *a\n", "x.yml", merges=True)
    levels = "".join(f"l{i}: &l{i}\n  <<: *{'a' if i == 0 else f'l{i - 1}'}\n  k{i}: {{<<: *{'a' if i == 0 else f'l{i - 1}'}}}\n"
                     for i in range(30))
    with pytest.raises(Y.YamlError, match="copy more than"):
        Y.compose("a: &a {x: 1, y: 2}\n" + levels, "bomb.yml", merges=True)
    with pytest.raises(Y.YamlError, match="must name mappings"):
        Y.compose("a: &a [1]\nb:\n  <<: *a\n", "x.yml", merges=True)
    assert isinstance(node, yaml.MappingNode)
