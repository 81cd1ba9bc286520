"""Make untrusted text (answers, paths, record fields, source lines) inert for display.

Control characters (ESC, BEL, C1 controls, DEL, …) are shown as visible escapes, so a record
cannot move the cursor, retitle the terminal or hide text. Rich markup is never interpreted in
untrusted text: renderers wrap it in ``rich.text.Text``; ``markup_escape`` is for the rare
place where a string must be embedded in markup.

One escaping per output format, for every string that comes from a branch or a record (paths,
record file names, signers, answers, messages, suppression reasons):

- terminal text and `log`: ``inert(text, keep_newlines=False)`` (``one_line`` to also bound
  it), printed as ``rich.text.Text`` through ``console.out()``/``err()``; text written over
  several lines (an answer) as ``inert_lines``, one indented output line each;
- JSON and SARIF: ``report.dumps`` (``json_controls_escaped`` over the whole document);
- GitHub workflow commands: ``github.workflow_command``;
- Markdown (PR block, `summary`, the step summary): ``github.markdown_text``, and
  ``github.markdown_code`` for a code span.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: object, *, keep_newlines: bool = True) -> str:
    """``text`` with every control character (and bidi override) replaced by a visible escape."""
    s = str(text)
    # Non-UTF-8 bytes survive as lone surrogates; show them as \\udcXX rather than crash.
    s = s.encode("utf-8", "backslashreplace").decode("utf-8") if _has_surrogates(s) else s
    s = _CONTROL.sub(_visible, s)
    if not keep_newlines:
        s = s.replace("\n", "\\n").replace("\t", "\\t")
    return s


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_controls_escaped(document: str) -> str:
    """A JSON text with DEL, C1 controls and bidi overrides written as ``\\uXXXX`` escapes.

    ``json.dumps(ensure_ascii=False)`` escapes only U+0000-U+001F, so a C1 control (U+009B is
    CSI) or U+202E would reach a terminal that shows the document (``cat``, ``jq -r``) raw.
    These characters only occur inside JSON strings, where the escape means the same text.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", document)


def _has_surrogates(s: str) -> bool:
    try:
        s.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def markup_escape(text: object) -> str:
    """Inert text that is also safe to embed inside Rich markup."""
    from rich.markup import escape

    return escape(inert(text))


def one_line(text: object, limit: int = 200) -> str:
    s = inert(text, keep_newlines=False)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def inert_lines(text: object, limit: int = 200) -> list[str]:
    """A multi-line text (an answer, its details) as its lines, each made inert and bounded as
    ``one_line`` does: the caller prints them as real lines, indented under the first, never as
    a literal ``\\n``. Blank lines are dropped; an empty text is one empty line."""
    return [one_line(line, limit) for line in str(text).split("\n") if line.strip()] or [""]
