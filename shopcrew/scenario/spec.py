"""The scenario format: pydantic models of a scenario YAML file (`data/scenarios/README.md`).

A scenario is a merchant's day: the store it starts from, the merchant policy, a simulated
clock, a timeline of events (with generators for volume) and what must hold afterwards.
Every model rejects unknown fields, so a typo is an error naming the line, not a silent no-op.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shopcrew.agents.approvals.queue import Verdict
from shopcrew.agents.policy import Policy
from shopcrew.data import stores
from shopcrew.scenario.goal import GoalSpec
from shopcrew.scenario.spec_expect import Expectation
from shopcrew.tools.records.campaigns import CampaignStatus, HistoryDay
from shopcrew.tools.records.listings import Listing, ListingPatch

__all__ = [
    "CLOCK_TIME",
    "ApprovalSelector",
    "AuditTickSpec",
    "BudgetReviewSpec",
    "CampaignSpec",
    "ClockSpec",
    "ConversationSpec",
    "CurveSpec",
    "CustomerMessageSpec",
    "EventSpec",
    "GenerateSpec",
    "HumanDecisionSpec",
    "HumanReplySpec",
    "ListingEditSpec",
    "OrderEventSpec",
    "OrderOverride",
    "PlanningTickSpec",
    "RedisFaultSpec",
    "RestartProcessSpec",
    "Scenario",
    "StockChangeSpec",
    "StoreSpec",
    "Template",
    "parse_duration",
]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
CLOCK_TIME = re.compile(r"^(?:day\s*(\d+)\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?$")
"""A time of the scenario's clock: 'HH:MM[:SS]' on the start day, or 'day N HH:MM'."""


def parse_duration(text: str) -> timedelta:
    """`"90s"`, `"5m"`, `"1.5h"`, `"2d"`, `"250ms"` as a timedelta.

    Raises:
        ValueError: Not a duration of that form.
    """
    found = _DURATION.match(text)
    if found is None:
        raise ValueError(f"{text!r} is not a duration; write e.g. '30s', '5m', '2h', '1d'")
    return timedelta(seconds=float(found.group(1)) * _UNITS[found.group(2)])


def _check_duration(value: str | None) -> str | None:
    if value is not None:
        parse_duration(value)
    return value


def _check_time(value: str | None) -> str | None:
    clock = CLOCK_TIME.match(value.strip()) if value is not None else None
    if clock is not None:
        day, hour, minute, second = clock.groups()
        if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59 or day == "0":
            raise ValueError(
                f"{value!r} is not a time of day; hours go from 00 to 23, minutes and seconds "
                "from 00 to 59, days from 1"
            )
        return value
    if value is None:
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a time; write 'HH:MM' (on the clock's start day), "
            "'day 2 09:00' (the next day), or an ISO time with its offset"
        ) from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset; add one, e.g. '+08:00'")
    return value


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- the store -----------------------------------------------------------------------------


class CurveSpec(_Spec):
    """A campaign's response curve GMV(b) = a·(1 − exp(−b/k)), used to generate its history."""

    a: float = Field(gt=0, description="The GMV the campaign saturates at.")
    k: float = Field(gt=0, description="Spend scale: a/k is the marginal ROAS at zero spend.")
    days: int = Field(default=28, ge=3, le=90, description="History days to generate.")
    jitter: float = Field(
        default=0.3, ge=0, lt=1, description="Day-to-day budget jitter around today's budget."
    )
    noise: float = Field(default=0.1, ge=0, le=1, description="Lognormal GMV noise sigma.")


class CampaignSpec(_Spec):
    """An ad campaign of the store: history given, or generated from a response curve."""

    id: str = Field(min_length=1)
    channel: str = Field(default="taobao_ztc", description="Ad channel, e.g. 'taobao_ztc'.")
    name: str = ""
    min_budget: float = Field(default=0.0, ge=0)
    max_budget: float | None = Field(default=None, ge=0)
    daily_budget: float = Field(gt=0, description="The budget in force now.")
    status: CampaignStatus = "active"
    listing_id: str | None = Field(default=None, description="The listing it advertises.")
    history: list[HistoryDay] | None = Field(default=None, description="Daily history.")
    curve: CurveSpec | None = Field(
        default=None, description="Generate the history from this curve (seeded)."
    )

    @model_validator(mode="after")
    def _history_or_curve(self) -> CampaignSpec:
        if (self.history is None) == (self.curve is None):
            raise ValueError("give either history (a list of days) or curve (to generate it)")
        return self


class OrderOverride(_Spec):
    """A change to an order of the store before the run."""

    status: str | None = Field(default=None, description="New status, e.g. 'delivered'.")


