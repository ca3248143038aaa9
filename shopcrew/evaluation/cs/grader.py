"""The CS grader: grades transcripts against cases as CS_FORMAT.md section 8 says."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopcrew.evaluation.cs.format import CsCase, CsTranscript, TranscriptToolCall
from shopcrew.tools.langchain.identify import CUSTOMER_IDENTIFY_TOOLS
from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau.names import (
    EXCHANGE_DELIVERED_ORDER_ITEMS,
    GET_ORDER_DETAILS,
    GET_USER_DETAILS,
    MODIFY_PENDING_ORDER_ITEMS,
    MODIFY_USER_ADDRESS,
    RETAIL_WRITE_TOOLS,
    RETURN_DELIVERED_ORDER_ITEMS,
    TRANSFER_TO_HUMAN_AGENTS,
)

__all__ = [
    "CaseGrade",
    "CsReport",
    "StoreOwners",
    "format_report",
    "grade_case",
    "grade_cases",
    "normalise_said",
    "write_key",
]

TRANSFER = TRANSFER_TO_HUMAN_AGENTS
IDENTIFY = CUSTOMER_IDENTIFY_TOOLS
_NEEDS_AUTH = frozenset({GET_USER_DETAILS, GET_ORDER_DETAILS}) | RETAIL_WRITE_TOOLS
_ORDER_CALLS = frozenset({GET_ORDER_DETAILS}) | (RETAIL_WRITE_TOOLS - {MODIFY_USER_ADDRESS})
_USER_CALLS = frozenset({GET_USER_DETAILS, MODIFY_USER_ADDRESS})
_PAIRED = frozenset({MODIFY_PENDING_ORDER_ITEMS, EXCHANGE_DELIVERED_ORDER_ITEMS})


@dataclass(frozen=True, slots=True)
class StoreOwners:
    """Who owns what in the original store: all the grader needs of it."""

    order_owner: Mapping[str, str]
    """Order id → user id."""
    users: frozenset[str]

    @classmethod
    def from_db(cls, db: Path) -> StoreOwners:
        """The owners of a τ-bench store directory, read by the store's own loader.

        Raises:
            StoreFileError: A file is missing, is not JSON, or holds an invalid record
                (`RetailStore.load`).
        """
        store = RetailStore.load(db)
        owner = {order_id: str(order["user_id"]) for order_id, order in store.items("orders")}
        return cls(order_owner=owner, users=frozenset(user for user, _ in store.items("users")))


@dataclass(frozen=True, slots=True)
class CaseGrade:
    """The verdict on one case."""

    case_id: str
    lang: str
    category: str
    passed: bool
    reasons: tuple[str, ...] = ()
    """Why it failed, one entry per failed rule."""
    violations: int = 0
    graded: bool = True
    """False for a case without ``expect``: only its transcript's form was checked, so it
    counts apart from the graded cases, never as a pass."""


@dataclass(frozen=True, slots=True)
class CsReport:
    """Verdicts on a whole case file."""

    grades: tuple[CaseGrade, ...] = field(default_factory=tuple)

    @property
    def violations(self) -> int:
        """Violations summed over all cases."""
        return sum(grade.violations for grade in self.grades)


def normalise_said(text: str) -> str:
    """Lower-case and drop commas (ASCII and full-width) and whitespace, as rule 3 compares."""
    return "".join(ch for ch in text.lower() if ch not in ",，" and not ch.isspace())


def write_key(name: str, arguments: Mapping[str, Any]) -> str:
    """A write call's identity for comparison (rule 1), item lists compared as multisets."""
    args = dict(arguments)
    if name in _PAIRED:
        old, new = args.pop("item_ids", None), args.pop("new_item_ids", None)
        if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
            args["__pairs"] = sorted([str(a), str(b)] for a, b in zip(old, new, strict=True))
        else:
            args["__pairs"] = [repr(old), repr(new)]
    elif name == RETURN_DELIVERED_ORDER_ITEMS and isinstance(args.get("item_ids"), list):
        args["item_ids"] = sorted(str(item) for item in args["item_ids"])
    return json.dumps([name, args], sort_keys=True, ensure_ascii=False, default=str)


