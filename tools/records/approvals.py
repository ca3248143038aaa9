"""Approval requests: an agent's proposed action that waits for a person's decision."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, model_validator

from shopcrew.errors import ApprovalStateError

__all__ = ["ApprovalRequest", "ApprovalStatus", "action_hash"]

ApprovalStatus = Literal["pending", "approved", "rejected", "expired"]


def action_hash(action: str, payload: Mapping[str, JsonValue]) -> str:
    """The SHA-256 (hex) of an action kind and its payload, as canonical JSON.

    A decision is bound to this hash, so a payload changed after approval no longer matches.
    """
    canonical = json.dumps(
        {"action": action, "payload": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ApprovalRequest(BaseModel):
    """An action an agent wants to take that a person must approve first.

    `action_hash` must equal `action_hash(action, payload)`; build with `create` to compute it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="Request id.")
    requested_by: str = Field(min_length=1, description="The agent asking, e.g. 'planner'.")
    action: str = Field(min_length=1, description="Action kind, e.g. 'set_campaign_budget'.")
    payload: dict[str, JsonValue] = Field(description="The action's arguments.")
    reason: str = Field(description="Why the agent wants it, for the approver.")
    status: ApprovalStatus = "pending"
    action_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="See `action_hash()`.")
    created_at: AwareDatetime
    expires_at: AwareDatetime = Field(description="After this a pending request is expired.")
    decided_by: str | None = Field(default=None, description="Who approved or rejected it.")

    @model_validator(mode="after")
    def _hash_matches(self) -> ApprovalRequest:
        expected = action_hash(self.action, self.payload)
        if self.action_hash != expected:
            raise ValueError(
                f"action_hash {self.action_hash[:12]}… does not match the action and payload "
                f"({expected[:12]}…); the payload was changed after the request was made"
            )
        if self.expires_at <= self.created_at:
            raise ValueError("expires_at must be after created_at")
        return self

    @classmethod
    def create(
        cls,
        *,
        id: str,
        requested_by: str,
        action: str,
        payload: Mapping[str, JsonValue],
        reason: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> ApprovalRequest:
        """Build a pending request, computing its action hash."""
        return cls(
            id=id,
            requested_by=requested_by,
            action=action,
            payload=dict(payload),
            reason=reason,
            action_hash=action_hash(action, payload),
            created_at=created_at,
            expires_at=expires_at,
        )

    def effective_status(self, now: datetime) -> ApprovalStatus:
        """The status at `now`: a pending request past `expires_at` counts as expired."""
        if self.status == "pending" and now >= self.expires_at:
            return "expired"
        return self.status

    def decide(
        self, status: Literal["approved", "rejected"], *, by: str, now: datetime
    ) -> ApprovalRequest:
        """Return the request approved or rejected by `by`, or expired if it is too late.

        Raises:
            ApprovalStateError: The request was already approved or rejected.
        """
        current = self.effective_status(now)
        if current == "expired":
            return self.model_copy(update={"status": "expired"})
        if current != "pending":
            raise ApprovalStateError(self.id, current)
        return self.model_copy(update={"status": status, "decided_by": by})
