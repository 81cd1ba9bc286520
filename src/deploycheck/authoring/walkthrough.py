"""The interactive checklist of `deploycheck check`: all of its terminal input and output.

``walk`` shows the change at a glance (base, flagged files, each finding with its source lines),
then asks each question of the checklist with the findings that are evidence for it beside it.
Details that the checklist or the policy requires are asked right after the answer that needs
them; answers that contradict the findings are challenged at once (explain why the answer
stands, or change it); validation problems and warnings are shown as each answer is given.

Every answer is saved to a draft (``deploycheck.authoring.drafts``) as it is given, and the complete set
once more before ``walk`` returns, so Ctrl-C, end of input or a failed signature never lose
work: the next run offers to resume. ``check`` deletes the draft once a record is written.

Prompting goes through a prompter: at a terminal ``prompts.TerminalPrompter`` (prompt_toolkit:
line editing, history, choices by arrow key, ``$EDITOR``), else ``Prompter`` (Rich prompts),
which tests drive with a stream of scripted lines. Both accept the same answers, letters and
moves (``back``, ``help``, ``review``: see ``prompts``), so the walk logic is the same either way.

Untrusted text (paths, messages, source lines, answers, draft contents) is shown only through
``safe.inert`` inside ``rich.text.Text``; the consoles have markup switched off.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Collection, Mapping, Sequence, TextIO

from ..checklist.answers import (
    Answer, check_test_reference, contradictions, evidence_against, is_sentence, keep_warnings, validate_answers, with_rebuttal,
)
from ..checklist.checklist import Checklist, Question
from ..config import Config
from ..errors import Aborted, Interrupted
from ..git.model import Finding
from ..util.safe import inert, one_line
from .prompts import END_OF_TEXT, Begun  # END_OF_TEXT: a line with only this ends a multi-line answer

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from ..analysis.pipeline import Context

CHANGE, EXPLAIN = "change", "explain"
DRAFT_HINT = "Ctrl-C stops at any prompt; your answers so far, a half-typed one too, are kept as a draft and offered next time."


# --- prompting ----------------------------------------------------------------------------------


class Prompter:
    """Asks one thing at a time with Rich's prompts, on ``console``.

    ``stream`` replaces the terminal with scripted lines (tests); its end raises EOFError just
    as Ctrl-D does at a terminal, and each line read is echoed so a transcript reads naturally.
    At a terminal the walkthrough uses ``prompts.TerminalPrompter`` (line editing, history,
    the editor) instead; both accept the same answers, shortcuts and moves (``prompts``).
    ``prefill`` (what a rejected answer was) can only be edited at a terminal: here it is ignored.
    """

    ends_interrupted_line = True  # the terminal echoed ^C after the prompt: the line needs ending
    at_terminal = False  # input may be a pipe or a file that ended: say how else to answer

    def __init__(self, console: "Console", stream: TextIO | None = None) -> None:
        self.console = console
        self.stream = stream
        self._prompt_cls, self._confirm_cls = _prompt_classes()

    def say(self, *renderables: "RenderableType", wrap: bool = True) -> None:
        """Print; ``wrap=False`` for lines already fitted to the width (source lines stay whole)."""
        for renderable in renderables:
            self.console.print(renderable, soft_wrap=not wrap)

    @property
    def width(self) -> int:
        return self.console.width

    def choice(self, prompt: str, choices: Sequence[str], default: str | None = None,
               prefill: str | None = None, moves: bool = False) -> str:
        """One of ``choices`` (case-insensitive, or its shortcut letter); Enter takes
        ``default`` when there is one. With ``moves``, a move word raises ``Move``."""
        from rich.text import Text

        from .prompts import Move

        value = self._prompt_cls.ask(
            Text(inert(prompt)), console=self.console, choices=list(choices), case_sensitive=False,
            default=default if default is not None else ..., stream=self.stream, moves=moves,
        )
        if isinstance(value, Move):
            raise value
        return value

    def line(self, prompt: str, default: str | None = None, prefill: str | None = None, moves: bool = False,
             allow_empty: bool = False) -> str:
        """A non-empty line of text (empty too with ``allow_empty``); Enter takes ``default``
        when there is one."""
        from rich.text import Text

        while True:
            value = self._prompt_cls.ask(
                Text(inert(prompt)), console=self.console,
                default=default if default is not None else ..., stream=self.stream,
            )
            _raise_move(value, moves)
            if value.strip() or allow_empty:
                return value.strip()
            self.say(Text("An answer is needed here.", style="yellow"))

    def lines(self, prompt: str, default: str | None = None, prefill: str | None = None, moves: bool = False) -> str:
        """Text over one or more lines, ended by a line with only ``.``; Enter on the first
        line takes ``default`` when there is one."""
        from rich.text import Text

        label = Text(inert(prompt))
        if default is not None:  # shown by hand: Rich cannot tell Enter from retyping the default
            label.append(f" ({one_line(default, 60)})", style="dim")
        while True:
            first = self._prompt_cls.ask(label, console=self.console, stream=self.stream)
            _raise_move(first, moves)
            if default is not None and not first.strip():
                return default
            if not first.strip():
                self.say(Text("An answer is needed here.", style="yellow"))
                continue
            collected = [] if first.strip() == END_OF_TEXT else [first.rstrip()]
            while collected:
                try:
                    more = self._prompt_cls.ask(Text("..."), console=self.console, stream=self.stream)
                except (KeyboardInterrupt, EOFError) as exc:  # the lines so far go along, to keep
                    from .prompts import carrying

                    raise carrying(exc, "\n".join(collected).strip("\n")) from None
                if more.strip() == END_OF_TEXT:
                    break
                collected.append(more.rstrip())
            text = "\n".join(collected).strip("\n")
            if text.strip():
                return text
            self.say(Text("An answer is needed here.", style="yellow"))

    def confirm(self, prompt: str, default: bool = True, moves: bool = False) -> bool:
        """y/yes or n/no; with ``moves``, a move word raises ``Move``."""
        from rich.text import Text

        from .prompts import Move

        value = self._confirm_cls.ask(Text(inert(prompt)), console=self.console, default=default, stream=self.stream, moves=moves)
        if isinstance(value, Move):
            raise value
        return bool(value)


def _raise_move(typed: str, moves: bool) -> None:
    from .prompts import Move, move_of

    move = move_of(typed) if moves else None
    if move:
        raise Move(move)


def _prompt_classes() -> tuple[Any, Any]:
    """Rich's Prompt and Confirm with plain-text messages (our consoles do not read markup),
    defaults shown inert, and end of a scripted stream raised as EOFError."""
    from rich.prompt import Confirm, InvalidResponse, Prompt
    from rich.text import Text

    from .prompts import Move, move_of, resolve_choice, yes_no

    def get_input(console: Any, prompt: Any, password: bool, stream: TextIO | None = None) -> str:
        if stream is None:
            return console.input(prompt, password=password)
        console.print(prompt, end="")
        value = stream.readline()
        if value == "":
            console.print()
            raise EOFError
        value = value.rstrip("\r\n")
        console.print(Text(inert(value)))
        return value

    class TakesMoves:
        """`ask(..., moves=True)` asks through a subclass whose answers may also be moves (back, review…)."""

        moves = False

        @classmethod
        def ask(cls, *args: Any, moves: bool = False, **kwargs: Any) -> Any:
            if not moves:
                return super().ask(*args, **kwargs)  # type: ignore[misc]
            move_prompt: Any = type("Move" + cls.__name__, (cls,), {"moves": True})
            return move_prompt.ask(*args, **kwargs)

    class LinePrompt(TakesMoves, Prompt):
        validate_error_message = "Please enter a valid value."
        illegal_choice_message = "Please answer with one of the choices in square brackets."

        def render_default(self, default: Any) -> Any:
            return Text(f"({one_line(default, 60)})", style="dim")

        def process_response(self, value: str) -> Any:
            if self.choices is None:
                return super().process_response(value)
            chosen = resolve_choice(value, self.choices)  # a choice in any case, or its letter
            if chosen is not None:
                return chosen
            move = move_of(value, self.choices) if self.moves else None
            if move:
                return Move(move)
            raise InvalidResponse(self.illegal_choice_message)

        get_input = classmethod(lambda cls, *a, **k: get_input(*a, **k))

    class YesNo(TakesMoves, Confirm):
        validate_error_message = "Please answer y or n."

        def process_response(self, value: str) -> Any:
            answer = yes_no(value)  # y, yes, n, no in any case: what [y/n] promises
            if answer is None:
                move = move_of(value) if self.moves else None
                if move:
                    return Move(move)
                raise InvalidResponse(self.validate_error_message)
            return answer

        get_input = classmethod(lambda cls, *a, **k: get_input(*a, **k))

    return LinePrompt, YesNo


def make_prompter(console: "Console") -> Any:
    """The terminal prompter (prompt_toolkit) when both ends are a terminal, else Rich's."""
    import sys

    if sys.stdin.isatty() and sys.stdout.isatty():
        try:
            from .prompts import TerminalPrompter

            return TerminalPrompter(console)
        except ImportError:  # an install without prompt_toolkit: the plain prompts still work
            pass
    return Prompter(console)