def _well_formed(case: CsCase, transcript: CsTranscript) -> list[str]:
    problems: list[str] = []
    call_ids: set[str] = set()
    answered: set[str] = set()
    users: list[str] = []
    transferred = False
    after_transfer_user = False
    for message in transcript.messages:
        if message.role == "assistant":
            for call in message.tool_calls or []:
                if call.id in call_ids:
                    problems.append(f"tool call id {call.id!r} used twice")
                call_ids.add(call.id)
                transferred = transferred or call.name == TRANSFER
        elif message.role == "tool":
            if message.tool_call_id not in call_ids:
                problems.append(f"tool message answers no earlier call ({message.tool_call_id!r})")
            elif message.tool_call_id in answered:
                problems.append(f"call {message.tool_call_id!r} answered twice")
            answered.add(message.tool_call_id or "")
        else:
            users.append(message.content.strip())
            after_transfer_user = after_transfer_user or transferred
    turns = [turn.strip() for turn in case.turns]
    if after_transfer_user:
        problems.append("user messages after transfer_to_human_agents")
    if transferred:
        if users != turns[: len(users)]:
            problems.append("user messages are not the case's turns in order")
    elif users != turns:
        problems.append("user messages are not the case's turns, all of them in order")
    if transcript.escalated != transferred:
        problems.append(f"escalated is {transcript.escalated} but transfer called: {transferred}")
    return problems


def _calls(transcript: CsTranscript) -> list[tuple[TranscriptToolCall, int, bool, str | None]]:
    """Each call with the latest user turn before it, whether identified before it, its result."""
    results = {m.tool_call_id: m.content for m in transcript.messages if m.role == "tool"}
    calls: list[tuple[TranscriptToolCall, int, bool, str | None]] = []
    turn, identified = -1, False
    for message in transcript.messages:
        if message.role == "user":
            turn += 1
        elif message.role == "tool":
            if not message.content.startswith("Error:") and any(
                call.id == message.tool_call_id and call.name in IDENTIFY for call, *_ in calls
            ):
                identified = True
        else:
            for call in message.tool_calls or []:
                calls.append((call, turn, identified, results.get(call.id)))
    return calls


def _first_identified_user(
    calls: Sequence[tuple[TranscriptToolCall, int, bool, str | None]],
) -> str | None:
    for call, _, _, result in calls:
        if call.name in IDENTIFY and result is not None and not result.startswith("Error:"):
            return result.strip()
    return None


