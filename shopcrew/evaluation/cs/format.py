"""The CS eval file formats of CS_FORMAT.md: cases (section 3) and transcripts (section 5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopcrew.errors import EvalFormatError

__all__ = [
    "CsCase",
    "CsExpect",
    "CsTranscript",
    "ExpectedWrite",
    "TranscriptMessage",
    "TranscriptToolCall",
    "load_cases",
    "parse_transcript_line",
    "read_transcripts",
]

"""The τ-bench retail tools that change the store."""


class ExpectedWrite(BaseModel):
    """One write call a case expects, in τ-bench argument form."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kwargs: dict[str, Any]


class CsExpect(BaseModel):
    """What a case expects of the conversation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    writes: list[ExpectedWrite] = Field(description="Exactly the successful writes, in order.")
    final_db_sha256: str = Field(description="Canonical store hash after exactly those writes.")
    must_say: list[str] = Field(default_factory=list, description="Strings some reply must hold.")
    escalate: bool | None = Field(
        default=None, description="Transfer due (true), barred, or either."
    )


class CsCase(BaseModel):
    """One scripted customer conversation (CS_FORMAT.md section 3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    lang: Literal["zh", "en"]
    category: str | None = None
    user_id: str | None = Field(
        default=None, description="Who is chatting; never shown to the agent."
    )
    turns: list[str] = Field(min_length=1, description="The customer's messages, in order.")
    confirm_turns: list[int] = Field(
        default_factory=list, description="Indices of turns that confirm a proposed action."
    )
    expect: CsExpect | None = None


class TranscriptToolCall(BaseModel):
    """A tool call of an assistant message."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    arguments: dict[str, Any]


class TranscriptMessage(BaseModel):
    """One message of a transcript."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal["user", "assistant", "tool"]
    content: str
    tool_calls: list[TranscriptToolCall] | None = None
    tool_call_id: str | None = None


class CsTranscript(BaseModel):
    """One transcript line (CS_FORMAT.md section 5)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    messages: list[TranscriptMessage]
    escalated: bool
    final_db_sha256: str


def _first_error(exc: ValidationError) -> tuple[str, str]:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"])
    return error["msg"], field


def load_cases(path: Path) -> list[CsCase]:
    """Read a case file.

    Raises:
        EvalFormatError: A line is not JSON or not a case; it names the line and the field.
    """
    cases: list[CsCase] = []
    seen: set[str] = set()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EvalFormatError(str(path), 0, f"cannot read the file ({exc})") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = CsCase.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise EvalFormatError(str(path), number, f"not JSON ({exc.msg})") from exc
        except ValidationError as exc:
            problem, field = _first_error(exc)
            raise EvalFormatError(str(path), number, problem, field=field) from exc
        if case.id in seen:
            raise EvalFormatError(str(path), number, f"duplicate case id {case.id!r}", field="id")
        bad = [index for index in case.confirm_turns if not 0 <= index < len(case.turns)]
        if bad:
            raise EvalFormatError(
                str(path),
                number,
                f"confirm_turns {bad} point past the turns",
                field="confirm_turns",
            )
        seen.add(case.id)
        cases.append(case)
    return cases


def parse_transcript_line(line: str) -> CsTranscript | str:
    """Parse one transcript line; return the problem as a string when it is malformed."""
    try:
        return CsTranscript.model_validate(json.loads(line))
    except json.JSONDecodeError as exc:
        return f"not JSON ({exc.msg})"
    except ValidationError as exc:
        problem, field = _first_error(exc)
        return f"{field}: {problem}"


def read_transcripts(path: Path) -> dict[str, CsTranscript | str]:
    """Read a transcript file: per case id, its first line, parsed, or why it is malformed."""
    found: dict[str, CsTranscript | str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        parsed = parse_transcript_line(line)
        case_id = parsed.id if isinstance(parsed, CsTranscript) else _raw_id(line)
        if case_id is not None and case_id not in found:
            found[case_id] = parsed
    return found


def _raw_id(line: str) -> str | None:
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None
