"""Every git process deploycheck starts goes through here.

Git is run as a subprocess with pinned options so that no user or repository configuration
(external diff drivers, colour, quoting, prefixes) can change what is parsed, and with the
repository-locating variables that git exports inside hooks removed, so a hook run from one
repository never reads another.
"""

from __future__ import annotations

import os
import re
import subprocess
from contextlib import contextmanager
TYPE_CHECKING = False  # typing is for type checkers only: its import costs start-up time
if TYPE_CHECKING:
    from typing import IO, Iterator, Sequence

from ..errors import GitError

# Variables git sets for hooks and aliases; inherited, they would point our git calls at
# the wrong repository, index or worktree.
_REPO_ENV = (
    "GIT_DIR",
    "GIT_INDEX_FILE",
    "GIT_WORK_TREE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
    "GIT_NAMESPACE",
    "GIT_QUARANTINE_PATH",
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
    "GIT_PAGER",
    "GIT_CONFIG_PARAMETERS",
    # `git --literal-pathspecs push` (Magit passes it to every git it runs) exports these to the
    # hook: inherited, `*.rb` would name no file (or only top-level ones) and `:(literal)` be no
    # magic, so every grep of the family's files would find nothing and a job's callers would
    # look unreached. The case-folding one would name files the repository's own answer does not.
    "GIT_LITERAL_PATHSPECS",
    "GIT_GLOB_PATHSPECS",
    "GIT_NOGLOB_PATHSPECS",
    "GIT_ICASE_PATHSPECS",
)


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    # Configuration passed in the environment (GIT_CONFIG_COUNT/KEY/VALUE, GIT_CONFIG_PARAMETERS
    # from `git -c`) is kept on purpose: CI runners set safe.directory that way, and the diff
    # the rules and the fingerprint read pins every option that could change it (change.py).
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    env["GIT_TERMINAL_PROMPT"] = "0"  # never hang on a credential prompt in CI
    # A pushed refs/replace/<main's commit> makes every git command see another commit (another
    # tree, other parents) in its place: the merge-base, the diff and the base's config and
    # signers would all be the attacker's. Git's objects are read as they are (issue 15 red team).
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    env["LC_ALL"] = "C"  # stable messages to match on
    env.pop("LANGUAGE", None)
    if extra:
        env.update(extra)
    return env


