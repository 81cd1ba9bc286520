"""What the walkthrough's prompts accept, and the terminal prompter built on prompt_toolkit.

The rules (``resolve_choice``, ``yes_no``, ``move_of``) are shared by both prompters: the
terminal one here, and the scripted one in ``walkthrough`` that tests drive with a stream.

``TerminalPrompter`` gives each prompt line editing (arrow keys, Home/End, Ctrl-W...), history
of the text answers (Up/Down), Up/Down through the choices of a choice question, the
walkthrough's moves (``back``, ``help``, ``review``) and ``$EDITOR`` for long answers (``:e``
or Ctrl-X Ctrl-E, through a temporary file, as ``git commit`` does). prompt_toolkit costs
~200 ms to import, so this module imports it only inside ``TerminalPrompter``: it is loaded
when the walkthrough runs at a terminal, never by ``verify``, ``scan`` or the hooks.
"""

from __future__ import annotations

import errno

import os
from typing import TYPE_CHECKING, Any, Sequence

from ..util.safe import inert, one_line

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

BACK, HELP, REVIEW = "back", "help", "review"
# A typed line that is only one of these asks for a move instead of answering (a choice of the
# same name wins: a checklist may offer "help" as an answer).
MOVES = {BACK: BACK, ":back": BACK, ":b": BACK, HELP: HELP, ":help": HELP, ":h": HELP, "?": HELP,
         REVIEW: REVIEW, ":review": REVIEW, ":r": REVIEW}
EDIT = ":e"  # a typed line that opens $EDITOR on the answer
EDITOR_COMMENT = "#"
END_OF_TEXT = "."  # a line with only this ends a multi-line answer
MOVES_HINT = "back: the previous question · help: the question's help and evidence · review: all answers"


class Move(Exception):
    """The author asked to go somewhere else instead of answering: ``kind`` is BACK, HELP or REVIEW."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class TypedInterrupt(KeyboardInterrupt):
    """Ctrl-C at a prompt, carrying the text typed for the answer so far (``typed``): the
    lines of a multi-line answer, and what stood in the line. The walk keeps it in the draft
    as the question's half-given answer."""

    def __init__(self, typed: str) -> None:
        super().__init__()
        self.typed = typed


def _stop_at_hangup(app: Any) -> None:
    """A closed terminal (SIGHUP) or a request to stop (SIGTERM: `kill`, a closing IDE, a CI
    runner's timeout) stops the prompt as Ctrl-C does, with what stood in the line, so the walk
    keeps it in the draft as the question's half-given answer; Python's default would end the
    process before it could be kept (SIGTERM: a new user's trial, session 31). Where the running
    loop takes no signal handlers (not the main thread, not Unix), or another handler is set, it
    stays."""
    import asyncio
    import signal

    for name in ("SIGHUP", "SIGTERM"):
        sig = getattr(signal, name, None)
        if sig is None or signal.getsignal(sig) is not signal.SIG_DFL:
            continue  # the demo's own handler cleans its folder up at a hang-up: left to it
        try:
            asyncio.get_running_loop().add_signal_handler(
                sig, lambda: app.exit(exception=TypedInterrupt(app.current_buffer.text), style="class:aborting"))
        except (RuntimeError, NotImplementedError, ValueError):
            pass


class TypedEnd(EOFError):
    """End of input (Ctrl-D) in a multi-line answer, carrying the lines typed before it."""

    def __init__(self, typed: str) -> None:
        super().__init__()
        self.typed = typed


def typed_when_stopped(exc: BaseException) -> str:
    """The text a Ctrl-C or end of input left unfinished at the prompt ("" when none is known)."""
    return exc.typed if isinstance(exc, (TypedInterrupt, TypedEnd)) else ""


def carrying(exc: BaseException, typed: str) -> BaseException:
    """``exc`` (KeyboardInterrupt or EOFError) again, carrying ``typed``."""
    return TypedInterrupt(typed) if isinstance(exc, KeyboardInterrupt) else TypedEnd(typed)


