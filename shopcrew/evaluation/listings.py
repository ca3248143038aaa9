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
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from shopcrew.agents.store_manager.audit.findings import DEFECT_CODES, defect_codes
from shopcrew.agents.store_manager.audit.rules import audit_listing
from shopcrew.evaluation.harness import (
    CaseResult,
    TrialsResult,
    run_trials_sync,
    trial_notes,
    trials_agree,
)
from shopcrew.tools.records.listings import Listing, load_listings

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
    run: TrialsResult | None = None
    """Every trial of every listing, when run through the harness."""

    def lines(self) -> list[str]:
        """The figures to print: the grading table and summary, or a count when ungraded.

        With several trials, a line before the summary gives pass^k and whether the trials
        agreed; failed trials (timeouts, errors) are listed.
        """
        notes = [] if self.run is None else trial_notes(self.run, agree_key="defects")
        if self.grade is not None:
            table = self.grade.lines()
            return [*table[:-1], *notes, table[-1]]
        flagged = sum(1 for result in self.results if result.defects)
        summary = f"listings: {flagged}/{len(self.results)} with defects (no truth to grade)"
        return [*notes, summary]

    def figures(self) -> dict[str, object]:
        """Headline figures for the result file: micro precision/recall, exact, per code."""
        figures: dict[str, object] = {
            "listings": len(self.results),
            "with_defects": sum(1 for result in self.results if result.defects),
        }
        if self.run is not None:
            figures["trials_agree"] = trials_agree(self.run, "defects")
        if self.grade is not None:
            figures.update(
                micro_precision=self.grade.micro_precision,
                micro_recall=self.grade.micro_recall,
                exact=self.grade.exact,
                graded=self.grade.total,
                per_code={
                    s.code: {"precision": s.precision, "recall": s.recall, "f1": s.f1}
                    for s in self.grade.per_code
                },
            )
        return figures


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


def run_listings_eval(
    listings_path: Path,
    out_path: Path,
    *,
    trials: int = 1,
    seed: int = 0,
    concurrency: int = 1,
    time_limit_s: float | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> ListingsReport:
    """Audit every listing of a file, write one line per listing, and grade when possible.

    Each output line is `{"id": ID, "defects": [codes]}`, codes in `DEFECT_CODES` order.
    When listings carry `expect_defects`, those listings are graded. Each listing is one case
    of the harness: it passes when its reported set equals the truth (or, without truth, when
    the audit ran). The audit is rule-based, so its trials agree; several trials measure that
    and the time, and the file and grade are trial 0's.

    Args:
        listings_path: A listings JSONL file.
        out_path: Where to write trial 0's answers.
        trials: Trials per listing.
        seed: The run's seed (the rule-based audit uses none).
        concurrency: Listings audited at once (threads).
        time_limit_s: Per listing; an audit past it fails with no answer.
        on_result: Called with each result as it finishes (progress).

    Raises:
        StoreFileError: The listings file is missing or malformed; nothing was written.
    """
    listings = {listing.id: listing for listing in load_listings(listings_path)}

    def audit(listing_id: str, trial: int, trial_seed: int) -> CaseResult:
        listing = listings[listing_id]
        codes = list(defect_codes(audit_listing(listing)))
        expected = listing.expect_defects
        passed = expected is None or set(codes) == set(expected)
        detail = {"defects": codes, "graded": expected is not None}
        return CaseResult(listing_id, trial, trial_seed, passed, 0.0, detail=detail)

    run = run_trials_sync(
        list(listings),
        audit,
        trials=trials,
        seed=seed,
        concurrency=concurrency,
        time_limit_s=time_limit_s,
        on_result=on_result,
    )
    results = _write_results(run, listings, out_path)
    truth = {r.id: r.expected for r in results if r.expected is not None}
    grade = None
    if truth:
        grade = grade_listings(truth, {result.id: result.defects for result in results})
        logger.info("%s", grade.summary())
    logger.info("audited %d listings from %s into %s", len(results), listings_path, out_path)
    return ListingsReport(out_path=out_path, results=tuple(results), grade=grade, run=run)


def _write_results(
    run: TrialsResult, listings: Mapping[str, Listing], out_path: Path
) -> list[ListingResult]:
    """Trial 0's defects per listing (file order), each beside its truth; written to `out_path`."""
    first = {result.case_id: result for result in run.for_trial(0)}
    results = []
    for listing in listings.values():
        codes = tuple(first[listing.id].detail.get("defects", ()))
        expected = None if listing.expect_defects is None else tuple(listing.expect_defects)
        results.append(ListingResult(listing.id, codes, expected))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8") as out:
        for result in results:
            line = {"id": result.id, "defects": list(result.defects)}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return results
