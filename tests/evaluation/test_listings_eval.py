from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shopcrew.agents.store_manager.audit.findings import DEFECT_CODES
from shopcrew.errors import StoreFileError
from shopcrew.evaluation.listings import CodeScore, grade_listings, run_listings_eval

ROOT = Path(__file__).resolve().parents[2]
DEV = (
    Path(os.environ.get("SHOPCREW_SHARED", ROOT.parent / "shared")) / "eval" / "listings_dev.jsonl"
)


def test_dev_set_is_graded_perfectly(tmp_path: Path) -> None:
    out = tmp_path / "out" / "listings.jsonl"
    report = run_listings_eval(DEV, out)
    assert report.grade is not None
    assert report.grade.summary() == "listings: micro-P=1.000, micro-R=1.000, exact=80/80"
    assert all(score.f1 == 1.0 and score.support >= 5 for score in report.grade.per_code)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    truth = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [row["id"] for row in truth]
    assert all(set(line) == {"id", "defects"} for line in lines)
    assert [set(line["defects"]) for line in lines] == [set(row["expect_defects"]) for row in truth]
    assert report.lines()[-1] == report.grade.summary()
    assert len(report.lines()) == 1 + len(DEFECT_CODES) + 1


def test_grading_counts_unknown_codes_and_missing_listings() -> None:
    truth = {
        "a": ["PRICE_ANOMALY"],
        "b": ["TITLE_TOO_LONG", "ABSOLUTE_CLAIM"],
        "c": [],
        "d": ["MEDICAL_CLAIM"],
    }
    reported = {
        "a": ["PRICE_ANOMALY"],
        "b": ["TITLE_TOO_LONG", "NOT_A_CODE"],
        "c": [],
        "z": ["MEDICAL_CLAIM"],
    }
    grade = grade_listings(truth, reported)
    scores = {score.code: score for score in grade.per_code}
    assert scores["PRICE_ANOMALY"] == CodeScore("PRICE_ANOMALY", 1, 0, 0)
    assert scores["ABSOLUTE_CLAIM"] == CodeScore("ABSOLUTE_CLAIM", 0, 0, 1)
    assert scores["MEDICAL_CLAIM"] == CodeScore("MEDICAL_CLAIM", 0, 0, 1)
    assert scores["NOT_A_CODE"] == CodeScore("NOT_A_CODE", 0, 1, 0)
    assert scores["NOT_A_CODE"].precision == 0.0
    assert scores["STOCK_ZERO_ACTIVE"].precision == scores["STOCK_ZERO_ACTIVE"].recall == 1.0
    assert (grade.exact, grade.total) == (2, 4)
    assert grade.summary() == "listings: micro-P=0.667, micro-R=0.500, exact=2/4"


def test_file_without_truth_is_audited_not_graded(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()[:5]]
    for row in rows:
        del row["expect_defects"]
    source = tmp_path / "listings.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    report = run_listings_eval(source, tmp_path / "out.jsonl")
    assert report.grade is None
    flagged = sum(1 for result in report.results if result.defects)
    assert report.lines() == [f"listings: {flagged}/5 with defects (no truth to grade)"]


def test_malformed_listings_file_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "listings.jsonl"
    source.write_text('{"id": "x", "lang": "fr"}\n', encoding="utf-8")
    with pytest.raises(StoreFileError):
        run_listings_eval(source, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()
