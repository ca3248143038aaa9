"""The rules model over both CS development sets: pass bars and zero reply-quality issues.

`cs_dev.jsonl` (../shared/eval) and the shoppers' set (`data/cs_shoppers.jsonl`, issue 15) are
played with the rules model as `shopcrew eval cs` plays them; every transcript is then checked
by `shopcrew.evaluation.cs.quality`. Measured when the replies became data (issue 15, step 3):
cs_dev 122/122, shoppers 170/176, 0 violations, every quality count 0 on both sets (before:
cs_dev 17 ids, 22 repeats, 8 silent transfers, 15 English words in zh, 74 writes without a
recap; shoppers 53, 38, 17, 28, 98).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shopcrew.evaluation.cs.quality import (
    ISSUE_KINDS,
    IssueKind,
    QualityReport,
    check_transcript_file,
)
from shopcrew.evaluation.cs.run import CsEvalReport, run_cs_eval

pytestmark = pytest.mark.slow

SHOPPERS = Path(__file__).resolve().parent / "data" / "cs_shoppers.jsonl"
BARS = {"cs_dev": 120, "shoppers": 165}
"""Conversations each set must pass (of 122 and 176), with no violation."""


@pytest.fixture(scope="module", params=sorted(BARS))
def played(
    request: pytest.FixtureRequest, tau_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, CsEvalReport, QualityReport]:
    name = str(request.param)
    cases = tau_dir.parent / "eval" / "cs_dev.jsonl" if name == "cs_dev" else SHOPPERS
    out = tmp_path_factory.mktemp(name) / "transcripts.jsonl"
    kb = tau_dir.parent / "eval" / "cs_kb.jsonl"
    report = run_cs_eval(cases, tau_dir / "db", kb, "rules", out)
    quality = check_transcript_file(out, cases=cases, db=tau_dir / "db")
    return name, report, quality


def test_the_rules_model_clears_the_bar_with_no_violation(
    played: tuple[str, CsEvalReport, QualityReport],
) -> None:
    name, report, _ = played
    passed = sum(grade.passed for grade in report.grades.grades)
    assert report.grades.violations == 0, "\n".join(report.lines())
    assert passed >= BARS[name], "\n".join(report.lines())
    assert not report.stopped


@pytest.mark.parametrize("kind", ISSUE_KINDS)
def test_no_reply_quality_issue(
    played: tuple[str, CsEvalReport, QualityReport], kind: IssueKind
) -> None:
    _, _, quality = played
    found = [
        f"{c.case_id}: {i.detail[:160]}"
        for c in quality.conversations
        for i in c.issues
        if i.kind == kind
    ]
    assert found == []
