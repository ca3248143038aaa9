"""The `shopcrew` command line (`main` is the console script)."""

from shopcrew.cli import evaluate as _evaluate  # noqa: F401  (registers `shopcrew eval ...`)
from shopcrew.cli import mcp as _mcp  # noqa: F401  (registers `shopcrew mcp`)
from shopcrew.cli import run as _run  # noqa: F401  (registers `shopcrew run`)
from shopcrew.cli import serve as _serve  # noqa: F401  (registers `shopcrew serve`, `keys`)
from shopcrew.cli import worker as _worker  # noqa: F401  (registers `shopcrew worker`, `enqueue`)
from shopcrew.cli._app import app, main

__all__ = ["app", "main"]
