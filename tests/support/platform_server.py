"""The reference platform's MCP server as a child process, for tests of the MCP adapters.

`PlatformServer(tmp_path, store_dir).start()` runs `python -m shopcrew.tools.mcp.serve_reference`
on a free loopback port and returns once it printed `ready <url>` (it binds before it says
so); `restart()` starts it again on the same port with the same journal, as a platform that
comes back after an outage.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.process_lines import ProcessLines

__all__ = ["PlatformServer"]


class PlatformServer:
    """One reference platform server process at a time, on one port, with one journal."""

    def __init__(self, tmp_path: Path, store_dir: Path) -> None:
        self.tmp_path, self.store_dir = tmp_path, store_dir
        self.journal = tmp_path / "platform-journal.jsonl"
        self.url: str | None = None
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.lines: ProcessLines | None = None
        self.starts = 0

    def start(self, *faults: str) -> str:
        """Start the server (extra arguments: `--exit-before TOOL`...); its URL once it listens."""
        command = [
            sys.executable,
            "-m",
            "shopcrew.tools.mcp.serve_reference",
            "--store",
            str(self.store_dir),
            "--port",
            str(self.port),
            "--journal",
            str(self.journal),
            *faults,
        ]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines = ProcessLines(self.proc, self.tmp_path / f"platform-{self.starts}.log")
        self.starts += 1
        url = self.lines.wait_for("ready ", timeout=120).split()[1]
        self.url, self.port = url, int(url.rsplit(":", 1)[1].split("/")[0])
        return url

    def wait_exit(self, timeout: float = 60.0) -> int:
        """Wait for the process to end by itself (a fault exit); its exit code."""
        assert self.proc is not None
        code = self.proc.wait(timeout=timeout)
        self._closed()
        return code

    def stop(self) -> None:
        """Kill the process if it runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self._closed()

    def restart(self, *faults: str) -> str:
        """Stop it if it runs, then start it again on the same port (and journal)."""
        self.stop()
        return self.start(*faults)

    def journaled(self) -> list[str]:
        """The tools of the writes in the journal, in order."""
        if not self.journal.exists():
            return []
        import json

        lines = self.journal.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["tool"] for line in lines if line.strip()]

    def _closed(self) -> None:
        if self.lines is not None:
            self.lines.close()
            self.lines = None
