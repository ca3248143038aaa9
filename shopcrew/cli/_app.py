"""The `shopcrew` app, its consoles, and the process edge where errors become one line.

Commands live in sibling modules that register on `app` (or `eval_app`) when imported.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from shopcrew.errors import ModelEndpointError

__all__ = ["app", "err_console", "eval_app", "main", "out_console"]

app = typer.Typer(
    name="shopcrew",
    help="AI digital employees for online merchants: run scenarios, evaluate agents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
eval_app = typer.Typer(
    help="Evaluate agents and tools on evaluation data sets given by path (--cases, --db...).",
    no_args_is_help=True,
)
app.add_typer(eval_app, name="eval")

err_console = Console(stderr=True)
out_console = Console(highlight=False, soft_wrap=True)


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
        force=True,  # an imported library may have configured logging already
    )
    from shopcrew.settings import load_settings
    from shopcrew.tracing import configure_tracing

    configure_tracing(load_settings().otlp_endpoint)


def main() -> None:
    """Run the CLI, turning any error into one line on stderr (the traceback with --debug)."""
    try:
        # Without standalone mode, click returns the code of a `typer.Exit` instead of raising.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.BadParameter as exc:
        # A bad option value: name the option, as click does in standalone mode.
        err_console.print(
            f"[red]error:[/red] {escape(exc.format_message())}", highlight=False, soft_wrap=True
        )
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        sys.exit(130)
    except SystemExit:
        raise
    except ModelEndpointError as exc:
        # A usage error, as a bad option is: the run did not start.
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except Exception as exc:
        if _State.debug:
            err_console.print_exception()
        else:
            err_console.print(
                f"[red]error:[/red] {type(exc).__name__}: {escape(str(exc))}",
                highlight=False,
                soft_wrap=True,
            )
            err_console.print("(run with --debug for the traceback)", style="dim")
        sys.exit(1)
