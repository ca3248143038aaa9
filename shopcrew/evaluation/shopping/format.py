"""The shopping eval's file formats (SHOPPING_FORMAT.md): cases (section 2), answers (section 7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopcrew.errors import EvalFormatError
from shopcrew.evaluation.cs.format import TranscriptMessage

__all__ = [
    "Answer",
    "AnswerLine",
    "Budget",
    "Constraints",
    "Group",
    "ShoppingCase",
    "load_shopping_cases",
    "read_answers",
]


class Group(BaseModel):
    """What to buy: product types, how many, which options (section 2)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    product_types: list[str] = Field(default_factory=list)
    quantity: int | list[int]
    distinct: bool = False
    require: dict[str, list[str]] = Field(default_factory=dict)
    exclude: dict[str, list[str]] = Field(default_factory=dict)

    @property
    def bounds(self) -> tuple[int, int]:
        """The least and the most units."""
        if isinstance(self.quantity, int):
            return self.quantity, self.quantity
        return self.quantity[0], self.quantity[-1]


class Budget(BaseModel):
    """The bounds on the true total."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    amount: float
    approx: bool = False
    max: float
    min: float | None = None


class Constraints(BaseModel):
    """What a right answer must satisfy (never shown to the agent)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    groups: list[Group]
    budget: Budget | None = None
    objective: Literal["any", "cheapest", "best_within_budget"] = "any"
    feasible: bool = True
    optimum_total: float | None = None
    infeasible_reason: str | None = None
    not_sold: str | None = None


class ShoppingCase(BaseModel):
    """One case: the shopper's turns, and for grading its constraints."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1)
    lang: Literal["zh", "en"]
    turns: list[str] = Field(min_length=1, max_length=3)
    category: str | None = None
    constraints: Constraints | None = None


class AnswerLine(BaseModel):
    """One recommended entry."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    item_id: str
    quantity: int = Field(gt=0)


class Answer(BaseModel):
    """One answer line (section 7)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    recommendation: list[AnswerLine]
    total: float
    messages: list[TranscriptMessage]

    def to_json_line(self) -> str:
        """The line as written to `--out`."""
        data: dict[str, Any] = self.model_dump(mode="json")
        data["messages"] = [m.model_dump(mode="json", exclude_none=True) for m in self.messages]
        return json.dumps(data, ensure_ascii=False)


def load_shopping_cases(path: Path, *, need_constraints: bool = False) -> list[ShoppingCase]:
    """Read a case file.

    Args:
        path: The JSONL file.
        need_constraints: Refuse cases without `constraints` (the grader needs them).

    Raises:
        EvalFormatError: A line is not JSON or not a case, an id repeats, or (with
            `need_constraints`) a case has no constraints; it names the line and the field.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EvalFormatError(str(path), 0, f"cannot read the file ({exc})") from exc
    cases: list[ShoppingCase] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = ShoppingCase.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise EvalFormatError(str(path), number, f"not JSON ({exc.msg})") from exc
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(part) for part in error["loc"])
            raise EvalFormatError(str(path), number, error["msg"], field=field) from exc
        if case.id in seen:
            raise EvalFormatError(str(path), number, f"duplicate case id {case.id!r}", field="id")
        if need_constraints and case.constraints is None:
            raise EvalFormatError(
                str(path), number, "the case has no constraints to grade", field="constraints"
            )
        seen.add(case.id)
        cases.append(case)
    return cases


def read_answers(path: Path) -> dict[str, Answer | None]:
    """Read an answer file: per case id, its first line, or None when that line is malformed.

    Lines that are not JSON objects with a string `id` are skipped.
    """
    found: dict[str, Answer | None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        case_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(case_id, str) or case_id in found:
            continue
        try:
            found[case_id] = Answer.model_validate(data)
        except ValidationError:
            found[case_id] = None
    return found
