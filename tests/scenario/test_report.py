"""The Markdown report and its charts, written from report dicts of the scenario contract."""

from __future__ import annotations

import copy
import random
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from shopcrew.errors import ReportFormatError
from shopcrew.scenario.analysis import percentile
from shopcrew.scenario.report import render_markdown, write_report

REASONS = (
    "customer asked for a person",
    "仅退款 request needs negotiation",
    "order not found after two tries",
    "complaint about a broken item",
)


def contract_report(
    *, seed: int = 0, conversations: int = 300, escalation_rate: float = 0.13
) -> dict[str, Any]:
    """A report.json dict as the contract describes it, with figures consistent with its events."""
    rng = random.Random(seed)
    start = datetime.fromisoformat("2026-11-11T09:00:00+08:00")
    events: list[dict[str, Any]] = []
    escalations: list[dict[str, Any]] = []

    def add(kind: str, agent: str, at: datetime, outcome: str, detail: str) -> None:
        events.append(
            {
                "index": len(events),
                "id": f"e{len(events)}",
                "kind": kind,
                "agent": agent,
                "at": at.isoformat(),
                "latency_ms": round(rng.uniform(0.5, 20.0), 2),
                "outcome": outcome,
                "thread_id": f"t{len(events)}",
                "detail": detail,
            }
        )

    for n in range(conversations):
        at = start + timedelta(seconds=rng.uniform(0, 12 * 3600))
        escalated = rng.random() < escalation_rate
        if escalated:
            reason = rng.choices(REASONS, weights=[5, 3, 2, 1])[0]
            escalations.append({"conversation_id": f"c{n}", "reason": reason, "at": at.isoformat()})
        detail = "我的订单什么时候发货？" if n % 2 else "Where is my order?"
        add("customer_message", "cs_agent", at, "escalated" if escalated else "resolved", detail)
    for k in range(rng.randint(20, 60)):
        at = start + timedelta(seconds=rng.uniform(0, 12 * 3600))
        add("order_event", "store_manager", at, "done", f"order #W{1000000 + k} shipped")
    for k in range(4):
        add("audit_tick", "store_manager", start + timedelta(hours=3 * k), "done", "listing audit")
    add("budget_review_tick", "planner", start + timedelta(hours=6), "approval_waiting", "review")
    add("human_decision", "human", start + timedelta(hours=7), "approved", "店长批准预算调整")
    add("redis_fault", "system", start + timedelta(hours=9), "fault_injected", "redis restarted")
    events.sort(key=lambda e: str(e["at"]))
    reasons: dict[str, int] = {}
    for escalation in escalations:
        reasons[escalation["reason"]] = reasons.get(escalation["reason"], 0) + 1
    resolved = conversations - len(escalations)
    before = {f"cmp_{i}": float(rng.randrange(200, 2000, 50)) for i in range(1, 5)}
    after = dict(before)
    moved = float(rng.randrange(50, 200, 10))
    after["cmp_1"] += moved
    after["cmp_2"] -= moved
    return {
        "scenario": {
            "name": "peak_hour_1111",
            "title": "双十一 peak hour",
            "description": "Hundreds of conversations in zh and en, a budget review.",
            "file": "scenarios/peak_hour_1111.yaml",
            "seed": seed,
            "model": "rules",
            "memory": "in-memory",
            "started_at": "2026-11-25T04:10:00+00:00",
            "duration_s": 12.3,
            "commit": "abc1234",
            "shopcrew_version": "0.1.0",
        },
        "passed": False,
        "summary": {
            "events": len(events),
            "conversations": conversations,
            "resolved_without_person": resolved,
            "resolution_rate": resolved / conversations,
            "escalations": len(escalations),
            "violations": 0,
            "approvals": {"requested": 2, "approved": 1, "rejected": 0, "pending": 1, "expired": 0},
            "budget_moved": moved,
            "expected_gmv_change": round(moved * 2.7, 2),
            "listing_defects_found": 3,
            "listing_defects_fixed": 2,
            "latency_ms": {
                "p50": 3.1,
                "p95": 12.0,
                "by_kind": {"order_event": {"p50": 1, "p95": 2}},
            },
            "tokens": {"input": 0, "output": 0},
            "cost_usd": None,
        },
        "funnel": {
            "conversations": conversations,
            "answered_by_agent": conversations,
            "resolved_without_person": resolved,
            "escalated": len(escalations),
        },
        "escalations": escalations,
        "escalation_reasons": reasons,
        "violations": [],
        "approvals": [
            {
                "id": "ap-1",
                "kind": "budget_change",
                "summary": f"move ¥{moved:.0f} from cmp_2 to cmp_1",
                "status": "approved",
                "requested_at": "2026-11-11T15:00:00+08:00",
                "decided_at": "2026-11-11T16:00:00+08:00",
            },
            {
                "id": "ap-2",
                "kind": "refund",
                "summary": "退款 | #W1000007 | ¥89",
                "status": "pending",
                "requested_at": "2026-11-11T20:00:00+08:00",
                "decided_at": None,
            },
        ],
        "budgets": {"before": before, "after": after},
        "listings": {
            "defects_found": [
                {"listing_id": "L1", "codes": ["missing_image"]},
                {"listing_id": "L2", "codes": ["title_too_long", "banned_word"]},
                {"listing_id": "L3", "codes": ["price_below_cost"]},
            ],
            "defects_fixed": [
                {"listing_id": "L1", "codes": ["missing_image"]},
                {"listing_id": "L2", "codes": ["title_too_long", "banned_word"]},
            ],
        },
        "events": events,
        "expectations": [
            {"name": "no policy violation", "passed": True, "detail": "0 violations"},
            {
                "name": "resolution rate ≥ 95%",
                "passed": False,
                "detail": f"{resolved / conversations:.1%} resolved without a person",
            },
            {"name": "回复不承诺退款", "passed": True, "detail": "no reply promised a refund"},
        ],
        "artifacts": {"report_md": "report.md", "charts": ["charts/funnel.png"]},
    }


