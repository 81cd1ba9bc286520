"""Drive `deploycheck` through a real pseudo-terminal: wait for a prompt, type, read the outcome.

Every read has a deadline, so a test whose prompt never comes fails with the transcript instead
of hanging.
"""

from __future__ import annotations

import errno
import os
import pty
import re
import select
import signal
import struct
import sys
import time
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]")
# Generous: on a loaded 2-core CI machine a run can stall for seconds; a passing test never waits this long.
TIMEOUT = 60.0


def clean(raw: bytes) -> str:
    """Terminal bytes as plain text: escapes removed, CRLF (the tty's output mapping) as LF."""
    text = ANSI.sub("", raw.decode("utf-8", "replace"))
    return text.replace("\r\n", "\n").replace("\r", "")


class Terminal:
    """``python -m deploycheck ARGS`` in ``cwd`` with its own controlling terminal."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str], columns: int = 100, rows: int = 60) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: a session leader whose controlling terminal is the pty
            try:
                import fcntl
                import termios

                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
                os.chdir(cwd)
                os.execve(sys.executable, [sys.executable, "-m", "deploycheck", *args], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.raw = b""
        self.seen = 0  # how far expect() has consumed the cleaned output
        self.status: int | None = None
        self._exited_status: int | None = None  # set when interrupt() already reaped the child

    @property
    def text(self) -> str:
        return clean(self.raw)

    def _read(self, deadline: float) -> bool:
        """Read what is available before ``deadline``; False at end of output."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return True
        ready, _, _ = select.select([self.fd], [], [], min(remaining, 0.5))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError as exc:
            if exc.errno == errno.EIO:  # Linux: the child closed its side
                return False
            raise
        if not chunk:
            return False
        self.raw += chunk
        return True

    def expect(self, needle: str, timeout: float = TIMEOUT) -> str:
        """Wait until ``needle`` appears after what was already matched; return the text up to
        and including it."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text
            at = text.find(needle, self.seen)
            if at >= 0:
                start, self.seen = self.seen, at + len(needle)
                return text[start : self.seen]
            if time.monotonic() >= deadline or not self._read(deadline):
                self.close()
                raise AssertionError(f"never saw {needle!r}; the terminal showed:\n{self.text[self.seen:]}")

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode("utf-8"))

    def interrupt(self, patience: float = 2.0) -> None:
        """Press Ctrl-C at the prompt just shown, as a person would: again if nothing happens.

        A test types the instant the prompt's last byte arrives, which a person never does. If
        SIGINT lands after the prompt is written but before Python's input() blocks in read(),
        CPython records it and only acts on it when read() returns, so the first ^C can go
        unanswered (a window of microseconds; the process then waits for a line). A second ^C
        interrupts the read() itself. The program's answer to one or two ^C is the same."""
        for _ in range(3):
            self.send("\x03")
            deadline = time.monotonic() + patience
            while time.monotonic() < deadline:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:  # it ended; wait() collects the rest of the output and the status
                    self._exited_status = status
                    return
                if not self._read(min(deadline, time.monotonic() + 0.1)):
                    return  # end of output: it is exiting
        raise AssertionError(f"deploycheck ignored Ctrl-C three times; the terminal showed:\n{self.text}")

    def answer(self, prompt: str, keys: str) -> str:
        """Wait for ``prompt``, then type ``keys`` and Enter."""
        shown = self.expect(prompt)
        self.send(keys + "\r")
        return shown

    def wait(self, timeout: float = TIMEOUT) -> int:
        """Read to the end of output and return the exit status."""
        deadline = time.monotonic() + timeout
        while self._read(deadline):
            if time.monotonic() >= deadline:
                self.close()
                raise AssertionError(f"deploycheck did not finish; the terminal showed:\n{self.text}")
        if self._exited_status is None:
            _, status = os.waitpid(self.pid, 0)
            self._exited_status = status
        self.status = os.waitstatus_to_exitcode(self._exited_status)
        os.close(self.fd)
        return self.status

    def close(self) -> None:
        if self.status is None and self._exited_status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.status = -9
            try:
                os.close(self.fd)
            except OSError:
                pass