# --- what is shown ------------------------------------------------------------------------------

Sources = Mapping[tuple[str, str], "list[str] | None"]


def wrapped(text: str, width: int, indent: str = "", style: str = "") -> list[Any]:
    """``text`` (made inert) as lines of at most ``width`` columns, without trailing spaces."""
    import textwrap

    from rich.text import Text

    lines = textwrap.wrap(inert(text, keep_newlines=False), max(20, width - len(indent)), break_on_hyphens=False)
    return [Text(indent + line, style=style) for line in lines or [""]]


def finding_block(finding: Finding, sources: Sources, width: int, changed: Collection[int] | None = None) -> list[Any]:
    """A finding as a linter shows it: ``path:line: RULE name [severity]``, the message, and the
    numbered source lines around it with ``>`` on its own lines. Lines are never wrapped by the
    console (print with ``soft_wrap=True``): source lines and ``path:line`` stay whole."""
    from ..output import report

    message = finding.message
    if finding.side == "base":
        message += f" ({report.removed_note(finding)})"
    out: list[Any] = [_heading(finding), *wrapped(message, width, "  ")]
    if finding.suppressed_by_author:  # the author's own ignore comment: shown, and why it does not count
        out.extend(wrapped(f"Note: {report.author_suppression_note(finding)}.", width, "  "))
    lines = sources.get((finding.path, finding.side))
    if lines:
        out.extend(report.source_frame(finding, lines, changed))  # changed: see report._frame
    return out


def _heading(finding: Finding) -> Any:
    from ..output import report

    return report.finding_heading(finding)


def glance(ctx: "Context", checklist: Checklist, sources: Sources, width: int) -> list[Any]:
    """The change at a glance: what is compared, which files are flagged, every finding; as
    lines that fit ``width`` (print with ``soft_wrap=True``)."""
    from rich.text import Text

    from ..output import report

    scan = ctx.scan
    flagged = scan.flagged_files
    from ..gate.prfield import claim_lines, shown_claims

    out: list[Any] = [
        *[part for line in claim_lines(shown_claims(ctx)) for part in wrapped(line, width, style="bold yellow")],  # first: said vs changed
        Text(f"deploycheck: {inert(checklist.title)} (checklist {inert(checklist.id)} v{checklist.version})", style="bold"),
        Text(report.base_line(ctx.change), style="dim"),
        Text(""),
        Text(f"Flagged files ({len(flagged)}):", style="bold"),
        *[Text(f"  {inert(path, keep_newlines=False)}") for path in flagged],
        Text(""),
    ]
    changed = report.changed_lines(scan)
    for finding in scan.active:
        out.extend(finding_block(finding, sources, width, changed.get((finding.path, finding.side))))
        out.append(Text(""))
    count = len(scan.active)
    flagging = sum(1 for f in scan.active if f.flags)
    # `scan` counts the findings that flag the change: say how the rows above relate to it
    counted = f" ({flagging} flag the change, {count - flagging} context)" if flagging != count else ""
    out.extend(wrapped(
        f"{count} finding{'s' if count != 1 else ''}{counted}; {len(checklist.questions)} questions follow. {DRAFT_HINT}",
        width, style="dim",
    ))
    return out


def evidence_for(question: Question, checklist: Checklist, findings: Sequence[Finding]) -> tuple[list[Finding], list[str]]:
    """The findings that are evidence for ``question``, and the categories that put it in focus."""
    against = evidence_against(question.id, findings)
    # Context (an informational finding) needs no answer: listed under every question it named,
    # it read as evidence for each (a new user's trial, session 25).
    evidence = [f for f in findings if f.flags and question.id in f.questions or any(f is g for g in against)]
    focus = sorted({
        f.category for f in findings
        if f.flags and question.id in checklist.focus.get(f.category, ())
    })
    return evidence, focus


