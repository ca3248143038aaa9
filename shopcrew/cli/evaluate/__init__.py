"""`shopcrew eval ...`: the evaluation commands, each run by the one runner of `_runner`."""

from shopcrew.cli.evaluate._agents import eval_cs, eval_shopping
from shopcrew.cli.evaluate._compare import eval_compare
from shopcrew.cli.evaluate._planning import eval_demand, eval_listings, eval_markets
from shopcrew.cli.evaluate._tau import eval_replay, eval_tau

__all__ = [
    "eval_compare",
    "eval_cs",
    "eval_demand",
    "eval_listings",
    "eval_markets",
    "eval_replay",
    "eval_shopping",
    "eval_tau",
]
