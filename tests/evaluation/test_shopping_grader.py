"""Our shopping grader (SHOPPING_FORMAT.md section 8) catches each way an answer can be wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shopcrew.evaluation.shopping.format import Answer, ShoppingCase, load_shopping_cases
from shopcrew.evaluation.shopping.grader import grade_answer, load_items, states_total
from shopcrew.evaluation.shopping.solve import CatalogItem

CASE = {
    "id": "c1",
    "lang": "en",
    "category": "cheapest",
    "turns": ["The cheapest black coffee maker, under $300."],
    "constraints": {
        "groups": [
            {"product_types": ["Coffee Maker"], "quantity": 1, "require": {"color": ["black"]}}
        ],
        "budget": {"amount": 300, "approx": False, "max": 300.0, "min": None},
        "objective": "cheapest",
        "feasible": True,
        "optimum_total": None,
    },
}


@pytest.fixture(scope="module")
def items(tau_dir: Path) -> dict[str, CatalogItem]:
    return load_items(tau_dir / "db")


def _cheapest_black(items: dict[str, CatalogItem]) -> CatalogItem:
    return min(
        (
            i
            for i in items.values()
            if i.product == "Coffee Maker" and i.available and i.options.get("color") == "black"
        ),
        key=lambda i: i.cents,
    )


def _answer(recommendation: list[dict[str, Any]], total: float, reply: str) -> Answer:
    return Answer.model_validate(
        {
            "id": "c1",
            "recommendation": recommendation,
            "total": total,
            "messages": [
                {"role": "user", "content": CASE["turns"][0]},
                {"role": "assistant", "content": reply},
            ],
        }
    )


def test_a_right_answer_passes(items: dict[str, CatalogItem]) -> None:
    best = _cheapest_black(items)
    total = best.cents / 100
    grade = grade_answer(
        ShoppingCase.model_validate(CASE),
        _answer([{"item_id": best.item_id, "quantity": 1}], total, f"Total: ${total:,.2f}"),
        items,
    )
    assert (grade.passed, grade.reasons, grade.violations) == (True, (), 0)


def test_each_fault_is_a_reason(items: dict[str, CatalogItem]) -> None:
    case = ShoppingCase.model_validate(CASE)
    best = _cheapest_black(items)
    pricier = max(
        (
            i
            for i in items.values()
            if i.product == "Coffee Maker" and i.available and i.options.get("color") == "black"
        ),
        key=lambda i: i.cents,
    )
    unavailable = next(i for i in items.values() if not i.available)
    wrong_total = grade_answer(
        case, _answer([{"item_id": best.item_id, "quantity": 1}], 1.0, "Total: $1.00"), items
    )
    assert wrong_total.reasons[0].startswith("stated total 1.0 is not the true")
    silent = grade_answer(
        case,
        _answer([{"item_id": best.item_id, "quantity": 1}], best.cents / 100, "Here you go."),
        items,
    )
    assert silent.reasons == ("the last reply does not state the total",)
    worse = grade_answer(
        case,
        _answer(
            [{"item_id": pricier.item_id, "quantity": 1}],
            pricier.cents / 100,
            f"{pricier.cents / 100:.2f}",
        ),
        items,
    )
    assert worse.optimal_miss and not worse.passed
    bad_item = grade_answer(
        case,
        _answer(
            [{"item_id": unavailable.item_id, "quantity": 1}],
            unavailable.cents / 100,
            f"{unavailable.cents / 100:.2f}",
        ),
        items,
    )
    assert bad_item.violations >= 1 and not bad_item.passed
    refusal = grade_answer(case, _answer([], 0, "Sorry."), items)
    assert refusal.false_refusal and not refusal.passed


def test_stating_a_total() -> None:
    assert states_total("Total: $1,234.50", 123450)
    assert states_total("合计1234.5元", 123450)
    assert states_total("That's 300 in all", 30000)
    assert not states_total("That's 3001 in all", 30000)


def test_stored_optimum_disagreeing_with_the_catalog_is_reported(
    items: dict[str, CatalogItem],
) -> None:
    data = json.loads(json.dumps(CASE))
    data["constraints"]["optimum_total"] = 1.0
    grade = grade_answer(ShoppingCase.model_validate(data), None, items)
    assert grade.data_notes[0].startswith("stored optimum 1.0, the catalog says")


def test_cases_without_constraints_are_refused_for_grading(tmp_path: Path) -> None:
    from shopcrew.errors import EvalFormatError

    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"id": "x", "lang": "en", "turns": ["hi"]}) + "\n")
    with pytest.raises(EvalFormatError, match="no constraints"):
        load_shopping_cases(path, need_constraints=True)
