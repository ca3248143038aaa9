"""The evaluation harness: replay of τ-bench tasks and the agents' evals.

Each eval lives in its own module (`tau`, `cs`, `listings`, `markets`); they run their
cases through `harness` (trials, pass^k, concurrency, time limits), write a `results` file, and
`compare` tells two result files apart. The entry points are re-exported here, the formats and
graders stay in their modules.
"""

from shopcrew.evaluation.compare import Comparison, compare_files, compare_runs
from shopcrew.evaluation.harness import (
    CaseResult,
    CaseSummary,
    RunCase,
    RunCaseSync,
    TrialsResult,
    Usage,
    derive_seed,
    pass_hat_k,
    run_trials,
    run_trials_sync,
)
from shopcrew.evaluation.listings import ListingsReport, run_listings_eval
from shopcrew.evaluation.markets import MarketsReport, run_markets_eval
from shopcrew.evaluation.results import EvalResult, RunSettings
from shopcrew.evaluation.tau.replay import (
    compare_results,
    load_expected,
    load_tasks,
    replay_tasks,
    run_replay,
)

__all__ = [
    "CaseResult",
    "CaseSummary",
    "Comparison",
    "EvalResult",
    "ListingsReport",
    "MarketsReport",
    "RunCase",
    "RunCaseSync",
    "RunSettings",
    "TrialsResult",
    "Usage",
    "compare_files",
    "compare_results",
    "compare_runs",
    "derive_seed",
    "load_expected",
    "load_tasks",
    "pass_hat_k",
    "replay_tasks",
    "run_listings_eval",
    "run_markets_eval",
    "run_replay",
    "run_trials",
    "run_trials_sync",
]
