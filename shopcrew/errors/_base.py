"""The root of the error tree and its families."""

from __future__ import annotations

__all__ = ["ConfigError", "DataFileError", "RunAbortedError", "ShopcrewError"]


class ShopcrewError(Exception):
    """Root of every error shopcrew raises on purpose."""


class DataFileError(ShopcrewError, ValueError):
    """A file in one of our documented formats that cannot be read; nothing was run or loaded.

    Every such error names the file, and the line, record and field where it can.
    """


class ConfigError(ShopcrewError, ValueError):
    """A setting or argument a developer gave that cannot work; raised before anything runs."""


class RunAbortedError(ShopcrewError):
    """An error that must end the run instead of being told to the model as a tool's failure.

    The tool layer turns other `ShopcrewError`s into tool messages; these propagate.
    """
