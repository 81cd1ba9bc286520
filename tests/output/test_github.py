"""GitHub Actions helpers: workflow-command escaping, Markdown escaping, step summary appending."""

from __future__ import annotations

import pytest

from deploycheck.output import github

HOSTILE = "a\x1b[31mred\x07 \x1b]8;;http://x\x07link [bold red]x[/] [link=http://evil]y[/link]"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain text", "plain text"),
        ("100% done", "100%25 done"),
        ("two\nlines\r\n", "two%0Alines%0D%0A"),
        ("%0A is not a newline", "%250A is not a newline"),
        ("a: b, c", "a: b, c"),  # ':' and ',' are fine in the message
    ],
)
def test_escape_data(raw: str, expected: str) -> None:
    assert github.escape_data(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("src/app.py", "src/app.py"),
        ("a,b:c", "a%2Cb%3Ac"),
        ("x%y\nz\r", "x%25y%0Az%0D"),
        ("title=evil,line=9", "title=evil%2Cline=9"),
    ],
)
def test_escape_property(raw: str, expected: str) -> None:
    assert github.escape_property(raw) == expected


def test_workflow_command_with_properties() -> None:
    line = github.workflow_command(
        "error", "Two workers lose an update", file="inventory/jobs.py", line=14, end_line=17, title="DC301 lost-update"
    )
    assert line == "::error file=inventory/jobs.py,line=14,endLine=17,title=DC301 lost-update::Two workers lose an update"


def test_workflow_command_leaves_out_missing_properties() -> None:
    assert github.workflow_command("notice", "hello", file="a.py", line=None, end_line=None) == "::notice file=a.py::hello"
    assert github.workflow_command("warning", "bare") == "::warning::bare"


def test_workflow_command_cannot_be_split_or_forged() -> None:
    # A path and a message trying to add properties, start a new command on a new line,
    # and smuggle terminal escapes: everything stays on one line, inert.
    line = github.workflow_command(
        "error",
        "msg\n::error file=x.py::forged\r" + HOSTILE,
        file="evil,line=1:x\n.py",
        line=3,
        title="T:1,2",
    )
    assert line == (
        "::error file=evil%2Cline=1%3Ax\\n.py,line=3,title=T%3A1%2C2::"
        "msg%0A::error file=x.py::forged\\x0d"
        "a\\x1b[31mred\\x07 \\x1b]8;;http://x\\x07link [bold red]x[/] [link=http://evil]y[/link]"
    )
    assert "\n" not in line and "\x1b" not in line and "\x07" not in line


def test_markdown_text_is_inert() -> None:
    assert github.markdown_text("a | b `code` <script> & [x](http://e) *em* _u_ ![i](j) #h ~s~ \\") == (
        "a \\| b \\`code\\` &lt;script&gt; &amp; \\[x\\](http\\://e) \\*em\\* \\_u\\_ \\!\\[i\\](j) \\#h \\~s\\~ \\\\"
    )
    assert github.markdown_text("two\nlines\ttab") == "two\\\\nlines\\\\ttab"
    assert github.markdown_text(HOSTILE) == (
        "a\\\\x1b\\[31mred\\\\x07 \\\\x1b\\]8;;http\\://x\\\\x07link \\[bold red\\]x\\[/\\] "
        "\\[link=http\\://evil\\]y\\[/link\\]"
    )


def test_markdown_table() -> None:
    assert github.markdown_table(["A", "B"], [["1", "2"], ["3", "4"]]) == "| A | B |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |"


def test_step_summary_is_appended_never_overwritten(tmp_path, monkeypatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("## earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert github.append_step_summary("### first") is True
    assert github.append_step_summary("### second\n") is True
    assert summary.read_text(encoding="utf-8") == "## earlier step\n\n### first\n\n### second\n"


def test_step_summary_created_when_missing(tmp_path) -> None:
    target = tmp_path / "new.md"
    assert github.append_step_summary("x", path=str(target)) is True
    assert target.read_text(encoding="utf-8") == "\nx\n"


def test_step_summary_not_set_writes_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert github.append_step_summary("### ignored") is False


def test_step_summary_unwritable_is_a_warning(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path))  # a directory: cannot be opened for append
    assert github.append_step_summary("### x") is False
    err = " ".join(capsys.readouterr().err.split())  # Rich wraps stderr at COLUMNS
    assert err == f"deploycheck: warning: could not append to GITHUB_STEP_SUMMARY ({tmp_path}): Is a directory"


def test_markdown_code_shows_the_text_exactly_in_one_code_span():
    from markdown_it import MarkdownIt

    def rendered(md: str) -> str:
        return MarkdownIt("commonmark").enable("table").render(md)

    assert github.markdown_code("a`b``c") == "```a`b``c```"
    assert github.markdown_code("`x`") == "`` `x` ``"
    assert github.markdown_code("") == "` `"
    assert rendered(github.markdown_code("</details><img src=x>*b*")) == "<p><code>&lt;/details&gt;&lt;img src=x&gt;*b*</code></p>\n"
    assert rendered(github.markdown_code("two\nlines\x1b[2J")) == "<p><code>two\\nlines\\x1b[2J</code></p>\n"
    cell = github.markdown_code("a|b", in_table=True)
    table = rendered("| h | i |\n|---|---|\n| " + cell + " | z |\n")
    assert "<td><code>a|b</code></td>" in table and table.count("<td") == 2
    assert rendered(github.markdown_text("see https://evil.example and www.evil.example")) == (
        "<p>see https://evil.example and www.evil.example</p>\n"  # text, not links (GitHub's autolinks)
    )
    assert github.markdown_text("https://e www.e") == "https\\://e www\\.e"