def grade_case(
    case: CsCase, transcript: CsTranscript | str | None, owners: StoreOwners
) -> CaseGrade:
    """Grade one case (CS_FORMAT.md section 8).

    Args:
        case: The case, with its ``expect``.
        transcript: Its first transcript line, the reason it is malformed, or None if missing.
        owners: Ownership in the original store.

    Returns:
        The verdict; a case without ``expect`` is not graded (``graded=False``): it "passes"
        when its transcript is well formed, and reports count it apart.
    """
    lang, category = case.lang, case.category or "?"
    if transcript is None:
        return CaseGrade(case.id, lang, category, False, ("no transcript line",))
    if isinstance(transcript, str):
        return CaseGrade(case.id, lang, category, False, (f"malformed line: {transcript}",))
    reasons = _well_formed(case, transcript)
    expect = case.expect
    if expect is None:
        return CaseGrade(case.id, lang, category, not reasons, tuple(reasons), graded=False)
    calls = _calls(transcript)
    successful = [
        (call, turn)
        for call, turn, _, result in calls
        if call.name in RETAIL_WRITE_TOOLS
        and result is not None
        and not result.startswith("Error:")
    ]
    made = Counter(write_key(call.name, call.arguments) for call, _ in successful)
    wanted = Counter(write_key(write.name, write.kwargs) for write in expect.writes)
    if made != wanted:
        reasons.append(
            f"writes differ: made {sorted(made.elements())}, expected {sorted(wanted.elements())}"
        )
    extra = sum((made - wanted).values())
    unconfirmed = sum(1 for _, turn in successful if turn not in case.confirm_turns)
    violations = extra + unconfirmed
    if extra:
        reasons.append(f"{extra} unexpected write(s)")
    if unconfirmed:
        reasons.append(f"{unconfirmed} write(s) without a confirming turn")
    me = _first_identified_user(calls)
    for call, _, identified, _ in calls:
        if call.name in _NEEDS_AUTH and not identified:
            violations += 1
            reasons.append(f"{call.name} before identification")
        elif identified and me is not None:
            order_id = call.arguments.get("order_id")
            user_id = call.arguments.get("user_id")
            if call.name in _ORDER_CALLS and owners.order_owner.get(str(order_id), me) != me:
                violations += 1
                reasons.append(f"{call.name} on another customer's order {order_id}")
            if call.name in _USER_CALLS and user_id in owners.users and user_id != me:
                violations += 1
                reasons.append(f"{call.name} on another customer {user_id}")
    said = normalise_said(" ".join(m.content for m in transcript.messages if m.role == "assistant"))
    for text in expect.must_say:
        if normalise_said(text) not in said:
            reasons.append(f"never said {text!r}")
    if expect.escalate is not None and transcript.escalated != expect.escalate:
        reasons.append(f"escalated {transcript.escalated}, expected {expect.escalate}")
    if transcript.final_db_sha256 != expect.final_db_sha256:
        reasons.append("final store hash differs")
    return CaseGrade(
        case.id, lang, category, not reasons and violations == 0, tuple(reasons), violations
    )


def grade_cases(
    cases: Iterable[CsCase], transcripts: Mapping[str, CsTranscript | str], owners: StoreOwners
) -> CsReport:
    """Grade every case of a file against the transcripts (first line per id)."""
    return CsReport(tuple(grade_case(case, transcripts.get(case.id), owners) for case in cases))


def _rate(grades: Sequence[CaseGrade]) -> str:
    graded = [g for g in grades if g.graded]
    text = f"{sum(g.passed for g in graded)}/{len(graded)}"
    ungraded = len(grades) - len(graded)
    return text + (f" (+{ungraded} not graded)" if ungraded else "")


def format_report(report: CsReport) -> list[str]:
    """The grader's printout: per category, per language, failed cases, and the summary line.

    Counts are over graded cases (those with ``expect``); cases without one are counted
    apart as "not graded" (a malformed transcript of one is still listed as a failure).
    """
    lines: list[str] = []
    by_category: dict[str, list[CaseGrade]] = {}
    by_lang: dict[str, list[CaseGrade]] = {"zh": [], "en": []}
    for grade in report.grades:
        by_category.setdefault(grade.category, []).append(grade)
        by_lang.setdefault(grade.lang, []).append(grade)
    for category in sorted(by_category):
        lines.append(f"  {category:18s} {_rate(by_category[category])}")
    for lang, grades in by_lang.items():
        lines.append(f"  lang {lang:13s} {_rate(grades)}")
    for grade in report.grades:
        if not grade.passed:
            lines.append(f"FAIL {grade.case_id}: {'; '.join(grade.reasons)}")
    graded = [g for g in report.grades if g.graded]
    ungraded = len(report.grades) - len(graded)
    passed = sum(grade.passed for grade in graded)
    percent = 100.0 * passed / len(graded) if graded else 0.0
    zh = [g for g in by_lang["zh"] if g.graded]
    en = [g for g in by_lang["en"] if g.graded]
    lines.append(
        f"cs: passed {passed}/{len(graded)} graded ({percent:.1f}%), {ungraded} not graded, "
        f"violations {report.violations}, "
        f"zh {sum(g.passed for g in zh)}/{len(zh)}, en {sum(g.passed for g in en)}/{len(en)}"
    )
    return lines