def run(
    args: Sequence[str],
    cwd: str,
    *,
    check: bool = True,
    input: bytes | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` in ``cwd``; raise GitError (exit 2) with git's message on failure."""
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=input,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env or clean_env(),
        )
    except FileNotFoundError:
        raise GitError(
            "git is not installed or not on PATH. Install git (2.25 or newer) and run the command again."
        ) from None
    if check and proc.returncode != 0:
        raise GitError(_failed(args, proc.stderr))
    return proc


# What git says when the repository lacks an object it needs: a shallow or partial clone, or a
# damaged one (a new user's trial, session 26: a mirror without one image's blob made `git diff`
# fail, and the message named neither the cause nor the fix).
_MISSING_OBJECTS = re.compile(r"unable to read [0-9a-f]{7,}|bad object|missing (?:blob|tree|commit)|"
                              r"did not receive expected object|could not get object|promisor remote", re.IGNORECASE)


def _subcommand(args: Sequence[str]) -> str:
    """`git diff` for `git --git-dir=… -c x=y diff --numstat …`: the command, not our plumbing."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-c", "-C"):
            skip = True
        elif not arg.startswith("-"):
            return f"git {arg}"
    return "git"


def _failed(args: Sequence[str], stderr: bytes) -> str:
    said = _first_lines(stderr)
    if _MISSING_OBJECTS.search(said):
        return (f"`{_subcommand(args)}` failed: the repository lacks objects git needs ({said}): it is a "
                "shallow or partial clone, or a damaged one. Fetch the full history (`git fetch --unshallow`, "
                "or `git fetch --refetch` for a partial clone), or clone the repository again, and run the "
                "command again.")
    return (f"`{_subcommand(args)}` failed: {said}. "
            "Check that this is a healthy git repository and that the revisions named exist.")


def output(args: Sequence[str], cwd: str, **kwargs) -> str:
    return run(args, cwd, **kwargs).stdout.decode("utf-8", "surrogateescape").strip()


@contextmanager
def stream(args: Sequence[str], cwd: str, env: dict[str, str] | None = None) -> Iterator[IO[bytes]]:
    """Yield git's stdout as a binary stream, so huge outputs are never held in memory."""
    try:
        proc = subprocess.Popen(
            ["git", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or clean_env()
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH. Install git and run the command again.") from None
    assert proc.stdout is not None and proc.stderr is not None
    stdout = proc.stdout  # narrowed, for the lambda below
    _widen_pipe(proc.stdout)
    try:
        yield proc.stdout
        # Drain what the consumer did not read so git can exit.
        for _ in iter(lambda: stdout.read(1 << 16), b""):
            pass
    finally:
        err = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
        code = proc.wait()
    if code != 0:
        raise GitError(_failed(args, err))


def _widen_pipe(pipe: IO[bytes]) -> None:
    """Ask Linux for a 1 MiB pipe: fewer context switches between git and us on big diffs."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass  # not Linux, or over /proc/sys/fs/pipe-max-size: the default pipe works too


def _first_lines(stderr: bytes, limit: int = 3) -> str:
    text = stderr.decode("utf-8", "replace").strip()
    lines = [ln for ln in text.splitlines() if ln.strip()][:limit]
    return " / ".join(lines) or "no error message"


def toplevel(cwd: str) -> str:
    """The work tree's root; in a bare repository, its git directory: the commands that read
    commits, never files (`scan`, `verify`, `summary`, `log`, `envs`), work from the objects
    alone there, and those that write into a work tree ask ``work_tree`` instead."""
    proc = run(["rev-parse", "--show-toplevel"], cwd, check=False)
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace")
        if "dubious ownership" in msg or "safe.directory" in msg:
            raise GitError(
                f"git refuses to work in {cwd}: the repository is owned by another user. "
                f"If you trust it, run `git config --global --add safe.directory '{cwd}'` and try again."
            )
        where = run(["rev-parse", "--is-bare-repository", "--is-inside-git-dir", "--absolute-git-dir"], cwd, check=False)
        answers = where.stdout.decode("utf-8", "surrogateescape").split("\n") if where.returncode == 0 else []
        if answers[:1] == ["true"] and len(answers) > 2:
            return answers[2]  # bare: its git directory is all there is
        if answers[1:2] == ["true"]:
            raise GitError(
                f"{cwd} is inside a repository's git directory, not its work tree. Run deploycheck from the "
                "work tree: the folder that contains this .git folder."
            )
        raise GitError(
            f"{cwd} is not inside a git repository. Run deploycheck from a clone of your project "
            "(the folder that contains .git), or `git init` one first."
        )
    return proc.stdout.decode("utf-8", "surrogateescape").strip()


def work_tree(cwd: str, command: str, why: str) -> str:
    """``toplevel`` for a command that writes into a work tree (``why``: what it writes); in a
    bare repository, an error that says so and what to do instead."""
    root = toplevel(cwd)
    if run(["rev-parse", "--is-bare-repository"], cwd, check=False).stdout.strip() == b"true":
        raise GitError(
            f"{root} is a bare repository (no work tree), and `deploycheck {command}` {why}. Run it in a "
            f"clone that has a work tree: `git clone '{root}' DIR && cd DIR`. The commands that only read "
            "commits (`scan`, `verify`, `summary`, `log`, `envs`) work here as they are; name the commit to "
            "check with `--head REV` where the bare repository's HEAD is not it."
        )
    return root


def git_dir(root: str) -> str:
    """The absolute git directory of the work tree ``root`` (``toplevel``'s answer), read from
    ``root/.git`` without starting git: a folder, or a ``gitdir:`` file (linked worktrees,
    submodules); anything else is asked of git."""
    dot_git = os.path.join(root, ".git")
    if os.path.isdir(dot_git):
        return os.path.abspath(dot_git)
    try:
        with open(dot_git, "rb") as fh:
            first = fh.read(4096).decode("utf-8", "surrogateescape").split("\n", 1)[0].strip()
    except OSError:
        first = ""
    if first.startswith("gitdir:"):
        target = os.path.join(root, first[len("gitdir:"):].strip())
        if os.path.isdir(target):
            return os.path.abspath(target)
    return output(["rev-parse", "--absolute-git-dir"], root)


@contextmanager
def attribute_free_dir() -> Iterator[str]:
    """A new empty folder, only ours (0700, created exclusively), removed afterwards.

    Git reads ``.gitattributes`` relative to the folder it runs in, even for a bare repository
    (measured on git 2.39: ``git --bare diff`` run in a checkout still honours the checkout's
    ``*.py -diff``). A diff run here, on the git directory with ``--bare``, reads no in-tree
    attributes at all: not from the work tree, not from the index. ``tempfile`` is not used: it
    costs a git hook ~9 ms to import."""
    base = os.environ.get("TMPDIR") or os.environ.get("TEMP") or os.environ.get("TMP") or "/tmp"
    for attempt in range(100):
        path = os.path.join(base, f"deploycheck-noattr-{os.getpid()}-{attempt}")
        try:
            os.mkdir(path, 0o700)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise GitError(f"cannot create a temporary folder in {base} ({exc.strerror}). Set TMPDIR to a writable folder.") from None
    else:
        raise GitError(f"cannot create a temporary folder in {base}: too many leftovers. Remove {base}/deploycheck-noattr-*.")
    try:
        yield path
    finally:
        try:
            os.rmdir(path)
        except OSError:
            pass


def resolve(rev: str, cwd: str) -> str | None:
    """The commit id ``rev`` names, or None when it names no commit."""
    if rev.startswith("-"):
        return None  # never let a ref be read as an option
    proc = run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd, check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode().strip()


def is_shallow(cwd: str) -> bool:
    return output(["rev-parse", "--is-shallow-repository"], cwd) == "true"


# What `git cat-file blob REV:PATH` says (LC_ALL=C) when there is no such file: any other
# failure (git crashed, an object is missing, the repository is damaged) is an error, so that a
# broken read of the base's config or allowed signers can never look like "no such file".
_ABSENT = ("does not exist in", "exists on disk, but not in", ": bad file", "invalid object name", "not a valid object name")


def show_file(rev: str, path: str, cwd: str) -> bytes | None:
    """The bytes of ``path`` at ``rev``, or None when it does not exist there (or is not a
    file). Raises GitError when git fails for any other reason."""
    proc = run(["cat-file", "blob", f"{rev}:{path}"], cwd, check=False)
    if proc.returncode == 0:
        return proc.stdout
    message = proc.stderr.decode("utf-8", "replace").lower()
    if any(marker in message for marker in _ABSENT):
        return None
    raise GitError(
        f"git could not read {path} at {rev[:12]}: {_first_lines(proc.stderr)}. The repository may be damaged "
        "or incomplete: run `git fsck`, or clone it again, and retry."
    )


def grep_files(root: str, rev: str, patterns: Sequence[str], pathspec: Sequence[str] = (), *, ignore_case: bool = False,
               words: bool = False, extended: bool = False, what: str = "") -> list[str]:
    """The paths at ``rev`` whose text holds any of the fixed strings ``patterns`` (``words``:
    as a whole word; ``extended``: extended regular expressions), in git's order. Raises
    GitError, saying ``what`` was looked for, when git fails."""
    args = ["grep", "-l", "-z", "-E" if extended else "-F", *_GREP_PLAIN, *(["-i"] if ignore_case else []),
            *(["-w"] if words else [])]
    for pattern in patterns:
        args += ["-e", pattern]
    proc = run([*args, rev, "--", *pathspec], root, check=False)
    if proc.returncode not in (0, 1):  # 1: nothing matched
        raise GitError(f"`git grep` failed while looking for {what or 'names'}: {_first_lines(proc.stderr)}")
    prefix = len(rev) + 1
    return [raw.decode("utf-8", "surrogateescape")[prefix:] for raw in proc.stdout.split(b"\0") if raw]


def grep_lines(root: str, rev: str, patterns: Sequence[str], paths: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
    """For each of ``paths`` at ``rev``, its lines that match any of the extended regular
    expressions ``patterns``, as (1-based number, text) in order. Raises GitError when git fails."""
    args = ["grep", "-z", "-E", "--no-color", "--line-number", "--no-column", "--text", "--no-textconv"]
    for pattern in patterns:
        args += ["-e", pattern]
    proc = run([*args, rev, "--", *paths], root, check=False) if paths else None
    if proc is None:
        return {}
    if proc.returncode not in (0, 1):  # 1: nothing matched
        raise GitError(f"`git grep` failed while reading lines: {_first_lines(proc.stderr)}")
    found: dict[str, list[tuple[int, str]]] = {}
    prefix = len(rev) + 1
    for record in proc.stdout.split(b"\n"):  # `REV:PATH` NUL `NUMBER` NUL `TEXT`
        parts = record.split(b"\0", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            continue
        path = parts[0].decode("utf-8", "surrogateescape")[prefix:]
        found.setdefault(path, []).append((int(parts[1]), parts[2].decode("utf-8", "replace")))
    return found


# What `git grep` prints must not depend on the user's git configuration (`grep.lineNumber`,
# `grep.column`, `color.ui=always` change the records) nor on .gitattributes, which the branch
# under test writes: no textconv, and every file read as text (`binary` or `-diff` would print
# "Binary file … matches" in place of the words a job holds).
_GREP_PLAIN = ("--no-color", "--no-line-number", "--no-column", "--text", "--no-textconv")
# One argument may not exceed 128 KiB on Linux: longer alternations are split.
_MAX_PATTERN = 60_000

# Words an extended regular expression can spell literally, bracketing the few characters that
# are special in it (Ruby's `valid?`, `save!`).
_ERE_SAFE = re.compile(r"[A-Za-z0-9_?!.$+*]+")
_ERE_SPECIAL = re.compile(r"[?!.$+*]")


def grep_words(root: str, rev: str, words: Sequence[str], pathspec: Sequence[str] = ()) -> dict[str, set[str]]:
    """For each of ``words`` (whole words, fixed strings), the paths at ``rev`` that hold it:
    one `git grep` for all of them. Raises GitError when git fails."""
    found: dict[str, set[str]] = {word: set() for word in words}
    if not words:
        return found
    if all(_ERE_SAFE.fullmatch(word) for word in words):
        # An alternation, not one `-e` per word: with `-o`, git tries every pattern on every
        # line, so 40 words took 150 ms and 400 took 4.3 s in a 1,649-file app; an alternation
        # (longest first) finds the same words in 30-70 ms. Where two words start at one place
        # git prints the longer, so `save` in `save!=x` is asked apart when `save!` is asked too.
        hidden = [word for word in words if f"{word}?" in found or f"{word}!" in found]
        for group in (hidden, [word for word in words if word not in hidden]):
            for chunk in _chunks(sorted(group, key=len, reverse=True)):
                pattern = "(" + "|".join(_ERE_SPECIAL.sub(r"[\g<0>]", word) for word in chunk) + ")"
                _grep_into(found, root, rev, ["-E", "-e", pattern], pathspec)
    else:
        _grep_into(found, root, rev, ["-F", *(arg for word in words for arg in ("-e", word))], pathspec)
    return found


def _chunks(words: list[str]):
    """``words`` in runs whose alternation stays under one command-line argument's limit (the
    longest words first in each run, as the alternation needs)."""
    chunk: list[str] = []
    size = 0
    for word in words:
        if chunk and size + len(word) + 4 > _MAX_PATTERN:
            yield chunk
            chunk, size = [], 0
        chunk.append(word)
        size += len(word) + 4  # the `|` and the brackets of `?`/`!`
    if chunk:
        yield chunk


def _grep_into(found: dict[str, set[str]], root: str, rev: str, patterns: list[str], pathspec: Sequence[str]) -> None:
    proc = run(["grep", "-o", "-z", "-w", *_GREP_PLAIN, *patterns, rev, "--", *pathspec], root, check=False)
    if proc.returncode not in (0, 1):  # 1: nothing matched
        raise GitError(f"`git grep` failed while looking for callers: {_first_lines(proc.stderr)}")
    out, at, prefix = proc.stdout, 0, len(rev) + 1
    while at < len(out):  # records are `REV:PATH` NUL `WORD` newline; a path may hold a newline
        nul = out.find(b"\0", at)
        end = out.find(b"\n", nul)
        if nul < 0 or end < 0:
            break
        word = out[nul + 1 : end].decode("utf-8", "surrogateescape")
        if word in found:
            found[word].add(out[at + prefix : nul].decode("utf-8", "surrogateescape"))
        at = end + 1


def _read_content(out: IO[bytes], header: bytes, max_size: int | None) -> bytes | None:
    """The content after a ``cat-file --batch`` header; an object over ``max_size`` is skipped
    in chunks (never held in memory whole) and gives None."""
    if not header:  # git ended: it crashed or was killed; never treat that as "no content"
        raise GitError(
            "`git cat-file --batch` stopped before answering, so deploycheck cannot read the files of "
            "this change. Check that git works in this repository (`git fsck`) and run the command again."
        )
    if header.endswith(b" missing\n") or header.endswith(b" ambiguous\n"):
        return None
    size = int(header.split()[2])
    if max_size is not None and size > max_size:
        left = size + 1
        while left > 0:
            chunk = out.read(min(left, 1 << 20))
            if not chunk:
                break
            left -= len(chunk)
        return None
    data = out.read(size)
    out.read(1)  # the newline after the content
    return data


class BlobStream:
    """Objects named in advance, read in that order through one ``git cat-file --batch`` that a
    thread feeds, so git sends them back to back instead of one round trip per object (a
    round trip costs about as much as git's whole diff of a small file).

    ``take(name)`` returns ``(True, content)`` when ``name`` is still ahead in the stream (the
    objects before it are passed over, the last few kept in case they are asked for next), and
    ``(False, None)`` when it is not: the caller then reads it some other way. Memory stays
    bounded: the pipe holds what git has written ahead, and git waits when it is full.
    """

    KEEP_PASSED = 4

    def __init__(self, cwd: str, names: Sequence[str], max_size: int | None = None) -> None:
        import threading
        from collections import Counter, deque

        self._max_size = max_size
        self._queue = deque(n for n in names if "\n" not in n)
        self._ahead = Counter(self._queue)
        self._passed: dict[str, bytes | None] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        if not self._queue:
            return
        self._proc = subprocess.Popen(
            ["git", "cat-file", "--batch"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=clean_env(),
        )
        _widen_pipe(self._proc.stdout)  # type: ignore[arg-type]  # stdout=PIPE: never None
        request = "".join(n + "\n" for n in self._queue).encode("utf-8", "surrogateescape")
        self._feeder = threading.Thread(target=self._feed, args=(request,), daemon=True)
        self._feeder.start()

    def _feed(self, request: bytes) -> None:
        stdin = self._proc.stdin  # type: ignore[union-attr]  # stdin=PIPE: never None
        try:
            for start in range(0, len(request), 1 << 16):
                stdin.write(request[start : start + (1 << 16)])  # type: ignore[union-attr]  # stdin=PIPE: never None
            stdin.close()  # type: ignore[union-attr]  # stdin=PIPE: never None
        except (OSError, ValueError):
            pass  # closed early: the reader went away

    def take(self, name: str) -> tuple[bool, bytes | None]:
        if name in self._passed:
            return True, self._passed.pop(name)
        if not self._ahead.get(name) or self._proc is None:
            return False, None
        out = self._proc.stdout
        assert out is not None
        while self._queue:
            current = self._queue.popleft()
            self._ahead[current] -= 1
            data = _read_content(out, out.readline(), self._max_size)
            if current == name:
                return True, data
            self._passed[current] = data
            if len(self._passed) > self.KEEP_PASSED:
                del self._passed[next(iter(self._passed))]
        return False, None

    def close(self) -> None:
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        assert proc.stdout is not None
        proc.stdout.close()  # git stops on a closed pipe; the feeder's write then fails
        self._feeder.join()
        if proc.stdin and not proc.stdin.closed:
            try:
                proc.stdin.close()
            except OSError:
                pass
        proc.wait()

    def __enter__(self) -> "BlobStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class BlobReader:
    """Reads objects through one long-lived ``git cat-file --batch`` process."""

    def __init__(self, cwd: str) -> None:
        self._cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            self._proc = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=self._cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # e.g. "expected commit type": the answer says enough
                env=clean_env(),
            )
        return self._proc

    def _ask(self, object_name: str) -> tuple[bytes, IO[bytes]]:
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(object_name.encode("utf-8", "surrogateescape") + b"\n")
            proc.stdin.flush()
        except OSError:  # git already ended; a BrokenPipeError must not pass for a closed stdout
            return b"", proc.stdout  # _read_content turns the missing answer into a GitError
        return proc.stdout.readline(), proc.stdout

    def read(self, object_name: str, max_size: int | None = None) -> bytes | None:
        """The object's content, or None when missing or larger than ``max_size``."""
        if "\n" in object_name:
            return None
        header, out = self._ask(object_name)
        return _read_content(out, header, max_size)

    def resolve(self, rev: str) -> str | None:
        """What ``resolve(rev, cwd)`` answers, without starting a git process per question."""
        if rev.startswith("-") or "\n" in rev:
            return None
        header, out = self._ask(f"{rev}^{{commit}}")
        fields = header.split()
        if len(fields) != 3 or fields[1] != b"commit":
            _read_content(out, header, 0)  # anything else git sent (nothing, for "missing")
            return None
        _read_content(out, header, 0)  # the commit's text is not needed: skipped
        return fields[0].decode()

    def blob(self, rev: str, path: str) -> bytes | None:
        """What ``show_file(rev, path, cwd)`` answers: a blob's bytes, None when there is none."""
        name = f"{rev}:{path}"
        if "\n" in name:
            return None
        header, out = self._ask(name)
        fields = header.split()
        if len(fields) != 3 or fields[1] != b"blob":
            _read_content(out, header, 0)
            return None
        return _read_content(out, header, None)

    def close(self) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.close()
            except OSError:  # git already ended (crashed): its error was, or will be, reported
                pass
            if self._proc.stdout:
                self._proc.stdout.close()
            self._proc.wait()
            self._proc = None

    def __enter__(self) -> "BlobReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
