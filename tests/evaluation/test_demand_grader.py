"""Our DEMAND_FORMAT.md grader against hand-computed cases and the dev set's own oracle."""

from __future__ import annotations

import math
from typing import Any

import pytest

from shopcrew.evaluation.demand import (
    DemandTruth,
    expected_cost,
    grade_demand,
    grade_market,
    history_naive_plan,
    load_truths,
)
from shopcrew.tools.records.demand import load_demand_markets
from tests.conftest import EVAL_DIR
from tests.support.demand_markets import tiny_market

HISTORY = {"a": {"h": [2] * 14, "x": [1, 2, 3, 4, 5, 6, 7] * 2}}


def _truth(**overrides: Any) -> DemandTruth:
    raw: dict[str, Any] = {
        "mu": {"a": {"h": [2.0] * 28, "x": [0.5] * 28}},
        "phi": {"a": {"h": 2.0, "x": 2.0}},
        "demand": {"a": {"h": [2] * 28, "x": [4] * 28}},
        "write_off": [],
        "fad": [],
        "hit": [],
        "oracle": {"expected_cost": 100.0, "plan": {"a": {"x": 10}}},
    }
    raw.update(overrides)
    return DemandTruth.model_validate(raw)


def _answer(plan: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "tiny",
        "forecast": {
            "a": {
                "h": {"point": [2.0] * 28, "lo": [2.0] * 28, "hi": [2.0] * 28},
                "x": {"point": [3.0] * 28, "lo": [2.0] * 28, "hi": [4.0] * 28},
            }
        },
        "plan": plan,
        **extra,
    }


def _nb_expected_min(q: int, mean: float, phi: float) -> float:
    size, p = mean / (phi - 1.0), 1.0 / phi
    below = 0.0
    total = 0.0
    for n in range(q):
        log_pmf = (
            math.lgamma(n + size)
            - math.lgamma(size)
            - math.lgamma(n + 1)
            + size * math.log(p)
            + n * math.log(1 - p)
        )
        below += math.exp(log_pmf)
        total += 1.0 - below  # P(D > n)
    return total


def test_mase_coverage_and_msis_match_hand_computation() -> None:
    market = tiny_market(HISTORY)
    grade = grade_market(market, _truth(), _answer({"a": {"x": 10}}))
    scale = 18 / 13  # lag-7 differences are 0, so lag 1: |diffs| sum to 18 over 13
    assert grade.forecast.left_out == 1  # the home series has both scales 0
    assert grade.forecast.mase == pytest.approx(1.0 / scale)
    assert grade.forecast.mase_naive == pytest.approx((12 / 7) / scale)
    assert grade.forecast.msis == pytest.approx(2.0 / scale)
    assert (grade.forecast.covered, grade.forecast.days) == (56, 56)
    assert grade.violations == ()


def test_expected_cost_matches_the_negative_binomial_by_hand() -> None:
    market = tiny_market(HISTORY)
    a = 1.5 + 0.05 * 35  # transfer + holding over the holding days
    s, u, o = 5.0, 0.9 * 12.0 + 0.1 * 20.0, 1.5
    m = _nb_expected_min(10, 14.0, 2.0)
    hand = a * 10 + s * m + u * (14.0 - m) + o * (10 - m)
    assert expected_cost(market, _truth(), {("a", "x"): 10.0}) == pytest.approx(hand, rel=1e-9)
    written_off = _truth(write_off=["a"])
    o_off = 20.0 - 2.0
    hand_off = a * 10 + s * m + u * (14.0 - m) + o_off * (10 - m)
    assert expected_cost(market, written_off, {("a", "x"): 10.0}) == pytest.approx(hand_off)


def test_fractional_units_are_linear_between_integers() -> None:
    market = tiny_market(HISTORY)
    low = expected_cost(market, _truth(), {("a", "x"): 10.0})
    high = expected_cost(market, _truth(), {("a", "x"): 11.0})
    middle = expected_cost(market, _truth(), {("a", "x"): 10.25})
    assert middle == pytest.approx(0.75 * low + 0.25 * high)


@pytest.mark.parametrize(
    ("answer", "broken"),
    [
        (_answer({"a": {"h": 5}}), "units in the home region h"),
        (_answer({"a": {"x": 150}}), "capacity of x (150.00 > 100)"),
        (_answer({"a": {"x": -1}}), "bad unit counts (a/x)"),
        (_answer({"zz": {"x": 1}}), "bad unit counts (zz/x)"),
        ({"id": "tiny", "plan": {}}, "missing or malformed forecasts (2: a/h...)"),
        (None, "no answer line"),
    ],
)
def test_each_broken_constraint_counts_one_violation(
    answer: dict[str, Any] | None, broken: str
) -> None:
    grade = grade_market(tiny_market(HISTORY), _truth(), answer)
    assert grade.violations == (broken,)


def test_budget_is_a_violation_when_exceeded() -> None:
    market = tiny_market(HISTORY, budget=1000.0)
    grade = grade_market(market, _truth(), _answer({"a": {"x": 60}}))
    assert grade.violations == ("budget (1200.00 > 1000.00)",)


def test_history_naive_plan_scales_into_capacity_then_budget() -> None:
    history = {"a": {"h": [1] * 28, "x": [4] * 28}, "b": {"h": [1] * 28, "x": [1] * 28}}
    market = tiny_market(history, capacity=70.0, budget=1000.0)
    # 112 + 28 units scaled to 70 (×0.5): 56 + 14 = 70 units worth 1400 > 1000: ×(1000/1400)
    assert history_naive_plan(market) == {("a", "x"): 40.0, ("b", "x"): 10.0}


def test_report_ends_with_the_formats_closing_line() -> None:
    market = tiny_market(HISTORY)
    report = grade_demand([market], {"tiny": _truth()}, {"tiny": _answer({"a": {"x": 10}})})
    assert report.lines()[-1].startswith("demand: MASE=0.583 (seasonal-naive 1.000), coverage80=")


@pytest.mark.slow
@pytest.mark.skipif(not (EVAL_DIR / "demand_dev.jsonl").exists(), reason="no dev set")
def test_the_truths_oracle_plan_costs_what_the_truth_says() -> None:
    markets = load_demand_markets(EVAL_DIR / "demand_dev.jsonl")[:4]
    truths = load_truths(EVAL_DIR / "demand_dev_truth.jsonl")
    for market in markets:
        truth = truths[market.id]
        plan = {
            (sku, region): units
            for sku, by_region in truth.oracle.plan.items()
            for region, units in by_region.items()
        }
        cost = expected_cost(market, truth, plan)
        assert cost == pytest.approx(truth.oracle.expected_cost, rel=1e-8)