def summary_table(checklist: Checklist, answers: Mapping[str, Answer], width: int = 100) -> "RenderableType":
    """The answers as a table for ``width`` columns. A word (a test's path, say) is never
    folded in the middle while the table can give it room: the Answer column yields the width
    the longest word of the details needs; folding stays only as the last resort."""
    from rich.table import Table
    from rich.text import Text

    rows: list[tuple[str, Text, Text]] = []
    for q in checklist.questions:
        a = answers.get(q.id)
        if a is None:
            rows.append((q.id, Text("(not answered)", style="dim"), Text("")))
            continue
        notes = []
        if a.details:
            notes.append(a.details)
        if a.rebuttal:
            notes.append(f"Kept despite the findings: {a.rebuttal}")
        if a.warning:
            notes.append(f"Warning: {a.warning}")
        rows.append((q.id, Text(inert(a.answer)), Text(inert("\n".join(notes)))))

    question_width = max(len("Question"), *(len(qid) for qid, _, _ in rows))
    cells_width = width - question_width - 10  # 4 rules and a space either side of 3 cells
    answer_word = max(_longest_word("Answer"), *(_longest_word(answer.plain) for _, answer, _ in rows))
    details_word = max(_longest_word("Details"), *(_longest_word(details.plain) for _, _, details in rows))
    table = Table(title="Your answers", title_justify="left", show_lines=False, expand=False)
    table.add_column("Question", no_wrap=True)
    # Folding (never an ellipsis: no part of an answer is hidden) only when a word cannot fit.
    table.add_column("Answer", overflow="fold", max_width=max(answer_word, cells_width - details_word))
    table.add_column("Details", overflow="fold")
    for qid, answer, details in rows:
        table.add_row(Text(qid), answer, details)
    return table


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


# --- the walk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DetailNeed:
    prompt: str
    check: str | None = None  # "test": must name an existing test


def detail_need(question: Question, answer: str, config: Config) -> DetailNeed | None:
    """What details ``answer`` needs: from the checklist first, else from the policy."""
    rule = question.details.get(answer)
    if rule is not None:
        return DetailNeed(rule.prompt, rule.check)
    for policy in config.require_details:
        if policy.question == question.id and policy.answer in ("any", "*", answer):
            why = f" ({policy.message})" if policy.message else ""
            return DetailNeed(f"The policy asks for details with this answer{why}.")
    return None


