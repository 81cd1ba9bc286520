"""Regenerate the README's pictures: docs/scan.svg and docs/walkthrough.svg.

    python scripts/make_pictures.py

Builds the demo repository (`deploycheck demo`'s shop and its "minor refactor") in a temporary
folder, then records with Rich, at 100 columns: what `deploycheck scan` prints, and the
interactive walkthrough driven by scripted answers (including one the findings contradict, to
show the challenge). Commit dates and the trusted key are fixed, so running the script twice
gives the same files.
"""

from __future__ import annotations

import io
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

    from deploycheck import report
    from deploycheck.walkthrough import _read_sources

    console = recording_console()
    console.print(command_line("deploycheck scan"))
    for renderable in report.render_scan_text(ctx.scan, _read_sources(ctx)):
        console.print(renderable, soft_wrap=not isinstance(renderable, Padding))
    console.save_svg(str(path), title="deploycheck scan")


def render_walkthrough(ctx, path: Path) -> None:
    from rich.text import Text

    from deploycheck.checklist import load_builtin
    from deploycheck.verification import head_reader, load_trust
    from deploycheck.walkthrough import Prompter, Walk, _read_sources, glance

    console = recording_console()
    checklist = load_trust(ctx).checklist or load_builtin("background-jobs")
    sources = _read_sources(ctx)
    exists, text = head_reader(ctx)
    prompter = Prompter(console, stream=io.StringIO(WALKTHROUGH_INPUT))
    console.print(command_line("deploycheck"))
    # The glance (every finding with its source lines) is what docs/scan.svg shows; here only
    # its first and last lines, so the picture is about the questions.
    shown = glance(ctx, checklist, sources)
    prompter.say(*shown[:2], Text("  … the findings, as in `deploycheck scan` …", style="dim"), shown[-1])
    Walk(checklist, ctx.scan.active, ctx.config, exists, text, prompter, sources).run()
    console.save_svg(str(path), title="deploycheck: the checklist")


def main() -> int:
    from deploycheck.commands.common import analyse
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
