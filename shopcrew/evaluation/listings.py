"""`shopcrew eval listings`: the store manager's listing audit over a listings file, graded.

Grading follows the "Grading" section of `LISTING_DEFECTS.md`: per listing the reported
set of codes is compared with the truth; a reported code the truth lacks is a false
positive, a true code not reported a false negative, unknown codes are false positives, and
a listing with nothing reported counts as an empty set. Exact: listings whose reported set
equals the truth.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from shopcrew.agents.audit_findings import DEFECT_CODES, defect_codes
from shopcrew.agents.audit_rules import audit_listing
from shopcrew.tools.listings import load_listings

__all__ = [
    "CodeScore",
    "ListingResult",
    "ListingsGrade",
    "ListingsReport",
    "grade_listings",
    "run_listings_eval",
]

logger = logging.getLogger(__name__)


def _ratio(part: int, whole: int) -> float:
    # Nothing claimed (or nothing to find) is not an error: the ratio is 1, as graders do.
    return part / whole if whole else 1.0


@dataclass(frozen=True, slots=True)
class CodeScore:
    """Counts and scores of one defect code over the graded listings."""

    code: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 1.0 when the code was never reported."""
        return _ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 1.0 when the code never occurs in the truth."""
        return _ratio(self.true_positives, self.true_positives + self.false_negatives)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def support(self) -> int:
        """How many graded listings truly have this code."""
        return self.true_positives + self.false_negatives


@dataclass(frozen=True, slots=True)
class ListingsGrade:
    """The grading of an audit against the truth, per code and in all."""

    per_code: tuple[CodeScore, ...]
    """One score per code of `DEFECT_CODES`, then any unknown code that was reported."""
    exact: int
    """Listings whose reported set equals the truth."""
    total: int
    """Graded listings."""

    @property
    def micro_precision(self) -> float:
        """Precision over all codes' counts together."""
        tp = sum(score.true_positives for score in self.per_code)
        return _ratio(tp, tp + sum(score.false_positives for score in self.per_code))

    @property
    def micro_recall(self) -> float:
        """Recall over all codes' counts together."""
        tp = sum(score.true_positives for score in self.per_code)
        return _ratio(tp, tp + sum(score.false_negatives for score in self.per_code))

    def summary(self) -> str:
        """The closing line, `listings: micro-P=…, micro-R=…, exact=k/N`."""
        return (
            f"listings: micro-P={self.micro_precision:.3f}, micro-R={self.micro_recall:.3f}, "
            f"exact={self.exact}/{self.total}"
        )

    def lines(self) -> list[str]:
        """A table of precision, recall and F1 per code, then the summary line."""
        rows = [f"{'code':<28} {'P':>6} {'R':>6} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4}"]
        rows += [
            f"{s.code:<28} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} "
            f"{s.true_positives:>4} {s.false_positives:>4} {s.false_negatives:>4}"
            for s in self.per_code
        ]
        return [*rows, self.summary()]


@dataclass(frozen=True, slots=True)
class ListingResult:
    """What the audit reported for one listing (one line of the output file)."""

    id: str
    defects: tuple[str, ...]
    expected: tuple[str, ...] | None
    """The file's `expect_defects`, when it carries them."""


@dataclass(frozen=True, slots=True)
class ListingsReport:
    """The outcome of `run_listings_eval`."""

    out_path: Path
    results: tuple[ListingResult, ...]
    grade: ListingsGrade | None
    """The grading, when the listings file carries the expected defects."""

    def lines(self) -> list[str]:
        """The figures to print: the grading table and summary, or a count when ungraded."""
        if self.grade is not None:
            return self.grade.lines()
        flagged = sum(1 for result in self.results if result.defects)
        return [f"listings: {flagged}/{len(self.results)} with defects (no truth to grade)"]


def grade_listings(
    truth: Mapping[str, Collection[str]], reported: Mapping[str, Collection[str]]
) -> ListingsGrade:
    """Grade reported defect sets against the truth, per `LISTING_DEFECTS.md`.

    Args:
        truth: Listing id -> its true codes; every listing here is graded.
        reported: Listing id -> reported codes; a missing id reported nothing, ids not in
            `truth` are ignored.
    """
    counts: dict[str, list[int]] = {code: [0, 0, 0] for code in DEFECT_CODES}
    exact = 0
    for listing_id, true_codes in truth.items():
        expected, found = set(true_codes), set(reported.get(listing_id, ()))
        exact += expected == found
        for code in found | expected:
            tally = counts.setdefault(code, [0, 0, 0])
            tally[0 if code in found and code in expected else 1 if code in found else 2] += 1
    per_code = tuple(CodeScore(code, *tally) for code, tally in counts.items())
    return ListingsGrade(per_code=per_code, exact=exact, total=len(truth))


def run_listings_eval(listings_path: Path, out_path: Path) -> ListingsReport:
    """Audit every listing of a file, write one line per listing, and grade when possible.

    Each output line is `{"id": ID, "defects": [codes]}`, codes in `DEFECT_CODES` order.
    When listings carry `expect_defects`, those listings are graded.

    Raises:
        StoreFileError: The listings file is missing or malformed; nothing was written.
    """
    listings = load_listings(listings_path)
    results = []
    for listing in listings:
        codes = tuple(defect_codes(audit_listing(listing)))
        expected = None if listing.expect_defects is None else tuple(listing.expect_defects)
        results.append(ListingResult(listing.id, codes, expected))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8") as out:
        for result in results:
            line = {"id": result.id, "defects": list(result.defects)}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    truth = {r.id: r.expected for r in results if r.expected is not None}
    grade = None
    if truth:
        grade = grade_listings(truth, {result.id: result.defects for result in results})
        logger.info("%s", grade.summary())
    logger.info("audited %d listings from %s into %s", len(results), listings_path, out_path)
    return ListingsReport(out_path=out_path, results=tuple(results), grade=grade)
