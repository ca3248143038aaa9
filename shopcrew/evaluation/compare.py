"""`shopcrew eval compare A.json B.json`: what changed between two eval runs, and is it noise.

Per case, the success counts before and after are compared with Fisher's exact test
(two-sided) on the 2x2 table of successes and failures; per-case p-values are Holm-corrected
over the cases that changed. Over the whole set, a two-sided sign test counts cases whose
success rate went up against those whose rate went down (with one trial per case this is
the exact McNemar test). With one trial per case no single case can be judged against
noise: only the set-level test speaks.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from shopcrew.evaluation.results import CaseRecord, EvalResult, result_file_error

__all__ = [
    "CaseChange",
    "ChangeVerdict",
    "Comparison",
    "FigureChange",
    "compare_files",
    "compare_runs",
]

logger = logging.getLogger(__name__)

ChangeVerdict = Literal["better", "worse", "same", "added", "removed"]

_CASE_TEST = "Fisher exact, two-sided, Holm-corrected"
_SET_TEST = "sign test on per-case success rates, two-sided (exact McNemar with 1 trial)"


@dataclass(frozen=True, slots=True)
class CaseChange:
    """One case before and after."""

    case_id: str
    verdict: ChangeVerdict
    before: tuple[int, int] | None
    """(successes, trials) in A; None when the case is only in B."""
    after: tuple[int, int] | None
    p_value: float | None = None
    """Fisher's exact p (Holm-adjusted); None when the case did not change or with 1 trial."""
    significant: bool = False

    def describe(self) -> str:
        """`cs-3: 3/3 -> 0/3 (p=0.100, noise)`."""

        def count(pair: tuple[int, int] | None) -> str:
            return "-" if pair is None else f"{pair[0]}/{pair[1]}"

        text = f"{self.case_id}: {count(self.before)} -> {count(self.after)}"
        if self.verdict in {"better", "worse"}:
            if self.p_value is None:
                text += " (1 trial: noise cannot be judged)"
            else:
                judged = "significant" if self.significant else "noise"
                text += f" (p={self.p_value:.3g}, {judged})"
        return text


@dataclass(frozen=True, slots=True)
class FigureChange:
    """A headline figure before and after (None when one side lacks it)."""

    name: str
    before: float | None
    after: float | None

    def describe(self) -> str:
        """`pass_rate: 0.820 -> 0.850 (+0.030)`."""

        def show(value: float | None) -> str:
            if value is None:
                return "-"
            return str(int(value)) if float(value).is_integer() else f"{value:.4g}"

        delta = ""
        if self.before is not None and self.after is not None and self.before != self.after:
            delta = f" ({self.after - self.before:+.4g})"
        return f"{self.name}: {show(self.before)} -> {show(self.after)}{delta}"


@dataclass(frozen=True, slots=True)
class Comparison:
    """The comparison of run A (before) with run B (after)."""

    before: EvalResult
    after: EvalResult
    cases: tuple[CaseChange, ...]
    figures: tuple[FigureChange, ...]
    set_p_value: float | None
    """The sign test's p; None when no case changed."""
    alpha: float
    warnings: tuple[str, ...] = ()

    def with_verdict(self, verdict: ChangeVerdict) -> tuple[CaseChange, ...]:
        """The cases with one verdict."""
        return tuple(case for case in self.cases if case.verdict == verdict)

    @property
    def single_trial(self) -> bool:
        """Whether some compared case has only one trial on a side."""
        return any(
            min(case.before[1], case.after[1]) < 2
            for case in self.cases
            if case.before is not None and case.after is not None
        )

    @property
    def set_significant(self) -> bool:
        """The set-level sign test rejects 'no change' at `alpha`."""
        return self.set_p_value is not None and self.set_p_value < self.alpha

    @property
    def significant_regression(self) -> bool:
        """B is worse beyond noise: the set got worse significantly, or some case did."""
        worse, better = len(self.with_verdict("worse")), len(self.with_verdict("better"))
        set_worse = self.set_significant and worse > better
        return set_worse or any(case.significant for case in self.with_verdict("worse"))

    @property
    def significant_improvement(self) -> bool:
        """B is better beyond noise (and not significantly worse anywhere)."""
        worse, better = len(self.with_verdict("worse")), len(self.with_verdict("better"))
        set_better = self.set_significant and better > worse
        some_case = any(case.significant for case in self.with_verdict("better"))
        return (set_better or some_case) and not self.significant_regression

    def lines(self) -> list[str]:
        """The printout: headers, warnings, figures, changed cases, tests, the verdict line."""
        lines = [f"A: {_label(self.before)}", f"B: {_label(self.after)}"]
        lines.extend(f"warning: {warning}" for warning in self.warnings)
        # Top-level figures always; nested ones (per category, per code) when they changed.
        shown = [f for f in self.figures if "." not in f.name or f.before != f.after]
        if shown:
            lines.append("figures (A -> B):")
            lines.extend(f"  {figure.describe()}" for figure in shown)
        if len(shown) < len(self.figures):
            lines.append(f"  ({len(self.figures) - len(shown)} detailed figures unchanged)")
        counts = {v: len(self.with_verdict(v)) for v in ("better", "worse", "same")}
        added, removed = self.with_verdict("added"), self.with_verdict("removed")
        lines.append(
            f"cases: {counts['better']} better, {counts['worse']} worse, "
            f"{counts['same']} unchanged, {len(added)} added, {len(removed)} removed"
        )
        for verdict in ("worse", "better", "added", "removed"):
            lines.extend(f"  {verdict:7s} {case.describe()}" for case in self.with_verdict(verdict))
        if self.single_trial:
            lines.append(
                "per case: 1 trial, so noise cannot be judged case by case (run --trials k)"
            )
        else:
            lines.append(f"per case: {_CASE_TEST}, alpha={self.alpha:g}")
        if self.set_p_value is None:
            lines.append(f"set: {_SET_TEST}: no case changed")
        else:
            judged = "beyond noise" if self.set_significant else "within noise"
            lines.append(
                f"set: {_SET_TEST}: {counts['better']} better vs {counts['worse']} worse, "
                f"p={self.set_p_value:.3g} ({judged} at alpha={self.alpha:g})"
            )
        if self.significant_regression:
            lines.append("compare: significant regression")
        elif self.significant_improvement:
            lines.append("compare: significant improvement")
        elif counts["better"] or counts["worse"]:
            lines.append("compare: changes within noise")
        else:
            lines.append("compare: no change")
        return lines


