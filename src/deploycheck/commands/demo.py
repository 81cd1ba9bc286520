"""`deploycheck demo`: replay the inventory incident in a throwaway repository and catch it.

The demo builds a small shop (``deploycheck.demo.project``) in a temporary folder, or in
``--keep DIR``, then runs the real commands in this process, in the order a team meets them:
scan, the incident reproduced (8 workers on a SQLite file), the CI gate failing, the checklist,
a signed record, the gate passing, the PR block.

Isolation is the point of a demo that runs on anyone's machine: while it runs, git reads no
global or system configuration (so no hooks, signing settings or templates of the user's),
commits use a fixed identity, HOME and TMPDIR point inside the demo folder, and the signing key
is a throwaway ed25519 key made for the demo. Everything is restored afterwards, and without
``--keep`` the folder is removed, even after an error or Ctrl-C.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..demo import project as P
from ..git import gitcmd
from ..errors import Aborted, DeployCheckError, Interrupted, UsageError

STEPS = 7
SCRATCH = "deploycheck-demo"  # inside the demo repository's .git: the key, HOME and TMPDIR

# Variables that would point the demo at the user's setup (CI base refs, keys, agents, hooks).
_DROP_PREFIXES = ("GIT_", "DEPLOYCHECK_", "GITHUB_", "GITLAB_", "CI_MERGE_REQUEST_", "PRE_COMMIT_")
_DROP = ("SSH_AUTH_SOCK", "SSH_ASKPASS", "DISPLAY_SSH_ASKPASS", "GNUPGHOME")


def run(keep: Path | None) -> int:
    if keep is not None:
        return _demo(_prepare_keep_dir(keep), kept=True)
    import signal

    owner = os.getpid()
    terminal = _terminal_state()
    root = tempfile.mkdtemp(prefix="deploycheck-demo-")

    def stop(signum: int, frame: object) -> None:
        """SIGHUP (the terminal was closed) or SIGTERM: the throwaway folder, which holds the
        demo's private key, is removed here and the process ends here. Unwinding instead (an
        exception raised from the handler) depends on where the signal lands: at a prompt it
        has to pass through prompt_toolkit's event loop, whose shutdown waits for tasks that may
        never finish, so a demo stopped at its first question could hang instead of exiting."""
        if os.getpid() == owner:  # a forked helper process only exits: the demo's own process cleans up
            _restore_terminal(terminal)
            shutil.rmtree(root, ignore_errors=True)
            # os.write, not print: the handler may run while the main thread holds stderr's
            # buffer, and print would then fail. The terminal may be gone (SIGHUP): best effort.
            name = signal.Signals(signum).name
            said = f"\ndeploycheck: demo stopped by {name}; its temporary folder and key were removed.\n"
            try:
                os.write(2, said.encode())
            except OSError:
                pass
        # os._exit: Python's own shutdown would flush a terminal that may be gone and wait for
        # child processes; the cleanup that matters is done.
        os._exit(128 + signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGHUP, signal.SIGTERM)}
    try:
        return _demo(Path(root) / "shop", kept=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _terminal_state() -> list | None:
    """The terminal's modes as the demo found them, to put back if a signal ends it at a prompt
    (where prompt_toolkit has switched the terminal to raw mode)."""
    try:
        import termios

        return termios.tcgetattr(sys.stdin.fileno())
    except Exception:  # no termios, no stdin, or stdin is not a terminal (termios.error)
        return None


def _restore_terminal(state: list | None) -> None:
    if state is None:
        return
    try:
        import termios

        termios.tcsetattr(sys.stdin.fileno(), termios.TCSANOW, state)
        # The prompt also hid the cursor and turned on bracketed paste: turn both back.
        os.write(sys.stdout.fileno(), b"\x1b[?25h\x1b[?2004l")
    except Exception:  # termios.error, OSError: the terminal is gone (SIGHUP); nothing to restore
        pass


def _prepare_keep_dir(keep: Path) -> Path:
    path = keep.expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise UsageError(f"--keep {keep}: this is a file, not a folder. Pass a new or empty folder for the demo repository.")
    if path.is_dir() and any(path.iterdir()):
        raise UsageError(
            f"--keep {keep}: the folder is not empty, and the demo never writes into a folder that holds files. "
            "Pass a new or empty folder, e.g. `deploycheck demo --keep /tmp/deploycheck-demo`."
        )
    path.mkdir(parents=True, exist_ok=True)
    return path


# ------------------------------------------------------------------------------ isolation


def demo_env(scratch: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the demo runs in: the user's, minus everything git, CI or ssh would
    read from their setup, plus a fixed identity."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROP_PREFIXES) and k not in _DROP}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME=P.AUTHOR_NAME,
        GIT_AUTHOR_EMAIL=P.PRINCIPAL,
        GIT_COMMITTER_NAME=P.AUTHOR_NAME,
        GIT_COMMITTER_EMAIL=P.PRINCIPAL,
        HOME=str(scratch / "home"),
        TMPDIR=str(scratch / "tmp"),
    )
    if os.environ.get("DEPLOYCHECK_DEBUG"):
        env["DEPLOYCHECK_DEBUG"] = os.environ["DEPLOYCHECK_DEBUG"]
    env.update(extra or {})
    return env


@contextmanager
def isolated(repo: Path, scratch: Path, extra_env: dict[str, str] | None = None) -> Iterator[None]:
    """Run the block with the demo environment (plus ``extra_env``), cwd in the demo repository
    and temporary files in the scratch folder; restore all three afterwards."""
    for sub in ("home", "tmp"):
        (scratch / sub).mkdir(parents=True, exist_ok=True)
    saved_env, saved_cwd, saved_tempdir = dict(os.environ), os.getcwd(), tempfile.tempdir
    os.environ.clear()
    os.environ.update(demo_env(scratch, extra_env))
    tempfile.tempdir = str(scratch / "tmp")
    os.chdir(repo)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        tempfile.tempdir = saved_tempdir
        os.environ.clear()
        os.environ.update(saved_env)


def _git(repo: Path, *args: str) -> str:
    return gitcmd.output(list(args), str(repo))


def _commit(repo: Path, files: dict[str, str], message: str) -> None:
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _git(repo, "add", "--", *files)
    _git(repo, "commit", "-q", "--no-verify", "-m", message)


# ----------------------------------------------------------------------------- the key


def make_demo_key(directory: Path) -> tuple[Path, str]:
    """A throwaway ed25519 key without passphrase: (private key path, ``type base64`` public key).

    ``ssh-keygen`` when it is installed, otherwise the ``cryptography`` package (the same key
    format; deploycheck's built-in signer then signs with it)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "demo_ed25519"
    keygen = shutil.which("ssh-keygen")
    made = False
    if keygen:
        proc = subprocess.run(
            [keygen, "-q", "-t", "ed25519", "-N", "", "-C", f"{P.PRINCIPAL} (deploycheck demo)", "-f", str(path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        made = proc.returncode == 0 and path.is_file()
    if not made:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = Ed25519PrivateKey.generate()
        private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption())
        public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(private)
        Path(str(path) + ".pub").write_bytes(public + f" {P.PRINCIPAL}\n".encode())
    public_key = " ".join(Path(str(path) + ".pub").read_text(encoding="ascii").split()[:2])
    return path, public_key


# ------------------------------------------------------------------------------ output


def _heading(number: int, title: str, command: str = "") -> None:
    from rich.text import Text

    from ..output.console import out

    con = out()
    con.print(Text(""))
    line = Text(f"── Step {number}/{STEPS} · {title}", style="bold cyan")
    con.print(line)
    if command:
        con.print(Text(f"$ {command}", style="bold"))


def _say(text: str, style: str = "", *, code: bool = False) -> None:
    """Prose wraps at the terminal's width; ``code`` (diff, YAML) is printed unbroken."""
    from rich.text import Text

    from ..output.console import out

    out().print(Text(text, style=style), soft_wrap=code)


# ------------------------------------------------------------------------------- the demo


def build_repository(repo: Path, scratch: Path, public_key: str | None = None) -> tuple[Path | None, str]:
    """main: the shop, then allowed_signers trusting the demo key; branch: the refactor.

    Returns the private key's path and the public key (``type base64``). With ``public_key``
    no key is made and that one is trusted (the pictures script uses a fixed one). Run inside
    ``isolated``."""
    _git(repo, "init", "-q", "--template=", str(repo))  # no templates: no sample or user hooks
    _git(repo, "symbolic-ref", "HEAD", "refs/heads/main")  # `init -b` needs git 2.28
    for name, value in (("user.name", P.AUTHOR_NAME), ("user.email", P.PRINCIPAL), ("commit.gpgsign", "false")):
        _git(repo, "config", name, value)
    key, public = (None, public_key) if public_key else make_demo_key(scratch / "key")
    _commit(repo, P.MAIN_FILES, "Shop: reserve stock with an atomic F() update")
    _commit(repo, {".deploycheck/allowed_signers": f"{P.PRINCIPAL} {public}\n"}, "Trust the demo key for deploycheck records")
    _git(repo, "checkout", "-q", "-b", P.BRANCH)
    _commit(repo, P.BRANCH_FILES, P.REFACTOR_MESSAGE)
    return key, public


def _changed_lines(repo: Path) -> list[str]:
    diff = _git(repo, "diff", "--no-color", "--no-ext-diff", "-U0", "main", P.BRANCH, "--", P.JOB_PATH)
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def _checklist_answers(ctx, checklist, scratch: Path, kept: bool = True):
    """The real walkthrough when a person is at the terminal; the built-in answers otherwise."""
    from ..checklist.answers import parse_answers

    if sys.stdin.isatty():
        try:
            from ..authoring.walkthrough import walk
        except ImportError:
            _say("(The interactive walkthrough is not available in this build; using the demo's built-in answers.)", "yellow")
        else:
            try:
                return walk(ctx, checklist, confirm=False)  # the demo signs with its own key, unasked
            except (Interrupted, Aborted) as exc:
                if kept:  # the draft stays in the kept folder, where the message says it is
                    raise
                raise type(exc)(throwaway_draft_message(exc)) from None
    else:
        _say(
            "Standard input is not a terminal, so the demo answers the checklist from its built-in answers file "
            "(the format `deploycheck check --answers FILE` reads). Run `deploycheck demo` in a terminal to "
            "answer the questions yourself.",
            "yellow",
        )
    path = scratch / "answers.yaml"
    path.write_text(P.ANSWERS, encoding="utf-8")
    _say("")
    for line in P.ANSWERS.splitlines():
        _say("  " + line, "dim", code=True)
    return parse_answers(P.ANSWERS.encode(), str(path), checklist)


def throwaway_draft_message(exc: DeployCheckError) -> str:
    """The walkthrough's message for a stopped checklist, for a demo folder that is removed: it
    said the answers were kept in a draft there and to run deploycheck again to resume, but the
    folder and the draft are gone when the demo exits."""
    said = str(exc)
    stopped = said.split(". ", 1)[0] + "."  # "interrupted; nothing was written." and the like
    return (
        f"{stopped} The demo's temporary folder, with the draft of your answers, is removed as the demo ends; "
        "run `deploycheck demo` to start again, or `deploycheck demo --keep DIR` to keep the repository "
        "(then `cd DIR && deploycheck` resumes a stopped checklist)."
    )


def _demo(repo: Path, kept: bool) -> int:
    from ..authoring.assess import sign_and_write, trust_warning_for, validate
    from ..records.signing import discover_signing_key
    from ..checklist.checklist import load_builtin
    from ..output.console import warn
    from ..authoring.drafts import discard
    from ..util.safe import inert
    from ..gate.verification import load_trust
    from . import scan, summary, verify
    from ..analysis.pipeline import analyse

    git_dir = repo / ".git"
    scratch = git_dir / SCRATCH
    repo.mkdir(parents=True, exist_ok=True)
    where = f"kept in {inert(str(repo))}" if kept else f"in {inert(str(repo))}, removed at the end"
    _say("deploycheck demo: the inventory incident, replayed in a throwaway repository", "bold")
    _say(f"(a temporary git repository {where}; nothing outside it is read or written)", "dim")
    git_dir.mkdir()  # so the scratch folder exists before git runs; `git init` keeps it
    scratch.mkdir()
    with isolated(repo, scratch):
        key, public = build_repository(repo, scratch)

        _heading(1, 'The shop and its "minor refactor"')
        _say("main: a Celery task reserves stock with one atomic UPDATE (Django's F() expression).")
        _say("main also trusts a throwaway ed25519 key made for this demo, in .deploycheck/allowed_signers:")
        _say(f"  {P.PRINCIPAL} {public[:40]}…", "dim", code=True)
        _say(f'Branch {P.BRANCH}, commit "{P.REFACTOR_MESSAGE}", changes {P.JOB_PATH}:')
        for line in _changed_lines(repo):
            _say("  " + line, "red" if line.startswith("-") else "green", code=True)
        _say(
            "Tests, review and a single-worker staging all pass. In production two workers read the same stock, "
            "and the second save() overwrites the first: orders are accepted for stock that no longer exists."
        )

        _heading(2, "The scan finds the hazard in the diff", "deploycheck scan --base main")
        scan.run(base="main", head=None, format="text", fail_on_findings=False)
        ctx = analyse("main")
        if not ctx.scan.flagged:
            raise DeployCheckError(
                "the demo did not reproduce the incident: the scan flagged nothing in the refactor. "
                "This is a bug in deploycheck; please report it with the output above."
            )
        _reproduce_with_workers()

        _heading(3, "The CI gate fails: no record", "deploycheck verify --base main")
        failed = verify.run(base="main", head=None, format="text", allowed_signers=None, hook=False)
        _say(
            f"Exit status {failed}: the branch changes a flagged file and adds no signed record, so CI refuses "
            "the merge until someone has answered the checklist for exactly this change."
        )

        _heading(4, "The checklist, with the findings as evidence", "deploycheck")
        checklist = load_trust(ctx).checklist or load_builtin("background-jobs")
        given = _checklist_answers(ctx, checklist, scratch, kept)
        if given is None:
            _say("Checklist aborted; nothing was signed.", "yellow")
            return 1
        for message in validate(ctx, checklist, given):
            warn(message)

        _heading(5, "A record signed with the demo key, committed with the branch")
        note = trust_warning_for(ctx, discover_signing_key(str(key), repo))
        if note:
            warn(note)
        written = sign_and_write(ctx, checklist, given, str(key), stage=True)
        discard(str(repo))  # the record supersedes the walkthrough's draft
        _git(repo, "commit", "-q", "--no-verify", "-m", "Add the deploycheck record")
        _say(f"Wrote {written.path}, signed by {written.signer} (ed25519, SSHSIG), and committed it:", "green")
        record_lines = (repo / written.path).read_text(encoding="utf-8").splitlines()
        for line in _record_excerpt(record_lines):
            _say("  " + line, "dim", code=True)

        _heading(6, "The CI gate passes", "deploycheck verify --base main")
        passed = verify.run(base="main", head=None, format="text", allowed_signers=None, hook=False)
        _say(
            f"Exit status {passed}: the record's fingerprint matches the change, its signature is valid, and main's "
            "allowed_signers trusts its key. Any later edit to the flagged file makes it stale."
        )

        _heading(7, "The block for the pull request description", "deploycheck summary --base main")
        summary.run(base="main", format="markdown")

    _say("")
    if kept:
        _say(f"The demo repository is kept in {inert(str(repo))} (the throwaway key is in .git/{SCRATCH}/key/).", "bold")
        _say(f"Try: cd {inert(str(repo))} && deploycheck verify --base main && deploycheck log")
    else:
        _say("Done; the demo repository and its key have been removed.", "bold")
    return 0 if failed == 1 and passed == 0 else 1


def _reproduce_with_workers() -> None:
    """The incident reproduced, not only described: both versions of the job run by 8 threads
    against a temporary SQLite file (deploycheck.demo.inventory), every worker reading before
    any writes, so the refactor loses the same 7 updates on every machine."""
    from ..demo import inventory as inv

    _say("")
    _say(
        "The incident, reproduced: the refactor's get / modify / save and main's atomic UPDATE, in plain sqlite3, "
        "each run by 8 threads with their own connection to one SQLite file, every worker reading before any "
        "writes (deploycheck.testing.run_concurrently; see docs/testing.md):"
    )
    with tempfile.TemporaryDirectory(prefix="inventory-") as folder:
        for label, job in (("refactor", inv.reserve_read_modify_write), ("main", inv.reserve_atomic)):
            final, expected, run = inv.reproduce(Path(folder), job)
            lost = final - expected
            verdict = f"{lost} updates lost" if lost else "none lost"
            _say(
                f"  {label + ':':9} {run.workers} workers reserved 1 each from stock 100: stock is {final}, "
                f"expected {expected} — {verdict}", code=True,
            )
            if (job is inv.reserve_atomic) != (lost == 0):
                raise DeployCheckError(
                    f"the demo's concurrency test gave an unexpected result for the {label} version (stock {final}, expected "
                    f"{expected}). This is a bug in deploycheck; please report it with the output above."
                )


def _record_excerpt(lines: list[str]) -> list[str]:
    """The record's first fields, its fingerprint and the head of its signature block."""
    top = ("deploycheck_record:", "created:", "author:", "branch:", "fingerprint:", "signature:")
    keep: list[str] = []
    section = ""
    for line in lines:
        if not line.startswith(" "):
            section = line.split(":", 1)[0]
            if line.startswith("signature:"):
                keep.append("… (the findings shown to the author, the checklist and the answers)")
            if line.startswith(top):
                keep.append(line)
        elif section == "author" and line.startswith("  email:"):
            keep.append(line)
        elif section == "fingerprint" and line.startswith("  value:"):
            keep.append(line)
        elif section == "signature":
            keep.append(line)
            if "BEGIN SSH SIGNATURE" in line:
                keep.append("    …")
                break
    return keep
