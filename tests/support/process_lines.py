"""Wait for a line a child process prints, instead of polling a file or sleeping.

A thread reads the process's output (stdout with stderr merged) line by line, copies each line
to a log file and wakes whoever waits for it: a readiness line ("ready", uvicorn's "Application
startup complete"), or a line a test helper prints at a chosen moment.

    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = ProcessLines(proc, tmp_path / "proc.log")
    lines.wait_for("ready", timeout=90)   # returns as soon as the line is read
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

__all__ = ["ProcessLines"]


class ProcessLines:
    """The output of `proc`, line by line, copied to `log`; waiters wake on each new line."""

    def __init__(self, proc: subprocess.Popen[bytes], log: Path) -> None:
        assert proc.stdout is not None, "start the process with stdout=subprocess.PIPE"
        self.proc, self.log = proc, log
        self._lines: list[str] = []
        self._ended = False
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, name=f"lines-{proc.pid}", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.log.open("ab") as copy:
            for raw in iter(self.proc.stdout.readline, b""):
                copy.write(raw)
                copy.flush()
                with self._changed:
                    self._lines.append(raw.decode("utf-8", errors="replace"))
                    self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def text(self) -> str:
        """Everything printed so far."""
        with self._changed:
            return "".join(self._lines)

    def wait_for(self, text: str, *, whole: bool = False, timeout: float = 90.0) -> str:
        """The first line containing `text` (`whole`: equal to it), as soon as it is printed.

        Raises:
            AssertionError: The output ended without it, or `timeout` seconds passed; the
                message holds the output's tail.
        """
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for line in self._lines[seen:]:
                    if (line.rstrip("\r\n") == text) if whole else (text in line):
                        return line
                seen = len(self._lines)
                left = deadline - time.monotonic()
                if self._ended or left <= 0:
                    why = "the output ended" if self._ended else f"{timeout:.0f}s passed"
                    tail = "".join(self._lines)[-4000:]
                    raise AssertionError(f"no line with {text!r}: {why}. Output:\n{tail}")
                self._changed.wait(left)

    def close(self) -> None:
        """Wait for the reader to reach the end of the output (call after the process ended)."""
        self._reader.join(timeout=30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
