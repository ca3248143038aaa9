"""`run_cs_eval`: plays cases as CS_FORMAT section 4 says, writes section 5 transcripts, grades."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from shopcrew.errors import EvalFormatError
from shopcrew.evaluation.cs.format import CsCase, CsExpect, ExpectedWrite
from shopcrew.evaluation.cs.run import run_cs_eval
from shopcrew.models.scripted import ScriptedChatModel
from shopcrew.tools.reference.store import Record, RetailStore
from shopcrew.tools.tau.tools import TauRetailTools


@pytest.fixture(scope="module")
def db(tau_dir: Path) -> Path:
    return tau_dir / "db"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kb") / "kb.jsonl"
    articles = [
        {"id": "shipping-en", "lang": "en", "title": "Shipping", "body": "Orders ship in 2 days."},
        {"id": "shipping-zh", "lang": "zh", "title": "配送", "body": "订单2天内发货。"},
    ]
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles))
    return path


@pytest.fixture(scope="module")
def pending(db: Path) -> tuple[Record, Record]:
    store = RetailStore.load(db)
    order = next(o for _, o in store.items("orders") if o["status"] == "pending")
    user = store.get("users", order["user_id"])
    assert user is not None
    return order, user


def cancel_case(db: Path, order: Record, user: Record) -> CsCase:
    """A cancellation case written from the store, with its expectations computed by τ-bench."""
    args = {"order_id": order["order_id"], "reason": "no longer needed"}
    store = RetailStore.load(db)
    TauRetailTools(store).invoke("cancel_pending_order", args)
    total = round(sum(p["amount"] for p in order["payment_history"]), 2)
    return CsCase(
        id="synthetic-cancel-1",
        lang="en",
        category="cancel",
        user_id=order["user_id"],
        turns=[
            f"Hi, {user['email']} here. Cancel {order['order_id'].lstrip('#')}, I don't need it.",
            "Yes, please go ahead.",
        ],
        confirm_turns=[1],
        expect=CsExpect(
            writes=[ExpectedWrite(name="cancel_pending_order", kwargs=args)],
            final_db_sha256=store.store_sha256(),
            must_say=[str(total)],
            escalate=False,
        ),
    )


def careful_agent(order: Record, user: Record) -> ScriptedChatModel:
    """Plays the cancellation as the policy wants: identify, check, propose, yes, cancel."""
    order_id = order["order_id"]

    def reply(messages: list[BaseMessage]) -> AIMessage:
        last = messages[-1]
        calls = {"find": "find_user_id_by_email", "user": "get_user_details"}
        if isinstance(last, HumanMessage) and "Yes" in last.text:
            return _call("cancel_pending_order", order_id=order_id, reason="no longer needed")
        if isinstance(last, HumanMessage):
            return _call(calls["find"], email=user["email"])
        assert isinstance(last, ToolMessage)
        if last.name == calls["find"]:
            return _call(calls["user"], user_id=last.text)
        if last.name == calls["user"]:
            return _call("get_order_details", order_id=order_id)
        if last.name == "get_order_details":
            cancel = {"order_id": order_id, "reason": "no longer needed"}
            return _call("propose_action", name="cancel_pending_order", arguments=cancel)
        return AIMessage(content=f"Done: order {order_id} is cancelled.")

    return ScriptedChatModel(reply=reply)


_ids = iter(range(10**6))


def _call(tool: str, /, **args: object) -> AIMessage:
    call = {"id": f"c{next(_ids)}", "name": tool, "args": args}
    return AIMessage(content="", tool_calls=[call])  # type: ignore[list-item]


def test_a_careful_agent_passes_and_the_transcript_follows_section_5(
    db: Path, kb: Path, pending: tuple[Record, Record], tmp_path: Path
) -> None:
    order, user = pending
    case = cancel_case(db, order, user)
    out = tmp_path / "out.jsonl"
    report = run_cs_eval([case], db, kb, careful_agent(order, user), out)
    assert [(g.case_id, g.passed, g.reasons, g.violations) for g in report.grades.grades] == [
        ("synthetic-cancel-1", True, (), 0)
    ]
    line = json.loads(out.read_text(encoding="utf-8"))
    roles = [m["role"] for m in line["messages"]]
    assert roles == ["user"] + ["assistant", "tool"] * 4 + ["assistant", "user"] + [
        "assistant",
        "tool",
        "assistant",
    ]
    assert line["messages"][1]["tool_calls"][0]["name"] == "find_user_id_by_email"
    assert line["messages"][2]["content"] == order["user_id"]
    assert line["escalated"] is False
    assert line["final_db_sha256"] == case.expect.final_db_sha256  # type: ignore[union-attr]
    assert (
        report.lines()[-1]
        == "cs: passed 1/1 graded (100.0%), 0 not graded, violations 0, zh 0/0, en 1/1"
    )
    assert RetailStore.load(db).store_sha256() != line["final_db_sha256"]


def test_an_agent_that_skips_identification_and_yes_changes_nothing(
    db: Path, kb: Path, pending: tuple[Record, Record], tmp_path: Path
) -> None:
    order, user = pending
    case = cancel_case(db, order, user)
    hasty = ScriptedChatModel(
        reply=lambda messages: (
            _call("cancel_pending_order", order_id=order["order_id"], reason="no longer needed")
            if isinstance(messages[-1], HumanMessage)
            else AIMessage(content="Done.")
        )
    )
    report = run_cs_eval([case], db, kb, hasty, tmp_path / "out.jsonl")
    [grade] = report.grades.grades
    # The guard refuses both attempts; the grader still counts each unidentified attempt.
    assert (grade.passed, grade.violations) == (False, 2)
    assert "cancel_pending_order before identification" in grade.reasons
    assert "final store hash differs" in grade.reasons
    line = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert line["final_db_sha256"] == RetailStore.load(db).store_sha256()


def test_a_transfer_ends_the_conversation(db: Path, kb: Path, tmp_path: Path) -> None:
    case = CsCase(id="synthetic-human-1", lang="zh", turns=["我要转人工", "还在吗？"])
    model = ScriptedChatModel(
        reply=lambda messages: _call("transfer_to_human_agents", summary="客户要求转人工")
    )
    out = tmp_path / "out.jsonl"
    report = run_cs_eval([case], db, kb, model, out)
    line = json.loads(out.read_text(encoding="utf-8"))
    assert [m["content"] for m in line["messages"] if m["role"] == "user"] == ["我要转人工"]
    assert line["messages"][-1]["content"] == "Transfer successful"
    assert (line["escalated"], report.grades.grades[0].passed) == (True, True)


def test_a_bad_case_file_names_the_line_and_field(db: Path, kb: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps({"id": "ok", "lang": "en", "turns": ["hi"]})
        + "\n"
        + json.dumps({"id": "bad", "lang": "fr", "turns": ["salut"]})
        + "\n"
    )
    model = ScriptedChatModel(reply=lambda messages: AIMessage(content="hi"))
    with pytest.raises(EvalFormatError) as caught:
        run_cs_eval(cases, db, kb, model, tmp_path / "out.jsonl")
    assert (caught.value.line, caught.value.field) == (2, "lang")


def test_the_rules_model_plays_a_cancellation_through_the_guard(
    db: Path, kb: Path, pending: tuple[Record, Record], tmp_path: Path
) -> None:
    order, user = pending
    case = cancel_case(db, order, user)
    out = tmp_path / "out.jsonl"
    report = run_cs_eval([case], db, kb, "rules", out)
    assert [(g.passed, g.reasons, g.violations) for g in report.grades.grades] == [(True, (), 0)]
    assert "blocked by policy" not in out.read_text(encoding="utf-8")
