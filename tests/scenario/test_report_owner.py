"""What a shop owner acts on in report.md: the To-do list, names next to ids, why each budget
moved, who still waits for a person, and the currency and period of every amount."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from shopcrew.data import scenario_path
from shopcrew.scenario import run_scenario
from shopcrew.scenario.report import render_markdown

NAMES = {
    "campaigns": {"ztc_dress": "连衣裙-直通车", "wxt_down": "羽绒服-万相台", "jd_buds": "降噪耳机"},
    "listings": {
        "itm_1": "雪域女短款轻薄冬季连帽羽绒服",
        "itm_2": "云南饼茶357g普洱茶",
        "itm_3": "玻尿酸面膜 20片装",
    },
    "customers": {"zhang_wei_1": "张伟"},
}


def owner_report(**changes: Any) -> dict[str, Any]:
    """A report.json dict with the owner's sections: names, waiting customers, reviews, defects."""
    report: dict[str, Any] = {
        "scenario": {
            "name": "d11",
            "currency": "CNY",
            "simulated_start": "2026-11-11T00:00:00+08:00",
            "simulated_end": "2026-11-11T00:55:00+08:00",
        },
        "passed": True,
        "names": NAMES,
        "escalations": [
            {
                "conversation_id": "c-2",
                "reason": "refund_only",
                "at": "2026-11-11T00:31:29+08:00",
                "waiting": True,
                "customer_id": "zhang_wei_1",
                "asked": ["订单#W1701126的东西我不想退回了，直接给我仅退款吧。"],
            },
            {
                "conversation_id": "c-1",
                "reason": "customer_request",
                "at": "2026-11-11T00:12:44+08:00",
                "waiting": True,
                "customer_id": None,
                "asked": ["转人工"],
            },
            {
                "conversation_id": "c-3",
                "reason": "complaint",
                "at": "2026-11-11T00:05:00+08:00",
                "waiting": False,
                "asked": ["质量太差了"],
            },
        ],
        "approvals": [
            {
                "id": "e7:budgets",
                "kind": "set_campaign_budgets",
                "requested_by": "planner",
                "summary": "Expected GMV 100 -> 200 (+100); more budget: wxt_down; less: jd_buds.",
                "status": "approved",
                "requested_at": "2026-11-11T00:40:00+08:00",
            },
            {
                "id": "e5:unpause:itm_3",
                "kind": "set_listing_status",
                "requested_by": "store_manager",
                "summary": "Listing itm_3 passes the audit and is in stock; publish it again.",
                "status": "pending",
                "requested_at": "2026-11-11T00:30:00+08:00",
            },
        ],
        "budgets": {
            "before": {"ztc_dress": 1200.0, "wxt_down": 800.0, "jd_buds": 1000.0},
            "after": {"ztc_dress": 0.0, "wxt_down": 1991.79, "jd_buds": 1008.21},
        },
        "budget_reviews": [
            {
                "run_id": "e7",
                "at": "2026-11-11T00:40:00+08:00",
                "paused": ["ztc_dress"],
                "status": "approved",
                "expected_gmv_change": 1494.45,
                "moves": [
                    {
                        "campaign_id": "wxt_down",
                        "current": 800.0,
                        "proposed": 1991.79,
                        "reason": "gains: marginal ROAS 2.78 is above the common 1.76",
                    },
                    {
                        "campaign_id": "jd_buds",
                        "current": 1000.0,
                        "proposed": 1008.21,
                        "reason": "gains: marginal ROAS 1.80 is above the common 1.76",
                    },
                ],
            }
        ],
        "summary": {"budget_moved": 1200.0, "expected_gmv_change": 1494.45},
        "listings": {
            "defects_found": [
                {
                    "listing_id": "itm_1",
                    "codes": ["MISSING_MAIN_IMAGE"],
                    "messages": [
                        "MISSING_MAIN_IMAGE: the listing has no usable image; upload one."
                    ],
                },
                {
                    "listing_id": "itm_2",
                    "codes": ["ABSOLUTE_CLAIM"],
                    "messages": ["ABSOLUTE_CLAIM: '第一' is an absolute claim; remove it."],
                },
            ],
            "defects_fixed": [{"listing_id": "itm_2", "codes": ["ABSOLUTE_CLAIM"]}],
        },
        "expectations": [
            {"name": "paused listing live", "passed": True, "detail": "listing itm_3 active"}
        ],
    }
    report.update(changes)
    return report


def section(markdown: str, title: str) -> str:
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert found, f"no section {title!r}"
    return found.group(1)


def test_the_to_do_list_comes_first_and_says_what_to_do() -> None:
    markdown = render_markdown(owner_report())

    assert markdown.index("## To do") < markdown.index("## ✅ Passed")
    todo = section(markdown, "To do")
    assert "**Answer 2 customer(s) waiting for a person**, the longest since 00:12" in todo
    assert "**Decide approval `e5:unpause:itm_3`** asked by store_manager at 00:30" in todo
    assert "itm_3 (玻尿酸面膜 20片装) passes the audit" in todo
    # the open defect with what to do; the fixed one is not a task
    assert "**Fix listing `itm_1` 雪域女短款轻薄冬季连帽羽绒服**: the listing has no usable" in todo
    assert "itm_2" not in todo