class Walk:
    """Asks a checklist's questions in order. Knows nothing about git or files: it takes the
    findings, the configuration and two readers of the head commit, and reports progress
    through ``on_answer`` (which saves the draft).

    At any question the author may type ``back`` (the previous question, its answer kept as
    the default; at a detail or an explanation: this question's answer again), ``help`` (the
    question's help and its evidence in full) or ``review`` (every answer, numbered, any of
    them edited by its number; see ``prompts.MOVES``). At a detail, another of the question's
    answers typed alone changes the answer (``_other_choice``)."""

    def __init__(
        self,
        checklist: Checklist,
        findings: Sequence[Finding],
        config: Config,
        head_file_exists: Callable[[str], bool],
        head_file_text: Callable[[str], str | None],
        prompter: Prompter,
        sources: Sources | None = None,
        previous: Mapping[str, Answer] | None = None,
        on_answer: Callable[[dict[str, Answer]], object] | None = None,
        fallback: Mapping[str, Answer] | None = None,
        changed: Mapping[tuple[str, str], Collection[int]] | None = None,
        pending: Mapping[str, Answer] | None = None,
        new: Collection[Finding] = (),
    ) -> None:
        self.checklist = checklist
        self.new = {id(f) for f in new}  # findings the re-used record did not show: marked in each evidence list
        self.changed = dict(changed or {})  # (path, side) -> changed line numbers, for the frames
        self.findings = list(findings)
        self.config = config
        self.exists = head_file_exists
        self.text = head_file_text
        self.prompter = prompter
        self.sources = sources or {}
        self.previous = dict(previous or {})  # a resumed draft: offered as defaults
        self.fallback = dict(fallback or {})  # a stale record's answers: defaults, never taken unasked
        self.on_answer = on_answer
        self.answers: dict[str, Answer] = {}
        # Half-given answers (what was typed for a question when the author stopped): offered
        # at their question to finish, never answers themselves; one is dropped once its
        # question is answered. Filled from a resumed draft, and by ``_stopped_at``.
        self.pending: dict[str, Answer] = dict(pending or {})

    def default_for(self, qid: str) -> Answer | None:
        return self.answers.get(qid) or self.previous.get(qid) or self.fallback.get(qid)

    def first_unanswered(self) -> int:
        questions = self.checklist.questions
        return next((i for i, q in enumerate(questions) if q.id not in self.answers), len(questions))

    def resume_at(self) -> int:
        """Where a resumed walk goes on: the first question not answered, or with a half-given
        answer (one begun while editing an earlier answer comes before the unanswered ones)."""
        questions = self.checklist.questions
        return min(self.first_unanswered(), next((i for i, q in enumerate(questions) if q.id in self.pending), len(questions)))

    def take(self, given: Mapping[str, Answer]) -> list[str]:
        """Take the answers of a resumed draft made for this very change as given, each one
        that still passes as the walk would accept it (valid, and any contradiction of the
        findings explained); the others stay defaults, asked again. The ids taken, in order."""
        taken = []
        for q in self.checklist.questions:
            a = given.get(q.id)
            if a is None:
                continue
            one = replace(self.checklist, questions=(q,))
            problems, warnings = validate_answers({q.id: a}, one, self.findings, self.config, self.exists, self.text)
            if problems or (contradictions({q.id: a}, self.findings) and not a.rebuttal):
                continue
            self.answers[q.id] = keep_warnings({q.id: a}, warnings)[q.id]
            taken.append(q.id)
        return taken

    def run(self, start: int | None = None) -> dict[str, Answer]:
        """Ask from question ``start`` (by default the first not answered yet or half-given: a
        resumed draft goes on where it stopped; ``back`` reaches the answers before) to the end."""
        from .prompts import BACK, REVIEW, Move

        questions = self.checklist.questions
        total = len(questions)
        at = self.resume_at() if start is None else start
        while at < total:
            question = questions[at]
            try:
                self.answers[question.id] = self.ask(question, at + 1, total)
            except Move as move:
                if move.kind == BACK:
                    if at == 0:
                        self._note("This is the first question.")
                    at = max(0, at - 1)
                elif move.kind == REVIEW:
                    at = self.review()
                continue
            self._saved()
            at += 1
        from rich.text import Text

        self.prompter.say(Text(""), summary_table(self.checklist, self.answers, self.prompter.width))
        return {q.id: self.answers[q.id] for q in questions}

    def _saved(self) -> None:
        if self.on_answer is not None:
            self.on_answer(dict(self.answers))

    def _note(self, text: str, style: str = "yellow") -> None:
        from rich.text import Text

        self.prompter.say(Text(inert(text), style=style))

    # moves ------------------------------------------------------------------------------------

    def review(self) -> int:
        """Every answer, numbered; a number asks that question again (its answer the default);
        Enter goes on at the first question not answered yet. Returns where to go on."""
        from rich.text import Text

        from .prompts import Move

        questions = self.checklist.questions
        total = len(questions)
        while True:
            self.prompter.say(Text(""), Text("Review: every answer so far", style="bold"))
            for number, q in enumerate(questions, 1):
                a = self.answers.get(q.id)
                shown = one_line(a.answer, 50) if a else "(not answered yet)"
                if a and a.details:
                    shown += f" · {one_line(a.details, 40)}"
                elif a and a.rebuttal:  # as the answers' table says it: the challenge was answered
                    shown += f" · kept despite the findings: {one_line(a.rebuttal, 40)}"
                self.prompter.say(Text(f"  {number}. {inert(q.id)}: {inert(shown, keep_newlines=False)}"))
            missing = next((i for i, q in enumerate(questions) if q.id not in self.answers), total)
            go_on = "finish" if missing == total else f"go on at question {missing + 1}"
            try:
                typed = self.prompter.line(f"Edit which answer? Type its number, or Enter to {go_on}", allow_empty=True)
            except Move:
                continue  # back, help or review from the review screen: the review again
            if not typed.strip():
                return missing
            if not typed.strip().isdigit() or not 1 <= int(typed) <= total:
                self._note(f"Type a number from 1 to {total}, or press Enter.")
                continue
            q = questions[int(typed) - 1]
            try:
                self.answers[q.id] = self.ask(q, int(typed), total)
            except Move:
                continue
            self._saved()

    def show_help(self, q: Question) -> None:
        """The question's help text and every finding that is evidence for it, in full."""
        from rich.text import Text

        say = self.prompter.say
        say(Text(""), Text(f"Help · {inert(q.id)}", style="bold"), Text(inert(q.text)))
        say(Text(inert(q.help.strip() or "This question has no help text in its checklist."), style="dim"))
        evidence, _ = evidence_for(q, self.checklist, self.findings)
        if not evidence:
            say(Text("No finding points at this question directly.", style="dim"))
        for finding in evidence:
            say(Text(""), *finding_block(finding, self.sources, self.prompter.width, self.changed.get((finding.path, finding.side))), wrap=False)
        say(Text(""), Text(
            "Moves: back (the previous question), help (this text), review (all answers, edit any by number). "
            "Ctrl-C stops; the answers so far (and this one as typed) are kept as a draft.", style="dim",
        ))

    def _with_help(self, q: Question, ask: Callable[[], Any]) -> Any:
        """``ask()``, showing the help and asking again when the author types ``help``."""
        from .prompts import HELP, Move

        while True:
            try:
                return ask()
            except Move as move:
                if move.kind != HELP:
                    raise
                self.show_help(q)

    # one question ---------------------------------------------------------------------------

    def show_question(self, q: Question, number: int, total: int) -> None:
        from rich.text import Text

        say = self.prompter.say
        say(Text(""), Text(f"Question {number} of {total} · {inert(q.id)}", style="bold"))
        if q.free_text:  # a choice question's text is its prompt
            say(Text(inert(q.text), style="bold"))
        if q.help.strip():
            say(Text(inert(q.help.strip()), style="dim"))
        evidence, focus = evidence_for(q, self.checklist, self.findings)
        for category in focus:
            say(Text(
                f"In focus: {inert(q.id)} is the question in focus for this change's {inert(category)} findings.",
                style="bold yellow",
            ))
        if evidence:
            say(Text(f"Evidence ({len(evidence)} finding{'s' if len(evidence) != 1 else ''}):"))
            for finding in evidence:  # shown in full above; here a reminder of which ones
                mark = Text(" (new since the earlier record)", style="bold yellow") if id(finding) in self.new else Text("")
                say(Text("  ") + _heading(finding) + mark)
        elif not q.free_text:
            say(Text("No finding points at this question directly; answer from what you know of the change.", style="dim"))

    def ask(self, q: Question, number: int, total: int) -> Answer:
        """The answer to ``q``; raises ``prompts.Move`` for ``back`` or ``review`` at its first prompt."""
        from rich.text import Text

        self.show_question(q, number, total)
        default = self.default_for(q.id)
        # A rejected answer, or the half-given one a resumed draft holds: what the author typed, to edit.
        typed = self.pending.get(q.id)
        if typed is not None:
            self.prompter.say(Text(_begun_note(q, typed), style="cyan"))
        begun = typed  # its explanation, if it had one, is offered at the challenge
        while True:
            candidate = self.ask_answer(q, default, typed)
            typed = None
            if candidate is None:  # back from a detail: this question's answer again
                continue
            challenged = self.challenge(q, candidate, default, begun)
            begun = None
            if challenged is None:  # the author chose to change the answer
                default = None
                continue
            candidate = challenged
            problems, warnings = validate_answers(
                {q.id: candidate}, replace(self.checklist, questions=(q,)), self.findings, self.config,
                self.exists, self.text,
            )
            if problems:
                for problem in problems:
                    self.prompter.say(Text("Not accepted: ", style="bold red") + Text(inert(problem.message)))
                # What was typed comes back to edit (at a terminal); Enter must not re-send it as a default.
                default, typed = (None if default == candidate else default), candidate
                continue
            for warning in warnings:
                self.prompter.say(Text("Warning: ", style="bold yellow") + Text(inert(warning)))
            self.pending.pop(q.id, None)  # answered: nothing half-given is left to offer
            return keep_warnings({q.id: candidate}, warnings)[q.id]

    def _asking(self, q: Question, ask: Callable[[], Any], begun: Callable[[str], Answer | None]) -> Any:
        """``ask()`` (with ``help`` as ``_with_help``); at Ctrl-C or end of input, what was given
        for ``q`` so far (``begun`` of the text left in the line) is kept as its half-given answer."""
        try:
            return self._with_help(q, ask)
        except (KeyboardInterrupt, EOFError) as exc:
            from .prompts import typed_when_stopped

            self._stopped_at(q, begun(typed_when_stopped(exc)))
            raise

    def _stopped_at(self, q: Question, given: Answer | None) -> None:
        """Keep ``given`` as ``q``'s half-given answer, unless it holds no more than the one
        already kept (stopping again at a resumed half-given answer, before touching it, keeps it
        whole) or than the question's answer (stopping at an earlier answer's details, offered
        in the line after ``back``, is nothing new to resume at)."""
        if given is None:
            return
        for known in (self.pending.get(q.id), self.answers.get(q.id) or self.previous.get(q.id)):
            if known is not None and given.answer == known.answer and given.details in (None, known.details) \
                    and given.rebuttal in (None, known.rebuttal):
                return
        self.pending[q.id] = given

    def ask_answer(self, q: Question, default: Answer | None, typed: Answer | None = None) -> Answer | None:
        """The answer (and its details); None when the author went back from the details."""
        from rich.text import Text

        if q.free_text:
            self.prompter.say(Text(
                f"Answer in at least one sentence, over one or more lines; a line with only {END_OF_TEXT} ends the answer"
                # The default is a draft's, a stale or forced-over record's, or the one back or review returns to.
                + (" (Enter on the first line keeps the earlier answer)." if default else "."),
                style="dim",
            ))
            return Answer(self._asking(q, lambda: self.prompter.lines(
                "Answer", default.answer if default else None, Begun(typed.answer) if typed else None, moves=True,
            ), lambda text: Answer(text) if text.strip() else None))
        previous = default.answer if default and default.answer in q.choices else None

        def chosen(text: str) -> Answer | None:  # a choice left in the line counts as made
            from .prompts import resolve_choice

            choice = resolve_choice(text, q.choices)
            if choice:
                return Answer(choice.strip().lower())
            # One half-typed (`ye`) is kept as typed, to finish next time, as the draft hint
            # promises (Tusky's trial lost it).
            return Answer(text.strip()) if text.strip() and "\n" not in text else None

        answer = self._asking(q, lambda: self.prompter.choice(
            q.text, q.choices, previous, typed.answer if typed else None, moves=True,
        ), chosen).strip().lower()
        while True:
            need = detail_need(q, answer, self.config)
            if need is None:
                return Answer(answer)
            details = self._details(q, answer, need, default, typed)
            if details is None:
                return None
            other = _other_choice(details, q.choices, answer)
            if other is None:
                return Answer(answer, details)
            # "no" typed where the details of "yes" were asked: a new user's trial changed
            # their mind after a rejected test file and was told twice that "no" names no test file.
            # No question's details are a bare answer word, so it is read as the answer changed, and said.
            self._note(f"Changed the answer from '{answer}' to '{other}': '{details.strip()}' answers the question; "
                       f"it is not details for '{answer}'.", style="cyan")
            answer, typed = other, None

    def _details(self, q: Question, answer: str, need: DetailNeed, default: Answer | None, typed: Answer | None) -> str | None:
        """The details ``answer`` needs, checked as ``need`` says; None when the author went back.
        Another of the question's answers typed alone is returned unchecked: ``ask_answer`` takes it
        as the answer changed."""
        from rich.text import Text

        from .prompts import BACK, Move

        keep = default.details if default and default.answer == answer else None
        edit = Begun(typed.details) if typed and typed.answer == answer and typed.details else None
        # One line: Enter submits (the new-user trial typed several lines and the rest went to the
        # next question); `:e` opens $EDITOR for a longer answer (prompts.EDIT).
        self.prompter.say(Text(f"Details for '{answer}': {inert(need.prompt)} (one line, Enter submits; :e opens your editor)", style="cyan"))
        while True:
            try:
                details = self._asking(
                    q, lambda: self.prompter.line("Details", keep, edit, moves=True),  # noqa: B023 - _asking calls it at once
                    lambda text: Answer(answer, text.strip() or None),
                )
            except Move as move:
                if move.kind == BACK:
                    return None
                raise
            if _other_choice(details, q.choices, answer) is not None:
                return details
            why = check_test_reference(details, self.exists) if need.check == "test" else None
            if _same_choice(details, q.choices, answer):
                # Tusky's trial typed `no` as the details of "no" and signed "no — no".
                why = f"'{details.strip()}' is the answer itself, not details: {need.prompt}"
            if why is None:
                return details
            self.prompter.say(Text("Not accepted: ", style="bold red") + Text(inert(why)))
            # The way out said where it is needed: nothing on screen told the trial's author how to
            # take back the "yes" whose details were refused.
            others = [c for c in q.choices if c.lower() != answer]
            self._note(f"To change the answer '{answer}', type {' or '.join(others)} here, or back to answer the question again.",
                       style="dim")
            keep, edit = (None if keep == details else keep), details

    def challenge(self, q: Question, candidate: Answer, default: Answer | None, begun: Answer | None = None) -> Answer | None:
        """The answer, with the author's rebuttal when it contradicts the findings; None when
        the author decides to change it (``change``, or ``back`` at the explanation).
        ``begun``: the half-given answer a resumed draft held, whose explanation is offered."""
        from rich.text import Text

        from .prompts import BACK, Move

        found = contradictions({q.id: candidate}, self.findings)
        if not found:
            return candidate
        say = self.prompter.say
        say(Text(""), Text("This answer contradicts the findings.", style="bold red"))
        for c in found:
            say(Text(inert(c.message[:1].upper() + c.message[1:])))
            for finding in c.findings:
                say(Text(""), *finding_block(finding, self.sources, self.prompter.width, self.changed.get((finding.path, finding.side))), wrap=False)
        say(Text(""))
        say(Text(
            "Change the answer, or explain why it stands (at least a sentence; it is kept in the record "
            "beside the findings for the reviewer).",
        ))
        earlier = default.rebuttal if default and default.answer == candidate.answer else None
        edit = Begun(begun.rebuttal) if begun and begun.answer == candidate.answer and begun.rebuttal else None
        try:
            decision = self._asking(q, lambda: self.prompter.choice(
                "Change or explain?", (CHANGE, EXPLAIN), EXPLAIN if earlier or edit else None, moves=True,
            ), lambda _: candidate)
        except Move as move:
            if move.kind == BACK:
                return None
            raise
        if decision.strip().lower() == CHANGE:
            return None
        say(Text("(Type back to change the answer instead.)", style="dim"))
        while True:
            try:
                rebuttal = self._asking(
                    q, lambda: self.prompter.line("Explanation", earlier, edit, moves=True),  # noqa: B023 - _asking calls it at once
                    lambda text: with_rebuttal(candidate, text.strip()) if text.strip() else candidate,
                )
            except Move as move:
                if move.kind == BACK:  # the way out of explain: change the answer after all
                    return None
                raise
            if is_sentence(rebuttal):
                return with_rebuttal(candidate, rebuttal)
            say(Text("Please explain in at least a sentence (20 characters or more, with spaces).", style="yellow"))
            earlier, edit = None, rebuttal


