"""Terminal safety: escape sequences, controls, bidi overrides and Rich markup in file names,
answers, rule messages and record fields are shown inert by every command, in every format.

The repository is real: a flagged job file whose NAME carries the sequences (git allows ESC in
names), an .env value that a rule message quotes, and a record written by `check --answers`
whose answers carry them. Each command runs
once with NO_COLOR and once as a colour terminal would see it (TERM=xterm-256color,
FORCE_COLOR=1), where the only escape sequences allowed are Rich's own SGR styling.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.gitrepo import commit, git
from support.incident import ANSWERS, JOB_BRANCH, JOB_MAIN, incident_repo, keygen, write_answers

# Everything a terminal (or a CI log) would act on.
HOSTILE = (
    "\x1b[2J"  # clear screen
    "\x1b]0;title\x07"  # OSC: set the window title
    "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\"  # OSC 8 hyperlink
    "\x07"  # BEL
    "\u009b31m"  # C1 CSI
    "\u202e"  # right-to-left override
    "[bold red]x[/][link=http://evil]y[/link]"  # Rich markup
    "%0A"  # GitHub's escape for a line break: must be escaped itself
)
FILE_NAME = "inventory/jobs" + HOSTILE.replace("/", "_") + ".py"
NEWLINE_NAME = "inventory/nl\n::error file=a.py::FAKE\nPASS: all good.py"
RAW = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")
RICH_SGR = re.compile(rb"\x1b\[[0-9;]*m")

# A rule message that quotes the changed value (DC512): the data reaches the message itself.
ENV_MAIN = "CELERY_WORKER_CONCURRENCY=1\n"
ENV_BRANCH = f'CELERY_WORKER_CONCURRENCY="{HOSTILE}"\n'

YAML_HOSTILE = (
    "\\e[2J\\e]0;title\\a\\e]8;;http://evil\\e\\\\click\\e]8;;\\e\\\\\\a\\x9b31m\\u202e"
    "[bold red]x[/][link=http://evil]y[/link]%0A"
)


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("term")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(tmp / ".gitconfig"))
        mp.setenv("NO_COLOR", "1")
        for var in ("DEPLOYCHECK_SIGNING_KEY", "SSH_AUTH_SOCK", "GITHUB_STEP_SUMMARY", "GITHUB_BASE_REF", "GITHUB_ACTIONS"):
            mp.delenv(var, raising=False)
        key = keygen(tmp / "id_ed25519")
        repo = incident_repo(tmp, key)
        git(repo, "checkout", "-q", "main")
        commit(repo, {FILE_NAME: JOB_MAIN, NEWLINE_NAME: JOB_MAIN, ".env": ENV_MAIN}, "jobs with hostile names")
        git(repo, "checkout", "-q", "refactor")
        git(repo, "rebase", "-q", "main")
        # The branch silences its own lost update with a hostile reason: shown (not honoured) everywhere.
        silenced = JOB_BRANCH.replace("- quantity\n", "- quantity  # deploycheck: ignore[DC301] " + HOSTILE + "\n")
        commit(repo, {FILE_NAME: silenced, NEWLINE_NAME: JOB_BRANCH, ".env": ENV_BRANCH}, "refactor them too")
        git(repo, "config", "user.name", "Dev \x1b[31mExample\x07")
        answers = ANSWERS.replace("Two workers processing orders", "Two workers " + YAML_HOSTILE + " processing orders")
        answers = answers.replace('details: "none yet:', 'details: "' + YAML_HOSTILE + ' none yet:')
        proc = _run(repo, "check", "--base", "main", "--answers", str(write_answers(tmp, answers)), "--yes", "--key", str(key))
        assert proc.returncode == 0, proc.stderr
        check_output = proc.stdout + proc.stderr
        commit(repo, message="deploycheck record")
    return repo, check_output


def _run(repo: Path, *args: str, color: bool = False, columns: int = 1000) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["COLUMNS"] = str(columns)
    if color:
        env.pop("NO_COLOR", None)
        env.update(TERM="xterm-256color", FORCE_COLOR="1")
    else:
        env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "deploycheck", *args], cwd=repo, env=env, capture_output=True, stdin=subprocess.DEVNULL)


def assert_inert(output: bytes, color: bool, github: bool = False) -> None:
    visible = RICH_SGR.sub(b"", output) if color else output
    assert not RAW.findall(visible), RAW.findall(visible)[:5]
    assert b"\x1b]8" not in output  # no hyperlink, not even one Rich would make from [link=]
    assert b"Traceback" not in output
    for line in output.splitlines():  # nothing can start a workflow command or fake a verdict
        assert not line.startswith(b"PASS: all good"), line
        if github:  # only deploycheck's own annotations, with the data escaped in them
            command = re.match(rb"^::(error|warning|notice)( [^:]*)?::", line)
            assert command or not line.startswith(b"::"), line
            if command:  # a property (file=, title=) is one line: a break in the data is shown, not encoded
                assert b"%0A" not in (command.group(2) or b"").replace(b"%250A", b""), line
        else:
            assert not line.startswith(b"::"), line


# command -> how Rich markup from the data must appear: literally in text, escaped in Markdown
# (None: a JSON document, checked for raw controls only; the hook prints nothing on a pass).
LITERAL, MARKDOWN = b"[bold red]x[", b"\\[bold red\\]x\\["
COMMANDS = {
    "scan text": (["scan", "--base", "main"], LITERAL),
    "scan sarif": (["scan", "--base", "main", "--format", "sarif"], None),
    "verify text": (["verify", "--base", "main"], LITERAL),
    "verify hook": (["verify", "--base", "main", "--hook"], None),
    "summary markdown": (["summary", "--base", "main"], MARKDOWN),
    "summary text": (["summary", "--base", "main", "--format", "text"], LITERAL),
    "log text": (["log"], LITERAL),
}
# DC512's message quoting the .env value: escapes made visible, as text and as Markdown.
MESSAGE_IN = {
    LITERAL: b"CELERY_WORKER_CONCURRENCY changed from 1 to \\x1b[2J\\x1b]0;title\\x07",
    MARKDOWN: b"CELERY\\_WORKER\\_CONCURRENCY changed from 1 to \\\\x1b\\[2J\\\\x1b\\]0;title\\\\x07",
}


def test_check_output_is_inert(hostile_repo):
    _, output = hostile_repo
    assert_inert(output.encode() if isinstance(output, str) else output, color=False)
    assert b"[bold red]x[" in output and MARKDOWN in output  # scan text literally, the PR block escaped


@pytest.mark.parametrize("color", [False, True], ids=["no-color", "color"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_text_outputs_are_inert(hostile_repo, name, color):
    repo, _ = hostile_repo
    args, markup = COMMANDS[name]
    proc = _run(repo, *args, color=color)
    assert proc.returncode == 0, proc.stderr
    assert_inert(proc.stdout + proc.stderr, color)
    if markup is not None:
        assert markup in RICH_SGR.sub(b"", proc.stdout)
    if markup is not None and name.startswith(("scan", "summary")):  # the rule message quoting the hostile value is shown
        plain = RICH_SGR.sub(b"", proc.stdout)
        assert MESSAGE_IN[markup] in plain
    if name.startswith(("scan", "summary")) and "sarif" not in name:  # the hostile suppression reason is shown
        assert b"suppressed by the author" in RICH_SGR.sub(b"", proc.stdout)
    if color and markup is LITERAL:
        assert RICH_SGR.search(proc.stdout)  # styling is on, yet the data's markup stayed text


def test_log_shows_hostile_answers_as_visible_escapes(hostile_repo):
    repo, _ = hostile_repo
    out = _run(repo, "log").stdout.decode()
    answer_line = next(line for line in out.splitlines() if line.startswith("  silent-failure: "))
    assert answer_line == (  # one line, cut at 160 characters
        "  silent-failure: Two workers \\x1b[2J\\x1b]0;title\\x07\\x1b]8;;http://evil\\x1b\\click\\x1b]8;;\\x1b\\\\x07"
        "\\x9b31m\\u202e[bold red]x[/][link=http://evil]y[/link]%0A processing orders for…"
    )


@pytest.mark.parametrize("args", [["log", "--format", "json"], ["verify", "--base", "main", "--format", "json"],
                                  ["scan", "--base", "main", "--format", "json"]], ids=["log", "verify", "scan"])
def test_json_carries_the_text_escaped(hostile_repo, args):
    repo, _ = hostile_repo
    proc = _run(repo, *args)
    assert proc.returncode == 0, proc.stderr
    assert not RAW.findall(proc.stdout)  # C1 and bidi too: json escapes them as \u009b, \u202e
    doc = json.loads(proc.stdout)  # the exact text survives, escaped by JSON
    if args[0] == "log":
        [entry] = doc["records"]
        assert entry["answers"]["silent-failure"]["answer"] == (
            "Two workers " + HOSTILE + " processing orders for the same product at the same moment."
        )
        assert entry["author"]["name"] == "Dev \x1b[31mExample\x07"
        assert FILE_NAME in entry["flagged_files"] and NEWLINE_NAME in entry["flagged_files"]
    elif args[0] == "verify":
        assert FILE_NAME in doc["flagged_files"] and NEWLINE_NAME in doc["flagged_files"]
    else:
        assert {FILE_NAME, NEWLINE_NAME} <= {f["path"] for f in doc["findings"]}


@pytest.mark.parametrize("command", ["scan", "verify"])
def test_github_annotations_escape_percent_and_line_breaks(hostile_repo, command, tmp_path):
    repo, _ = hostile_repo
    summary = tmp_path / "summary.md"
    summary.write_text("")
    env_args = ["--base", "main", "--format", "github"]
    proc = subprocess.run(
        [sys.executable, "-m", "deploycheck", command, *env_args], cwd=repo, capture_output=True,
        env={**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "NO_COLOR": "1"}, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert not RAW.findall(proc.stdout + proc.stderr)
    lines = proc.stdout.splitlines()
    commands = [line for line in lines if line.startswith(b"::")]
    for line in commands:
        assert re.match(rb"^::(error|warning|notice)( [^:]*)?::", line), line
        # In the message a line break is GitHub's %0A; in a property (file=) it is shown as \n.
        assert b"FAKE" not in line or b"%0A%3A%3Aerror file=a.py%3A%3AFAKE" in line or b"%0A::error file=a.py::FAKE" in line \
            or b"\\n%3A%3Aerror file=a.py%3A%3AFAKE" in line
        assert b"%0A" not in line.replace(b"%250A", b"").replace(b"%0A%3A%3Aerror", b"").replace(b"%0A::error", b"").replace(b"%0APASS", b"")
    if command == "scan":  # scan annotates every finding; the hostile name is escaped in both places
        hostile = [line for line in commands if b"jobs\\x1b" in line]
        assert hostile and all(b"%250A" in line and b"%0A" not in line.replace(b"%250A", b"") for line in hostile)
    # The step summary is Markdown with no raw controls and no live links or HTML from data.
    md = summary.read_bytes()
    assert not RAW.findall(md)
    assert b"[link=http://evil]" not in md and b"](http://evil" not in md
    _markdown_is_inert_block(md)  # rendered: no HTML, link or extra table column


def test_wrapped_text_never_starts_a_line_with_a_runner_command(tmp_path):
    """Rich wraps long lines at spaces; a name whose next word is `::error…` must not begin a
    line of a CI log with it, in text output or in diagnostics."""
    repo = incident_repo(tmp_path)
    name = "inventory/job " + "::error_file=b.py::WRAPPED_" + "x" * 30 + ".py"
    commit(repo, {name: JOB_BRANCH}, "a job whose name wraps")
    for args, wraps in ((["scan", "--base", "main"], False), (["verify", "--base", "main"], True)):
        proc = _run(repo, *args, columns=60)
        assert proc.returncode == (1 if args[0] == "verify" else 0), proc.stderr
        lines = (proc.stdout + proc.stderr).splitlines()
        assert not any(line.lstrip().startswith(b"::") for line in lines), proc.stdout
        if wraps:  # "Flagged files: inventory/job ::error…" wraps before the long word
            assert any(line.startswith(b"\\x3a:error_file=b.py::WRAPPED_") for line in lines), proc.stdout


# --- record file names: every command that prints a record's path, in every format -----------

# A record's file name is the branch's to choose. Each piece targets one output: a terminal
# (ESC/CSI/OSC, C1, \r, bidi), a CI log (`::` commands, `%0A`), Markdown (HTML, tables, code
# spans, links, emphasis); and the name is long (nested folders: each part stays under 255 bytes).
RECORD_PIECE = (
    "r\x1b[2J\x1b]0;title\x07\u009b31m\r\u202e"
    "\n::error file=a.py::FAKE\n::add-mask::secret\n%0A::warning::x"
    "</details><img src=x onerror=alert(1)>|col|`tick``s`[x](http:__evil)**b** https:__evil.example www.evil.example"
)
# A record's name is one file name (records in subfolders are invalid), so its "/" is written as
# U+2215; the junk file of the failing state keeps every piece, slashes and folders included,
# and is as long as a path gets here.
RECORD_NAME = ".deploycheck/records/" + RECORD_PIECE.replace("/", "\u2215") + "d" * 50 + ".yaml"
JUNK_NAME = ".deploycheck/records/" + "/".join([RECORD_PIECE + "d" * 20] * 6) + "/" + RECORD_PIECE + "junk.txt"


def _hostile_record_repo(tmp: Path, junk: bool) -> Path:
    """The incident with a valid record renamed to RECORD_NAME (`junk`: plus a file that is no
    record under another hostile name, so that the gate fails and names it in its problems)."""
    tmp.mkdir()
    key = keygen(tmp / "id_ed25519")
    repo = incident_repo(tmp, key)
    proc = _run(repo, "check", "--base", "main", "--answers", str(write_answers(tmp)), "--yes", "--key", str(key))
    assert proc.returncode == 0, proc.stderr
    commit(repo, message="record")
    [written] = git(repo, "ls-files", ".deploycheck/records").split("\n")
    git(repo, "mv", written, RECORD_NAME)
    if junk:
        (repo / JUNK_NAME).parent.mkdir(parents=True)
        (repo / JUNK_NAME).write_text("not a record\n")
        git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hostile record name")
    return repo


@pytest.fixture(scope="module")
def record_repos(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("records")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(tmp / ".gitconfig"))
        for var in ("DEPLOYCHECK_SIGNING_KEY", "SSH_AUTH_SOCK", "GITHUB_STEP_SUMMARY", "GITHUB_BASE_REF", "GITHUB_ACTIONS"):
            mp.delenv(var, raising=False)
        return {state: _hostile_record_repo(tmp / state, state == "fail") for state in ("pass", "fail")}


def _markdown_is_inert(md: bytes) -> None:
    """Rendered as GitHub would (CommonMark + tables): no HTML, image, link or extra table
    column comes from the data, and the hostile text is still there to read."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(md.decode())
    for tag in ("<img", "<a ", "</details>", "<details", "<strong>b", "<script"):
        assert tag not in html, (tag, html[:2000])
    for table in re.findall(r"<table>.*?</table>", html, re.S):
        header = len(re.findall(r"<th[ >]", table.split("</thead>")[0]))
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[1], re.S):
            assert len(re.findall(r"<td", row)) == header, row
    assert "onerror=alert(1)" in html  # shown as text


