"""The evaluation harness: replay of τ-bench tasks and the agents' evals.

Each eval lives in its own module (`tau`, `cs`, `listings`, `markets`); they run their
cases through `harness` (trials, pass^k, concurrency, time limits), write a `results` file, and
`compare` tells two result files apart. The entry points are re-exported here, imported on
first use so that one eval does not load the others' dependencies (SciPy, the MCP client); the
formats and graders stay in their modules.
"""

import importlib
import typing

if typing.TYPE_CHECKING:
    from shopcrew.evaluation.compare import (
        Comparison,
        compare_files,
        compare_runs,
    )
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
    from shopcrew.evaluation.listings import (
        ListingsReport,
        run_listings_eval,
    )
    from shopcrew.evaluation.markets import (
        MarketsReport,
        run_markets_eval,
    )
    from shopcrew.evaluation.results import (
        EvalResult,
        RunSettings,
    )
    from shopcrew.evaluation.tau.replay import (
        compare_results,
        load_expected,
        load_tasks,
        replay_tasks,
        run_replay,
    )

_HOMES = {
    "Comparison": "shopcrew.evaluation.compare",
    "compare_files": "shopcrew.evaluation.compare",
    "compare_runs": "shopcrew.evaluation.compare",
    "CaseResult": "shopcrew.evaluation.harness",
    "CaseSummary": "shopcrew.evaluation.harness",
    "RunCase": "shopcrew.evaluation.harness",
    "RunCaseSync": "shopcrew.evaluation.harness",
    "TrialsResult": "shopcrew.evaluation.harness",
    "Usage": "shopcrew.evaluation.harness",
    "derive_seed": "shopcrew.evaluation.harness",
    "pass_hat_k": "shopcrew.evaluation.harness",
    "run_trials": "shopcrew.evaluation.harness",
    "run_trials_sync": "shopcrew.evaluation.harness",
    "ListingsReport": "shopcrew.evaluation.listings",
    "run_listings_eval": "shopcrew.evaluation.listings",
    "MarketsReport": "shopcrew.evaluation.markets",
    "run_markets_eval": "shopcrew.evaluation.markets",
    "EvalResult": "shopcrew.evaluation.results",
    "RunSettings": "shopcrew.evaluation.results",
    "compare_results": "shopcrew.evaluation.tau.replay",
    "load_expected": "shopcrew.evaluation.tau.replay",
    "load_tasks": "shopcrew.evaluation.tau.replay",
    "replay_tasks": "shopcrew.evaluation.tau.replay",
    "run_replay": "shopcrew.evaluation.tau.replay",
}
"""The module each public name lives in."""

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


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