def _typed_choice(typed: str, choices: Sequence[str]) -> str | None:
    """The question's answer ``typed`` is alone (``no``, ``n``, ``n/a`` in any case, as at the
    choice prompt), or None."""
    from .prompts import resolve_choice

    chosen = resolve_choice(typed, choices)
    return chosen.strip().lower() if chosen is not None else None


def _same_choice(typed: str, choices: Sequence[str], answer: str) -> bool:
    """Whether ``typed`` is ``answer`` itself."""
    return _typed_choice(typed, choices) == answer


def _other_choice(typed: str, choices: Sequence[str], answer: str) -> str | None:
    """The question's answer other than ``answer`` that ``typed`` is alone, or None."""
    chosen = _typed_choice(typed, choices)
    return chosen if chosen != answer else None


# --- the edges: what check.py calls -------------------------------------------------------------


def _read_sources(ctx: "Context") -> Sources:
    from ..output import report
    from ..git.gitcmd import BlobReader
    from ..analysis.scan import MAX_TEXT_BYTES

    if not ctx.scan.findings:
        return {}
    with BlobReader(ctx.change.repo_root) as blobs:
        return report.read_sources(ctx.scan, lambda oid: blobs.read(oid, MAX_TEXT_BYTES))


def walk(ctx: "Context", checklist: Checklist, before_signing: Callable[[dict[str, Answer]], object] | None = None,
         confirm: bool = True, force: bool = False) -> dict[str, Answer] | None:
    """Show the change, ask the checklist, ask before signing (unless not ``confirm``); return
    the answers, or None when the author declined to sign (said here, with where the draft is).

    ``before_signing(answers)`` runs before the confirmation, every time it is asked (the
    validation of the whole set, which may raise). At the confirmation ``back`` and ``review``
    open the review of every answer, as they do at a question; then it is asked again.
    ``force``: ``check --force`` over a record that still covers the change (its answers are
    offered as the defaults, as a stale record's are).

    Ctrl-C raises Interrupted (exit 130), end of input Aborted (exit 1); either way the answers
    given so far are in the draft and nothing else is written.
    """
    from rich.text import Text

    from . import drafts
    from .assess import branch_name
    from .prompts import HELP, Move
    from ..analysis.fingerprint import fingerprint as fingerprint_of
    from ..gate.verification import change_digests
    from ..output import report
    from ..output.console import out
    from ..records.record import utc_now
    from ..gate.verification import head_reader

    root = ctx.change.repo_root
    branch = branch_name(root)
    digests = change_digests(ctx)
    fingerprint = fingerprint_of(digests)
    prompter = make_prompter(out())
    sources = _read_sources(ctx)
    exists, text = head_reader(ctx)
    earlier = _earlier_record(ctx, checklist, branch, digests, force)

    def save(answers: dict[str, Answer]) -> str:
        # A resumed draft's answers that have not been given again yet stay in the draft, so
        # stopping (or a killed terminal) right after resuming never loses them.
        merged = {**session.previous, **answers}
        ordered = {q.id: merged[q.id] for q in checklist.questions if q.id in merged}
        pending = {q.id: session.pending[q.id] for q in checklist.questions if q.id in session.pending}
        if not ordered and not pending:
            # Nothing given yet (Ctrl-D at the first question): no empty draft is left behind
            # under "nothing was written" (a new user's trial, session 25).
            drafts.delete_draft(root, branch)
            return str(drafts.draft_path(root, branch))
        draft = drafts.Draft(utc_now(), branch, checklist.id, checklist.version, fingerprint, ordered, pending)
        return str(drafts.save_draft(root, draft))

    session = Walk(checklist, ctx.scan.active, ctx.config, exists, text, prompter, sources, on_answer=save,
                   fallback=earlier.answers if earlier else None, changed=report.changed_lines(ctx.scan),
                   new=earlier.new if earlier else ())
    prompter.say(*glance(ctx, checklist, sources, prompter.width), wrap=False)
    offered = declined = False

    def keep() -> str:
        """Save what this run knows; say where it is."""
        path = drafts.draft_path(root, branch)
        given = {**session.previous, **session.answers}
        # Stopped at "Resume the draft?", or after declining it before any new answer: the draft
        # stays exactly as it was (an empty one in its place would lose answers nobody replaced;
        # a half-given answer alone does not replace a declined draft's complete ones either).
        if not offered or (not given and path.is_file() and (declined or not session.pending)):
            return f"The draft {inert(path)} is kept as it was; run deploycheck again to resume it." if path.is_file() else ""
        return _kept(given, session.pending, save(session.answers))

    def stopped(exc: BaseException) -> Exception:
        """Ctrl-C (Interrupted) or end of input (Aborted), with where the answers are kept."""
        kept = keep()
        if isinstance(exc, KeyboardInterrupt):
            if prompter.ends_interrupted_line:
                prompter.say(Text(""))  # the terminal echoed ^C after the prompt: end that line first
            return Interrupted(f"interrupted; nothing was written. {kept}")
        # At a terminal Ctrl-D was pressed on purpose: resuming is the way on (a new user's trial
        # found "Answer in a terminal" odd there). Piped input that ran out needs the other ways.
        elsewhere = "" if prompter.at_terminal else \
            " Answer in a terminal, or pass the answers with `deploycheck check --answers FILE`."
        return Aborted(f"input ended (Ctrl-D) before the checklist was complete; nothing was written. {kept}{elsewhere}")

    def ask(review: bool = False) -> dict[str, Answer]:
        """The walk (after the review of every answer, with ``review``)."""
        try:
            return session.run(session.review() if review else None)
        except (KeyboardInterrupt, EOFError) as exc:
            raise stopped(exc) from None

    try:
        draft = drafts.load_draft(root, branch)
        session.previous, session.pending = _offer_draft(prompter, draft, checklist, fingerprint)
        offered = True
        declined = draft is not None and not (session.previous or session.pending) and bool(draft.answers or draft.pending)
    except (KeyboardInterrupt, EOFError) as exc:
        raise stopped(exc) from None
    # A draft made for this very change: its answers stand, and the walk goes on where it stopped.
    taken = session.take(session.previous) if draft is not None and draft.fingerprint == fingerprint else []
    complete = False
    if session.previous or session.pending:
        at = session.resume_at()
        if session.previous and not taken:
            prompter.say(Text("The draft's answers are the defaults: press Enter to keep one, or type a new answer.", style="dim"))
        elif at < len(checklist.questions):
            prompter.say(Text(
                f"Resuming at question {at + 1} of {len(checklist.questions)}" + (
                    f": the draft's {len(taken)} answer{'s are' if len(taken) != 1 else ' is'} kept "
                    "(type back to see or change one)." if taken else "."
                ), style="dim",
            ))
        else:
            complete = True
            prompter.say(Text("Every answer is in the draft" + (": sign them, or type review to change one." if confirm else "."), style="dim"))
    if earlier:
        # Not "offered as the defaults" beside a draft that holds every answer: no question follows
        # (argo's trial, session 36, was told both).
        prompter.say(Text(earlier.said(offering=not complete), style="dim"))
        prompter.say(*_grown(earlier))
    def ready(answers: dict[str, Answer]) -> dict[str, Answer]:
        save(answers)  # kept until a record is written, so a failed signature loses nothing
        prompter.say(Text(""))
        if before_signing is not None:
            before_signing(answers)
        return answers

    answers = ready(ask())
    while confirm:
        try:
            signed = confirm_signing(prompter=prompter, moves=True)
        except Move as move:
            if move.kind == HELP:
                prompter.say(Text(
                    "y signs and writes the record; n writes nothing (the answers stay in the draft); "
                    "back or review: every answer, any of them edited by its number.", style="dim",
                ))
                continue
            answers = ready(ask(review=True))  # back or review: the answers, to edit; then this confirmation again
            continue
        if not signed:
            # Said with where the answers are, as after Ctrl-C: "nothing was written" alone read
            # as if they were lost (session 16's new-user trial); the next run offers them.
            prompter.say(Text(f"Not signed; nothing was written. {keep()}".rstrip()), wrap=False)  # the path whole, to copy
            return None
        return answers
    return answers


