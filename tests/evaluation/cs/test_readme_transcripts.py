"""The README's CS transcripts are what the rules model says today, not written by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopcrew.evaluation.cs.format import load_cases
from shopcrew.evaluation.cs.run import run_cs_eval

ROOT = Path(__file__).resolve().parents[3]
SHOPPERS = Path(__file__).resolve().parent / "data" / "cs_shoppers.jsonl"
SPEAKERS = {
    "zh": {"user": "顾客：", "assistant": "客服："},
    "en": {"user": "customer: ", "assistant": "agent:    "},
}


@pytest.mark.parametrize(
    ("case_id", "lang"),
    [("shoppers-modify_address-zh-01", "zh"), ("shoppers-cancel-en-04", "en")],
)
def test_the_readme_shows_the_rules_models_transcript(
    case_id: str, lang: str, tau_dir: Path, tmp_path: Path
) -> None:
    cases = [case for case in load_cases(SHOPPERS) if case.id == case_id]
    out = tmp_path / "transcripts.jsonl"
    run_cs_eval(cases, tau_dir / "db", tau_dir.parent / "eval" / "cs_kb.jsonl", "rules", out)
    messages = json.loads(out.read_text(encoding="utf-8").splitlines()[0])["messages"]
    lines = [
        SPEAKERS[lang][m["role"]] + m["content"]
        for m in messages
        if m["role"] in {"user", "assistant"} and m["content"]
    ]
    block = "```text\n" + "\n".join(lines) + "\n```"
    assert block in (ROOT / "README.md").read_text(encoding="utf-8")
