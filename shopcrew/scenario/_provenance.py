"""Which shopcrew wrote a report: the installed version, and the commit only when it is sure.

The version comes from the package's metadata (`importlib.metadata`), which a wheel and an
editable install both have. A commit is read only from a git checkout that tracks this very
module: an installed wheel living in a virtual environment that happens to sit inside some
other repository (a project's `.venv/`) gets no commit, rather than that repository's.
"""

from __future__ import annotations

import logging
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["package_version", "source_commit"]

logger = logging.getLogger(__name__)

_GIT_TIMEOUT_S = 5


def package_version(distribution: str = "shopcrew") -> str | None:
    """The installed version of `distribution`, or None when it is not installed."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def _git(directory: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def source_commit(module_file: Path | None = None) -> str | None:
    """The short commit of the git checkout this source file is tracked in, else None.

    Args:
        module_file: The file whose checkout is asked about (default: this module).
    """
    path = (module_file or Path(__file__)).resolve()
    top = _git(path.parent, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    relative = path.relative_to(Path(top).resolve()).as_posix()
    if _git(Path(top), "ls-files", "--error-unmatch", "--", relative) is None:
        logger.debug("%s is not tracked by the checkout at %s: no commit reported", path, top)
        return None
    return _git(Path(top), "rev-parse", "--short", "HEAD")
