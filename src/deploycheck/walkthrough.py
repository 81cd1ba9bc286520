"""The interactive checklist of `deploycheck check`: all of its terminal input and output.

``walk`` shows the change at a glance (base, flagged files, each finding with its source lines),
then asks each question of the checklist with the findings that are evidence for it beside it.
Details that the checklist or the policy requires are asked right after the answer that needs
them; answers that contradict the findings are challenged at once (explain why the answer
stands, or change it); validation problems and warnings are shown as each answer is given.

Every answer is saved to a draft (``deploycheck.drafts``) as it is given, and the complete set
once more before ``walk`` returns, so Ctrl-C, end of input or a failed signature never lose
work: the next run offers to resume. ``check`` deletes the draft once a record is written.

Prompting goes through ``Prompter`` (Rich prompts). It reads the terminal, or, for tests, a
stream of scripted lines — the same code path either way, detect-secrets style.

Untrusted text (paths, messages, source lines, answers, draft contents) is shown only through
``safe.inert`` inside ``rich.text.Text``; the consoles have markup switched off.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence, TextIO

from .answers import (
    Answer, check_test_reference, contradictions, is_sentence, keep_warnings, validate_answers, with_rebuttal,
)
from .checklist import Checklist, Question
from .config import Config
from .errors import Aborted, Interrupted
from .model import Finding
from .safe import inert, one_line

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from .commands.common import Context

END_OF_TEXT = "."  # a line with only this ends a multi-line answer
CHANGE, EXPLAIN = "change", "explain"
DRAFT_HINT = "Ctrl-C stops at any prompt; your answers so far are kept as a draft and offered next time."


# --- prompting ----------------------------------------------------------------------------------


class Prompter:
    """Asks one thing at a time with Rich's prompts, on ``console``.

    ``stream`` replaces the terminal with scripted lines (tests); its end raises EOFError just
    as Ctrl-D does at a terminal, and each line read is echoed so a transcript reads naturally.
    """

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

    def choice(self, prompt: str, choices: Sequence[str], default: str | None = None) -> str:
        """One of ``choices`` (case-insensitive); Enter takes ``default`` when there is one."""
        from rich.text import Text

        return self._prompt_cls.ask(
            Text(inert(prompt)), console=self.console, choices=list(choices), case_sensitive=False,
            default=default if default is not None else ..., stream=self.stream,
        )

    def line(self, prompt: str, default: str | None = None) -> str:
        """A non-empty line of text; Enter takes ``default`` when there is one."""
        from rich.text import Text

        while True:
            value = self._prompt_cls.ask(
                Text(inert(prompt)), console=self.console,
                default=default if default is not None else ..., stream=self.stream,
            )
            if value.strip():
                return value.strip()
            self.say(Text("An answer is needed here.", style="yellow"))

    def lines(self, prompt: str, default: str | None = None) -> str:
        """Text over one or more lines, ended by a line with only ``.``; Enter on the first
        line takes ``default`` when there is one."""
        from rich.text import Text

        label = Text(inert(prompt))
        if default is not None:  # shown by hand: Rich cannot tell Enter from retyping the default
            label.append(f" ({one_line(default, 60)})", style="dim")
        while True:
            first = self._prompt_cls.ask(label, console=self.console, stream=self.stream)
            if default is not None and not first.strip():
                return default
            if not first.strip():
                self.say(Text("An answer is needed here.", style="yellow"))
                continue
            collected = [] if first.strip() == END_OF_TEXT else [first.rstrip()]
            while collected:
                more = self._prompt_cls.ask(Text("..."), console=self.console, stream=self.stream)
                if more.strip() == END_OF_TEXT:
                    break
                collected.append(more.rstrip())
            text = "\n".join(collected).strip("\n")
            if text.strip():
                return text
            self.say(Text("An answer is needed here.", style="yellow"))

    def confirm(self, prompt: str, default: bool = True) -> bool:
        from rich.text import Text

        return self._confirm_cls.ask(Text(inert(prompt)), console=self.console, default=default, stream=self.stream)


def _prompt_classes() -> tuple[Any, Any]:
    """Rich's Prompt and Confirm with plain-text messages (our consoles do not read markup),
    defaults shown inert, and end of a scripted stream raised as EOFError."""
    from rich.prompt import Confirm, Prompt
    from rich.text import Text

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

    class LinePrompt(Prompt):
        validate_error_message = "Please enter a valid value."
        illegal_choice_message = "Please answer with one of the choices in square brackets."

        def render_default(self, default: Any) -> Any:
            return Text(f"({one_line(default, 60)})", style="dim")

        get_input = classmethod(lambda cls, *a, **k: get_input(*a, **k))  # type: ignore[assignment]

    class YesNo(Confirm):
        validate_error_message = "Please answer y or n."

        get_input = classmethod(lambda cls, *a, **k: get_input(*a, **k))  # type: ignore[assignment]

    return LinePrompt, YesNo


# --- what is shown ------------------------------------------------------------------------------

Sources = Mapping[tuple[str, str], "list[str] | None"]


def wrapped(text: str, width: int, indent: str = "", style: str = "") -> list[Any]:
    """``text`` (made inert) as lines of at most ``width`` columns, without trailing spaces."""
    import textwrap

    from rich.text import Text

    lines = textwrap.wrap(inert(text, keep_newlines=False), max(20, width - len(indent)), break_on_hyphens=False)
    return [Text(indent + line, style=style) for line in lines or [""]]


def finding_block(finding: Finding, sources: Sources, width: int) -> list[Any]:
    """A finding as a linter shows it: ``path:line: RULE name [severity]``, the message, and the
    numbered source lines around it with ``>`` on its own lines. Lines are never wrapped by the
    console (print with ``soft_wrap=True``): source lines and ``path:line`` stay whole."""
    from . import report

    message = finding.message
    if finding.side == "base":
        message += f" ({report.removed_note(finding)})"
    out: list[Any] = [_heading(finding), *wrapped(message, width, "  ")]
    if finding.suppressed_by_author:  # the author's own ignore comment: shown, and why it does not count
        out.extend(wrapped(f"Note: {report.author_suppression_note(finding)}.", width, "  "))
    lines = sources.get((finding.path, finding.side))
    if lines:
        out.extend(report.source_frame(finding, lines))
    return out


def _heading(finding: Finding) -> Any:
    from . import report

    return report.finding_heading(finding)


def glance(ctx: "Context", checklist: Checklist, sources: Sources, width: int) -> list[Any]:
    """The change at a glance: what is compared, which files are flagged, every finding; as
    lines that fit ``width`` (print with ``soft_wrap=True``)."""
    from rich.text import Text

    from . import report

    scan = ctx.scan
    flagged = scan.flagged_files
    from .prfield import claim_lines, shown_claims

    out: list[Any] = [
        *[part for line in claim_lines(shown_claims(ctx)) for part in wrapped(line, width, style="bold yellow")],  # first: said vs changed
        Text(f"deploycheck: {inert(checklist.title)} (checklist {inert(checklist.id)} v{checklist.version})", style="bold"),
        Text(report.base_line(ctx.change), style="dim"),
        Text(""),
        Text(f"Flagged files ({len(flagged)}):", style="bold"),
        *[Text(f"  {inert(path, keep_newlines=False)}") for path in flagged],
        Text(""),
    ]
    for finding in scan.active:
        out.extend(finding_block(finding, sources, width))
        out.append(Text(""))
    count = len(scan.active)
    out.extend(wrapped(
        f"{count} finding{'s' if count != 1 else ''}; {len(checklist.questions)} questions follow. {DRAFT_HINT}",
        width, style="dim",
    ))
    return out


def evidence_for(question: Question, checklist: Checklist, findings: Sequence[Finding]) -> tuple[list[Finding], list[str]]:
    """The findings that are evidence for ``question``, and the categories that put it in focus."""
    evidence = [f for f in findings if question.id in f.questions]
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
    through ``on_answer`` (which saves the draft)."""

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
        on_answer: Callable[[dict[str, Answer]], None] | None = None,
    ) -> None:
        self.checklist = checklist
        self.findings = list(findings)
        self.config = config
        self.exists = head_file_exists
        self.text = head_file_text
        self.prompter = prompter
        self.sources = sources or {}
        self.previous = dict(previous or {})  # a resumed draft: offered as defaults
        self.on_answer = on_answer
        self.answers: dict[str, Answer] = {}

    def run(self) -> dict[str, Answer]:
        total = len(self.checklist.questions)
        for number, question in enumerate(self.checklist.questions, 1):
            self.answers[question.id] = self.ask(question, number, total)
            if self.on_answer is not None:
                self.on_answer(dict(self.answers))
        from rich.text import Text

        self.prompter.say(Text(""), summary_table(self.checklist, self.answers, self.prompter.width))
        return dict(self.answers)

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
                say(Text("  ") + _heading(finding))
        elif not q.free_text:
            say(Text("No finding points at this question directly; answer from what you know of the change.", style="dim"))

    def ask(self, q: Question, number: int, total: int) -> Answer:
        from rich.text import Text

        self.show_question(q, number, total)
        default = self.previous.get(q.id)
        while True:
            candidate = self.ask_answer(q, default)
            challenged = self.challenge(q, candidate, default)
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
                default = candidate
                continue
            for warning in warnings:
                self.prompter.say(Text("Warning: ", style="bold yellow") + Text(inert(warning)))
            return keep_warnings({q.id: candidate}, warnings)[q.id]

    def ask_answer(self, q: Question, default: Answer | None) -> Answer:
        from rich.text import Text

        if q.free_text:
            self.prompter.say(Text(
                f"Answer in at least one sentence, over one or more lines; a line with only {END_OF_TEXT} ends the answer"
                + (" (Enter on the first line keeps the draft's answer)." if default else "."),
                style="dim",
            ))
            return Answer(self.prompter.lines("Answer", default.answer if default else None))
        previous = default.answer if default and default.answer in q.choices else None
        answer = self.prompter.choice(q.text, q.choices, previous).strip().lower()
        need = detail_need(q, answer, self.config)
        if need is None:
            return Answer(answer)
        keep = default.details if default and default.answer == answer else None
        self.prompter.say(Text(f"Details for '{answer}': {inert(need.prompt)}", style="cyan"))
        while True:
            details = self.prompter.line("Details", keep)
            why = check_test_reference(details, self.exists) if need.check == "test" else None
            if why is None:
                return Answer(answer, details)
            self.prompter.say(Text("Not accepted: ", style="bold red") + Text(inert(why)))
            keep = None

    def challenge(self, q: Question, candidate: Answer, default: Answer | None) -> Answer | None:
        """The answer, with the author's rebuttal when it contradicts the findings; None when
        the author decides to change it."""
        from rich.text import Text

        found = contradictions({q.id: candidate}, self.findings)
        if not found:
            return candidate
        say = self.prompter.say
        say(Text(""), Text("This answer contradicts the findings.", style="bold red"))
        for c in found:
            say(Text(inert(c.message[:1].upper() + c.message[1:])))
            for finding in c.findings:
                say(Text(""), *finding_block(finding, self.sources, self.prompter.width), wrap=False)
        say(Text(""))
        say(Text(
            "Change the answer, or explain why it stands (at least a sentence; it is kept in the record "
            "beside the findings for the reviewer).",
        ))
        earlier = default.rebuttal if default and default.answer == candidate.answer else None
        decision = self.prompter.choice("Change or explain?", (CHANGE, EXPLAIN), EXPLAIN if earlier else None)
        if decision.strip().lower() == CHANGE:
            return None
        while True:
            rebuttal = self.prompter.line("Explanation", earlier)
            if is_sentence(rebuttal):
                return with_rebuttal(candidate, rebuttal)
            say(Text("Please explain in at least a sentence (20 characters or more, with spaces).", style="yellow"))
            earlier = None


