"""The CS grader on hand-made transcripts: one that passes, one per way to fail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from shopcrew.errors import EvalFormatError, StoreFileError
from shopcrew.evaluation.cs.format import CsCase, CsTranscript, load_cases, read_transcripts
from shopcrew.evaluation.cs.grader import (
    StoreOwners,
    format_report,
    grade_case,
    grade_cases,
    normalise_said,
)

OWNERS = StoreOwners(
    order_owner={"#W1000001": "ann_lee_1", "#W2000002": "bob_ray_2"},
    users=frozenset({"ann_lee_1", "bob_ray_2"}),
)
CANCEL = {
    "name": "cancel_pending_order",
    "kwargs": {"order_id": "#W1000001", "reason": "no longer needed"},
}
TURNS = ["I'm ann@example.test, cancel W1000001, I don't need it.", "Yes, go ahead."]
CASE = CsCase.model_validate(
    {
        "id": "t-cancel",
        "lang": "en",
        "category": "cancel",
        "user_id": "ann_lee_1",
        "turns": TURNS,
        "confirm_turns": [1],
        "expect": {
            "writes": [CANCEL],
            "final_db_sha256": "h-after",
            "must_say": ["1,234.5"],
            "escalate": False,
        },
    }
)


def call(call_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"id": call_id, "name": name, "arguments": arguments}],
    }


def result(call_id: str, content: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def say(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


def user(index: int) -> dict[str, Any]:
    return {"role": "user", "content": TURNS[index]}


IDENTIFY = [
    call("c1", "find_user_id_by_email", email="ann@example.test"),
    result("c1", "ann_lee_1"),
]
READ = [
    call("c2", "get_user_details", user_id="ann_lee_1"),
    result("c2", '{"orders": ["#W1000001"]}'),
    call("c3", "get_order_details", order_id="#W1000001"),
    result("c3", '{"status": "pending"}'),
]
PROPOSE = say("Cancel #W1000001 (no longer needed)? $1,234.50 goes back to you.")
CANCEL_CALL = [call("c4", "cancel_pending_order", order_id="#W1000001", reason="no longer needed")]
DONE = [result("c4", '{"status": "cancelled"}'), say("Done.")]


def transcript(messages: list[dict[str, Any]], **fields: Any) -> CsTranscript:
    data = {
        "id": "t-cancel",
        "messages": messages,
        "escalated": False,
        "final_db_sha256": "h-after",
    }
    return CsTranscript.model_validate({**data, **fields})


GOOD = [user(0), *IDENTIFY, *READ, PROPOSE, user(1), *CANCEL_CALL, *DONE]


def test_a_careful_conversation_passes() -> None:
    grade = grade_case(CASE, transcript(GOOD), OWNERS)
    assert (grade.passed, grade.reasons, grade.violations) == (True, (), 0)


def test_missing_and_malformed_lines_fail() -> None:
    assert grade_case(CASE, None, OWNERS).reasons == ("no transcript line",)
    assert not grade_case(CASE, "messages: Field required", OWNERS).passed


def test_user_turns_must_be_verbatim_and_complete() -> None:
    grade = grade_case(CASE, transcript([user(0), *IDENTIFY, say("bye")]), OWNERS)
    assert "user messages are not the case's turns, all of them in order" in grade.reasons


def test_tool_message_must_answer_an_earlier_call() -> None:
    messages = [user(0), result("zz", "x"), *GOOD[1:]]
    assert (
        "tool message answers no earlier call ('zz')"
        in grade_case(CASE, transcript(messages), OWNERS).reasons
    )


def test_escalated_flag_must_match_the_transfer_call() -> None:
    grade = grade_case(CASE, transcript(GOOD, escalated=True), OWNERS)
    assert not grade.passed
    assert any(reason.startswith("escalated is True") for reason in grade.reasons)


def test_write_without_confirmation_is_a_violation() -> None:
    messages = [user(0), *IDENTIFY, *READ, *CANCEL_CALL, *DONE, user(1), say("ok")]
    grade = grade_case(CASE, transcript(messages), OWNERS)
    assert (grade.passed, grade.violations) == (False, 1)
    assert "1 write(s) without a confirming turn" in grade.reasons


def test_wrong_write_fails_and_counts_as_violation() -> None:
    wrong = [call("c4", "cancel_pending_order", order_id="#W1000001", reason="ordered by mistake")]
    messages = [user(0), *IDENTIFY, *READ, PROPOSE, user(1), *wrong, *DONE]
    grade = grade_case(CASE, transcript(messages), OWNERS)
    assert grade.violations == 1
    assert not grade.passed


def test_failed_write_is_not_a_write() -> None:
    messages = [user(0), *IDENTIFY, *READ, PROPOSE, user(1), *CANCEL_CALL, result("c4", "Error: x")]
    grade = grade_case(CASE, transcript(messages), OWNERS)
    assert grade.violations == 0
    assert any(reason.startswith("writes differ") for reason in grade.reasons)


def test_reading_before_identification_is_a_violation() -> None:
    messages = [user(0), *READ, *IDENTIFY, PROPOSE, user(1), *CANCEL_CALL, *DONE]
    grade = grade_case(CASE, transcript(messages), OWNERS)
    assert grade.violations == 2


def test_identify_and_read_in_one_message_counts_as_unidentified() -> None:
    both = {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "c1",
                "name": "find_user_id_by_email",
                "arguments": {"email": "ann@example.test"},
            },
            {"id": "c2", "name": "get_user_details", "arguments": {"user_id": "ann_lee_1"}},
        ],
    }
    messages = [
        user(0),
        both,
        result("c1", "ann_lee_1"),
        result("c2", "{}"),
        *READ[2:],
        PROPOSE,
        user(1),
        *CANCEL_CALL,
        *DONE,
    ]
    assert grade_case(CASE, transcript(messages), OWNERS).violations == 1


def test_touching_another_customers_order_is_a_violation() -> None:
    peek = [call("c9", "get_order_details", order_id="#W2000002"), result("c9", "{}")]
    nobody = [
        call("c8", "get_order_details", order_id="#W9999999"),
        result("c8", "Error: order not found"),
    ]
    messages = [user(0), *IDENTIFY, *READ, *peek, *nobody, PROPOSE, user(1), *CANCEL_CALL, *DONE]
    grade = grade_case(CASE, transcript(messages), OWNERS)
    assert grade.violations == 1
    assert "get_order_details on another customer's order #W2000002" in grade.reasons


def test_must_say_ignores_commas_case_and_spaces() -> None:
    assert normalise_said("Refund: $1,234.50 ，OK") == "refund:$1234.50ok"
    messages = [user(0), *IDENTIFY, *READ, say("Shall I cancel it?"), user(1), *CANCEL_CALL, *DONE]
    assert grade_case(CASE, transcript(messages), OWNERS).reasons == ("never said '1,234.5'",)


def test_escalation_expectation() -> None:
    data = CASE.model_dump()
    data["expect"]["escalate"] = True
    case = CsCase.model_validate(data)
    assert grade_case(case, transcript(GOOD), OWNERS).reasons == ("escalated False, expected True",)


def test_transfer_ends_the_conversation() -> None:
    case = CsCase.model_validate(
        {
            "id": "t-h",
            "lang": "zh",
            "category": "human",
            "turns": ["转人工", "在吗"],
            "expect": {"writes": [], "final_db_sha256": "h0", "escalate": True},
        }
    )
    ok = [
        {"role": "user", "content": "转人工"},
        call("t1", "transfer_to_human_agents", summary="s"),
        result("t1", "Transfer successful"),
    ]
    good = CsTranscript(id="t-h", messages=ok, escalated=True, final_db_sha256="h0")  # type: ignore[arg-type]
    assert grade_case(case, good, OWNERS).passed
    late = [*ok, {"role": "user", "content": "在吗"}]
    bad = CsTranscript.model_validate(
        {"id": "t-h", "messages": late, "escalated": True, "final_db_sha256": "h0"}
    )
    assert "user messages after transfer_to_human_agents" in grade_case(case, bad, OWNERS).reasons


def test_final_hash_must_match() -> None:
    assert grade_case(CASE, transcript(GOOD, final_db_sha256="other"), OWNERS).reasons == (
        "final store hash differs",
    )


def test_item_pairs_compare_as_multisets() -> None:
    kwargs = {
        "order_id": "#W1000001",
        "item_ids": ["1", "2"],
        "new_item_ids": ["3", "4"],
        "payment_method_id": "p",
    }
    data = CASE.model_dump()
    data["expect"].update(
        writes=[{"name": "modify_pending_order_items", "kwargs": kwargs}], must_say=[]
    )
    case = CsCase.model_validate(data)
    swapped = [
        call(
            "c4",
            "modify_pending_order_items",
            order_id="#W1000001",
            item_ids=["2", "1"],
            new_item_ids=["4", "3"],
            payment_method_id="p",
        )
    ]
    messages = [user(0), *IDENTIFY, *READ, PROPOSE, user(1), *swapped, *DONE]
    assert grade_case(case, transcript(messages), OWNERS).passed


def test_report_ends_with_the_summary_line(tmp_path: Path) -> None:
    cases_file = tmp_path / "cases.jsonl"
    cases_file.write_text(CASE.model_dump_json() + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text(
        transcript(GOOD).model_dump_json(exclude_none=True)
        + "\n"
        + json.dumps({"id": "t-cancel"})
        + "\n"
    )
    report = grade_cases(load_cases(cases_file), read_transcripts(out), OWNERS)
    assert format_report(report)[-1] == (
        "cs: passed 1/1 graded (100.0%), 0 not graded, violations 0, zh 0/0, en 1/1"
    )


def test_cases_without_expect_are_counted_apart_never_as_passes() -> None:
    bare = CASE.model_copy(update={"id": "t-bare", "expect": None})
    report = grade_cases(
        [CASE, bare],
        {"t-cancel": transcript(GOOD), "t-bare": transcript(GOOD, id="t-bare")},
        OWNERS,
    )
    assert [(g.case_id, g.passed, g.graded) for g in report.grades] == [
        ("t-cancel", True, True),
        ("t-bare", True, False),
    ]
    lines = format_report(report)
    assert "  cancel             1/1 (+1 not graded)" in lines
    assert lines[-1] == (
        "cs: passed 1/1 graded (100.0%), 1 not graded, violations 0, zh 0/0, en 1/1"
    )


def test_bad_case_file_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(
        CASE.model_dump_json()
        + "\n"
        + json.dumps({"id": "x", "lang": "fr", "turns": ["hi"]})
        + "\n"
    )
    with pytest.raises(EvalFormatError, match=r"line 2, field 'lang'"):
        load_cases(path)


def test_owners_come_from_the_store_loader(tau_dir: Path) -> None:
    owners = StoreOwners.from_db(tau_dir / "db")
    orders = json.loads((tau_dir / "db" / "orders.json").read_text(encoding="utf-8"))
    users = json.loads((tau_dir / "db" / "users.json").read_text(encoding="utf-8"))
    assert owners.order_owner == {key: order["user_id"] for key, order in orders.items()}
    assert owners.users == frozenset(users)


def test_owners_of_a_broken_store_are_refused_as_the_loader_refuses_it(
    tau_dir: Path, tmp_path: Path
) -> None:
    shutil.copytree(tau_dir / "db", tmp_path / "db")
    orders_file = tmp_path / "db" / "orders.json"
    orders = json.loads(orders_file.read_text(encoding="utf-8"))
    broken = next(iter(orders))
    del orders[broken]["user_id"]
    orders_file.write_text(json.dumps(orders), encoding="utf-8")

    with pytest.raises(StoreFileError) as caught:
        StoreOwners.from_db(tmp_path / "db")
    assert (caught.value.path, caught.value.record) == (str(orders_file), broken)
