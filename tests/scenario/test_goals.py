"""Conversations are judged by what the customer wanted, not by whether a person was avoided."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import ValidationError

from shopcrew.data import scenario_path
from shopcrew.models import ScriptedChatModel
from shopcrew.scenario import run_scenario
from shopcrew.scenario.goal import GoalSpec, GoalVerdict, fill_goal, judge_goal

FLAGSHIP = scenario_path("double11_peak_hour")

CANCEL = GoalSpec(action="cancel_pending_order", details={"order_id": "#W1", "reason": "x"})
CANCELLED = {"name": "cancel_pending_order", "args": {"order_id": "#W1", "reason": "x"}}


def test_an_action_goal_is_resolved_only_by_that_write_with_its_details() -> None:
    judged = judge_goal(CANCEL, escalated=False, writes=[CANCELLED], replies=["Done."])
    assert judged == GoalVerdict("resolved", "cancel_pending_order done")
    other = {"name": "cancel_pending_order", "args": {"order_id": "#W2", "reason": "x"}}
    assert judge_goal(CANCEL, escalated=False, writes=[other], replies=["Done."]) == GoalVerdict(
        "not_resolved", "wrote cancel_pending_order instead of cancel_pending_order"
    )
    assert judge_goal(CANCEL, escalated=False, writes=[], replies=["Hello!"]) == GoalVerdict(
        "not_resolved", "cancel_pending_order never done"
    )
    twice = judge_goal(CANCEL, escalated=False, writes=[CANCELLED, CANCELLED], replies=["ok"])
    assert twice.outcome == "not_resolved"


def test_an_answer_needs_every_fact_and_no_write() -> None:
    goal = GoalSpec(answer=["W1", ["processed", "处理中"]])
    assert judge_goal(goal, escalated=False, writes=[], replies=["#W1: 处理中"]).outcome == (
        "resolved"
    )
    assert judge_goal(goal, escalated=False, writes=[], replies=["#W1 is fine"]) == GoalVerdict(
        "not_resolved", "never said 'processed'"
    )
    wrote = judge_goal(goal, escalated=False, writes=[CANCELLED], replies=["#W1 processed"])
    assert wrote == GoalVerdict("not_resolved", "unwanted write: cancel_pending_order")


def test_a_handover_says_whether_it_was_needed() -> None:
    person = GoalSpec(person=True)
    assert judge_goal(person, escalated=True, writes=[], replies=[]) == GoalVerdict(
        "handed_over", "asked for a person", needed=True
    )
    assert judge_goal(person, escalated=False, writes=[], replies=["Hi!"]) == GoalVerdict(
        "not_resolved", "needed a person, never handed over"
    )
    assert judge_goal(CANCEL, escalated=True, writes=[], replies=[]).needed is False
    by_policy = GoalSpec(action="refund_without_return", needs_person=True)
    assert judge_goal(by_policy, escalated=True, writes=[], replies=[]).needed is True
    assert judge_goal(None, escalated=False, writes=[], replies=["x"]).outcome == "no_goal"


def test_a_goal_sets_exactly_one_want_and_fills_its_placeholders() -> None:
    with pytest.raises(ValidationError, match="exactly one of action, answer, person, decline"):
        GoalSpec(person=True, answer=["x"])
    with pytest.raises(ValidationError, match="details go with an action"):
        GoalSpec(answer=["x"], details={"a": 1})
    template = GoalSpec(action="cancel_pending_order", details={"order_id": "{order_id}"})
    assert fill_goal(template, {"order_id": "#W7"}).details == {"order_id": "#W7"}


def _greeter() -> ScriptedChatModel:
    """A deliberately wrong agent: it answers every message with the same greeting."""

    def reply(messages: list[BaseMessage]) -> AIMessage:
        return AIMessage(content="您好，欢迎光临！Hello, welcome to our shop!")

    return ScriptedChatModel(reply=reply)


def test_a_greeting_agent_fails_the_flagship_on_goals(tmp_path: Path) -> None:
    result = run_scenario(
        FLAGSHIP, model=_greeter(), volume=0.05, out_dir=tmp_path, write_markdown=False
    )
    report = result.report
    goals = report["summary"]["goals"]
    conversations = report["conversations"]
    # Nobody escalated, so the old figure ("not escalated") would have said 100%.
    assert report["summary"]["answered_without_person"] == len(conversations)
    assert goals["resolved"] == 0
    assert goals["not_resolved"] == len(conversations) == report["summary"]["conversations"]
    assert report["summary"]["resolution_rate"] == 0.0
    assert {c["outcome"] for c in conversations} == {"not_resolved"}
    causes = set(goals["not_resolved_causes"])
    assert "needed a person, never handed over" in causes
    assert "cancel_pending_order never done" in causes
    verdicts = {e["name"]: e for e in report["expectations"]}
    floor = verdicts["at least 80% of customers got what they wanted without a person"]
    assert floor["passed"] is False
    assert floor["detail"].startswith("resolved 0.0%, expected at least 0.8")
    assert result.passed is False
