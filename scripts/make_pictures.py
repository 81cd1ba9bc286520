"""Regenerate the pictures and transcript the docs show of deploycheck: docs/scan.svg,
docs/walkthrough.svg (both shown in README.md) and the `deploycheck demo` transcript in docs/demo.md.

    python scripts/make_pictures.py

Builds the demo repository (`deploycheck demo`'s shop and its "minor refactor") in a temporary
folder, then records with Rich, at 100 columns: what `deploycheck scan` prints, and the
interactive walkthrough driven by scripted answers (including one the findings contradict, to
show the challenge). Commit dates and the trusted key are fixed, so running the script twice
gives the same pictures. The transcript is the real output of `deploycheck demo` without a
terminal at 100 columns, with trailing spaces and the PR block's answers after the first trimmed.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
WIDTH = 100
FIXED_DATES = {"GIT_AUTHOR_DATE": "2026-01-15T10:00:00Z", "GIT_COMMITTER_DATE": "2026-01-15T10:00:00Z"}

# What the author types, one line per prompt: a first answer that the findings contradict,
# "change", then the real answers.
WALKTHROUGH_INPUT = """\
no
change
yes
decrements inventory.Product.stock, which the checkout API also writes
yes
nothing yet: the refactor reads, computes and saves; restore the F() update
yes
tests/test_inventory_concurrency.py
yes
Two workers reserving the same product at the same moment: both read 10, both save 9.
.
"""


def fixed_public_key() -> str:
    """An ed25519 public key from a fixed seed: pictures must not change with every run."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def recording_console():
    from rich.console import Console

    return Console(
        record=True, width=WIDTH, file=io.StringIO(), force_terminal=True, color_system="truecolor",
        no_color=False, markup=False, highlight=False, emoji=False,
    )


def command_line(text: str):
    from rich.text import Text

    return Text(f"$ {text}", style="bold")


def render_scan(ctx, path: Path) -> None:
    from rich.padding import Padding

    from deploycheck.output import report
    from deploycheck.authoring.walkthrough import _read_sources

    console = recording_console()
    console.print(command_line("deploycheck scan"))
    for renderable in report.render_scan_text(ctx.scan, _read_sources(ctx)):
        console.print(renderable, soft_wrap=not isinstance(renderable, Padding))
    console.save_svg(str(path), title="deploycheck scan")


def render_walkthrough(ctx, path: Path) -> None:
    from rich.text import Text

    from deploycheck.checklist.checklist import load_builtin
    from deploycheck.gate.verification import head_reader, load_trust
    from deploycheck.authoring.walkthrough import Prompter, Walk, _read_sources, glance

    console = recording_console()
    checklist = load_trust(ctx).checklist or load_builtin("background-jobs")
    sources = _read_sources(ctx)
    exists, text = head_reader(ctx)
    prompter = Prompter(console, stream=io.StringIO(WALKTHROUGH_INPUT))
    console.print(command_line("deploycheck"))
    # The glance (every finding with its source lines) is what docs/scan.svg shows; here only
    # its first and last lines, so the picture is about the questions.
    shown = glance(ctx, checklist, sources, WIDTH)
    tail = next(i for i, line in enumerate(shown) if re.match(r"\d+ findings?;", line.plain))
    prompter.say(*shown[:2], Text("  … the findings, as in `deploycheck scan` …", style="dim"), *shown[tail:], wrap=False)
    Walk(checklist, ctx.scan.active, ctx.config, exists, text, prompter, sources).run()
    console.save_svg(str(path), title="deploycheck: the checklist")


def demo_transcript() -> str:
    """`deploycheck demo` as a user without a terminal sees it, trimmed for docs/demo.md."""
    env = dict(os.environ, COLUMNS=str(WIDTH), NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "deploycheck", "demo"], env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"deploycheck demo exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    out, in_checklist, answers = [], False, 0
    for line in (line.rstrip() for line in proc.stdout.splitlines()):
        if line.startswith("Checklist `"):
            in_checklist = True
        elif line.startswith("Signed by "):
            in_checklist = False
        elif in_checklist and line.startswith("- "):
            answers += 1
            if answers > 1:
                if answers == 2:
                    out.append("- …")
                continue
        out.append(line)
    return "\n".join(out)


def update_demo_transcript(transcript: str) -> None:
    """Replace the demo transcript in docs/demo.md, and the record name that the by-hand recipe in
    docs/records.md uses."""
    demo_path = DOCS / "demo.md"
    demo = demo_path.read_text(encoding="utf-8")
    start = demo.index("```text\n$ deploycheck demo\n")
    end = demo.index("\n```\n", start) + len("\n```\n")
    demo_path.write_text(demo[:start] + f"```text\n$ deploycheck demo\n{transcript}\n```\n" + demo[end:], encoding="utf-8")
    record = re.search(r"\.deploycheck/records/\S+?\.yaml", transcript)
    if record:
        records_path = DOCS / "records.md"
        records = records_path.read_text(encoding="utf-8")
        records = re.sub(r"^R=\.deploycheck/records/\S+\.yaml$", f"R={record.group(0)}", records, flags=re.M)
        records_path.write_text(records, encoding="utf-8")


def main() -> int:
    from deploycheck.analysis.pipeline import analyse
    from deploycheck.commands.demo import SCRATCH, build_repository, isolated

    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="deploycheck-pictures-") as tmp:
        repo = Path(tmp) / "shop"
        scratch = repo / ".git" / SCRATCH
        scratch.mkdir(parents=True)
        with isolated(repo, scratch, extra_env=FIXED_DATES):
            build_repository(repo, scratch, public_key=fixed_public_key())
            ctx = analyse(None)  # the default base, main, as a user on the branch would get
            render_scan(ctx, DOCS / "scan.svg")
            render_walkthrough(ctx, DOCS / "walkthrough.svg")
    for name in ("scan.svg", "walkthrough.svg"):
        print(f"wrote docs/{name}")
    update_demo_transcript(demo_transcript())
    print("updated the demo transcript in docs/demo.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