def test_nothing_to_do_is_said_in_one_line() -> None:
    report = owner_report(escalations=[], approvals=[], listings=None)

    todo = section(render_markdown(report), "To do")

    assert todo.strip() == "Nothing waits for you: no customer, approval or listing defect."


def test_the_waiting_list_names_who_waits_since_when_and_what_they_asked() -> None:
    waiting = section(render_markdown(owner_report()), "Waiting for a person")

    assert (
        "2 customer(s) still wait for a person at the end of the run (00:55 simulated)" in waiting
    )
    assert "1 were answered by a person" in waiting
    rows = [line for line in waiting.splitlines() if line.startswith("| 00:")]
    assert rows[0].startswith(
        "| 00:12 | `c-1` | not identified by the agent | customer request | “转人工”"
    )
    assert rows[1].startswith("| 00:31 | `c-2` | `zhang_wei_1` 张伟 | refund only | “订单#W1701126")
    assert "c-3" not in waiting  # a person answered it


def test_each_moved_budget_has_one_reason_line_with_names_currency_and_period() -> None:
    budgets = section(render_markdown(owner_report()), "Campaign budgets")

    reasons = [line for line in budgets.splitlines() if line.startswith("- ")]
    assert reasons == [
        "- `jd_buds` 降噪耳机: ¥1,000.00 → ¥1,008.21 per day (+1%): gains: marginal ROAS 1.80 "
        "is above the common 1.76 (plan of 00:40, approved)",
        "- `wxt_down` 羽绒服-万相台: ¥800.00 → ¥1,991.79 per day (+149%): gains: marginal ROAS "
        "2.78 is above the common 1.76 (plan of 00:40, approved)",
        "- `ztc_dress` 连衣裙-直通车: ¥1,200.00 → ¥0.00 per day (-100%): paused at 00:40: its "
        "product is out of stock",
    ]
    assert "| `wxt_down` 羽绒服-万相台 | ¥800.00 | ¥1,991.79 | +¥1,191.79 |" in budgets
    assert "Expected GMV change of the new budgets: +¥1,494.45 per day" in budgets


def test_a_move_without_a_review_says_no_reason_was_recorded() -> None:
    budgets = section(render_markdown(owner_report(budget_reviews=[])), "Campaign budgets")

    assert "- `wxt_down` 羽绒服-万相台: ¥800.00 → ¥1,991.79 per day (+149%): no reason" in budgets


def test_names_stand_next_to_ids_in_approvals_listings_and_expectations() -> None:
    markdown = render_markdown(owner_report())

    approvals = section(markdown, "Approvals")
    assert "more for `wxt_down` 羽绒服-万相台, `jd_buds` 降噪耳机" in approvals
    assert "expected GMV change +¥1,494.45 per day" in approvals
    assert "| `itm_1` 雪域女短款轻薄冬季连帽羽绒服 | MISSING_MAIN_IMAGE |" in section(
        markdown, "Listing defects"
    )
    assert "listing itm_3 (玻尿酸面膜 20片装) active" in section(markdown, "Expectations")


@pytest.mark.parametrize(("currency", "symbol"), [("CNY", "¥"), ("USD", "$")])
def test_every_amount_carries_the_shop_currency_and_a_period(currency: str, symbol: str) -> None:
    report = owner_report()
    report["scenario"]["currency"] = currency

    figures = section(render_markdown(report), "Key figures")

    assert f"| Budget moved | {symbol}1,200.00 per day |" in figures
    assert f"| Expected GMV change | +{symbol}1,494.45 per day |" in figures
    other = "$" if symbol == "¥" else "¥"
    assert other not in figures


def test_no_unsourced_industry_figure_is_quoted() -> None:
    markdown = render_markdown(owner_report())

    assert "industry" not in markdown.lower()


def test_a_run_reports_names_waiting_customers_and_budget_reasons(tmp_path: Path) -> None:
    path = scenario_path("double11_peak_hour")

    report = run_scenario(path, volume=0.05, out_dir=tmp_path).report
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")

    assert report["scenario"]["currency"] == "CNY"
    assert report["names"]["campaigns"]["ztc_dress"] == "连衣裙-直通车"
    assert "`ztc_dress` 连衣裙-直通车" in section(markdown, "Campaign budgets")
    waiting = [e for e in report["escalations"] if e["waiting"]]
    assert waiting and all(e["asked"] for e in waiting)
    rows = section(markdown, "Waiting for a person").count("\n| 00:")
    assert rows == len(waiting)
    moves = report["budget_reviews"][0]["moves"]
    assert moves and all(m["reason"] for m in moves)
    budgets = section(markdown, "Campaign budgets").splitlines()
    reasons = [line for line in budgets if line.startswith("- `")]
    assert len(reasons) == len(moves)
    assert all("no reason recorded" not in line for line in reasons)