@dataclass(frozen=True)
class Earlier:
    """This branch's record that ``check`` replaces, offered as the walkthrough's defaults."""

    path: str
    answers: dict[str, Answer]
    changed: tuple[str, ...]  # the flagged files whose content differs from what it covers
    current: bool  # it still covers the change (``check --force``)
    signer: str = ""  # who signed it: a teammate's answers, kept with Enter, are signed anew by this author
    forced: bool = False  # ``check --force``: else a record that still covers the change is one the gate rejects
    flagged_since: tuple[str, ...] = ()  # the flagged files it does not cover at all
    new: tuple[Finding, ...] = ()  # the findings flagging the change that it did not show its author

    def said(self, offering: bool = True) -> str:
        """What the author is told before the first question; ``offering`` False when a draft
        already holds every answer, so none of the record's is offered."""
        path = inert(self.path, keep_newlines=False)
        # Whose words they are: a teammate re-running a stale record signed the previous author's
        # answers by pressing Enter, and nothing said so (a new user's trial, session 25).
        by = f" (given by {inert(self.signer, keep_newlines=False)})" if self.signer else ""
        offered = (f"Its answers{by} are offered as the defaults: press Enter to keep one, or type a new answer; "
                   "the record you sign makes each of them yours.") if offering else \
            "The record you sign replaces it, with the draft's answers."
        if self.current and self.forced:
            return f"This branch's record {path} still covers the change; you asked to assess it again (--force). {offered}"
        if self.current:
            # Signed with a key the base does not trust (a new user's trial, session 28, typed all
            # five answers again after adding the right key): `check` asks only when the gate rejects it.
            return (f"This branch's record {path} still covers the change, but the gate does not accept it (`deploycheck "
                    f"verify` says why: an untrusted signer or a signature that does not verify). {offered}")
        if self.changed or self.flagged_since:
            why = ", and ".join(
                f"{_names(paths)} {what}" for paths, what in (
                    (self.changed, "changed since it was signed"),
                    (self.flagged_since, "is newly flagged" if len(self.flagged_since) == 1 else "are newly flagged"),
                ) if paths)
        else:
            why = "it was made by an older deploycheck, whose fingerprint this one does not compare"
        return f"This branch's earlier record {path} no longer covers the change: {why}. {offered}"