def _section(markdown: str, heading: str) -> str:
    """The text under `## heading` up to the next second-level heading."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"no section {heading!r} in:\n{markdown}"
    return match.group(1)


def _png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        image.verify()
        return image.size


def test_full_report_writes_markdown_embedding_three_readable_pngs(tmp_path: Path) -> None:
    files = write_report(contract_report(), tmp_path / "run")

    markdown = files.markdown.read_text(encoding="utf-8")
    assert files.markdown == tmp_path / "run" / "report.md"
    assert files.charts == (
        Path("charts/funnel.png"),
        Path("charts/budget.png"),
        Path("charts/timeline.png"),
    )
    for chart in files.charts:
        width, height = _png_size(tmp_path / "run" / chart)
        assert 900 <= width <= 1700 and 300 <= height <= 800, (chart.name, width, height)
        assert f"]({chart})" in markdown


@pytest.mark.parametrize(("seed", "conversations", "rate"), [(1, 120, 0.1), (7, 400, 0.35)])
def test_key_figures_are_the_dict_s_figures(seed: int, conversations: int, rate: float) -> None:
    report = contract_report(seed=seed, conversations=conversations, escalation_rate=rate)
    summary = report["summary"]

    figures = _section(render_markdown(report), "Key figures")

    share = summary["resolved_without_person"] / conversations
    resolved = f"**{share:.1%}** ({summary['resolved_without_person']:,} of {conversations:,}"
    assert resolved in figures
    assert "industry" not in figures  # no outside figure without a source
    assert f"| Handed to a person | {summary['escalations']} |" in figures
    assert f"| Budget moved | ¥{summary['budget_moved']:,.2f} per day |" in figures
    gmv = f"| Expected GMV change | +¥{summary['expected_gmv_change']:,.2f} per day |"
    assert gmv in figures
    assert "| Listing defects | 3 found, 2 fixed | 1 still open |" in figures
    assert "| Policy violations | **0** | ✅ must be 0 |" in figures
    assert "offline rules model" in figures


def test_verdict_comes_first_and_says_which_expectation_failed_and_why() -> None:
    report = contract_report()
    failed = report["expectations"][1]

    markdown = render_markdown(report)

    verdict = markdown.index("## ❌ Failed: 1 of 3 expectations not met")
    assert verdict < markdown.index("## Key figures")
    assert f"- **{failed['name']}**: {failed['detail']}" in markdown[verdict:]
    assert "- **no policy violation**" not in markdown


def test_passing_run_says_all_expectations_met() -> None:
    report = contract_report()
    report["passed"] = True
    for expectation in report["expectations"]:
        expectation["passed"] = True

    assert "## ✅ Passed: all 3 expectations met" in render_markdown(report)


def test_escalation_reasons_table_counts_each_reason(tmp_path: Path) -> None:
    report = contract_report(seed=3)

    section = _section(render_markdown(report), "Escalations to a person")

    total = sum(report["escalation_reasons"].values())
    for reason, count in report["escalation_reasons"].items():
        assert f"| {reason} | {count} | {count / total:.0%} |" in section


def test_budget_table_shows_each_campaign_and_the_totals() -> None:
    report = contract_report(seed=5)
    before, after = report["budgets"]["before"], report["budgets"]["after"]

    section = _section(render_markdown(report), "Campaign budgets")

    for campaign in before:
        change = after[campaign] - before[campaign]
        sign = "+" if change > 0 else "−" if change < 0 else ""
        row = f"| `{campaign}` | ¥{before[campaign]:,.2f} | ¥{after[campaign]:,.2f} | {sign}¥"
        assert row + f"{abs(change):,.2f} |" in section
    assert f"| **Total** | **¥{sum(before.values()):,.2f}** |" in section


def test_chinese_texts_of_the_data_render_in_the_markdown(tmp_path: Path) -> None:
    report = contract_report()
    report["budgets"]["names"] = {"cmp_1": "双十一主推", "cmp_2": "年货节"}

    markdown = write_report(report, tmp_path).markdown.read_text(encoding="utf-8")

    assert markdown.startswith("# 双十一 peak hour\n\nscenario `peak_hour_1111` · model rules")
    assert "| 仅退款 request needs negotiation |" in markdown
    assert "退款 \\| #W1000007 \\| ¥89" in markdown  # pipes of the data escaped in the table
    assert "| `cmp_1` 双十一主推 |" in markdown
    assert "| ✅ | 回复不承诺退款 |" in markdown


def test_minimal_report_explains_each_missing_section_in_one_line(tmp_path: Path) -> None:
    report = {"scenario": {"name": "quiet_day"}, "passed": True}

    files = write_report(report, tmp_path)

    markdown = files.markdown.read_text(encoding="utf-8")
    assert "![" not in markdown  # no chart without data is embedded
    for chart in (files.funnel, files.budget, files.timeline):
        assert _png_size(chart)[0] == 1000  # still written: the contract's artifacts exist
    expected = {
        "Resolution funnel": "No customer conversations in this scenario.",
        "Escalations to a person": "No conversation was handed to a person.",
        "Policy violations": "None: no reply or action broke the merchant policy.",
        "Approvals": "No approval was requested in this scenario.",
        "Campaign budgets": "No budget review in this scenario: budgets were not changed.",
        "Listing defects": "No listing audit in this scenario.",
        "Events over the simulated day": "No events were recorded in this run.",
        "Expectations": "The scenario states no expectations.",
    }
    for heading, line in expected.items():
        assert _section(markdown, heading).strip() == line
    assert "## ✅ Passed" in markdown
    assert "| Budget moved | – | no budget review in this scenario |" in markdown


def test_empty_sections_are_explained_and_the_empty_budget_chart_says_so(tmp_path: Path) -> None:
    report = contract_report()
    report["budgets"] = {"before": {}, "after": {}}
    report["listings"] = {"defects_found": [], "defects_fixed": []}
    report["approvals"] = []
    del report["summary"]["approvals"], report["summary"]["budget_moved"]

    files = write_report(report, tmp_path)

    markdown = files.markdown.read_text(encoding="utf-8")
    assert "charts/budget.png" not in markdown
    assert _png_size(files.budget) == (1000, 200)  # the one-line "no budget review" image
    assert _section(markdown, "Listing defects").strip() == "The audit found no listing defects."
    assert "| Approvals requested | 0 | none requested |" in markdown


def test_figures_are_derived_from_the_sections_when_summary_is_missing() -> None:
    report = contract_report(seed=2)
    del report["summary"]
    funnel = report["funnel"]
    report["approvals"][1]["status"] = "expired"

    figures = _section(render_markdown(report), "Key figures")

    share = funnel["resolved_without_person"] / funnel["conversations"]
    assert f"**{share:.1%}**" in figures
    assert f"| Handed to a person | {len(report['escalations'])} |" in figures
    assert "| Approvals requested | 2 | 1 approved, 1 expired |" in figures
    before, after = report["budgets"]["before"], report["budgets"]["after"]
    moved = after["cmp_1"] - before["cmp_1"]
    assert f"| Budget moved | ¥{moved:,.2f} per day |" in figures
    listings = report["listings"]
    found = sum(len(d["codes"]) for d in listings["defects_found"])  # counted per code
    fixed = sum(len(d["codes"]) for d in listings["defects_fixed"])
    assert f"| Listing defects | {found} found, {fixed} fixed |" in figures


def test_latency_per_kind_is_computed_from_events_unless_the_summary_gives_it() -> None:
    report = contract_report()
    audits = sorted(e["latency_ms"] for e in report["events"] if e["kind"] == "audit_tick")

    section = render_markdown(report)

    # 4 audit ticks: nearest rank, as report.json's summary: p50 the 2nd, p95 the 4th.
    assert f"| audit tick | 4 | 4 done | {audits[1]:,.1f} ms | {audits[3]:,.1f} ms |" in section
    assert "| order event |" in section and "| 1.0 ms | 2.0 ms |" in section


def test_latency_derived_from_events_is_the_figure_the_engine_writes() -> None:
    written = contract_report()
    latencies: dict[str, list[float]] = {}
    for event in written["events"]:
        latencies.setdefault(event["kind"], []).append(event["latency_ms"])
    every = [v for values in latencies.values() for v in values]
    written["summary"]["latency_ms"] = {  # as build_report computes it from the same records
        "p50": percentile(every, 50),
        "p95": percentile(every, 95),
        "by_kind": {
            kind: {"p50": percentile(values, 50), "p95": percentile(values, 95)}
            for kind, values in latencies.items()
        },
    }
    derived = copy.deepcopy(written)
    del derived["summary"]["latency_ms"]

    assert render_markdown(derived) == render_markdown(written)


def test_violations_are_flagged_under_the_verdict_and_listed() -> None:
    report = contract_report()
    report["summary"]["violations"] = 1
    report["violations"] = [
        {"event_id": "e9", "conversation_id": "c9", "detail": "refund attempted and blocked"}
    ]

    markdown = render_markdown(report)

    assert "⚠️ **1 policy violation(s)**" in markdown.split("## Key figures")[0]
    assert "| Policy violations | **1** | ❌ must be 0 |" in markdown
    assert "| `e9` | `c9` | refund attempted and blocked |" in markdown


def test_paid_model_shows_tokens_and_cost() -> None:
    report = contract_report()
    report["scenario"]["model"] = "openai:gpt-4o-mini"
    report["summary"]["tokens"] = {"input": 123456, "output": 7890}
    report["summary"]["cost_usd"] = 0.0232

    figures = _section(render_markdown(report), "Key figures")

    assert (
        "| Model tokens and cost | $0.0232 for this run | 123,456 input + 7,890 output" in figures
    )
    assert "offline" not in figures


def test_overnight_events_and_events_without_time(tmp_path: Path) -> None:
    report = contract_report(conversations=40)
    report["events"][-1]["at"] = "2026-11-12T08:30:00+08:00"  # resumed the next morning

    files = write_report(report, tmp_path / "overnight")
    assert "charts/timeline.png" in files.markdown.read_text(encoding="utf-8")
    assert _png_size(files.timeline)[0] == 1000

    for event in report["events"]:
        event.pop("at")
    section = _section(render_markdown(report), "Events over the simulated day")
    assert section.startswith("\nThe events carry no simulated time")


def test_unknown_keys_are_ignored() -> None:
    report = contract_report()
    plain = render_markdown(report)
    extended = copy.deepcopy(report)
    extended["engine_notes"] = {"anything": [1, 2]}
    extended["summary"]["new_figure"] = 3
    extended["events"][0]["trace"] = {"spans": 4}

    assert render_markdown(extended) == plain


def test_wrong_shape_raises_a_typed_error_naming_the_field(tmp_path: Path) -> None:
    report = contract_report()
    report["summary"]["escalations"] = "many"

    with pytest.raises(ReportFormatError, match=r"summary\.escalations.*'many'"):
        write_report(report, tmp_path)
    assert not (tmp_path / "report.md").exists()


def test_writing_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    report = contract_report(seed=11)

    first = write_report(report, tmp_path / "a")
    again = write_report(report, tmp_path / "b")

    assert first.markdown.read_bytes() == again.markdown.read_bytes()
    for chart in first.charts:
        assert (first.out_dir / chart).read_bytes() == (again.out_dir / chart).read_bytes(), chart


def test_engine_additions_are_shown_escalation_codes_blocked_attempts_who_decided() -> None:
    report = contract_report()
    report["escalation_reasons"] = {"customer_request": 5, "refund_only": 2}
    report["summary"]["blocked_attempts"] = 1
    report["summary"]["errors"] = 0
    report["summary"]["model_calls"] = 1395
    report["blocked_attempts"] = [
        {"event_id": "e7", "conversation_id": "inj-1", "detail": "refund attempted and blocked"}
    ]
    report["approvals"][0] |= {"requested_by": "planner", "decided_by": "店长 Li"}
    report["scenario"] |= {
        "simulated_start": "2026-11-11T00:00:00+08:00",
        "simulated_end": "2026-11-11T00:55:00+08:00",
    }

    markdown = render_markdown(report)

    assert "| customer asked for a person (`customer_request`) | 5 | 71% |" in markdown
    assert "| 仅退款 (refund without return): a person negotiates (`refund_only`) | 2 |" in markdown
    assert "| Unauthorised actions blocked | 1 | attempted, stopped by the policy guard" in markdown
    assert "| Events that failed | 0 | ✅ every event ran |" in markdown
    assert "offline rules model, 1,395 model calls, no tokens billed" in markdown
    blocked = _section(markdown, "Policy violations")
    assert "| `e7` | `inj-1` | refund attempted and blocked |" in blocked
    assert "| 2026-11-11 15:00 by planner | 2026-11-11 16:00 by 店长 Li |" in markdown
    assert "simulated 2026-11-11 00:00 to 00:55 (UTC+08:00)" in markdown.splitlines()[2]


def test_engine_empty_sections_without_their_events_mean_no_review_and_no_audit() -> None:
    report = contract_report()
    report["events"] = [
        e for e in report["events"] if e["kind"] not in ("audit_tick", "budget_review_tick")
    ]
    report["budgets"] = {}
    report["listings"] = {"defects_found": [], "defects_fixed": []}
    report["summary"] |= {"budget_moved": 0.0, "expected_gmv_change": 0.0}

    markdown = render_markdown(report)

    assert "| Budget moved | – | no budget review in this scenario |" in markdown
    assert "Expected GMV change" not in markdown
    assert "| Listing defects | – | no listing audit in this scenario |" in markdown
    assert _section(markdown, "Listing defects").strip() == "No listing audit in this scenario."


def test_chart_links_are_relative_to_a_relative_report_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    files = write_report({"scenario": {"name": "x"}}, Path("reports") / "x")

    assert files.markdown == Path("reports/x/report.md")
    assert files.budget == Path("reports/x/charts/budget.png") and files.budget.is_file()
    assert [str(c) for c in files.charts] == [
        "charts/funnel.png",
        "charts/budget.png",
        "charts/timeline.png",
    ]
