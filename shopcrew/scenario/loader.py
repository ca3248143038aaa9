"""Load a scenario file: YAML kept with its line numbers, so an error names file, line, field."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from shopcrew.data import scenario_path, scenarios
from shopcrew.errors import ScenarioError
from shopcrew.scenario import spec as spec_module
from shopcrew.scenario import spec_expect
from shopcrew.scenario.spec import Scenario

__all__ = ["ScenarioError", "find_scenario", "load_scenario", "parse_scenario"]

Path_ = tuple[str | int, ...]


def _line_map(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            lines[(*path, name)] = key.start_mark.line + 1
            _line_map(value, (*path, name), lines)
            lines[(*path, name)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines)


def _data_path(data: Any, loc: Sequence[str | int]) -> Path_:
    """The part of a pydantic error location that exists in the data (union tags dropped)."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, Mapping) and part in current:
            current = current[part]
            path.append(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
            path.append(part)
        elif isinstance(current, Mapping) and isinstance(part, str) and part not in current:
            # A missing field, or a union member's tag: keep a missing field in the name.
            if not _is_tag(part):
                path.append(part)
                break
    return tuple(path)


_TAGS = frozenset(
    {
        "customer_message",
        "conversation",
        "order_event",
        "audit_tick",
        "budget_review",
        "planning_tick",
        "human_decision",
        "human_reply",
        "listing_edit",
        "stock_change",
        "redis_fault",
        "restart_process",
        "generate",
    }
)


def _is_tag(part: str) -> bool:
    return part in _TAGS or part.startswith(("function-", "constrained-"))


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "scenario"


def _descriptions() -> dict[str, str]:
    found: dict[str, str] = {}
    for value in [*vars(spec_module).values(), *vars(spec_expect).values()]:
        if isinstance(value, type) and issubclass(value, BaseModel):
            for name, info in value.model_fields.items():
                if info.description and name not in found:
                    found[name] = info.description
    return found


def _problem(error: ErrorDetails, field: str | None) -> str:
    message = error["msg"]
    if error["type"] == "missing":
        message = "field required"
        hint = _descriptions().get(field or "")
        if hint:
            message += f" ({hint.rstrip('.')})"
    elif error["type"] == "extra_forbidden":
        message = "unknown field (check its spelling; see shopcrew/data/scenarios/README.md)"
    elif error["type"] == "union_tag_invalid":
        message = f"unknown event kind; expected one of: {', '.join(sorted(_TAGS))}"
    elif error["type"] == "union_tag_not_found":
        message = f"kind is required; one of: {', '.join(sorted(_TAGS))}"
    return message.removeprefix("Value error, ")


def parse_scenario(text: str, *, path: str = "<scenario>") -> Scenario:
    """Validate scenario YAML text.

    Raises:
        ScenarioError: Not YAML, or not a valid scenario; names the line and the field.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError(path, line, f"not valid YAML: {exc.problem}") from exc
    if root is None or not isinstance(data, dict):
        raise ScenarioError(path, 1, "a scenario is a YAML mapping with name, clock, timeline")
    lines: dict[Path_, int] = {}
    _line_map(root, (), lines)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = _data_path(data, error["loc"])
        line = next(
            (lines[where[:n]] for n in range(len(where), -1, -1) if where[:n] in lines), None
        )
        field = str(where[-1]) if where and isinstance(where[-1], str) else None
        raise ScenarioError(path, line, _problem(error, field), field=_dotted(where)) from exc


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario file.

    Raises:
        ScenarioError: The file is missing, not YAML, or not a valid scenario.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(file), None, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(file), None, f"cannot read it ({exc})") from exc
    return parse_scenario(text, path=str(file))


def find_scenario(name_or_path: str | os.PathLike[str]) -> Path:
    """The scenario file a user named: a path to a YAML file, or a bundled scenario's name.

    A file that exists wins; otherwise a bare name (`double11_peak_hour`) is looked up among
    the scenarios bundled with the package (`shopcrew.data.scenarios()`).

    Raises:
        ScenarioError: Neither a file nor a bundled scenario; the message lists the bundled ones.
    """
    given = Path(name_or_path)
    if given.is_file():
        return given
    name = str(name_or_path)
    if name in scenarios():
        return scenario_path(name)
    raise ScenarioError(
        name,
        None,
        "no such file, and no bundled scenario of that name; bundled: "
        f"{', '.join(scenarios())} (`shopcrew scenarios` lists them)",
    )