def move_of(typed: str, choices: Sequence[str] = ()) -> str | None:
    """The move ``typed`` asks for, if it is one and not also one of ``choices``."""
    word = typed.strip().lower()
    if word in (c.lower() for c in choices):
        return None
    return MOVES.get(word)


def shortcuts(choices: Sequence[str]) -> dict[str, str]:
    """Single-letter answers: ``n/a`` is ``a`` (``n`` is taken by ``no``); otherwise each
    choice's first letter when no other choice starts with it."""
    out: dict[str, str] = {}
    firsts = [c[:1].lower() for c in choices]
    for choice in choices:
        if choice.lower() == "n/a":
            out.setdefault("a", choice)
        elif choice and firsts.count(choice[:1].lower()) == 1:
            out.setdefault(choice[:1].lower(), choice)
    if "no" in (c.lower() for c in choices):  # "n" is "no" even beside "n/a"
        out["n"] = next(c for c in choices if c.lower() == "no")
    return {k: v for k, v in out.items() if k not in (c.lower() for c in choices)}


def resolve_choice(typed: str, choices: Sequence[str]) -> str | None:
    """The choice ``typed`` names: the choice itself in any case, or its shortcut letter."""
    word = typed.strip().lower()
    for choice in choices:
        if choice.lower() == word:
            return choice
    return shortcuts(choices).get(word)


def yes_no(typed: str) -> bool | None:
    """y, yes, n, no in any case; None for anything else."""
    word = typed.strip().lower()
    if word in ("y", "yes"):
        return True
    if word in ("n", "no"):
        return False
    return None


def choices_label(prompt: str, choices: Sequence[str], default: str | None) -> str:
    """The prompt as the scripted prompter (Rich) shows it: ``text [a/b] (default): ``."""
    label = f"{prompt} [{'/'.join(choices)}]"
    if default is not None:
        label += f" ({one_line(default, 60)})"
    return label + ": "


