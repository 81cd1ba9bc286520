"""The speed-ups keep behaviour: rule families are skipped only for files they can never report
on, and the compiled pattern packs are exactly what the YAML packs say."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path

import pytest

from support.rule_examples import discover
from deploycheck.rules import FAMILIES, all_rules, detectors, detectors_for, family, family_of
from deploycheck.rules.patterns import cache as pack_cache
from deploycheck.rules.patterns.cache import COMPILED_NAME, LazyRegex, compile_packs, decode_pack, encode_pack, load_all
from deploycheck.rules.patterns.engine import load_packs, parse_pack

PACKS = Path(pack_cache.__file__).parent / "packs"


def test_every_rule_example_passes_the_gate_of_its_rules_family() -> None:
    # A rule that reads a kind of file its family's gate turns away would never run.
    checked = 0
    for example in discover():
        path = example.repo_path
        for side in ("head", "base"):
            for expected in example.annotations(side).errors:
                gate = family_of(expected.rule).path_gate
                if gate is not None:
                    assert gate(path), f"{example.head.name}: {expected.rule} reports on {path}, which its family's gate skips"
                    checked += 1
    assert checked > 20


def test_python_gate() -> None:
    gate = family("python").path_gate
    assert [gate(p) for p in ("a/jobs.py", "migrations/0001_x.py", "Procfile", "a.pyi", "a.py.txt", "README.md")] == [
        True, True, False, False, False, False,
    ]


def test_detectors_for_keeps_registry_order_and_skips_only_gated_families() -> None:
    everything = detectors()
    python = set(family("python").load().DETECTORS)
    trees = set(family("trees").load().DETECTORS)
    assert detectors_for("inventory/jobs.py") == tuple(d for d in everything if d not in trees)
    not_python = detectors_for("web/worker.ts")
    assert not_python == tuple(d for d in everything if d not in python)


def test_registry_still_loads_every_family() -> None:
    ids = set(all_rules())
    assert {"DC101", "DC301", "DC150", "DC600"} <= ids


def test_the_registry_has_one_record_per_family_and_each_rule_is_in_one() -> None:
    names = [record.name for record in FAMILIES]
    assert names == ["python", "patterns", "trees", "parity", "not_analysed"]
    assert len({record.module for record in FAMILIES}) == len(FAMILIES)
    assert sum(len(record.load().RULES) for record in FAMILIES) == len(all_rules())
    for record in FAMILIES:
        # A family's languages are what its rules say they read (docs/rules.md shows them).
        assert set(record.languages) == {language for rule in record.load().RULES for language in rule.languages}, record.name


# --- compiled packs ---------------------------------------------------------------------------


def compiled() -> dict:
    return json.loads((PACKS / COMPILED_NAME).read_text(encoding="utf-8"))["packs"]


def test_compiled_packs_are_what_the_yaml_says() -> None:
    entries = compiled()
    current = 0
    for yaml_file in sorted(PACKS.glob("*.yaml")):
        data = yaml_file.read_bytes()
        entry = entries.get(yaml_file.name)
        if entry is None or entry["digest"] != pack_cache.digest(data):
            continue  # stale: load_all parses the YAML instead (see the next tests)
        assert entry["pack"] == encode_pack(parse_pack(data, yaml_file.name)), yaml_file.name
        assert encode_pack(decode_pack(entry["pack"])) == entry["pack"]
        current += 1
    stale = pack_cache.stale_packs()
    if stale:
        # Correct either way (a stale entry is never used), only slower to start: say so.
        warnings.warn(f"packs/{COMPILED_NAME} is out of date for {stale}; run `python -m deploycheck.rules.patterns.cache`.", stacklevel=2)
    assert current + len(stale) == len(list(PACKS.glob("*.yaml")))


def test_compile_is_deterministic() -> None:
    assert compile_packs() == compile_packs()


def test_loaded_packs_equal_parsed_yaml() -> None:
    loaded = {p.name: encode_pack(p) for p in load_packs()}
    parsed = {}
    for yaml_file in sorted(PACKS.glob("*.yaml")):
        pack = parse_pack(yaml_file.read_bytes(), yaml_file.name)
        parsed[pack.name] = encode_pack(pack)
    assert loaded == parsed


def test_an_edited_pack_is_read_from_yaml_not_from_the_stale_json(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "packs"
    shutil.copytree(PACKS, folder)
    (folder / COMPILED_NAME).write_text(compile_packs(), encoding="utf-8")
    sql = folder / "sql.yaml"
    text = sql.read_text(encoding="utf-8")
    edited, count = re.subn(r"(?m)^(    summary: )(.*)$", r"\1Edited, \2", text, count=1)
    assert count == 1
    sql.write_text(edited, encoding="utf-8")
    monkeypatch.setattr(pack_cache, "_PACKS_DIR", str(folder))
    assert pack_cache.stale_packs() == ["sql.yaml"]
    packs = {p.name: p for p in load_all()}
    assert packs["sql"].rules[0].rule.summary.startswith("Edited, ")
    assert all(isinstance(p.regex, re.Pattern) for pr in packs["sql"].rules for p in pr.patterns)  # parsed from YAML
    assert any(isinstance(p.regex, LazyRegex) for pr in packs["javascript"].rules for p in pr.patterns)  # from JSON


def test_a_missing_or_foreign_json_falls_back_to_yaml(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "packs"
    shutil.copytree(PACKS, folder)
    monkeypatch.setattr(pack_cache, "_PACKS_DIR", str(folder))
    for content in (None, "not json", json.dumps({"format": 999, "packs": {}})):
        if content is None:
            (folder / COMPILED_NAME).unlink(missing_ok=True)
        else:
            (folder / COMPILED_NAME).write_text(content, encoding="utf-8")
        assert sorted(pack_cache.stale_packs()) == sorted(p.name for p in folder.glob("*.yaml"))
        assert [p.name for p in load_all()] == ["go", "javascript", "jvm", "mybatis", "ruby", "spring", "sql", "worker-config"]


def test_lazy_regex_behaves_as_the_pattern() -> None:
    lazy = LazyRegex(r"(?P<key>\w+)\s*=\s*(?P<value>\d+)")
    assert lazy._compiled is None
    assert lazy == re.compile(lazy.pattern) and re.compile(lazy.pattern) == lazy
    assert lazy.search("a = 1").group("value") == "1"
    assert lazy.findall("a = 1, b = 22") == [("a", "1"), ("b", "22")]
    assert [m.group("key") for m in lazy.finditer("x=1 y=2")] == ["x", "y"]
    assert dict(lazy.groupindex) == {"key": 1, "value": 2}
    assert lazy.sub("<\\g<key>>", "a = 1") == "<a>"  # anything else: from re.Pattern
    assert lazy != LazyRegex("other") and hash(lazy) == hash(LazyRegex(lazy.pattern))


@pytest.mark.parametrize("value", [object(), b"bytes", 1.5j])
def test_encode_refuses_what_json_cannot_hold(value) -> None:
    with pytest.raises(TypeError):
        encode_pack({"x": value})


# --- reading objects ahead, and scanning in two processes -------------------------------------

from support.gitrepo import commit, git, make_branch, make_repo  # noqa: E402 - imports for this part of the file
from deploycheck.analysis import pipeline as common  # noqa: E402 - imports for this part of the file
from deploycheck.git.gitcmd import BlobReader, BlobStream  # noqa: E402 - imports for this part of the file


def blob_ids(repo: Path, *paths: str) -> list[str]:
    return [git(repo, "rev-parse", f"HEAD:{p}") for p in paths]


def test_blob_stream_reads_ahead_in_order_and_declines_the_rest(tmp_path) -> None:
    files = {f"f{i}.txt": f"content {i}\n" for i in range(8)}
    repo = make_repo(tmp_path / "r", {**files, "big.txt": "x" * 5000})
    ids = blob_ids(repo, *files)
    big = blob_ids(repo, "big.txt")[0]
    missing = "0" * 40
    with BlobStream(str(repo), [ids[0], big, missing, *ids[1:]], max_size=1000) as stream:
        assert stream.take(ids[0]) == (True, b"content 0\n")
        assert stream.take(ids[2]) == (True, b"content 2\n")  # passes over big, missing, ids[1]
        assert stream.take(ids[1]) == (True, b"content 1\n")  # kept: it was just passed over
        assert stream.take(big) == (True, None)  # over max_size: skipped, never held whole
        assert stream.take(missing) == (True, None)
        assert stream.take(ids[7]) == (True, b"content 7\n")
        assert stream.take(ids[3]) == (True, b"content 3\n")  # among the last four passed over
        assert stream.take(ids[0]) == (False, None)  # already taken: read it elsewhere
        assert stream.take("not-queued") == (False, None)
    with BlobStream(str(repo), ids) as stream:
        assert stream.take(ids[7]) == (True, b"content 7\n")
        assert stream.take(ids[1]) == (False, None)  # passed over too long ago
        assert stream.take(ids[6]) == (True, b"content 6\n")


def test_blob_stream_closed_early_does_not_hang(tmp_path) -> None:
    repo = make_repo(tmp_path / "r", {f"f{i}.txt": ("line\n" * 2000) + str(i) for i in range(200)})
    ids = [git(repo, "rev-parse", f"HEAD:f{i}.txt") for i in range(200)]
    with BlobStream(str(repo), ids * 20) as stream:  # ~40 MB queued, far more than a pipe holds
        assert stream.take(ids[0])[1].endswith(b"0")
    with BlobStream(str(repo), []) as empty:
        assert empty.take(ids[0]) == (False, None)


def test_blob_reader_skips_oversized_objects_and_stays_in_step(tmp_path) -> None:
    repo = make_repo(tmp_path / "r", {"big.txt": "y" * 3000, "small.txt": "small\n"})
    big, small = blob_ids(repo, "big.txt", "small.txt")
    with BlobReader(str(repo)) as reader:
        assert reader.read(big, max_size=100) is None
        assert reader.read(small, max_size=100) == b"small\n"
        assert reader.read("0" * 40) is None
        assert reader.read(big) == b"y" * 3000


def test_likely_reads_are_the_code_files_in_order(tmp_path) -> None:
    from deploycheck.git.change import compute_change
    from deploycheck.config import Config
    from deploycheck.analysis.scan import likely_reads

    base = {
        "a.py": "x = 1\ny = 2\n", "b.py": "p = 1\nq = 2\nr = 3\n", "c.py": "gone = True\n",
        "d.js": "let a = 1;\n", "tests/t.py": "t = 1\n",
    }
    repo = make_repo(tmp_path / "r", base)
    make_branch(repo, "work", {"a.py": "x = 10\ny = 2\n", "b.py": "p = 1\nr = 3\n", "c.py": None, "d.js": "let a = 2;\n",
                               "e.py": "new = 1\n", "pic.py": b"\x00\x01binary"})
    change, _ = compute_change(str(repo), "main")
    heads = {f.path: f.new_blob for f in change.files}
    bases = {f.path: f.old_blob for f in change.files}
    assert likely_reads(change, Config()) == [
        heads["a.py"],
        heads["b.py"], bases["b.py"],  # a hunk that only removes a line: the base side too
        bases["c.py"],  # deleted
        heads["d.js"],  # DC001 (rules/not_analysed.py) must know any changed code file is readable whole
        heads["e.py"],
    ]


PARALLEL_FILES = {
    **{f"app/mod_{i}.py": f"def f{i}(x):\n    return x + {i}\n" for i in range(30)},
    **{f"web/w_{i}.js": f"export const v{i} = {i};\n" for i in range(10)},
}
JOB = (
    "from celery import shared_task\nfrom shop.models import Product\n\n\n@shared_task\n"
    "def reserve(pid, n):\n    product = Product.objects.get(pk=pid)\n"
    "    product.stock = product.stock - n\n    product.save()\n"
)


def test_two_process_scan_equals_one_process_scan(tmp_path, monkeypatch) -> None:
    if common._workers() < 2:
        pytest.skip("needs two cores and fork")
    from deploycheck.output import report

    repo = make_repo(tmp_path / "r", {**PARALLEL_FILES, ".deploycheck/config.yaml": "rules:\n  disable: [DC150]\n"})
    head = {p: t.replace("return", "return 1 +") for p, t in PARALLEL_FILES.items()}
    head.update({f"app/jobs_{i}.py": JOB for i in range(0, 12, 3)})
    head["app/jobs_3.py"] = JOB.replace("- n\n", "- n  # deploycheck: ignore[DC301] reviewed\n")
    head["web/worker.js"] = "import { Worker } from 'bullmq';\nexport const w = new Worker('q', async (j) => j);\n"
    make_branch(repo, "work", head)
    monkeypatch.setattr(common, "PARALLEL_MIN_FILES", 4)

    def scan_json() -> dict:
        return report.scan_json(common.analyse(base="main", cwd=str(repo)).scan)

    monkeypatch.setenv("DEPLOYCHECK_WORKERS", "1")
    one = scan_json()
    monkeypatch.delenv("DEPLOYCHECK_WORKERS")
    two = scan_json()
    assert two == one
    rules = sorted({(f["rule"], f["path"], f.get("suppressed_by_author", False)) for f in one["findings"]})
    assert ("DC301", "app/jobs_0.py", False) in rules and ("DC301", "app/jobs_3.py", True) in rules
    assert not any(r[0] == "DC150" for r in rules)  # disabled by the base branch's config


def test_one_reader_answers_as_the_single_git_calls_do(tmp_path) -> None:
    from deploycheck.git import gitcmd

    repo = make_repo(tmp_path / "r", {"a.txt": "a\n", "dir/b.txt": "b\n", ".deploycheck/config.yaml": "base_branch: main\n"})
    git(repo, "tag", "-a", "v1", "-m", "tag")
    commit(repo, {"a.txt": "a2\n"}, "second")
    root = str(repo)
    revs = ["HEAD", "main", "HEAD~1", "v1", "HEAD^{tree}", "HEAD:a.txt", "nope", "origin/HEAD", "-x", "a b", "HEAD@{0}", ":/second"]
    paths = [("HEAD", "a.txt"), ("HEAD~1", "a.txt"), ("HEAD", "dir"), ("HEAD", "missing"), ("nope", "a.txt"), ("v1", "dir/b.txt")]
    with BlobReader(str(repo / "dir")) as objects:  # started in a subfolder, as analyse may be
        assert [objects.resolve(r) for r in revs] == [gitcmd.resolve(r, root) for r in revs]
        assert [objects.blob(r, p) for r, p in paths] == [gitcmd.show_file(r, p, root) for r, p in paths]
        assert objects.read(gitcmd.resolve("HEAD", root) + ":a.txt") == b"a2\n"  # still in step


@pytest.mark.parametrize("text", [None, "base_branch: main\nexclude: ['docs/**']\n", "rules: [oops\n", "nope: 1\n"])
def test_config_through_the_reader_equals_load_config_at(tmp_path, text) -> None:
    from deploycheck.config import load_config_at
    from deploycheck.errors import ConfigError

    repo = make_repo(tmp_path / "r", {".deploycheck/config.yaml": text} if text else {"x": "1\n"})
    sha = git(repo, "rev-parse", "HEAD")
    with BlobReader(str(repo)) as objects:
        try:
            expected = load_config_at(str(repo), sha)
        except ConfigError as exc:
            with pytest.raises(ConfigError) as info:
                common.config_at(objects, sha)
            assert info.value.message == exc.message
        else:
            assert common.config_at(objects, sha) == expected


def test_a_text_scan_without_a_record_in_the_change_never_loads_the_gate(tmp_path) -> None:
    # Only a record the change adds can cover a flagged change: without one the text report's
    # last line is the usual next step, and the gate (records, signatures, trust) is not loaded.
    import subprocess
    import sys

    job = "from celery import shared_task\n\n\n@shared_task\ndef reserve(pid):\n    p = Product.objects.get(pk=pid)\n"
    repo = make_repo(tmp_path / "r", {"shop/tasks.py": job})
    make_branch(repo, "work", {"shop/tasks.py": job + "    p.stock = p.stock - 1\n    p.save()\n"})
    script = (
        "import sys\n"
        "from deploycheck.commands.scan import run\n"
        "code = run('main', None, 'text', False)\n"
        "print('GATE', 'deploycheck.gate.verification' in sys.modules, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, check=True)
    assert "DC301" in proc.stdout and "GATE False" in proc.stderr, (proc.stdout, proc.stderr)
