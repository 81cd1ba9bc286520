"""Drive `deploycheck` through a real pseudo-terminal: wait for a prompt, type, read the outcome.

Every read has a deadline, so a test whose prompt never comes fails with the transcript instead
of hanging.

What the program writes goes through a small screen model (``Screen``): a line editor such as
prompt_toolkit redraws its line with cursor movements and erasures, and answers a cursor
position request, so the text a test reads is what a person would see, not the stream of
redraws. The model keeps every line (no scrolling away) and never wraps, as the tests read
whole lines.
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
import codecs
import time
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]")
# Generous: on a loaded 2-core CI machine a run can stall for seconds; a passing test never waits this long.
TIMEOUT = 60.0


def clean(raw: bytes) -> str:
    """Terminal bytes as plain text: escapes removed, CRLF (the tty's output mapping) as LF."""
    text = ANSI.sub("", raw.decode("utf-8", "replace"))
    return text.replace("\r\n", "\n").replace("\r", "")


CSI = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z@])")
OTHER_ESCAPE = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>78]")


class Screen:
    """The text a terminal of ``rows`` shows for a stream of output, with all lines kept."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.lines: list[list[str]] = [[]]
        self.y = self.x = 0
        self.pending = ""  # an escape sequence cut by the end of a read
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.requests = 0  # cursor position requests not answered yet
        self.asked = 0  # cursor position requests in all

    @property
    def top(self) -> int:
        return max(0, len(self.lines) - self.rows)

    def position(self) -> tuple[int, int]:
        """The cursor as a terminal reports it: 1-based row of the visible screen, column."""
        return self.y - self.top + 1, self.x + 1

    def feed(self, raw: bytes) -> None:
        data = self.pending + self.decoder.decode(raw)
        self.pending = ""
        i = 0
        while i < len(data):
            ch = data[i]
            if ch == "\x1b":
                match = CSI.match(data, i) or OTHER_ESCAPE.match(data, i)
                if match is None:
                    if len(data) - i < 64 and "\x07" not in data[i:]:  # cut short: wait for the rest
                        self.pending = data[i:]
                        return
                    i += 1
                    continue
                if match.re is CSI:
                    self._csi(match.group(1), match.group(2))
                i = match.end()
                continue
            if ch == "\n":
                self._down(1)
            elif ch == "\r":
                self.x = 0
            elif ch == "\b":
                self.x = max(0, self.x - 1)
            elif ch == "\t":
                self.x = (self.x // 8 + 1) * 8
                self._pad()
            elif ch >= " ":
                self._put(ch)
            i += 1

    def _down(self, n: int) -> None:
        self.y += n
        while self.y >= len(self.lines):
            self.lines.append([])

    def _pad(self) -> None:
        line = self.lines[self.y]
        if len(line) < self.x:
            line.extend(" " * (self.x - len(line)))

    def _put(self, ch: str) -> None:
        line = self.lines[self.y]
        self._pad()
        if self.x < len(line):
            line[self.x] = ch
        else:
            line.append(ch)
        self.x += 1

    def _csi(self, params: str, final: str) -> None:
        if params.startswith("?"):
            return  # modes (cursor shown, bracketed paste, autowrap): nothing on the screen
        numbers = [int(p) if p else 0 for p in params.split(";")] if params else []
        n = max(1, numbers[0]) if numbers else 1
        if final == "A":
            self.y = max(self.top, self.y - n)
        elif final == "B":
            self._down(n)
        elif final == "C":
            self.x += n
            self._pad()  # the cells passed over are blank: a prompt's last space is one
        elif final == "D":
            self.x = max(0, self.x - n)
        elif final == "G":
            self.x = n - 1
        elif final in "Hf":
            row = numbers[0] if numbers and numbers[0] else 1
            col = numbers[1] if len(numbers) > 1 and numbers[1] else 1
            self.y = self.top + row - 1
            self._down(0)
            self.x = col - 1
        elif final == "J":
            mode = numbers[0] if numbers else 0
            if mode == 0:  # from the cursor to the end of the screen
                del self.lines[self.y][self.x:]
                del self.lines[self.y + 1:]
            elif mode == 2:  # the whole visible screen
                del self.lines[self.top:]
                self.lines.append([])
                self.y, self.x = len(self.lines) - 1, 0
        elif final == "K":
            mode = numbers[0] if numbers else 0
            if mode == 0:
                del self.lines[self.y][self.x:]
            elif mode == 2:
                self.lines[self.y] = []
        elif final == "n" and numbers == [6]:
            self.requests += 1
            self.asked += 1

    @property
    def text(self) -> str:
        return "\n".join("".join(line) for line in self.lines)


class Terminal:
    """``python -m deploycheck ARGS`` in ``cwd`` with its own controlling terminal."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str], columns: int = 100, rows: int = 60) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: a session leader whose controlling terminal is the pty
            try:
                import fcntl
                import signal
                import termios

                # Started as a shell starts a program: signals at their defaults and none blocked.
                # An ignored disposition survives exec, and the test worker's may be one (Ctrl-C
                # at the confirmation went unanswered three times in fresh-clone CI, session 31,
                # and never alone): what deploycheck does with ^C is the test, not what pytest set.
                for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
                    signal.signal(sig, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, set())
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
                os.chdir(cwd)
                os.execve(sys.executable, [sys.executable, "-m", "deploycheck", *args], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.raw = b""
        self.screen = Screen(rows)
        self.seen = 0  # how far expect() has consumed the cleaned output
        self.status: int | None = None
        self._exited_status: int | None = None  # set when interrupt() already reaped the child

    @property
    def text(self) -> str:
        """What the terminal shows, every line kept (see ``Screen``)."""
        return self.screen.text

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
        self.screen.feed(chunk)
        while self.screen.requests:  # a line editor asked where the cursor is: answer as a terminal does
            self.screen.requests -= 1
            row, col = self.screen.position()
            os.write(self.fd, f"\x1b[{row};{col}R".encode())
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

    def interrupt(self, patience: float = 20.0) -> None:
        """Press Ctrl-C at the prompt just shown, as a person would: again if nothing happens.

        A test types the instant the prompt's last byte arrives, which a person never does. If
        SIGINT lands after the prompt is written but before Python's input() blocks in read(),
        CPython records it and only acts on it when read() returns, so the first ^C can go
        unanswered (a window of microseconds; the process then waits for a line). A second ^C
        interrupts the read() itself. The program's answer to one or two ^C is the same.
        ``patience`` is a watchdog, not a measure: the wait ends as soon as the program does, and a
        loaded machine (CI beside other work) may take seconds to answer (fresh-clone CI of session
        31 failed with two)."""
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


# What the walkthrough prints as it waits for each answer (checklist background-jobs v1).
Q_SHARED = "Does this job touch shared state? [yes/no/n/a]: "
Q_SEQUENTIAL = "Does the logic assume sequential execution? [yes/no/n/a]: "
Q_TESTED = "Has it been tested under concurrent load? [yes/no/n/a]: "
Q_ROLLBACK = "Does the rollback procedure work without manual data correction? [yes/no/n/a]: "
DETAILS = "Details: "
ANSWER = "Answer: "
MORE = "...: "
CHALLENGE = "Change or explain? [change/explain]: "
EXPLANATION = "Explanation: "
SIGN = "Sign and write the record? [y/n] (y): "
