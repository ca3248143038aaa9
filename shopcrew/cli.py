"""The `shopcrew` command line: the process edge, where errors become one clear line."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler

__all__ = ["app", "main"]

logger = logging.getLogger(__name__)

app = typer.Typer(
    name="shopcrew",
    help="AI digital employees for online merchants: run scenarios, evaluate agents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
eval_app = typer.Typer(
    help="Evaluate agents and tools on data sets of ../shared formats.", no_args_is_help=True
)
app.add_typer(eval_app, name="eval")

err_console = Console(stderr=True)


class _State:
    debug = False


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and debug logs on errors.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
) -> None:
    _State.debug = debug
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(
        level=level,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=False)],
    )


def main() -> None:
    """Run the CLI, turning any error into one line on stderr (the traceback with --debug)."""
    try:
        app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        if _State.debug:
            err_console.print_exception()
        else:
            err_console.print(f"[red]error:[/red] {type(exc).__name__}: {exc}", highlight=False)
            err_console.print("(run with --debug for the traceback)", style="dim")
        sys.exit(1)