def editor_command() -> str | None:
    """The editor ``git commit`` would use outside git's own settings: VISUAL, then EDITOR."""
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def edit_in_editor(editor: str, text: str, what: str) -> str | None:
    """Open ``text`` in ``editor`` through a temporary file, as ``git commit`` does; the text
    saved without ``#`` comment lines, or None when the editor failed."""
    import subprocess
    import tempfile

    fd, path = tempfile.mkstemp(prefix="deploycheck-answer-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text.rstrip("\n") + "\n" if text else "\n")
            handle.write(
                f"{EDITOR_COMMENT} {what}\n"
                f"{EDITOR_COMMENT} Write the answer above, save and quit. Lines starting with "
                f"'{EDITOR_COMMENT}' are ignored; an empty answer takes nothing.\n"
            )
        # As git runs core.editor: through the shell, so "code --wait" or "vim -u NONE" work.
        done = subprocess.run(["sh", "-c", f'{editor} "$@"', editor, path], check=False)
        if done.returncode != 0:
            return None
        with open(path, encoding="utf-8", errors="replace") as handle:
            kept = [line.rstrip() for line in handle if not line.startswith(EDITOR_COMMENT)]
        return "\n".join(kept).strip("\n")
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


class TerminalPrompter:
    """The walkthrough's prompts at a terminal, with prompt_toolkit; same interface as
    ``walkthrough.Prompter`` (say, width, choice, line, lines, confirm)."""

    ends_interrupted_line = False  # prompt_toolkit leaves the line itself after Ctrl-C
    at_terminal = True

    def __init__(self, console: "Console") -> None:
        # The walkthrough needs no cursor-position report (no menu placed below the cursor), and a
        # terminal that never answers one (`script`, some CI shells) had prompt_toolkit print a
        # warning at every prompt. Set before the first session; the user's own setting wins.
        os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import InMemoryHistory

        self.console = console
        self._text: PromptSession[str] = PromptSession(history=InMemoryHistory())
        self._choices: PromptSession[str] = PromptSession()

    # output, as the scripted prompter does it -------------------------------------------------

    def say(self, *renderables: "RenderableType", wrap: bool = True) -> None:
        for renderable in renderables:
            self.console.print(renderable, soft_wrap=not wrap)

    @property
    def width(self) -> int:
        return self.console.width

    def _note(self, text: str, style: str = "yellow") -> None:
        from rich.text import Text

        self.say(Text(inert(text), style=style))

    # input -----------------------------------------------------------------------------------

    def _ask(self, session: Any, message: str, prefill: str = "", bindings: Any = None, toolbar: str = "",
             offered: bool = False, continues: bool = False) -> str:
        """One prompt_toolkit prompt; Ctrl-C raises KeyboardInterrupt, Ctrl-D on an empty line
        EOFError (as ``input()`` does), Ctrl-X Ctrl-E returns EDIT.

        ``prefill`` (a rejected answer, a half-given one from a draft, or with ``offered`` an
        earlier answer that Enter keeps)
        stands in the line as a form field's text does: the arrow keys, Home, End or Backspace
        edit it, while typing a character first replaces it, so retyping an answer from scratch
        works as at an empty prompt. With ``continues`` (a half-given answer's text, ``Begun``)
        typing goes on from its end instead: a new user's trial (session
        27) resumed "Nothing is shared bet", typed "ween runs…", and signed only the second half."""
        from prompt_toolkit.filters import Condition
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
        from prompt_toolkit.keys import Keys
        from prompt_toolkit.utils import is_dumb_terminal

        if prefill and is_dumb_terminal():
            # A dumb terminal (TERM=dumb: Emacs' shell, some IDE consoles) shows no text in the
            # line and appends what is typed to it: `x` rejected, then `y` typed, read `xy`
            # forever. Ask with an empty line; Enter alone keeps an offered earlier answer.
            answer = self._ask(session, message, "", bindings, toolbar)
            return prefill if offered and not answer.strip() else answer
        keys = KeyBindings()
        fresh = [False]

        @keys.add("c-x", "c-e")
        def _(event: Any) -> None:  # the editor, as bash binds it; the typed text goes along
            event.app.exit(result=EDIT + "\x00" + event.app.current_buffer.text)

        @keys.add("c-c")
        def _(event: Any) -> None:  # stop, as prompt_toolkit's own binding does, with what stood in the line
            event.app.exit(exception=TypedInterrupt(event.app.current_buffer.text), style="class:aborting")

        @keys.add(Keys.Any, filter=Condition(lambda: fresh[0]))
        def _(event: Any) -> None:
            fresh[0] = False
            buffer = event.app.current_buffer
            buffer.text = ""
            buffer.insert_text(event.data)

        def touched(_: Any) -> None:
            fresh[0] = False

        def ready() -> None:  # after the buffer took the prefill: from now on any change is an edit
            buffer = session.default_buffer
            fresh[0] = bool(prefill) and not continues
            buffer.on_cursor_position_changed += touched
            buffer.on_text_changed += touched
            _stop_at_hangup(session.app)

        merged = merge_key_bindings([keys, bindings]) if bindings is not None else keys
        if prefill:
            what = ("typing goes on from its end; Ctrl-U clears it" if continues else
                    "Enter keeps the earlier answer; typing replaces it" if offered else "typing replaces it")
            toolbar = f" {what}; ←→ edit it ·" + toolbar
        self.console.file.flush()
        try:
            return session.prompt(
                inert(message, keep_newlines=False), default=prefill, key_bindings=merged,
                bottom_toolbar=toolbar or None, mouse_support=False, pre_run=ready,
            )
        except EOFError as exc:
            if isinstance(exc, TypedEnd):
                raise
            # Ctrl-D on an empty line: what stood in the line (nothing) goes along.
            raise TypedEnd(session.default_buffer.text) from None
        except OSError as exc:
            if exc.errno not in (errno.EIO, errno.ENXIO, errno.EBADF):
                raise
            # The terminal is gone (its window closed): as at the end of input, what stood in the
            # line goes along, to be kept as the half-given answer.
            raise TypedEnd(session.default_buffer.text) from None
        finally:
            buffer = session.default_buffer
            buffer.on_cursor_position_changed -= touched
            buffer.on_text_changed -= touched

    def choice(self, prompt: str, choices: Sequence[str], default: str | None = None,
               prefill: str | None = None, moves: bool = False) -> str:
        from prompt_toolkit.key_binding import KeyBindings

        keys = KeyBindings()
        ring = list(choices)

        def turn(event: Any, step: int) -> None:
            buffer = event.app.current_buffer
            now = resolve_choice(buffer.text, ring)
            at = ring.index(now) + step if now in ring else (0 if step > 0 else len(ring) - 1)
            buffer.text = ring[at % len(ring)]
            buffer.cursor_position = len(buffer.text)

        keys.add("down")(lambda event: turn(event, 1))
        keys.add("up")(lambda event: turn(event, -1))
        letters = "/".join(f"{k}={v}" for k, v in shortcuts(choices).items())
        toolbar = f" ↑↓ choose · {letters} · Enter answers" + (f" · {MOVES_HINT}" if moves else "")
        message = choices_label(prompt, choices, default)
        typed = prefill or ""
        # A choice half-typed before a Ctrl-C (`ye`) is finished where it stopped.
        continues = bool(typed) and resolve_choice(typed, choices) is None
        while True:
            value = self._ask(self._choices, message, typed, keys, toolbar, continues=continues)
            continues = False
            if value.startswith(EDIT + "\x00"):
                value = value.split("\x00", 1)[1]
            if not value.strip() and default is not None:
                return default
            chosen = resolve_choice(value, choices)
            if chosen is not None:
                return chosen
            move = move_of(value, choices) if moves else None
            if move:
                raise Move(move)
            self._note(f"Please answer with one of the choices in square brackets ({letters} for short).")
            # An empty line again: a rejected word left in it was answered again by Enter (a new
            # user's trial, session 26), and a choice is one word to type anew or pick with ↑↓.
            typed = ""

    def line(self, prompt: str, default: str | None = None, prefill: str | None = None, moves: bool = False,
             allow_empty: bool = False) -> str:
        label, typed, offered = _offer(prompt, default, prefill)
        while True:
            value = self._text_prompt(label, typed, moves, default or typed, offered)
            if not value.strip() and default is not None:
                return default
            if value.strip() or allow_empty:
                return value.strip()
            self._note("An answer is needed here.")
            typed = ""

    def lines(self, prompt: str, default: str | None = None, prefill: str | None = None, moves: bool = False) -> str:
        label, typed, offered = _offer(prompt, default, prefill)
        while True:
            first = self._text_prompt(label, typed, moves, default or typed, offered, edited_is_whole=True)
            if isinstance(first, _Edited):
                return str(first)
            if default is not None and (not first.strip() or (offered and first == default)):
                return default  # Enter on the earlier answer keeps it, with no lines to add
            if not first.strip():
                self._note("An answer is needed here.")
                typed = ""
                continue
            collected = [] if first.strip() == END_OF_TEXT else [first.rstrip()]
            while collected:
                try:
                    more = self._ask(self._text, "...: ", toolbar=f" a line with only {END_OF_TEXT} ends the answer")
                except (KeyboardInterrupt, EOFError) as exc:  # the lines so far go along, to keep
                    raise carrying(exc, "\n".join([*collected, typed_when_stopped(exc)]).strip("\n")) from None
                if more.strip() == END_OF_TEXT:
                    break
                collected.append(more.rstrip())
            text = "\n".join(collected).strip("\n")
            if text.strip():
                return text
            self._note("An answer is needed here.")
            typed = ""

    def _text_prompt(self, label: str, typed: str, moves: bool, editable: str, offered: bool = False,
                     edited_is_whole: bool = False) -> str:
        """A line of text; ``:e`` or Ctrl-X Ctrl-E write it in the editor instead (starting
        from what was typed, else ``editable``). A move word raises Move when ``moves``.
        ``offered``: ``typed`` is an earlier answer, which Enter keeps."""
        toolbar = " ←→ edit · ↑↓ earlier answers · :e or Ctrl-X Ctrl-E: write it in $EDITOR" + (f" · {MOVES_HINT}" if moves else "")
        while True:
            kept = offered and bool(typed) and typed == editable
            value = self._ask(self._text, label, typed, toolbar=toolbar, offered=kept, continues=isinstance(typed, Begun))
            start = None
            if value.startswith(EDIT + "\x00"):
                start = value.split("\x00", 1)[1] or editable
            elif value.strip() == EDIT:
                start = editable
            if start is None:
                move = move_of(value) if moves else None
                if move:
                    raise Move(move)
                return value
            editor = editor_command()
            if editor is None:
                self._note("No editor is set: set VISUAL or EDITOR to write the answer in one; type it here instead.")
                typed = start
                continue
            written = edit_in_editor(editor, start, f"The answer to: {label.rstrip(': ')}")
            if written is None:
                self._note("The editor failed (it exited with an error); the answer was not taken.")
                typed = start
                continue
            if not written.strip():
                self._note("The editor's text was empty; nothing was taken.")
                typed = ""
                continue
            self._note(written if "\n" not in written else written.splitlines()[0] + " …", style="dim")
            return _Edited(written) if edited_is_whole else " ".join(written.split())

    def confirm(self, prompt: str, default: bool = True, moves: bool = False) -> bool:
        from prompt_toolkit.key_binding import KeyBindings

        keys = KeyBindings()

        def flip(event: Any) -> None:
            buffer = event.app.current_buffer
            now = yes_no(buffer.text)
            buffer.text = "n" if (now if now is not None else default) else "y"
            buffer.cursor_position = len(buffer.text)

        keys.add("up")(flip)
        keys.add("down")(flip)
        message = f"{prompt} [y/n] ({'y' if default else 'n'}): "
        typed = ""
        while True:
            toolbar = " ↑↓ switch · y/yes or n/no · Enter answers" + (" · back or review: all answers, to edit" if moves else "")
            value = self._ask(self._choices, message, typed, keys, toolbar)
            if value.startswith(EDIT + "\x00"):
                value = value.split("\x00", 1)[1]
            if not value.strip():
                return default
            answer = yes_no(value)
            if answer is not None:
                return answer
            move = move_of(value) if moves else None
            if move:
                raise Move(move)
            self._note("Please answer y or n.")
            typed = ""


def _offer(prompt: str, default: str | None, prefill: str | None) -> tuple[str, str, bool]:
    """(label, text in the line, whether that text is the offered default) for a text prompt.

    A one-line earlier answer (a resumed draft's, a stale record's, the one ``back`` returns
    to) stands in the line to edit, and Enter keeps it; a rejected answer (``prefill``) stands
    there instead. An earlier answer over several lines cannot stand in one line: it is named
    in the label, Enter keeps it and ``:e`` edits it."""
    if prefill:
        return prompt + ": ", prefill, False
    if default is not None and default.strip() and "\n" not in default:
        return prompt + ": ", default, True
    return prompt + (f" ({one_line(default, 60)})" if default is not None else "") + ": ", "", False


class Begun(str):
    """Text the author had begun to type before stopping (a resumed draft's half-given answer):
    in the line, typing goes on from its end rather than replacing it (``_ask``'s ``continues``)."""


class _Edited(str):
    """Text written in the editor: the whole answer, with no continuation lines to ask for."""
