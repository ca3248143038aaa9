"""`McpPlatform`: one merchant's platform, the table-driven half of every MCP adapter.

It turns an adapter method's operation and our argument values into the platform tool's name
and arguments (renamed, constants added, the idempotency key for writes), and the tool's
answer back into our values: the value at the table's `result` path, record fields renamed
back, and the platform's errors as ours.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, JsonValue

from shopcrew.errors import (
    IdempotencyConflictError,
    PlatformResponseError,
    RetailRuleError,
    UnknownRecordError,
)
from shopcrew.tools.mcp.connection import McpConnection, ToolAnswer
from shopcrew.tools.mcp.table import PlatformTable, RecordKind, load_platform_table

__all__ = ["McpPlatform", "Values"]

_M = TypeVar("_M", bound=BaseModel)
Values = dict[str, JsonValue]
"""Our argument values of an adapter method, by our argument name."""


@dataclass(frozen=True, slots=True)
class McpPlatform:
    """A merchant's platform: the connection, its table, the merchant."""

    connection: McpConnection
    table: PlatformTable
    merchant_id: str

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        platform: str | os.PathLike[str] = "reference",
        merchant_id: str = "default",
        connection: McpConnection | None = None,
    ) -> McpPlatform:
        """Load the platform's table (raising `PlatformTableError` now) and name its server.

        Args:
            url: The server's streamable HTTP endpoint.
            platform: A bundled table's name or the path of a table file.
            merchant_id: The merchant the platform's store belongs to.
            connection: A connection to share; one to `url` when omitted (it connects at
                the first call).
        """
        table = load_platform_table(platform)
        return cls(connection or McpConnection(url), table, merchant_id)

    def request(self, operation: str, values: Values, key: str | None) -> tuple[str, Values]:
        """The tool and its arguments for `operation` called with our `values`."""
        op = self.table.operations[operation]
        arguments: Values = dict(op.constants)
        arguments.update({op.arguments[name]: value for name, value in values.items()})
        if key is not None and self.table.idempotency_argument is not None:
            arguments[self.table.idempotency_argument] = key
        return op.tool, arguments

    def value(
        self, operation: str, tool: str, answer: ToolAnswer, key: str | None = None
    ) -> JsonValue:
        """The value at the operation's `result` path, or the platform's error as ours."""
        if answer.is_error:
            raise self._error(tool, answer.text, key)
        path = self.table.operations[operation].result
        found: JsonValue = answer.data
        if found is None:
            raise PlatformResponseError(tool, "no structured content")
        for part in path.split(".") if path else ():
            if not isinstance(found, dict) or part not in found:
                raise PlatformResponseError(tool, f"without {path!r} in {_short(answer.data)}")
            found = found[part]
        return found

    def record(self, kind: RecordKind, value: JsonValue, model: type[_M]) -> _M:
        """Our model of a platform record: fields renamed back, ignored ones dropped."""
        if not isinstance(value, dict):
            raise PlatformResponseError(kind, f"a {type(value).__name__} for a {kind} record")
        mapping = self.table.record_map(kind)
        ours = {theirs: mine for mine, theirs in mapping.fields.items()}
        record = {ours.get(k, k): v for k, v in value.items() if k not in mapping.ignore}
        return model.model_validate(record)

    def run(self, operation: str, values: Values, key: str | None = None) -> JsonValue:
        """Call the operation's tool and return its value (sync)."""
        tool, arguments = self.request(operation, values, key)
        return self.value(operation, tool, self.connection.call(tool, arguments), key)

    async def arun(self, operation: str, values: Values, key: str | None = None) -> JsonValue:
        """Async twin of `run`."""
        tool, arguments = self.request(operation, values, key)
        return self.value(operation, tool, await self.connection.acall(tool, arguments), key)

    def _error(self, tool: str, text: str, key: str | None) -> Exception:
        errors = self.table.errors
        start = text.find("{")
        try:
            body = json.loads(text[start:]) if start >= 0 else None
        except json.JSONDecodeError:
            body = None
        if not isinstance(body, dict) or errors.code not in body:
            return PlatformResponseError(tool, f"an error that is not a JSON object: {text!r}")
        code, message = str(body[errors.code]), str(body.get(errors.message, ""))
        if code in errors.not_found:
            kind = str(body.get(errors.kind, "")) if errors.kind else ""
            record_id = str(body.get(errors.record_id, "")) if errors.record_id else ""
            return UnknownRecordError(
                errors.kinds.get(kind, kind), record_id, merchant_id=self.merchant_id
            )
        if code in errors.rule:
            return RetailRuleError(message)
        if code in errors.conflict and key is not None:
            return IdempotencyConflictError(key, operation=tool)
        return PlatformResponseError(tool, f"the error code {code!r} ({message})")


def _short(value: object, limit: int = 200) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "..."