class StoreSpec(_Spec):
    """The store the crew works on: a store directory plus inline overrides on a fork of it."""

    dir: str | None = Field(
        default=None,
        description="A store directory (relative to the scenario file); the bundled store "
        "`name` when omitted.",
    )
    name: str | None = Field(
        default=None,
        description="A store bundled with shopcrew (`us_retail`...), with its knowledge base; "
        "`us_retail` (the τ-bench store) when neither this nor `dir` is given.",
    )
    listings_file: str | None = Field(
        default=None, description="A listings JSON Lines file (relative to the scenario file)."
    )
    listings: list[Listing] = Field(default_factory=list, description="Listings added inline.")
    listing_patches: dict[str, ListingPatch] = Field(
        default_factory=dict, description="Listing id -> fields changed before the run."
    )
    campaigns: list[CampaignSpec] = Field(default_factory=list)
    orders: dict[str, OrderOverride] = Field(
        default_factory=dict, description="Order id -> changes before the run."
    )
    merchant_id: str = Field(default="default", min_length=1)
    demand_file: str | None = Field(
        default=None,
        description="A demand market file (DEMAND_FORMAT.md, relative to the scenario file) for "
        "the demand planner; without it the crew has no demand planner.",
    )
    demand_market: str | None = Field(
        default=None, description="The market id in `demand_file` (the first when omitted)."
    )

    @field_validator("name")
    @classmethod
    def _bundled(cls, value: str | None) -> str | None:
        if value is not None and value not in stores():
            raise ValueError(f"no bundled store {value!r}; bundled: {', '.join(stores())}")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> StoreSpec:
        if self.dir is not None and self.name is not None:
            raise ValueError("give either dir (your own store) or name (a bundled one), not both")
        return self


class ClockSpec(_Spec):
    """The simulated clock: when the scenario starts, in which time zone."""

    start: datetime = Field(description="Start time, e.g. '2026-11-11T20:00:00+08:00'.")
    timezone: str = Field(default="Asia/Shanghai", description="IANA zone, e.g. 'Asia/Shanghai'.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from None
        return value

    @model_validator(mode="after")
    def _aware(self) -> ClockSpec:
        if self.start.tzinfo is None:
            object.__setattr__(self, "start", self.start.replace(tzinfo=ZoneInfo(self.timezone)))
        return self


# -- the timeline --------------------------------------------------------------------------


class _Timed(_Spec):
    at: str | None = Field(
        default=None,
        description="When: 'HH:MM[:SS]', 'day 2 09:00' or an ISO time; default: after.",
    )
    after: str | None = Field(
        default=None, description="Offset from the previous event, e.g. '30s' (default '0s')."
    )
    id: str | None = Field(default=None, description="Event id; generated when omitted.")

    _check_at = field_validator("at")(_check_time)
    _check_after = field_validator("after")(_check_duration)

    @model_validator(mode="after")
    def _not_both(self) -> _Timed:
        if self.at is not None and self.after is not None:
            raise ValueError("give at or after, not both")
        return self


class CustomerMessageSpec(_Timed):
    """One customer message (CS agent)."""

    kind: Literal["customer_message"]
    conversation: str = Field(min_length=1, description="Conversation id (one thread each).")
    text: str = Field(min_length=1, description="What the customer writes.")
    customer_id: str | None = Field(default=None, description="The platform's customer id.")
    goal: GoalSpec | None = Field(
        default=None, description="What the customer wants; the conversation is judged by it."
    )


class ConversationSpec(_Timed):
    """Several messages of one customer, one every `gap`."""

    kind: Literal["conversation"]
    conversation: str = Field(min_length=1, description="Conversation id.")
    turns: list[str] = Field(min_length=1, description="The customer's messages, in order.")
    gap: str = Field(default="30s", description="Time between two turns.")
    customer_id: str | None = None
    goal: GoalSpec | None = Field(
        default=None, description="What the customer wants; the conversation is judged by it."
    )

    _check_gap = field_validator("gap")(_check_duration)


class OrderEventSpec(_Timed):
    """An order changed state (store manager); `apply` also changes it in the store."""

    kind: Literal["order_event"]
    order_id: str = Field(min_length=1)
    status: Literal["paid", "shipped", "delivered", "refund_requested"]
    product_ids: list[str] | None = Field(
        default=None, description="Products in the order; read from the store when omitted."
    )
    apply_status: str | None = Field(
        default=None, description="Also set the order's status in the store, e.g. 'delivered'."
    )


class AuditTickSpec(_Timed):
    """Time for the store manager's listing audit."""

    kind: Literal["audit_tick"]
    listing_ids: list[str] | None = Field(default=None, description="Only these; all if omitted.")


class BudgetReviewSpec(_Timed):
    """Time for the planner's budget review."""

    kind: Literal["budget_review"]


class PlanningTickSpec(_Timed):
    """Time for the demand planner to forecast and pre-position stock."""

    kind: Literal["planning_tick"]


class ApprovalSelector(_Spec):
    """Which pending approval a decision answers (ids are not known in advance)."""

    action: str | None = Field(
        default=None, description="e.g. 'set_campaign_budgets', 'set_listing_status'."
    )
    requested_by: str | None = Field(default=None, description="'planner', 'store_manager'.")
    id_matches: str | None = Field(default=None, description="A regex the request id matches.")
    pick: Literal["latest", "oldest", "all"] = Field(
        default="latest", description="Which of the matching pending requests."
    )

    @field_validator("id_matches")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value


class HumanDecisionSpec(_Timed):
    """A person decides a pending approval."""

    kind: Literal["human_decision"]
    approval: ApprovalSelector = Field(default_factory=ApprovalSelector)
    verdict: Verdict
    by: str = Field(default="merchant", min_length=1, description="Who decides.")
    note: str = ""
    payload: dict[str, Any] | None = Field(default=None, description="With verdict 'edit'.")
    required: bool = Field(
        default=True, description="Fail the event when no pending approval matches."
    )

    @model_validator(mode="after")
    def _payload_with_edit(self) -> HumanDecisionSpec:
        if (self.verdict == "edit") != (self.payload is not None):
            raise ValueError("give payload (the edited action arguments) with verdict edit only")
        return self


class HumanReplySpec(_Timed):
    """A person answers an escalated conversation (resumes its thread)."""

    kind: Literal["human_reply"]
    conversation: str = Field(min_length=1)
    text: str = Field(min_length=1, description="The person's reply to the customer.")
    status: Literal["resolved", "in_progress"] = "resolved"
    by: str = "agent"


class ListingEditSpec(_Timed):
    """The merchant edits a listing (e.g. fixes what the audit found)."""

    kind: Literal["listing_edit"]
    listing_id: str = Field(min_length=1)
    patch: ListingPatch


class StockChangeSpec(_Timed):
    """The warehouse reports stock: set it on the listing and post a stock alert."""

    kind: Literal["stock_change"]
    listing_id: str = Field(min_length=1, description="The product (listing) id.")
    sku: str | None = Field(default=None, description="One SKU; every SKU when omitted.")
    stock: int = Field(ge=0, description="Units left.")


class RedisFaultSpec(_Timed):
    """A Redis fault; skipped with a note in memory mode."""

    kind: Literal["redis_fault"]
    fault: Literal["client_kill", "pause", "restart"]
    ms: int = Field(default=200, ge=1, le=10_000, description="CLIENT PAUSE length.")


class RestartProcessSpec(_Timed):
    """Drop the crew and its connections; build a new one from the same memory."""

    kind: Literal["restart_process"]
    note: str = ""


class Template(_Spec):
    """A conversation template; `{placeholders}` are filled from a customer picked in the store.

    Placeholders: user_id, email, first_name, last_name, name, zip, phone_tail (the last four
    digits of the customer's mobile number, in the Chinese shop), order_id, order_number
    (without '#'), item_name, item_id (the order's first item), payment_method_id (the order's
    first payment), total, status. The `goal`'s strings take them too.
    """

    name: str = Field(min_length=1)
    lang: Literal["zh", "en"]
    turns: list[str] = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)
    order_status: str | None = Field(
        default=None, description="Pick an order with this status (e.g. 'pending')."
    )
    goal: GoalSpec | None = Field(
        default=None, description="What the customer wants; the conversation is judged by it."
    )


