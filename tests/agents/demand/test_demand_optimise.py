"""The exact pre-positioning optimiser against brute force and scipy's HiGHS LP."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from shopcrew.agents.demand import Branch, Cell, moment_matched, round_down, solve
from shopcrew.agents.demand.distribution import marginal_costs
from shopcrew.tools.records.demand import CellCost


def _random_cells(rng: np.random.Generator, regions: int, per_region: int) -> list[Cell]:
    cells = []
    for region in range(regions):
        for _ in range(per_region):
            costs = CellCost(
                placed=float(rng.uniform(1, 4)),
                local=float(rng.uniform(3, 6)),
                short=float(rng.uniform(9, 20)),
                over=float(rng.choice([1.5, 30.0])),
            )
            demand = moment_matched(float(rng.uniform(0.5, 6)), dispersion=2.0, spread=0.2)
            cells.append(
                Cell(
                    region, float(rng.uniform(5, 50)), marginal_costs([Branch(1.0, demand, costs)])
                )
            )
    return cells


def _cost(cells: list[Cell], units: tuple[int, ...]) -> float:
    return sum(float(np.sum(c.marginal[:q])) for c, q in zip(cells, units, strict=True))


def _brute_force(cells: list[Cell], capacities: list[float], budget: float) -> float:
    best = 0.0
    ranges = [range(c.marginal.size + 1) for c in cells]
    for units in itertools.product(*ranges):
        used = [0.0] * len(capacities)
        for c, q in zip(cells, units, strict=True):
            used[c.region] += q
        spend = sum(c.unit_cost * q for c, q in zip(cells, units, strict=True))
        if all(u <= cap for u, cap in zip(used, capacities, strict=True)) and spend <= budget:
            best = min(best, _cost(cells, units))
    return best


def _highs(cells: list[Cell], capacities: list[float], budget: float) -> float:
    costs: list[float] = []
    owner: list[int] = []
    for i, cell in enumerate(cells):
        for g in cell.marginal:
            costs.append(float(g))
            owner.append(i)
    n = len(costs)
    a_ub = np.zeros((len(capacities) + 1, n))
    for j, i in enumerate(owner):
        a_ub[cells[i].region, j] = 1.0
        a_ub[-1, j] = cells[i].unit_cost
    b_ub = [*capacities, budget]
    result = linprog(costs, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    assert result.status == 0
    return float(result.fun)


@pytest.mark.parametrize("seed", range(12))
def test_solution_is_the_lp_optimum_and_bounds_the_integer_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cells = _random_cells(rng, regions=2, per_region=2)
    cells = [Cell(c.region, c.unit_cost, c.marginal[:4]) for c in cells]  # keep brute force small
    capacities = [float(rng.integers(1, 7)), float(rng.integers(1, 7))]
    budget = float(rng.uniform(20, 300))
    solution = solve(cells, capacities=capacities, budget=budget)
    assert solution.cost_change == pytest.approx(_highs(cells, capacities, budget), abs=1e-7)
    assert solution.gap <= 1e-7
    integer_best = _brute_force(cells, capacities, budget)
    whole = round_down(cells, solution, capacities=capacities, budget=budget)
    assert solution.cost_change <= integer_best + 1e-9
    assert _cost(cells, tuple(int(q) for q in whole)) >= integer_best - 1e-9
    for region, capacity in enumerate(capacities):
        assert sum(q for c, q in zip(cells, whole, strict=True) if c.region == region) <= capacity
    assert sum(c.unit_cost * q for c, q in zip(cells, whole, strict=True)) <= budget


@pytest.mark.parametrize("seed", range(5))
def test_larger_instances_match_highs(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    cells = _random_cells(rng, regions=3, per_region=6)
    capacities = [float(rng.integers(5, 40)) for _ in range(3)]
    budget = float(rng.uniform(100, 2000))
    solution = solve(cells, capacities=capacities, budget=budget)
    assert solution.cost_change == pytest.approx(_highs(cells, capacities, budget), abs=1e-6)


def test_without_binding_constraints_each_cell_stops_at_its_newsvendor_quantile() -> None:
    costs = CellCost(placed=3.0, local=6.0, short=15.5, over=1.5)
    demand = moment_matched(40.0, dispersion=2.0, spread=0.0)
    cell = Cell(0, 10.0, marginal_costs([Branch(1.0, demand, costs)]))
    solution = solve([cell], capacities=[1000.0], budget=1e9)
    ratio = costs.critical_ratio
    q = int(solution.units[0])
    assert demand.cdf(q - 1) < ratio <= demand.cdf(q)


@pytest.mark.slow  # two fresh interpreters importing the crew
def test_the_other_agents_never_load_the_forecasting_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys, shopcrew, shopcrew.agents, shopcrew.graphs.crew\n"
        "print(sorted(m for m in ('statsforecast', 'statsmodels', 'shopcrew.agents.demand')"
        " if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
