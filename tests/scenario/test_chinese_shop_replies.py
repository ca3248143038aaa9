"""The Chinese scenarios run on the Chinese shop and speak its language to Chinese customers.

The issue's measure: no English status, reason or currency symbol other than ¥ in any Chinese
customer reply of the Chinese scenarios, read from the transcript a run writes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shopcrew.data import scenario_path
from shopcrew.scenario import run_scenario
from shopcrew.scenario.loader import load_scenario
from shopcrew.tools.records import retail_terms

ENGLISH_CODES = [*retail_terms("en").statuses, *retail_terms("en").cancel_reasons]
NOT_YUAN = re.compile(r"[$€£]|US\$|美元|美金|\bUSD\b|\bdollars?\b", re.IGNORECASE)
ENGLISH = re.compile(
    r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, ENGLISH_CODES)) + r")(?![A-Za-z])"
)


AGENTS = ("cs_agent", "shopping_guide")


def _replies(transcript: Path, lang: str | None = "zh") -> list[str]:
    """The agents' replies (customer service and the shopping guide) to customers of `lang`."""
    rows = [json.loads(line) for line in transcript.read_text(encoding="utf-8").splitlines()]
    return [
        reply["text"]
        for row in rows
        if lang is None or row.get("lang") == lang
        for reply in row.get("replies", [])
        if reply.get("by") in AGENTS
    ]


@pytest.mark.parametrize(
    ("name", "volume", "said"),
    [
        ("double11_peak_hour", 0.2, ["已发货", "¥", "48小时"]),
        ("nianhuo_surge", 0.5, ["已发货", "¥", "48小时"]),
        ("nianhuo_prepositioning", 1.0, ["48小时"]),
        ("double11_presale_hour", 1.0, ["合计：¥", "拉杆行李箱", "银色", "48小时", "尾款"]),
    ],
)
def test_chinese_replies_carry_no_english_status_reason_or_foreign_currency(
    name: str, volume: float, said: list[str], tmp_path: Path
) -> None:
    assert load_scenario(scenario_path(name)).store.name == "cn_tmall"
    result = run_scenario(
        scenario_path(name), volume=volume, out_dir=tmp_path, write_markdown=False
    )
    assert result.report["passed"], [e for e in result.report["expectations"] if not e["passed"]]
    replies = _replies(tmp_path / "transcript.jsonl")
    assert replies
    text = "\n".join(replies)
    for word in said:  # the replies do say statuses, amounts and the shop's rules
        assert word in text
    english = [r for r in replies if ENGLISH.search(r)]
    foreign = [r for r in replies if NOT_YUAN.search(r)]
    assert english == [] and foreign == []
    # the shop's English-speaking customers read its amounts in yuan too
    anyone = [r for r in _replies(tmp_path / "transcript.jsonl", None) if NOT_YUAN.search(r)]
    assert anyone == []