class GenerateSpec(_Timed):
    """`count` conversations from templates, spread over a time window (seeded)."""

    kind: Literal["generate"]
    count: int = Field(ge=1, le=5000)
    over: str = Field(default="1h", description="The window they start in, from `at`.")
    gap: str = Field(default="20s", description="Time between two turns of one conversation.")
    prefix: str = Field(default="gen", min_length=1, description="Conversation id prefix.")
    templates: list[Template] = Field(min_length=1)

    _check_over = field_validator("over")(_check_duration)
    _check_gap = field_validator("gap")(_check_duration)


EventSpec: TypeAlias = Annotated[
    CustomerMessageSpec
    | ConversationSpec
    | OrderEventSpec
    | AuditTickSpec
    | BudgetReviewSpec
    | PlanningTickSpec
    | HumanDecisionSpec
    | HumanReplySpec
    | ListingEditSpec
    | StockChangeSpec
    | RedisFaultSpec
    | RestartProcessSpec
    | GenerateSpec,
    Field(discriminator="kind"),
]
"""One timeline entry; `kind` tells which."""


class Scenario(_Spec):
    """A whole scenario file."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Short id, e.g. 'double11'.")
    title: str = Field(min_length=1)
    description: str = ""
    seed: int = Field(default=0, description="Seed of the generators (--seed overrides it).")
    store: StoreSpec = Field(default_factory=StoreSpec)
    policy: Policy = Field(default_factory=Policy)
    clock: ClockSpec
    timeline: list[EventSpec] = Field(min_length=1)
    expect: list[Expectation] = Field(default_factory=list)
    shopping_guide: bool = Field(
        default=False,
        description="Add the shopping guide to the crew: pre-sale customer messages go to it, "
        "and the report gets its figures (`shopping`).",
    )
