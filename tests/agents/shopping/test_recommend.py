"""The chooser is exact: its optima and feasibility agree with the grader's own enumeration."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from shopcrew.agents.shopping import CatalogIndex, RecommendArgs, Recommender, WishGroup
from shopcrew.agents.shopping.catalog import cents
from shopcrew.evaluation.shopping.format import Constraints
from shopcrew.evaluation.shopping.grader import load_items
from shopcrew.evaluation.shopping.solve import CatalogItem, solve_case


@pytest.fixture(scope="module")
def items(tau_dir: Path) -> list[CatalogItem]:
    return list(load_items(tau_dir / "db").values())


def _wishes(catalog: CatalogIndex, count: int) -> list[RecommendArgs]:
    pick = random.Random(20)
    products = sorted(catalog.products)
    wishes = []
    for _ in range(count):
        groups = []
        for product in pick.sample(products, pick.choice([1, 1, 2])):
            info = catalog.products[product]
            option = pick.choice(sorted(info.options))
            require = (
                {option: pick.sample(list(info.options[option]), 1)} if pick.random() < 0.5 else {}
            )
            groups.append(
                WishGroup(product_types=[product], quantity=pick.choice([1, 1, 2]), require=require)
            )
        objective = pick.choice(["cheapest", "best_within_budget", "any"])
        budget = float(pick.randrange(50, 4000))
        wishes.append(
            RecommendArgs(
                groups=groups, budget=budget, objective=objective, budget_approx=pick.random() < 0.3
            )
        )
    return wishes


def _constraints(args: RecommendArgs) -> Constraints:
    amount = args.budget or 0.0
    budget = (
        {
            "amount": amount,
            "approx": True,
            "max": round(amount * 1.1, 2),
            "min": round(amount * 0.8, 2),
        }
        if args.budget_approx
        else {"amount": amount, "approx": False, "max": amount, "min": None}
    )
    groups = [
        {"product_types": g.product_types, "quantity": g.quantity, "require": g.require}
        for g in args.groups
    ]
    return Constraints.model_validate(
        {"groups": groups, "budget": budget, "objective": args.objective}
    )


def test_optima_and_feasibility_match_an_independent_enumeration(
    catalog: CatalogIndex, items: list[CatalogItem]
) -> None:
    recommender = Recommender(catalog)
    by_id = {item.item_id: item for item in items}
    for args in _wishes(catalog, 60):
        result = recommender.recommend(args)
        truth = solve_case(items, _constraints(args))
        assert (result.status == "ok") == truth.feasible, args
        if not truth.feasible:
            assert (result.items, result.total) == ([], 0.0)
            continue
        total = sum(by_id[i.item_id].cents * i.quantity for i in result.items)
        assert cents(result.total) == total
        assert all(by_id[i.item_id].available for i in result.items)
        if args.objective == "cheapest":
            assert total == truth.lowest_cents
        elif args.objective == "best_within_budget":
            assert total == truth.highest_cents


def _args(**kwargs: object) -> RecommendArgs:
    return RecommendArgs.model_validate({"lang": "en", **kwargs})


@pytest.mark.parametrize(
    ("args", "reason", "said"),
    [
        (
            _args(
                groups=[{"product_types": ["Tablet"], "require": {"color": ["purple"]}}],
                budget=2000,
            ),
            "no_such_variant",
            "We have no tablet with color purple.",
        ),
        (
            _args(
                groups=[{"product_types": ["Smartphone"], "exclude": {"color": ["black"]}}],
                budget=2000,
            ),
            "exclusions",
            "Every smartphone we have in stock is black.",
        ),
        (
            _args(groups=[{"product_types": ["Laptop"]}], budget=1500),
            "budget",
            "The lowest total for laptop is $2292.37, over your $1500.00.",
        ),
        (
            _args(groups=[{"product_types": ["microwave"]}], budget=150),
            "not_sold",
            "Sorry, we don't sell microwave",
        ),
    ],
)
def test_nothing_fits_says_why_and_recommends_nothing(
    catalog: CatalogIndex, args: RecommendArgs, reason: str, said: str
) -> None:
    result = Recommender(catalog).recommend(args)
    assert (result.items, result.total, result.reason) == ([], 0.0, reason)
    assert said in result.reply


def test_the_reply_lists_each_item_and_the_total(catalog: CatalogIndex) -> None:
    args = _args(
        groups=[{"product_types": ["Yoga Mat"], "quantity": 2}], budget=210, objective="cheapest"
    )
    result = Recommender(catalog).recommend(args)
    [item] = result.items
    assert (item.quantity, result.total) == (2, round(2 * item.price, 2))
    assert result.reply.splitlines()[-1] == f"Total: ${result.total:.2f}."
    assert f"item {item.item_id}: ${item.price:.2f} x 2" in result.reply


def test_chinese_values_from_a_model_are_spelled_as_the_catalog(catalog: CatalogIndex) -> None:
    args = _args(
        groups=[{"product_types": ["台灯"], "require": {"color": ["银色"]}}], budget=170, lang="zh"
    )
    result = Recommender(catalog).recommend(args)
    assert [i.options["color"] for i in result.items] == ["silver"]
    assert result.reply.startswith("为您推荐：")


def test_a_gift_for_a_woman_leaves_mens_perfume_out(catalog: CatalogIndex) -> None:
    args = _args(
        groups=[{"interest": "fragrance"}],
        budget=330,
        recipient="female",
        objective="best_within_budget",
    )
    result = Recommender(catalog).recommend(args)
    assert [i.options["gender"] != "men" for i in result.items] == [True]