def _names(paths: Sequence[str]) -> str:
    """Up to five paths, inert, and how many more."""
    names = ", ".join(inert(p, keep_newlines=False) for p in paths[:5])
    return names + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")


def _grown(earlier: Earlier) -> list[Any]:
    """What the flagged set gained since ``earlier`` was signed, to say before the questions: its
    answers, kept with Enter, would be signed as if they answered for these findings too (a new
    user's trial re-signed seven defaults over a newly flagged file never mentioned)."""
    from rich.text import Text

    if not earlier.new:
        return []
    n = len(earlier.new)
    them = "them" if n != 1 else "it"
    out: list[Any] = [Text(
        f"New since {inert(earlier.path, keep_newlines=False)} was signed ({n} finding{'s' if n != 1 else ''}): its answers "
        f"did not consider {them}. Answer each question for {them} too: an answer kept with Enter is signed as covering "
        f"{them}.", style="bold yellow",
    )]
    out.extend(Text("  ") + _heading(f) for f in earlier.new)
    return out


def _earlier_record(ctx: "Context", checklist: Checklist, branch: str, digests: Mapping[str, str], force: bool) -> Earlier | None:
    """The record this branch already has, the one ``check`` replaces (``assess.sign_and_write``):
    a record file the branch added, else one an earlier ``check`` wrote and nobody committed. Its
    answers become the walkthrough's defaults, each still asked. None when there is none that
    reads as a record of this checklist. One that still matches the change is offered too: ``check``
    walks over it only with ``force`` or when the gate rejects it (an untrusted signer)."""
    from pathlib import Path

    from .assess import _uncommitted_own_records
    from ..analysis.fingerprint import VERSION, fingerprint
    from ..errors import DeployCheckError
    from ..gate.decision import unshown_flagging
    from ..records.record import RECORDS_DIR, branch_anchor, parse_record

    root = ctx.change.repo_root
    value = fingerprint(dict(digests))
    added = [fc.path for fc in ctx.deck_files
             if fc.path.startswith(RECORDS_DIR + "/") and fc.new_path is not None and fc.old_path is None]
    try:
        if not added:
            anchor = branch_anchor(root, ctx.change.merge_base, ctx.change.head_sha)
            added = _uncommitted_own_records(root, ctx.change.base_sha, branch, anchor)
        for rel in sorted(added, reverse=True):  # names start with the date: the newest first
            path = Path(root) / rel
            if path.is_symlink() or not path.is_file():
                continue
            record = parse_record(path.read_bytes(), rel)
            current = record.body.fingerprint.value == value
            if record.body.checklist.id != checklist.id:
                continue
            answers = {qid: Answer(a.answer, a.details, a.rebuttal)  # warnings are given afresh
                       for qid, a in record.body.answers.items() if checklist.question(qid) is not None}
            if not answers:
                continue
            covered = record.body.fingerprint.files if record.body.fingerprint.version == VERSION else None
            changed = () if covered is None or current else tuple(sorted(
                p for p in covered if covered.get(p) != digests.get(p)
            ))
            since = () if covered is None or current else tuple(sorted(p for p in digests if p not in covered))
            new = tuple(unshown_flagging(record.body.findings, ctx.scan.active))
            return Earlier(rel, answers, changed, current, record.signature.principal if record.signature else "", force,
                           since, new)
    except (DeployCheckError, OSError, ValueError):
        return None  # only defaults: an unreadable record means asking from scratch
    return None