def _label(result: EvalResult) -> str:
    settings = result.settings
    commit = (settings.git_commit or "no commit")[:10]
    if settings.git_dirty:
        commit += "+changes"
    when = settings.started_at.isoformat(timespec="seconds") if settings.started_at else "-"
    return (
        f"{settings.command}, model {settings.model or '-'}, {len(result.cases)} cases x "
        f"{settings.trials} trials, seed {settings.seed}, {commit}, {when}"
    )


def _numbers(figures: Mapping[str, object], prefix: str = "") -> dict[str, float]:
    """Numeric leaves of nested figures, by dotted name (booleans as 0/1)."""
    found: dict[str, float] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            found.update(_numbers(value, f"{name}."))
        elif isinstance(value, bool | int | float):
            found[name] = float(value)
    return found


def _holm(p_values: Mapping[str, float]) -> dict[str, float]:
    ordered = sorted(p_values.items(), key=lambda item: item[1])
    adjusted: dict[str, float] = {}
    running = 0.0
    for rank, (key, p) in enumerate(ordered):
        running = max(running, min(1.0, (len(ordered) - rank) * p))
        adjusted[key] = running
    return adjusted


def _case_changes(
    before: Mapping[str, CaseRecord], after: Mapping[str, CaseRecord], alpha: float
) -> tuple[CaseChange, ...]:
    raw: dict[str, float] = {}
    verdicts: dict[str, ChangeVerdict] = {}
    from scipy.stats import fisher_exact  # on demand: only a comparison needs SciPy

    for case_id in [*before, *(cid for cid in after if cid not in before)]:
        a, b = before.get(case_id), after.get(case_id)
        if a is None:
            verdicts[case_id] = "added"
            continue
        if b is None:
            verdicts[case_id] = "removed"
            continue
        rate_a, rate_b = a.successes / a.trials, b.successes / b.trials
        verdicts[case_id] = "better" if rate_b > rate_a else "worse" if rate_b < rate_a else "same"
        if verdicts[case_id] != "same" and min(a.trials, b.trials) > 1:
            table = [[a.successes, a.trials - a.successes], [b.successes, b.trials - b.successes]]
            raw[case_id] = float(fisher_exact(table, alternative="two-sided").pvalue)
    adjusted = _holm(raw)

    def pair(record: CaseRecord | None) -> tuple[int, int] | None:
        return None if record is None else (record.successes, record.trials)

    return tuple(
        CaseChange(
            case_id,
            verdict,
            pair(before.get(case_id)),
            pair(after.get(case_id)),
            adjusted.get(case_id),
            case_id in adjusted and adjusted[case_id] < alpha,
        )
        for case_id, verdict in verdicts.items()
    )


def compare_runs(before: EvalResult, after: EvalResult, *, alpha: float = 0.05) -> Comparison:
    """Compare run A (before) with run B (after).

    Raises:
        ResultFileError: The two runs are of different commands (nothing to compare).
    """
    if before.settings.command != after.settings.command:
        raise result_file_error(
            "B",
            f"A is a {before.settings.command!r} result and B a {after.settings.command!r} "
            "result; compare two runs of the same eval command",
        )
    warnings: list[str] = []
    if before.settings.data_sha256 != after.settings.data_sha256:
        warnings.append(
            "the data files differ (sha256 "
            f"{(before.settings.data_sha256 or '-')[:12]} vs "
            f"{(after.settings.data_sha256 or '-')[:12]}): only cases in both are compared"
        )
    a_cases = {case.id: case for case in before.cases}
    b_cases = {case.id: case for case in after.cases}
    changes = _case_changes(a_cases, b_cases, alpha)
    better = sum(change.verdict == "better" for change in changes)
    worse = sum(change.verdict == "worse" for change in changes)
    from scipy.stats import binomtest  # on demand, as above

    set_p = (
        float(binomtest(better, better + worse, 0.5, alternative="two-sided").pvalue)
        if better + worse
        else None
    )
    a_figures = _numbers({**before.figures, "pass^k": before.pass_hat_k})
    b_figures = _numbers({**after.figures, "pass^k": after.pass_hat_k})
    figures = tuple(
        FigureChange(name, a_figures.get(name), b_figures.get(name))
        for name in [*a_figures, *(n for n in b_figures if n not in a_figures)]
    )
    return Comparison(before, after, changes, figures, set_p, alpha, tuple(warnings))


def compare_files(
    before: str | os.PathLike[str], after: str | os.PathLike[str], *, alpha: float = 0.05
) -> Comparison:
    """Read two result files and compare them (`compare_runs`).

    Raises:
        ResultFileError: A file is missing, malformed, of another schema version, or the two
            are of different commands.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    return compare_runs(EvalResult.read(before), EvalResult.read(after), alpha=alpha)
