"""How much of the dev set's language the rules model's NLU recovers (prints rates; loose floors).

Reads the dev cases as data only: nothing here is tuned to an id or a sentence.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from shopcrew.agents.cs.rules.items import extract_item_mentions
from shopcrew.agents.cs.rules.nlu import understand
from shopcrew.agents.cs.rules.slots import resolve_payment, target_payment

ROOT = Path(__file__).resolve().parents[3]
EVAL = ROOT.parent / "shared" / "eval"
DB = ROOT.parent / "shared" / "tau-retail" / "db"

EXPECTED_ACTION = {
    "cancel": "cancel",
    "modify_address": "modify_address",
    "modify_payment": "modify_payment",
    "modify_items": {"modify_items", "exchange"},
    "return": "return",
    "exchange": {"exchange", "modify_items"},
    "user_address": "user_address",
    "status": "status",
    "refuse_status": {
        "cancel",
        "return",
        "exchange",
        "modify_items",
        "modify_address",
        "modify_payment",
    },
    "unavailable": {"exchange", "modify_items"},
}


def _load() -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    cases = [json.loads(line) for line in (EVAL / "cs_dev.jsonl").read_text().splitlines() if line]
    users = json.loads((DB / "users.json").read_text())
    orders = json.loads((DB / "orders.json").read_text())
    return cases, users, orders


@pytest.mark.skipif(not (EVAL / "cs_dev.jsonl").exists(), reason="no ../shared/eval")
def test_dev_set_recovery_rates(capsys: pytest.CaptureFixture[str]) -> None:
    cases, users, orders = _load()
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for case in cases:
        turns = case["turns"]
        first = understand(turns[0])
        request = " ".join(turns[:2] if case["category"] != "multi" else turns[:1])
        u = understand(request)
        category = case["category"]
        expected = EXPECTED_ACTION.get(category)
        if expected is not None:
            totals["action"] += 1
            hits["action"] += u.action in (expected if isinstance(expected, set) else {expected})
        flags = {
            "human": u.wants_human,
            "refund_only": u.refund_only,
            "injection": u.injection,
            "no_auth": u.refuses_identify,
            "faq": bool(u.faq),
        }
        if category in flags:
            totals[category] += 1
            hits[category] += flags[category]
        totals["lang"] += 1
        hits["lang"] += first.lang == case["lang"]
        everything = understand(" ".join(turns))
        if case["user_id"] and category not in {"no_auth"}:
            user = users[case["user_id"]]
            totals["identity"] += 1
            by_email = everything.email == user["email"]
            name = (user["name"]["first_name"], user["name"]["last_name"])
            by_name = everything.name == name and everything.zip == user["address"]["zip"]
            hits["identity"] += by_email or by_name
        for write in case.get("expect", {}).get("writes", []):
            kwargs = write["kwargs"]
            if "order_id" in kwargs:
                totals["order_id"] += 1
                hits["order_id"] += kwargs["order_id"] in everything.order_ids
            if "reason" in kwargs:
                totals["reason"] += 1
                hits["reason"] += everything.reason == kwargs["reason"]
            if "address1" in kwargs:
                totals["address"] += 1
                a = everything.address
                got = a and (a.address1, a.address2, a.city, a.state, a.zip)
                want = tuple(kwargs[k] for k in ("address1", "address2", "city", "state", "zip"))
                hits["address"] += got == want
            if "payment_method_id" in kwargs:
                totals["payment"] += 1
                order = orders[kwargs["order_id"]]
                methods = users[order["user_id"]]["payment_methods"]
                ref = target_payment(everything.payments)
                original = order["payment_history"][0]["payment_method_id"]
                got_id = ref and resolve_payment(ref, methods, original_id=original)
                hits["payment"] += got_id == kwargs["payment_method_id"]
            if "item_ids" in kwargs:
                totals["items"] += 1
                order = orders[kwargs["order_id"]]
                names = {item["name"] for item in order["items"]}
                catalog = {n: {} for n in names}
                mentioned = {m.name for m in extract_item_mentions(" ".join(turns), catalog)}
                wanted = {i["name"] for i in order["items"] if i["item_id"] in kwargs["item_ids"]}
                hits["items"] += wanted <= mentioned
    with capsys.disabled():
        print()
        for key in sorted(totals):
            print(
                f"  nlu {key:12s} {hits[key]:3d}/{totals[key]:3d} = {hits[key] / totals[key]:.0%}"
            )
    assert hits["lang"] == totals["lang"]
    assert hits["order_id"] / totals["order_id"] >= 0.9