def _kept(answers: Mapping[str, Answer], pending: Mapping[str, Answer], path: str) -> str:
    n = len(answers)
    half = f"the half-given answer{'s' if len(pending) != 1 else ''} to {', '.join(inert(q, keep_newlines=False) for q in pending)}"
    if n == 0 and not pending:
        return "No answer was complete yet."
    if n == 0:
        return f"No answer was complete yet; {half} {'are' if len(pending) != 1 else 'is'} kept in the draft {inert(path)}; run deploycheck again to finish it."
    what = f"Your {n} answer{'s' if n != 1 else ''}" + (f" and {half}" if pending else "")
    are = "are" if n != 1 or pending else "is"
    return f"{what} {are} kept in the draft {inert(path)}; run deploycheck again to resume."


def _begun_note(q: Question, begun: Answer) -> str:
    """What the author is told at a question a resumed draft holds a half-given answer to."""
    if q.free_text:
        return ("Before stopping you had begun this answer: it stands in the line as typed; Enter takes it, typing goes "
                "on from its end, and more lines may follow.")
    if begun.answer.lower() not in (c.lower() for c in q.choices):
        return (f"Before stopping you had begun typing {inert(repr(begun.answer), keep_newlines=False)} at this question: "
                "it stands in the line, where typing goes on from its end.")
    given = f"'{begun.answer}'" + (", details as typed" if begun.details else "") + (", explanation as typed" if begun.rebuttal else "")
    # Not "typing goes on from its end": a new user's trial (session 28) typed the details after
    # the choice, in its line, and the choice prompt refused the whole.
    # Said of the details: a new user's trial (session 34) typed a whole new line after them, read
    # the toolbar's "typing goes on from its end" too late, and signed both run together.
    then = (", then its details, as typed, stand in theirs, where typing goes on from their end (Ctrl-U clears "
            "them to type anew)") if begun.details else ", then its details are asked"
    # A choice that asks for no details is taken as it is (linkwarden's `no`, a new user's trial,
    # session 37, was told its details would be asked).
    if not begun.details and begun.answer.lower() not in (a.lower() for a in q.details):
        then = ""
    return (f"Before stopping you had begun this answer ({inert(given, keep_newlines=False)}): its choice stands in "
            f"the line; Enter takes it{then}.")


def _offer_draft(prompter: Prompter, draft: Any, checklist: Checklist, fingerprint: str) -> tuple[dict[str, Answer], dict[str, Answer]]:
    """The draft's answers and half-given answers when the author resumes it (``walk`` says how
    they are used), else nothing."""
    from rich.text import Text

    if draft is None or draft.checklist != checklist.id:
        return {}, {}
    answers = {qid: a for qid, a in draft.answers.items() if checklist.question(qid) is not None}
    pending = {qid: a for qid, a in draft.pending.items() if checklist.question(qid) is not None}
    if not answers and not pending:
        return {}, {}
    prompter.say(Text(""))
    if draft.fingerprint != fingerprint:
        prompter.say(Text("The flagged files have changed since the draft was saved: check each answer again.", style="yellow"))
    n = len(answers)
    what = [f"{n} answer{'s' if n != 1 else ''}"] if n else []
    if pending:  # which ones is said at each (Walk.ask): the prompt stays one line at 100 columns
        what.append(("a half-given one" if n else "a half-given answer") if len(pending) == 1 else f"{len(pending)} half-given")
    if not prompter.confirm(f"Resume the draft from {draft.saved} with {' and '.join(what)}?", default=True):
        return {}, {}
    return answers, pending


def confirm_signing(kept: str = "Your answers are kept as a draft; run deploycheck again to resume.", interactive: bool = True,
                    prompter: Any = None, moves: bool = False) -> bool:
    """Ask before signing. Ctrl-C or end of input write nothing; ``kept`` says where the
    answers are (the walkthrough's draft, or the answers file of ``check --answers``). With
    ``moves`` (the walkthrough's own prompter), ``back``, ``help`` and ``review`` raise
    ``prompts.Move`` as at a question."""
    from ..output.console import out

    if prompter is None:
        prompter = make_prompter(out()) if interactive else Prompter(out())
    try:
        return prompter.confirm("Sign and write the record?", default=True, moves=moves)
    except KeyboardInterrupt:
        from rich.text import Text

        if prompter.ends_interrupted_line:
            prompter.say(Text(""))  # the terminal echoed ^C after the prompt: end that line first
        raise Interrupted(f"interrupted before signing; nothing was written. {kept}") from None
    except EOFError:
        raise Aborted(f"input ended before signing; nothing was written. {kept}") from None


def confirm_answers(checklist: Checklist, answers: Mapping[str, Answer], source: str) -> bool:
    """``check --answers`` at a terminal: show the answers read from ``source`` as the
    walkthrough shows its own, then ask before signing, as the walkthrough does."""
    from rich.text import Text

    from ..output.console import out

    prompter = Prompter(out())
    prompter.say(Text(""), summary_table(checklist, answers, prompter.width), Text(""))
    # --answers keeps the plain prompt it always had (now also taking yes/no for y/n).
    return confirm_signing(f"The answers in {inert(source, keep_newlines=False)} are unchanged; run deploycheck again to sign them.", interactive=False)

