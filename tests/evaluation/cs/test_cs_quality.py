"""The reply-quality checker on hand-made transcripts: each issue found, and its look-alikes not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shopcrew.evaluation.cs.format import CsTranscript
from shopcrew.evaluation.cs.quality import (
    ISSUE_KINDS,
    QualityIssue,
    catalog_phrases,
    check_conversation,
    check_transcript_file,
    check_transcripts,
)
from shopcrew.tools.reference.store import RetailStore

CATALOG = frozenset({"water bottle", "stainless steel", "grey", "pet bed", "large"})


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def say(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


def call(call_id: str, name: str, text: str = "", **arguments: Any) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": text,
        "tool_calls": [{"id": call_id, "name": name, "arguments": arguments}],
    }


def result(call_id: str, content: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def transcript(*messages: dict[str, Any], case_id: str = "t") -> CsTranscript:
    escalated = any(
        c["name"] == "transfer_to_human_agents" for m in messages for c in m.get("tool_calls", [])
    )
    return CsTranscript.model_validate(
        {"id": case_id, "messages": list(messages), "escalated": escalated, "final_db_sha256": "h"}
    )


def issues(*messages: dict[str, Any], lang: str = "en") -> list[tuple[str, str]]:
    checked = check_conversation(transcript(*messages), lang=lang, catalog=CATALOG)
    return [(issue.kind, issue.detail) for issue in checked.issues]


CANCEL = {"order_id": "#W1000001", "reason": "no longer needed"}
ADDRESS = {
    "order_id": "#W1000001",
    "address1": "52 Lighthouse Road",
    "address2": "",
    "city": "Portland",
    "state": "ME",
    "country": "USA",
    "zip": "04101",
}


# ---------------------------------------------------------------- a clean conversation
def test_a_conversation_a_shop_would_write_has_no_issue() -> None:
    assert (
        issues(
            user("亲，W1000001取消一下，用不上了，邮箱 ann@example.test"),
            call("c1", "find_user_id_by_email", email="ann@example.test"),
            result("c1", "ann_lee_1"),
            say("好的亲～订单 #W1000001 待发货（pending），取消后 $908.40 原路退回，确认取消吗？"),
            user("确认"),
            call("c2", "cancel_pending_order", **CANCEL),
            result("c2", '{"order_id": "#W1000001", "status": "cancelled"}'),
            say("已为您取消订单 #W1000001，$908.40 将在5-7个工作日退回您尾号1234的Visa卡。"),
            lang="zh",
        )
        == []
    )


# ---------------------------------------------------------------- internal ids
@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("退款退到礼品卡（gift_card_2977513）。", "gift_card_2977513"),
        ("I'll charge your PayPal (paypal_7881036).", "paypal_7881036"),
        ("Refund to credit_card_123 in 5-7 days.", "credit_card_123"),
        ("Balances cannot be withdrawn. (source: giftcards-en)", "(source: giftcards-en)"),
        ("人工客服9:00至21:00。（来源：hours-zh）", "（来源：hours-zh）"),
        ("Your account ann_lee_1 has 2 orders.", "ann_lee_1"),
        ("Status: exchange_requested.", "exchange_requested"),
    ],
)
def test_internal_ids_in_customer_text_are_found(text: str, found: str) -> None:
    assert issues(user("hi"), say(text)) == [("internal_id", found)]


@pytest.mark.parametrize(
    "text",
    [
        "I've emailed ann_lee@example.test a label.",  # an email is the customer's own
        "Your PayPal and the Visa ending 1234 are on file.",
        "Order #W1000001 is pending.",
        "Sources say nothing (see our returns page).",
    ],
)
def test_emails_payment_kinds_and_order_ids_are_not_internal_ids(text: str) -> None:
    assert issues(user("hi"), say(text)) == []


def test_ids_in_tool_arguments_are_not_customer_text() -> None:
    assert (
        issues(
            user("transfer me"),
            call(
                "c1", "transfer_to_human_agents", "A person will take over shortly.", summary="x_y"
            ),
            result("c1", "Transfer successful"),
        )
        == []
    )


# ---------------------------------------------------------------- repeated replies
def test_a_reply_said_again_word_for_word_is_a_repeat() -> None:
    asked = "Please give me your account email."
    assert issues(user("why?"), say(asked), user("why??"), say(f"  {asked} "), user("?")) == [
        ("repeated_reply", asked)
    ]


def test_a_reply_that_changes_is_not_a_repeat() -> None:
    assert (
        issues(user("why?"), say("It is pending."), user("why"), say("It has not shipped.")) == []
    )


# ---------------------------------------------------------------- transfers
def test_a_transfer_with_no_message_to_the_customer_is_silent() -> None:
    found = check_conversation(
        transcript(
            user("转人工"),
            call("c1", "transfer_to_human_agents", summary="customer asks for a person"),
            result("c1", "Transfer successful"),
        ),
        lang="zh",
    )
    assert found.issues == (QualityIssue("silent_transfer", 1, "transfer with no message"),)


def test_a_message_before_the_last_customer_turn_does_not_announce_a_transfer() -> None:
    assert issues(
        user("where is my parcel"),
        say("It shipped yesterday."),
        user("get me a human"),
        call("c1", "transfer_to_human_agents", summary="parcel"),
        result("c1", "Transfer successful"),
    ) == [("silent_transfer", "transfer with no message")]


@pytest.mark.parametrize("same_message", [True, False])
def test_a_transfer_announced_since_the_customer_spoke_is_not_silent(same_message: bool) -> None:
    announce = "A colleague will take over here within a few minutes."
    messages = (
        [call("c1", "transfer_to_human_agents", announce, summary="s")]
        if same_message
        else [say(announce), call("c1", "transfer_to_human_agents", summary="s")]
    )
    assert issues(user("agent please"), *messages, result("c1", "Transfer successful")) == []


# ---------------------------------------------------------------- English in Chinese replies
def test_english_status_and_reason_words_in_a_chinese_reply_are_found() -> None:
    assert issues(
        user("帮我查下订单"),
        say("订单 #W1000001 的订单状态：pending。原因：ordered by mistake。"),
        lang="zh",
    ) == [("english_in_zh", "pending"), ("english_in_zh", "ordered by mistake")]


@pytest.mark.parametrize(
    "text",
    [
        "订单状态：delivered（已签收）。",  # a gloss follows
        "只有待发货（pending）状态的订单可以取消。",  # the word glosses Chinese
        "Water Bottle 颜色改成 grey，材质 stainless steel。",  # catalog name and values
        "我们用 UPS 和 FedEx 发货，可用 PayPal 支付。",  # names, not policy words
    ],
)
def test_glossed_words_and_catalog_words_are_allowed_in_chinese(text: str) -> None:
    assert issues(user("你好"), say(text), lang="zh") == []


def test_english_replies_are_not_checked_for_english_words() -> None:
    assert issues(user("status?"), say("Order #W1000001 status: pending."), lang="en") == []


# ---------------------------------------------------------------- recaps after writes
def test_a_write_followed_by_a_bare_done_has_no_recap() -> None:
    assert issues(
        user("yes"),
        call("c1", "cancel_pending_order", **CANCEL),
        result("c1", '{"status": "cancelled"}'),
        say("Done, the change is made. Anything else I can help with?"),
    ) == [
        (
            "no_recap",
            "cancel_pending_order followed by 'Done, the change is made. Anything else I can "
            "help with?'",
        )
    ]


def test_an_amount_without_its_currency_is_no_recap() -> None:
    found = issues(
        user("yes"),
        call("c1", "cancel_pending_order", **CANCEL),
        result("c1", "{}"),
        say("Cancelled. Amount refunded: 3930.54."),
    )
    assert [kind for kind, _ in found] == ["no_recap"]


@pytest.mark.parametrize(
    "recap",
    [
        "Cancelled #W1000001: $3,930.54 goes back to your Visa ending 1234 in 5-7 business days.",
        "已取消，3930.54美元将原路退回。",
        "已取消，¥120.00 即时退回礼品卡。",
        "Cancelled; 3930.54 USD refunded to your PayPal.",
    ],
)
def test_a_recap_with_a_currency_amount_is_enough(recap: str) -> None:
    messages = (call("c1", "cancel_pending_order", **CANCEL), result("c1", "{}"), say(recap))
    assert issues(user("yes"), *messages) == []


def test_an_address_change_is_recapped_by_its_new_address() -> None:
    write = (call("c1", "modify_pending_order_address", **ADDRESS), result("c1", "{}"))
    assert issues(user("yes"), *write, say("Done: it now ships to 52 Lighthouse Road.")) == []
    assert [k for k, _ in issues(user("yes"), *write, say("Done!"))] == ["no_recap"]


def test_a_failed_write_needs_no_recap_and_a_reply_after_the_next_turn_does_not_count() -> None:
    assert (
        issues(
            user("yes"),
            call("c1", "cancel_pending_order", **CANCEL),
            result("c1", "Error: non-pending order cannot be cancelled"),
            say("Sorry, it has shipped."),
        )
        == []
    )
    found = issues(
        user("yes"),
        call("c1", "cancel_pending_order", **CANCEL),
        result("c1", "{}"),
        user("hello?"),
        say("$908.40 is on its way back to you."),
    )
    assert [kind for kind, _ in found] == ["no_recap"]


# ---------------------------------------------------------------- the report
def test_the_report_counts_issues_and_conversations_per_kind() -> None:
    silent = transcript(
        user("转人工"),
        call("c1", "transfer_to_human_agents", summary="s"),
        result("c1", "Transfer successful"),
        case_id="a",
    )
    repeats = transcript(user("?"), say("x"), user("?"), say("x"), user("?"), say("x"), case_id="b")
    report = check_transcripts([silent, repeats], langs={"b": "en"})
    assert [c.lang for c in report.conversations] == ["zh", "en"]  # a: guessed from its text
    assert report.figures() == {
        "internal_id": {"issues": 0, "conversations": 0},
        "repeated_reply": {"issues": 2, "conversations": 1},
        "silent_transfer": {"issues": 1, "conversations": 1},
        "english_in_zh": {"issues": 0, "conversations": 0},
        "no_recap": {"issues": 0, "conversations": 0},
    }
    assert list(report.figures()) == list(ISSUE_KINDS)
    assert (
        report.lines()[0] == "reply quality over 2 conversations (issues / conversations affected):"
    )


def test_catalog_phrases_are_the_stores_product_names_and_option_values(tau_dir: Path) -> None:
    phrases = catalog_phrases(RetailStore.load(tau_dir / "db"))
    assert {"water bottle", "stainless steel", "grey", "1tb ssd"} <= phrases
    assert "color" not in phrases  # option keys are English words a zh reply can translate


# ---------------------------------------------------------------- `shopcrew eval cs --quality`
def test_eval_cs_with_quality_prints_the_counts_before_the_summary_line(
    tau_dir: Path, tmp_path: Path
) -> None:
    eval_dir = tau_dir.parent / "eval"
    cases = tmp_path / "cases.jsonl"
    kept = (eval_dir / "cs_dev.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    cases.write_text("\n".join(kept) + "\n", encoding="utf-8")
    out = tmp_path / "cs.jsonl"
    command = [sys.executable, "-c", "from shopcrew.cli import main; main()", "eval", "cs"]
    args = ["--cases", cases, "--db", tau_dir / "db", "--out", out, "--quality"]
    run = subprocess.run(
        [*command, *map(str, args)], capture_output=True, text=True, timeout=300, check=False
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[-1].startswith("cs: passed ")
    expected = check_transcript_file(out, cases=cases, db=tau_dir / "db")
    assert lines[-7:-1] == expected.lines()
    result = json.loads((tmp_path / "cs.result.json").read_text(encoding="utf-8"))
    assert result["figures"]["quality"] == expected.figures()
