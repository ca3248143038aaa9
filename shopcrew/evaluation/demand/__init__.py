"""`shopcrew eval demand`: the demand planner's eval and our grader of DEMAND_FORMAT.md."""

from shopcrew.evaluation.demand.forecast_scores import ForecastScore, SeriesScore, score_forecasts
from shopcrew.evaluation.demand.grade import DemandReport, MarketGrade, grade_demand, grade_market
from shopcrew.evaluation.demand.plan_scores import (
    PlanScore,
    expected_cost,
    history_naive_plan,
    realised_cost,
    score_plan,
)
from shopcrew.evaluation.demand.run import DEFAULT_PASS_REGRET, DemandEvalReport, run_demand_eval
from shopcrew.evaluation.demand.truth import (
    DemandTruth,
    OraclePlan,
    ParsedAnswer,
    check_truth_fits,
    load_answers,
    load_truths,
    parse_answer,
)

__all__ = [
    "DEFAULT_PASS_REGRET",
    "DemandEvalReport",
    "DemandReport",
    "DemandTruth",
    "ForecastScore",
    "MarketGrade",
    "OraclePlan",
    "ParsedAnswer",
    "PlanScore",
    "SeriesScore",
    "check_truth_fits",
    "expected_cost",
    "grade_demand",
    "grade_market",
    "history_naive_plan",
    "load_answers",
    "load_truths",
    "parse_answer",
    "realised_cost",
    "run_demand_eval",
    "score_forecasts",
    "score_plan",
]
