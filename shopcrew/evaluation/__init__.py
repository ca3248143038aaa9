"""The evaluation harness: replay of τ-bench tasks and the agents' evals.

Each eval lives in its own module (`replay`, `cs_grader`, `listings`, `markets`); the entry points
are re-exported here, the formats and graders stay in their modules.
"""

from shopcrew.evaluation.listings import ListingsReport, run_listings_eval
from shopcrew.evaluation.markets import MarketsReport, run_markets_eval
from shopcrew.evaluation.replay import compare_results, load_expected, load_tasks, replay_tasks

__all__ = [
    "ListingsReport",
    "MarketsReport",
    "compare_results",
    "load_expected",
    "load_tasks",
    "replay_tasks",
    "run_listings_eval",
    "run_markets_eval",
]
