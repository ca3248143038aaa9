"""Errors of files in our documented formats: tasks, cases, markets, results, scenarios."""

from __future__ import annotations

from shopcrew.errors._base import DataFileError

__all__ = [
    "CsLanguageDataError",
    "DemandFileError",
    "EvalFormatError",
    "MarketFileError",
    "ReportFormatError",
    "ResultFileError",
    "ScenarioError",
    "ShoppingDataError",
    "TaskFileError",
]


class TaskFileError(DataFileError):
    """A task file could not be read; nothing was run.

    Attributes:
        path: The file.
        task: The id (or index) of the offending task, if one is to blame.
        field: The dotted path of the offending field inside the task, if known.
    """

    def __init__(
        self, path: str, problem: str, *, task: str | None = None, field: str | None = None
    ) -> None:
        self.path, self.problem, self.task, self.field = path, problem, task, field
        where = path
        if task is not None:
            where += f", task {task!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}. Fix the task file and run again.")


class EvalFormatError(DataFileError):
    """A line of an eval file (cases, transcripts) that does not follow its format.

    Attributes:
        path: The file.
        line: The 1-based line number.
        field: The dotted path of the offending field, if known.
    """

    def __init__(self, path: str, line: int, problem: str, *, field: str | None = None) -> None:
        self.path, self.line, self.problem, self.field = path, line, problem, field
        where = f"{path}, line {line}" + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {problem}. Fix that line; see CS_FORMAT.md for the format.")


class MarketFileError(DataFileError):
    """A line of an ad market file (MARKET_FORMAT.md) that does not follow its format.

    Attributes:
        path: The file.
        line: The 1-based line number.
        market: The market id, when the line got far enough to have one.
        field: The dotted path of the offending field, if known.
    """

    def __init__(
        self,
        path: str,
        line: int,
        problem: str,
        *,
        market: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path, self.line, self.problem = path, line, problem
        self.market, self.field = market, field
        where = f"{path}, line {line}"
        if market is not None:
            where += f", market {market!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}. Fix that line; see MARKET_FORMAT.md for the format.")


class DemandFileError(DataFileError):
    """A line of a demand file (DEMAND_FORMAT.md: markets, truth, answers) off its format.

    Attributes:
        path: The file.
        line: The 1-based line number (0: the file as a whole).
        market: The market id, when the line got far enough to have one.
        field: The dotted path of the offending field, if known.
    """

    def __init__(
        self,
        path: str,
        line: int,
        problem: str,
        *,
        market: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path, self.line, self.problem = path, line, problem
        self.market, self.field = market, field
        where = path if line == 0 else f"{path}, line {line}"
        if market is not None:
            where += f", market {market!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}. Fix that line; see DEMAND_FORMAT.md for the format.")


class ShoppingDataError(DataFileError):
    """A language data file of the shopping guide (`agents/shopping/lang/`) is missing or malformed.

    Attributes:
        path: The file, relative to `lang/`.
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(
            f"shopping guide data file lang/{path}: {problem}. Fix the file (it ships with the "
            "package; reinstall it if it was changed by accident)."
        )


class CsLanguageDataError(DataFileError):
    """A language data file of the CS agent (`agents/cs/lang/`) is missing or malformed.

    Attributes:
        path: The file, relative to `lang/`.
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(
            f"customer-service data file lang/{path}: {problem}. Fix the file (it ships with the "
            "package; reinstall it if it was changed by accident)."
        )


class ResultFileError(DataFileError):
    """A result file that cannot be read: missing, not JSON, another schema or version."""

    def __init__(self, path: str, problem: str, *, schema: str, version: int) -> None:
        self.path, self.problem = path, problem
        super().__init__(
            f"{path}: {problem}. Pass a file written by `shopcrew eval ... --result` "
            f"(schema {schema!r} version {version}); re-run the eval to get one."
        )


class ScenarioError(DataFileError):
    """A scenario file that cannot be run: it names the file, the line and the field.

    Example: `scenarios/x.yaml:12: timeline[3].text: field required (What the customer writes.)`
    """

    def __init__(self, path: str, line: int | None, problem: str, *, field: str | None = None):
        self.path, self.line, self.field, self.problem = path, line, field, problem
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {field + ': ' if field else ''}{problem}")


class ReportFormatError(DataFileError):
    """The report dict does not follow the scenario report contract (report.json)."""

    def __init__(self, problems: str) -> None:
        self.problems = problems
        super().__init__(
            f"The scenario report does not follow the report.json contract: {problems}. "
            "Write it with the scenario engine of the same shopcrew version, or fix those fields."
        )
