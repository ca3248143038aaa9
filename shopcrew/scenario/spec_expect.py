"""The scenario format's checks: the `expect:` entries and the ranges they compare with."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "ApprovalCheck",
    "ConversationCheck",
    "EscalationCheck",
    "Expectation",
    "GoalCheck",
    "Range",
    "ReplyCheck",
    "StateCheck",
]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Spec):
    """An inclusive range; either bound may be left out."""

    min: float | None = None
    max: float | None = None

    def holds(self, value: float) -> bool:
        """Whether `value` lies within the range."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        """The range in words: `between 1 and 3`, `at least 0.8`, `0`."""
        if self.min is not None and self.min == self.max:
            return f"{self.min:g}"
        if self.min is not None and self.max is not None:
            return f"between {self.min:g} and {self.max:g}"
        if self.min is not None:
            return f"at least {self.min:g}"
        if self.max is not None:
            return f"at most {self.max:g}"
        return "any value"


def _to_range(value: Any) -> Any:
    """A bare number means exactly that number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"min": value, "max": value}
    return value


class ReplyCheck(_Spec):
    """Text the agent's replies must or must not contain (case-insensitive)."""

    conversation: str | None = Field(
        default=None, description="One conversation, a prefix ending in '*', or any."
    )
    contains: list[str] = Field(default_factory=list, description="Each in some reply.")
    not_contains: list[str] = Field(default_factory=list, description="In no reply.")


class ConversationCheck(_Spec):
    """Every conversation of a template (or id pattern) must have these properties."""

    template: str | None = Field(
        default=None, description="Generator template name; '*' matches any run of characters."
    )
    conversation: str | None = Field(default=None, description="Conversation id pattern ('*').")
    escalated: bool | None = Field(default=None, description="Went to a person (or not).")
    reason: str | None = Field(default=None, description="The escalation reason.")
    writes: Range | None = Field(default=None, description="Successful writes per conversation.")
    outcome: Literal["resolved", "handed_over", "not_resolved", "no_goal"] | None = Field(
        default=None, description="The verdict against the customer's goal."
    )
    min_count: int = Field(default=1, ge=0, description="At least this many must match.")

    @field_validator("writes", mode="before")
    @classmethod
    def _bare_writes(cls, value: Any) -> Any:
        return _to_range(value)


class _Ranged(_Spec):
    @model_validator(mode="before")
    @classmethod
    def _bare_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: _to_range(value) for key, value in data.items()}
        return data


class GoalCheck(_Ranged):
    """Shares of all conversations (0..1) per verdict against the customers' goals."""

    resolved: Range | None = Field(default=None, description="Goal met, no person.")
    handed_over: Range | None = Field(default=None, description="Went to a person.")
    handed_over_not_needed: Range | None = Field(
        default=None, description="Went to a person although the goal did not call for one."
    )
    not_resolved: Range | None = Field(default=None, description="Goal not met, no person.")
    no_goal: Range | None = Field(default=None, description="The scenario gave no goal.")


class EscalationCheck(_Ranged):
    """Escalations: how many, and per reason."""

    count: Range | None = None
    reasons: dict[str, Range] = Field(default_factory=dict, description="Reason -> count range.")

    @model_validator(mode="before")
    @classmethod
    def _reason_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("reasons"), dict):
            data = {**data, "reasons": {k: _to_range(v) for k, v in data["reasons"].items()}}
        return data


class ApprovalCheck(_Ranged):
    """Approvals by status (counts)."""

    requested: Range | None = None
    approved: Range | None = None
    rejected: Range | None = None
    pending: Range | None = None
    expired: Range | None = None


class StateCheck(_Spec):
    """One record's fields after the run."""

    status: str | None = None
    defects: list[str] | None = Field(
        default=None, description="A listing's defect codes at its latest audit."
    )
    budget: Range | None = Field(default=None, description="A campaign's daily budget.")

    @field_validator("budget", mode="before")
    @classmethod
    def _bare_budget(cls, value: Any) -> Any:
        return _to_range(value)


class Expectation(_Spec):
    """One check after the run: set exactly one of its fields."""

    name: str | None = Field(default=None, description="How the report names it.")
    resolution_rate: Range | None = Field(
        default=None,
        description="Share of conversations resolved: the customer's goal met without a person.",
    )
    goals: GoalCheck | None = Field(
        default=None, description="Shares of conversations per verdict against their goals."
    )
    escalations: EscalationCheck | None = None
    no_policy_violation: bool | None = None
    approvals: ApprovalCheck | None = None
    total_budget: Range | None = Field(default=None, description="Sum of daily budgets.")
    budget_moved: Range | None = None
    expected_gmv_change: Range | None = Field(
        default=None, description="The planner's expected GMV change of applied plans."
    )
    order: dict[str, StateCheck] | None = Field(default=None, description="Order id -> fields.")
    listing: dict[str, StateCheck] | None = Field(default=None, description="Listing id.")
    campaign: dict[str, StateCheck] | None = Field(default=None, description="Campaign id.")
    replies: ReplyCheck | None = None
    conversations: ConversationCheck | None = None
    defects_found: Range | None = None
    defects_fixed: Range | None = None
    writes: Range | None = Field(
        default=None, description="Successful store writes made by the CS agent."
    )
    events_ok: bool | None = Field(default=None, description="No event ended in an error.")

    @model_validator(mode="before")
    @classmethod
    def _bare_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            ranged = (
                "resolution_rate",
                "total_budget",
                "budget_moved",
                "expected_gmv_change",
                "defects_found",
                "defects_fixed",
                "writes",
            )
            return {k: _to_range(v) if k in ranged else v for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> Expectation:
        chosen = [
            k for k in type(self).model_fields if k != "name" and getattr(self, k) is not None
        ]
        if len(chosen) != 1:
            fields = ", ".join(k for k in type(self).model_fields if k != "name")
            got = ", ".join(chosen) or "none"
            raise ValueError(f"set exactly one check of: {fields} (got {got})")
        return self

    @property
    def check(self) -> str:
        """The field that is set."""
        return next(
            k for k in type(self).model_fields if k != "name" and getattr(self, k) is not None
        )
