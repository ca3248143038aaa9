"""The shoppers' CS set (issue 15) is well formed and is what its builder makes.

`data/cs_shoppers.jsonl` is a development set written the way shoppers write (see
`cs_shoppers_build.py`). Its figure is measured with `shopcrew eval cs --quality`; no bar is
asserted here yet (the lead sets it once the engine work of issue 15 lands).
"""

from __future__ import annotations

import json
import re
import runpy
import sys
from pathlib import Path

from shopcrew.evaluation.cs.format import load_cases

HERE = Path(__file__).resolve().parent
SHOPPERS = HERE / "data" / "cs_shoppers.jsonl"


def test_the_set_is_half_chinese_half_english_and_at_least_160_cases() -> None:
    cases = load_cases(SHOPPERS)
    zh = sum(case.lang == "zh" for case in cases)
    assert zh == len(cases) - zh and len(cases) >= 160
    assert all(case.expect is not None for case in cases)


def test_no_case_touches_a_customer_or_order_of_the_dev_or_heldout_sets(tau_dir: Path) -> None:
    users = json.loads((tau_dir / "db" / "users.json").read_text(encoding="utf-8"))
    taken_users: set[str] = set()
    taken_orders: set[str] = set()
    for other in (tau_dir.parent / "eval" / "cs_dev.jsonl", HERE / "data" / "cs_heldout.jsonl"):
        for case in load_cases(other):
            if case.user_id:
                taken_users.add(case.user_id)
                taken_orders.update(users[case.user_id]["orders"])
            taken_orders.update("#" + m for m in re.findall(r"W\d{7}", case.model_dump_json()))
    for case in load_cases(SHOPPERS):
        assert case.user_id not in taken_users, case.id
        mentioned = {"#" + m for m in re.findall(r"W\d{7}", case.model_dump_json())}
        assert not mentioned & taken_orders, case.id


def test_the_builder_makes_exactly_the_committed_file(tmp_path: Path) -> None:
    sys.path.insert(0, str(HERE))
    try:
        builder = runpy.run_path(str(HERE / "cs_shoppers_build.py"))
    finally:
        sys.path.remove(str(HERE))
    out = tmp_path / "cs_shoppers.jsonl"
    builder["main"].__globals__["OUT"] = out
    builder["main"]()
    assert out.read_text(encoding="utf-8") == SHOPPERS.read_text(encoding="utf-8")
