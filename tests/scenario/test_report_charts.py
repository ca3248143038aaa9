"""The PNG charts at the edges: one event, several days, many kinds and campaigns, no data."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from shopcrew.errors import ReportFormatError
from shopcrew.scenario.charts import (
    TimedEvent,
    budget_chart,
    drawable,
    funnel_chart,
    timeline_chart,
)
from shopcrew.scenario.report import render_markdown

START = datetime(2026, 11, 11, 9, 0)


def size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        image.verify()
        return image.size


def test_one_event_makes_a_one_bucket_timeline(tmp_path: Path) -> None:
    path = timeline_chart(tmp_path / "one.png", [TimedEvent(START, "customer_message")])

    assert size(path) == (1000, 520)


def test_three_days_and_twelve_kinds_fit_one_timeline(tmp_path: Path) -> None:
    kinds = [f"kind_{n:02d}" for n in range(12)]
    events = [
        TimedEvent(START + timedelta(minutes=37 * i), kinds[i % len(kinds)]) for i in range(120)
    ]
    assert events[-1].at - events[0].at > timedelta(days=3)

    path = timeline_chart(tmp_path / "days.png", events, escalations=[START, START])

    assert size(path) == (1000, 520)


def test_many_campaigns_widen_the_budget_chart(tmp_path: Path) -> None:
    before = {f"cmp_{n:02d}": 100.0 * (n + 1) for n in range(14)}
    after = {c: v * 1.1 for c, v in before.items()}

    path = budget_chart(tmp_path / "budget.png", before=before, after=after)

    width, height = size(path)
    assert 1000 < width <= 1600 and height == 520


def test_no_conversations_draws_a_one_line_funnel(tmp_path: Path) -> None:
    path = funnel_chart(tmp_path / "f.png", conversations=0, answered=0, resolved=0, escalated=0)

    assert size(path) == (1000, 200)


def test_chinese_campaign_names_are_drawn_without_missing_glyphs(tmp_path: Path) -> None:
    names = {"ztc_dress": "连衣裙-直通车", "wxt_down": "羽绒服-万相台"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = budget_chart(
            tmp_path / "budget.png",
            before={"ztc_dress": 1200.0, "wxt_down": 800.0},
            after={"ztc_dress": 1445.61, "wxt_down": 554.39},
            labels=names,
        )

    assert size(path) == (1000, 520)
    assert not [str(w.message) for w in caught if "missing from font" in str(w.message)]
    # drawn as names, not replaced by their ids
    assert all(drawable(name, "fallback") == name for name in names.values())


def test_labels_fall_back_only_when_a_glyph_is_missing() -> None:
    assert drawable("cmp_1 ¥ → ±", "fallback") == "cmp_1 ¥ → ±"
    assert drawable("\U0001d11e clef", "fallback") == "fallback"  # no font here draws 𝄞


def test_a_failed_run_without_failed_expectations_still_says_failed() -> None:
    report = {"scenario": {"name": "x"}, "passed": False, "expectations": []}

    assert "## ❌ Failed: the run did not complete as the scenario expects" in render_markdown(
        report
    )


@pytest.mark.parametrize(
    ("report", "field"),
    [
        ({"budgets": {"before": {"cmp_1": "lots"}}}, "budgets.before.cmp_1"),
        ({"expectations": [{"name": "x"}]}, "expectations.0.passed"),
        ({"events": "e1,e2"}, "events"),
    ],
)
def test_a_section_of_the_wrong_shape_names_its_field(
    report: dict[str, object], field: str
) -> None:
    with pytest.raises(ReportFormatError, match=rf"{field}: "):
        render_markdown(report)


def test_a_report_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ReportFormatError, match="expected a mapping"):
        render_markdown([("passed", True)])  # type: ignore[arg-type]
