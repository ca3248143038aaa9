"""Errors of a platform's adapters over MCP (`shopcrew.tools.mcp`)."""

from __future__ import annotations

from shopcrew.errors._base import DataFileError, RunAbortedError
from shopcrew.errors.store import StoreError

__all__ = ["PlatformResponseError", "PlatformTableError", "PlatformUnavailableError"]


class PlatformTableError(DataFileError):
    """A platform's mapping table (YAML) that cannot be used; no adapter was built.

    Attributes:
        path: The table file (or the platform name asked for).
        field: The dotted path of the offending field, if one is to blame.
        problem: What is wrong with it.
    """

    def __init__(self, path: str, problem: str, *, field: str | None = None) -> None:
        self.path, self.problem, self.field = path, problem, field
        where = path if field is None else f"{path}, field {field!r}"
        super().__init__(
            f"{where}: {problem}. Fix the platform table (see `shopcrew.tools.mcp.table`) and "
            "build the adapters again."
        )


class PlatformUnavailableError(StoreError, RunAbortedError):
    """A platform's MCP server could not be reached, or went away during a call.

    The run ends (the model is not told): a worker retries the event later, and writes carry
    an idempotency key, so a write the platform applied before it went away is not repeated.
    Not a `ConnectionError`: the worker reads those as its Redis being down, and this is not.

    Attributes:
        url: The MCP server's URL.
        tool: The platform tool that was being called.
        cause: What the connection reported.
    """

    def __init__(self, url: str, tool: str, cause: str) -> None:
        self.url, self.tool, self.cause = url, tool, cause
        super().__init__(
            f"The platform's MCP server at {url} did not answer the call to {tool!r} ({cause}). "
            "Check that it runs and that SHOPCREW_PLATFORM_MCP_URL is right; the event can be "
            "retried as it is (writes are sent with their idempotency key)."
        )


class PlatformResponseError(StoreError, ValueError):
    """A platform tool answered in a shape its mapping table does not describe.

    Attributes:
        tool: The platform tool.
        problem: What did not match.
    """

    def __init__(self, tool: str, problem: str) -> None:
        self.tool, self.problem = tool, problem
        super().__init__(
            f"The platform tool {tool!r} answered {problem}. Check the platform table's "
            "`result`, `fields` and `errors` entries for this tool against its answers."
        )
