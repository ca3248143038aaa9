"""Builds tests/evaluation/shopping_synthetic.jsonl: our own shopping cases (SHOPPING_FORMAT).

Written apart from the dev set: other phrasings, mostly other product types and other gift
interests (the hidden set's kind). `feasible` and `optimum_total` are computed from the
catalog by the grader's own solver. Run: python tests/evaluation/shopping_synth_build.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from shopcrew.evaluation.shopping_format import Constraints  # noqa: E402
from shopcrew.evaluation.shopping_grader import load_items  # noqa: E402
from shopcrew.evaluation.shopping_solve import solve_case  # noqa: E402

DB = ROOT.parent / "shared" / "tau-retail" / "db"
OUT = Path(__file__).with_name("shopping_synthetic.jsonl")


def g(types: list[str], q: Any = 1, *, distinct: bool = False, req: Any = None, exc: Any = None) -> dict[str, Any]:
    return {"product_types": types, "quantity": q, "distinct": distinct,
            "require": req or {}, "exclude": exc or {}}


def hard(x: float) -> dict[str, Any]:
    return {"amount": x, "approx": False, "max": float(x), "min": None}


def approx(x: float) -> dict[str, Any]:
    return {"amount": x, "approx": True, "max": round(1.1 * x, 2), "min": round(0.8 * x, 2)}


PHOTO = ["Digital Camera", "Action Camera", "Backpack"]
TRAVEL = ["Luggage Set", "Backpack", "Portable Charger"]
GARDEN = ["Garden Hose", "Patio Umbrella"]
SMART = ["Smart Thermostat", "Indoor Security Camera", "LED Light Bulb"]
RUN = ["Running Shoes", "Smart Watch", "Wireless Earbuds", "Water Bottle"]
BEAUTY = ["Makeup Kit", "Perfume"]

C: list[tuple[str, str, list[str], list[dict[str, Any]], Any, str, str | None]] = [
    # (lang, category, turns, groups, budget, objective, not_sold)
    ("en", "single_budget", ["Got an air purifier under 500 bucks?"], [g(["Air Purifier"])], hard(500), "any", None),
    ("en", "single_budget", ["I'd like two portable chargers, keep it to $215 or less please."], [g(["Portable Charger"], 2)], hard(215), "any", None),
    ("en", "single_budget", ["Looking for a skateboard, roughly $190."], [g(["Skateboard"])], approx(190), "any", None),
    ("zh", "single_budget", ["想入手一个行李箱套装，预算五百左右。"], [g(["Luggage Set"])], approx(500), "any", None),
    ("zh", "single_budget", ["给我来两个LED灯泡，不超过一百块。"], [g(["LED Light Bulb"], 2)], hard(100), "any", None),
    ("zh", "single_budget", ["有没有一千块以下的烧烤炉？"], [g(["Grill"])], hard(1000), "any", None),
    ("en", "options", ["Do you have a robotic vacuum cleaner for $610 max?"], [g(["Vacuum Cleaner"], req={"type": ["robotic"]})], hard(610), "any", None),
    ("en", "options", ["I want a 10-inch tablet in silver or gold, my budget is $1000."], [g(["Tablet"], req={"screen size": ["10-inch"], "color": ["silver", "gold"]})], hard(1000), "any", None),
    ("en", "options", ["Need a smart watch with a leather band, around $375."], [g(["Smart Watch"], req={"band material": ["leather"]})], approx(375), "any", None),
    ("zh", "options", ["想要一个竹制板面的滑板，200块以内。"], [g(["Skateboard"], req={"deck material": ["bamboo"]})], hard(200), "any", None),
    ("zh", "options", ["帮我找一把充电式的电动牙刷，预算220。"], [g(["Electric Toothbrush"], req={"battery type": ["rechargeable"]})], hard(220), "any", None),
    ("zh", "options", ["推荐个带HEPA滤网的空气净化器吧，大概500块。"], [g(["Air Purifier"], req={"filter type": ["HEPA"]})], approx(500), "any", None),
    ("en", "bundle", ["Can you bundle a garden hose and a patio umbrella for me? $420 total at most."], [g(["Garden Hose"]), g(["Patio Umbrella"])], hard(420), "any", None),
    ("en", "bundle", ["I'm after a makeup kit plus a bottle of perfume, about $560 for both."], [g(["Makeup Kit"]), g(["Perfume"])], approx(560), "any", None),
    ("en", "bundle", ["One electric toothbrush and two notebooks, please; everything under $270."], [g(["Electric Toothbrush"]), g(["Notebook"], 2)], hard(270), "any", None),
    ("zh", "bundle", ["一起买一个智能温控器和一个室内监控摄像头，总共不超过六百。"], [g(["Smart Thermostat"]), g(["Indoor Security Camera"])], hard(600), "any", None),
    ("zh", "bundle", ["要一台平板电脑加一个充电宝，两样加起来1100左右。"], [g(["Tablet"]), g(["Portable Charger"])], approx(1100), "any", None),
    ("zh", "bundle", ["想买一个吸尘器和一个空气净化器，合计1200以内。"], [g(["Vacuum Cleaner"]), g(["Air Purifier"])], hard(1200), "any", None),
    ("en", "gift", ["My sister is really into photography. Something under $600 for her?"], [g(PHOTO)], hard(600), "any", None),
    ("en", "gift", ["Shopping for my uncle, he travels constantly for work. I can spend up to $480."], [g(TRAVEL)], hard(480), "any", None),
    ("en", "gift", ["My grandma spends every afternoon in her garden. Two different things for her, about $400 in all?"], [g(GARDEN, 2, distinct=True)], approx(400), "any", None),
    ("zh", "gift", ["我老公是个跑步爱好者，想送他点东西，预算三百五以内。"], [g(RUN)], hard(350), "any", None),
    ("zh", "gift", ["妹妹特别喜欢化妆，生日想送她个礼物，300块左右。"], [g(BEAUTY, exc={"gender": ["men"]})], approx(300), "any", None),
    ("zh", "gift", ["我爸最近迷上了智能家居，想送他两样不同的东西，预算600以内。"], [g(SMART, 2, distinct=True, exc={"connectivity": ["none"]})], hard(600), "any", None),
    ("en", "cheapest", ["What's the least expensive charcoal grill you carry?"], [g(["Grill"], req={"type": ["charcoal"]})], None, "cheapest", None),
    ("en", "cheapest", ["I need a 20000mAh portable charger with wireless output at the lowest price."], [g(["Portable Charger"], req={"capacity": ["20000mAh"], "output": ["Wireless"]})], None, "cheapest", None),
    ("en", "cheapest", ["Cheapest combo of a 3-piece luggage set and a 7-foot patio umbrella? Must be under $900."], [g(["Luggage Set"], req={"piece count": ["3-piece"]}), g(["Patio Umbrella"], req={"size": ["7 ft"]})], hard(900), "cheapest", None),
    ("zh", "cheapest", ["想要一个专业款的彩妆套装，越便宜越好。"], [g(["Makeup Kit"], req={"kit size": ["professional"]})], None, "cheapest", None),
    ("zh", "cheapest", ["帮我挑最便宜的卧式吸尘器。"], [g(["Vacuum Cleaner"], req={"type": ["canister"]})], None, "cheapest", None),
    ("zh", "cheapest", ["要一把枫木板面的滑板和一个白色的充电宝，总价最低的搭配是哪个？"], [g(["Skateboard"], req={"deck material": ["maple"]}), g(["Portable Charger"], req={"color": ["white"]})], None, "cheapest", None),
    ("en", "best_within_budget", ["I've got $320 for a patio umbrella - give me the priciest one that still fits."], [g(["Patio Umbrella"])], hard(320), "best_within_budget", None),
    ("en", "best_within_budget", ["Max out my $1050 on a tablet, please, but don't go over."], [g(["Tablet"])], hard(1050), "best_within_budget", None),
    ("en", "best_within_budget", ["A skateboard and a portable charger for $300: spend as much of it as you can without exceeding it."], [g(["Skateboard"]), g(["Portable Charger"])], hard(300), "best_within_budget", None),
    ("zh", "best_within_budget", ["预算600，买个吸尘器，尽量把钱花满，但别超。"], [g(["Vacuum Cleaner"])], hard(600), "best_within_budget", None),
    ("zh", "best_within_budget", ["250以内挑一个最好的电动牙刷，越接近250越好。"], [g(["Electric Toothbrush"])], hard(250), "best_within_budget", None),
    ("zh", "best_within_budget", ["我有520块，想买一个空气净化器，尽量贴近预算。"], [g(["Air Purifier"])], hard(520), "best_within_budget", None),
    ("en", "clarify", ["Hi, I'm shopping for a vacuum cleaner.", "I can spend up to $620.", "Oh, and it has to be bagless."], [g(["Vacuum Cleaner"], req={"bagged/bagless": ["bagless"]})], hard(620), "any", None),
    ("en", "clarify", ["Could you recommend a perfume for my wife?", "Around $300."], [g(["Perfume"])], approx(300), "any", None),
    ("en", "clarify", ["Looking at luggage sets.", "Let's say no more than $500.", "Not red, please."], [g(["Luggage Set"], exc={"color": ["red"]})], hard(500), "any", None),
    ("zh", "clarify", ["想看看智能手表。", "预算400以内。", "要金色的。"], [g(["Smart Watch"], req={"color": ["gold"]})], hard(400), "any", None),
    ("zh", "clarify", ["帮我推荐个室内监控摄像头吧。", "价格的话，310以内。"], [g(["Indoor Security Camera"])], hard(310), "any", None),
    ("zh", "clarify", ["想买个庭院遮阳伞。", "三百左右吧。", "绿色的不要。"], [g(["Patio Umbrella"], exc={"color": ["green"]})], approx(300), "any", None),
    ("en", "exclusion", ["I want a smart thermostat for under $255, but nothing in black."], [g(["Smart Thermostat"], exc={"color": ["black"]})], hard(255), "any", None),
    ("en", "exclusion", ["Looking for a garden hose, $100 max. No vinyl."], [g(["Garden Hose"], exc={"material": ["vinyl"]})], hard(100), "any", None),
    ("en", "exclusion", ["My boss loves to travel and he already has a backpack. What can I get him for $470 or less?"], [g(["Luggage Set", "Portable Charger"])], hard(470), "any", None),
    ("zh", "exclusion", ["要一个电动牙刷，210以内，白色的就算了。"], [g(["Electric Toothbrush"], exc={"color": ["white"]})], hard(210), "any", None),
    ("zh", "exclusion", ["想买个智能手表，不要硅胶表带的，预算390。"], [g(["Smart Watch"], exc={"band material": ["silicone"]})], hard(390), "any", None),
    ("zh", "exclusion", ["我姐喜欢旅行，行李箱她已经有了，500以内送点什么好？"], [g(["Backpack", "Portable Charger"])], hard(500), "any", None),
    ("en", "infeasible", ["Do you sell microwaves? I'd pay up to $150."], [g([])], hard(150), "any", "microwave"),
    ("en", "infeasible", ["I'd like an air purifier for under $400."], [g(["Air Purifier"])], hard(400), "any", None),
    ("en", "infeasible", ["A purple tablet for no more than $1100, please."], [g(["Tablet"], req={"color": ["purple"]})], hard(1100), "any", None),
    ("zh", "infeasible", ["有没有500以内的燃气烧烤炉？"], [g(["Grill"], req={"type": ["gas"]})], hard(500), "any", None),
    ("zh", "infeasible", ["想买一台洗碗机，预算两千。"], [g([])], hard(2000), "any", "洗碗机"),
    ("zh", "infeasible", ["要一个Wi-Fi连接的室内监控摄像头，350以内。"], [g(["Indoor Security Camera"], req={"connectivity": ["Wi-Fi"]})], hard(350), "any", None),
]


def main() -> None:
    items = list(load_items(DB).values())
    lines = []
    for index, (lang, category, turns, groups, budget, objective, not_sold) in enumerate(C, 1):
        raw: dict[str, Any] = {"groups": groups, "budget": budget, "objective": objective,
                               "gift": None, "clarify": None, "not_sold": not_sold}
        solution = solve_case(items, Constraints.model_validate({**raw, "feasible": True}))
        optimum = {"cheapest": solution.lowest_cents, "best_within_budget": solution.highest_cents}.get(objective)
        raw["feasible"] = solution.feasible
        raw["optimum_total"] = optimum / 100 if optimum is not None and solution.feasible else None
        if category == "infeasible" and solution.feasible:
            raise SystemExit(f"case {index} should be infeasible")
        if category != "infeasible" and not solution.feasible:
            raise SystemExit(f"case {index} should be feasible: {turns}")
        case = {"id": f"shop-syn-{index:03d}", "lang": lang, "category": category, "turns": turns, "constraints": raw}
        lines.append(json.dumps(case, ensure_ascii=False))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} cases to {OUT}")


if __name__ == "__main__":
    main()
