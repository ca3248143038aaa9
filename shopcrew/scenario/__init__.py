"""The scenario runner: a merchant's day as a YAML file, played through the crew and reported."""

from shopcrew.scenario.engine import RunResult, SimClock, run_scenario
from shopcrew.scenario.loader import find_scenario, load_scenario, parse_scenario
from shopcrew.scenario.observer import NullObserver, RunObserver
from shopcrew.scenario.spec import Scenario

__all__ = [
    "NullObserver",
    "RunObserver",
    "RunResult",
    "Scenario",
    "SimClock",
    "find_scenario",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
]