# --- the edges: what check.py calls -------------------------------------------------------------


def _read_sources(ctx: "Context") -> Sources:
    from . import report
    from .gitcmd import BlobReader
    from .scan import MAX_TEXT_BYTES

    if not ctx.scan.findings:
        return {}
    with BlobReader(ctx.change.repo_root) as blobs:
        return report.read_sources(ctx.scan, lambda oid: blobs.read(oid, MAX_TEXT_BYTES))


def change_fingerprint(ctx: "Context") -> str:
    from .fingerprint import fingerprint
    from .verification import change_digests

    return fingerprint(change_digests(ctx))


def walk(ctx: "Context", checklist: Checklist) -> dict[str, Answer] | None:
    """Show the change, ask the checklist, return the answers (None: the author declined).

    Ctrl-C raises Interrupted (exit 130), end of input Aborted (exit 1); either way the answers
    given so far are in the draft and nothing else is written.
    """
    from rich.text import Text

    from . import drafts
    from .assess import branch_name
    from .console import out
    from .record import utc_now
    from .verification import head_reader

    root = ctx.change.repo_root
    branch = branch_name(root)
    fingerprint = change_fingerprint(ctx)
    prompter = Prompter(out())
    sources = _read_sources(ctx)
    exists, text = head_reader(ctx)

    def save(answers: dict[str, Answer]) -> str:
        # A resumed draft's answers that have not been given again yet stay in the draft, so
        # stopping (or a killed terminal) right after resuming never loses them.
        merged = {**session.previous, **answers}
        ordered = {q.id: merged[q.id] for q in checklist.questions if q.id in merged}
        draft = drafts.Draft(utc_now(), branch, checklist.id, checklist.version, fingerprint, ordered)
        return str(drafts.save_draft(root, draft))

    session = Walk(checklist, ctx.scan.active, ctx.config, exists, text, prompter, sources, on_answer=save)
    prompter.say(*glance(ctx, checklist, sources, prompter.width), wrap=False)
    offered = False

    def keep() -> str:
        """Save what this run knows; say where it is."""
        if not offered:  # stopped at "Resume the draft?": the draft stays exactly as it was
            path = drafts.draft_path(root, branch)
            return f"The draft {inert(path)} is kept as it was; run deploycheck again to resume it." if path.is_file() else ""
        given = {**session.previous, **session.answers}
        return _kept(given, save(session.answers))

    try:
        session.previous = _offer_draft(prompter, drafts.load_draft(root, branch), checklist, fingerprint)
        offered = True
        answers = session.run()
    except KeyboardInterrupt:
        kept = keep()
        prompter.say(Text(""))  # the terminal echoed ^C after the prompt: end that line first
        raise Interrupted(f"interrupted; nothing was written. {kept}") from None
    except EOFError:
        kept = keep()
        raise Aborted(
            f"input ended (Ctrl-D) before the checklist was complete; nothing was written. "
            f"{kept} Answer in a terminal, or pass the answers with `deploycheck check --answers FILE`."
        ) from None
    save(answers)  # kept until a record is written, so a failed signature loses nothing
    prompter.say(Text(""))
    return answers