# command -> the repository state it runs in (the gate passes with the record, fails with junk)
RECORD_COMMANDS = {
    "verify text pass": ("pass", ["verify", "--base", "main"], 0),
    "verify text fail": ("fail", ["verify", "--base", "main"], 1),
    "verify json fail": ("fail", ["verify", "--base", "main", "--format", "json"], 1),
    "verify hook fail": ("fail", ["verify", "--base", "main", "--hook"], 1),
    "verify github pass": ("pass", ["verify", "--base", "main", "--format", "github"], 0),
    "verify github fail": ("fail", ["verify", "--base", "main", "--format", "github"], 1),
    "summary markdown": ("pass", ["summary", "--base", "main"], 0),
    "summary text": ("pass", ["summary", "--base", "main", "--format", "text"], 0),
    "log text": ("fail", ["log"], 0),
    "log json": ("fail", ["log", "--format", "json"], 0),
}


@pytest.mark.parametrize("color", [False, True], ids=["no-color", "color"])
@pytest.mark.parametrize("name", sorted(RECORD_COMMANDS))
def test_record_file_names_are_inert_everywhere(record_repos, name, color, tmp_path):
    state, args, code = RECORD_COMMANDS[name]
    summary = tmp_path / "step-summary.md"
    summary.write_text("")
    env_args = {"GITHUB_STEP_SUMMARY": str(summary)} if "github" in args else {}
    env = {**os.environ, "COLUMNS": "120", **env_args}
    if color:
        env.pop("NO_COLOR", None)
        env.update(TERM="xterm-256color", FORCE_COLOR="1")
    else:
        env["NO_COLOR"] = "1"
    proc = subprocess.run([sys.executable, "-m", "deploycheck", *args], cwd=record_repos[state], env=env,
                          capture_output=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == code, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert_inert(output, color, github="github" in args)
    plain = RICH_SGR.sub(b"", output)
    if "json" in args:
        doc = json.loads(proc.stdout)
        paths = [r["path"] for r in doc["records"]]
        assert RECORD_NAME in paths  # the exact name survives, escaped by JSON
    elif "markdown" in name:
        _markdown_is_inert(proc.stdout)
        assert _code_span(RECORD_NAME) in _render(proc.stdout)  # the name shown exactly, in one code span
    else:
        assert b"\\x1b[2J" in plain and b"onerror=alert(1)" in plain, name  # shown, as visible escapes
    if "github" in args:
        _markdown_is_inert(summary.read_bytes())
        if state == "pass":  # the headline names the record: Markdown-escaped text that renders as the name
            assert _code_span(RECORD_NAME)[len("<code>"):-len("</code>")] in _render(summary.read_bytes())


def _render(md: bytes) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(md.decode())


def _code_span(text: str) -> str:
    """How a code span holding ``text`` made inert renders to HTML."""
    import html

    from deploycheck.util.safe import inert

    return "<code>" + html.escape(inert(text, keep_newlines=False), quote=False).replace('"', "&quot;") + "</code>"


def test_check_pr_block_is_inert_markdown(hostile_repo):
    """`check` prints the PR block after writing the record: Markdown with the hostile file
    names and answers of hostile_repo, rendered without HTML, links or extra columns."""
    _, output = hostile_repo
    block = output[output.index(b"### Concurrency considerations"):]
    _markdown_is_inert_block(block)


def _markdown_is_inert_block(md: bytes) -> None:
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(md.decode())
    assert "<a " not in html and "<img" not in html
    for table in re.findall(r"<table>.*?</table>", html, re.S):
        header = len(re.findall(r"<th[ >]", table.split("</thead>")[0]))
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[1], re.S):
            assert len(re.findall(r"<td", row)) == header, row
