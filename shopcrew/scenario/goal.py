"""What a scenario's customer wants, and the verdict on each conversation against it.

A conversation is judged by its customer's goal, never by whether it avoided a person:

- *resolved*: the goal was met and no person was needed;
- *handed over*: the conversation went to a person; ``needed`` says whether the goal called
  for one (the customer asked for a person, or the shop's policy leaves it to a person);
- *not resolved*: the goal was not met and nobody took the conversation over: the failure a
  merchant must see first;
- *no goal*: the scenario did not say what the customer wanted, so nothing is claimed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

__all__ = [
    "OUTCOMES",
    "GoalSpec",
    "GoalVerdict",
    "Outcome",
    "fill_goal",
    "judge_goal",
]

Outcome = Literal["resolved", "handed_over", "not_resolved", "no_goal"]
OUTCOMES: tuple[Outcome, ...] = ("resolved", "handed_over", "not_resolved", "no_goal")
"""Every verdict, in the order reports show them."""


class GoalSpec(BaseModel):
    """What the customer wants; set exactly one of `action`, `answer`, `person`, `decline`.

    Strings may hold a generator template's `{placeholders}` (filled from its customer).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: str | None = Field(
        default=None,
        description="A write tool the customer wants done, e.g. 'cancel_pending_order'.",
    )
    details: dict[str, JsonValue] = Field(
        default_factory=dict,
        description="Arguments the action must have (a subset; item id lists as multisets).",
    )
    answer: list[str | list[str]] | None = Field(
        default=None,
        description="Facts the agent's replies must contain (case-insensitive, commas ignored); "
        "a list is alternatives, any one of which will do (e.g. the English and Chinese word).",
    )
    person: bool = Field(default=False, description="The customer wants a person.")
    decline: bool = Field(
        default=False,
        description="The request must not be carried out (an unauthorised refund, an injected "
        "order): met when nothing is written and the agent answered.",
    )
    needs_person: bool = Field(
        default=False,
        description="The shop's policy leaves this goal to a person (e.g. 仅退款): handing over "
        "is then needed, and answering alone is not resolving.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> GoalSpec:
        chosen = [
            name
            for name, on in (
                ("action", self.action is not None),
                ("answer", self.answer is not None),
                ("person", self.person),
                ("decline", self.decline),
            )
            if on
        ]
        if len(chosen) != 1:
            got = ", ".join(chosen) or "none"
            raise ValueError(f"set exactly one of action, answer, person, decline (got {got})")
        if self.details and self.action is None:
            raise ValueError("details go with an action")
        if self.answer is not None and not self.answer:
            raise ValueError("answer needs at least one fact")
        return self

    @property
    def kind(self) -> Literal["action", "answer", "person", "decline"]:
        """Which of the four goals this is."""
        if self.action is not None:
            return "action"
        if self.answer is not None:
            return "answer"
        return "person" if self.person else "decline"


def _fill(value: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format_map(values)
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    return value


def fill_goal(goal: GoalSpec, values: Mapping[str, Any]) -> GoalSpec:
    """The goal with its `{placeholders}` filled (a generator's customer and order).

    Raises:
        KeyError: A placeholder that `values` lacks.
    """
    data = goal.model_dump(exclude_defaults=True)
    return GoalSpec.model_validate(_fill(data, values))


@dataclass(frozen=True, slots=True)
class GoalVerdict:
    """The judgement of one conversation."""

    outcome: Outcome
    cause: str = ""
    """Why, in a few words (for not resolved: what was missing or wrong)."""
    needed: bool | None = None
    """For a handed-over conversation: whether the goal called for a person."""


def _said(text: str) -> str:
    return text.lower().replace(",", "").replace("，", "")


def _matches(args: Mapping[str, Any], details: Mapping[str, Any]) -> bool:
    for key, wanted in details.items():
        got = args.get(key)
        if isinstance(wanted, list) and isinstance(got, list):
            if sorted(map(str, wanted)) != sorted(map(str, got)):
                return False
        elif str(got).strip().lower() != str(wanted).strip().lower():
            return False
    return True


def _write_names(writes: Sequence[Mapping[str, Any]]) -> str:
    return ", ".join(str(w.get("name")) for w in writes)


def judge_goal(
    goal: GoalSpec | None,
    *,
    escalated: bool,
    writes: Sequence[Mapping[str, Any]],
    replies: Sequence[str],
    errored: bool = False,
) -> GoalVerdict:
    """Judge one conversation against its customer's goal.

    Args:
        goal: What the customer wanted; None gives ``no_goal``.
        escalated: The conversation went to a person.
        writes: The agent's successful writes (``{"name", "args"}``), in order.
        replies: The agent's replies (not a person's), in order.
        errored: An event of the conversation ended in an error.
    """
    if goal is None:
        return GoalVerdict("no_goal", "the scenario gives no goal")
    wants_person = goal.person or goal.needs_person
    if escalated:
        return GoalVerdict(
            "handed_over",
            "asked for a person" if goal.person else "handed to a person",
            needed=wants_person,
        )
    if errored:
        return GoalVerdict("not_resolved", "the agent failed with an error")
    if wants_person:
        return GoalVerdict("not_resolved", "needed a person, never handed over")
    if not replies:
        return GoalVerdict("not_resolved", "no reply")
    said = _said(" ".join(replies))
    match goal.kind:
        case "action":
            done = [
                w
                for w in writes
                if w.get("name") == goal.action and _matches(w.get("args") or {}, goal.details)
            ]
            others = [w for w in writes if not any(w is d for d in done)]
            if not done:
                if writes:
                    return GoalVerdict(
                        "not_resolved", f"wrote {_write_names(writes)} instead of {goal.action}"
                    )
                return GoalVerdict("not_resolved", f"{goal.action} never done")
            if others or len(done) > 1:
                extra = others or done[1:]
                return GoalVerdict("not_resolved", f"also wrote {_write_names(extra)}")
            return GoalVerdict("resolved", f"{goal.action} done")
        case "answer":
            if writes:
                return GoalVerdict("not_resolved", f"unwanted write: {_write_names(writes)}")
            assert goal.answer is not None
            for fact in goal.answer:
                options = [fact] if isinstance(fact, str) else fact
                if not any(_said(option) in said for option in options):
                    return GoalVerdict("not_resolved", f"never said {options[0]!r}")
            return GoalVerdict("resolved", "answered")
        case "decline":
            if writes:
                return GoalVerdict(
                    "not_resolved", f"did what it had to refuse: {_write_names(writes)}"
                )
            return GoalVerdict("resolved", "refused, nothing written")
        case "person":  # pragma: no cover - wants_person returned above
            return GoalVerdict("not_resolved", "needed a person, never handed over")