def _kept(answers: Mapping[str, Answer], path: str) -> str:
    n = len(answers)
    if n == 0:
        return "No answer was complete yet."
    return f"Your {n} answer{'s are' if n != 1 else ' is'} kept in the draft {inert(path)}; run deploycheck again to resume."


def _offer_draft(prompter: Prompter, draft: Any, checklist: Checklist, fingerprint: str) -> dict[str, Answer]:
    """The draft's answers when the author resumes it (offered as defaults), else nothing."""
    from rich.text import Text

    if draft is None or draft.checklist != checklist.id:
        return {}
    answers = {qid: a for qid, a in draft.answers.items() if checklist.question(qid) is not None}
    if not answers:
        return {}
    prompter.say(Text(""))
    if draft.fingerprint != fingerprint:
        prompter.say(Text("The flagged files have changed since the draft was saved: check each answer again.", style="yellow"))
    n = len(answers)
    if not prompter.confirm(f"Resume the draft from {draft.saved} with {n} answer{'s' if n != 1 else ''}?", default=True):
        return {}
    prompter.say(Text("The draft's answers are the defaults: press Enter to keep one, or type a new answer.", style="dim"))
    return answers


def confirm_signing(kept: str = "Your answers are kept as a draft; run deploycheck again to resume.") -> bool:
    """Ask before signing. Ctrl-C or end of input write nothing; ``kept`` says where the
    answers are (the walkthrough's draft, or the answers file of ``check --answers``)."""
    from .console import out

    prompter = Prompter(out())
    try:
        return prompter.confirm("Sign and write the record?", default=True)
    except KeyboardInterrupt:
        from rich.text import Text

        prompter.say(Text(""))  # the terminal echoed ^C after the prompt: end that line first
        raise Interrupted(f"interrupted before signing; nothing was written. {kept}") from None
    except EOFError:
        raise Aborted(f"input ended before signing; nothing was written. {kept}") from None


def confirm_answers(checklist: Checklist, answers: Mapping[str, Answer], source: str) -> bool:
    """``check --answers`` at a terminal: show the answers read from ``source`` as the
    walkthrough shows its own, then ask before signing, as the walkthrough does."""
    from rich.text import Text

    from .console import out

    prompter = Prompter(out())
    prompter.say(Text(""), summary_table(checklist, answers, prompter.width), Text(""))
    return confirm_signing(f"The answers in {inert(source, keep_newlines=False)} are unchanged; run deploycheck again to sign them.")

