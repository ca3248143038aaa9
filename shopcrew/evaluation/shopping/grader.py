"""Our grader of the shopping guide's answers, written from SHOPPING_FORMAT.md section 8.

Each case is solved again from the catalog (`shopping_solve`), so a stored `feasible` or
`optimum_total` that disagrees is graded by the catalog and reported. A feasible case passes
when the answer is well formed, its transcript holds the turns, every unit is an available
variant of a group's type meeting its options, every group has its units, the true total is
within the budget and equals the stated one to the cent, the last reply states it, an optimum
is met where asked, and a `clarify` case's first reply asks. An infeasible case passes with
an empty recommendation and a total of 0.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from shopcrew.errors import StoreFileError
from shopcrew.evaluation.shopping.format import Answer, Constraints, ShoppingCase
from shopcrew.evaluation.shopping.solve import CatalogItem, Solution, qualifies, solve_case

__all__ = [
    "ShoppingGrade",
    "ShoppingReport",
    "format_shopping_report",
    "grade_answer",
    "load_items",
]


@dataclass(frozen=True, slots=True)
class ShoppingGrade:
    """The verdict on one case."""

    case_id: str
    lang: str
    category: str
    passed: bool
    reasons: tuple[str, ...] = ()
    violations: int = 0
    feasible: bool = True
    optimal_miss: bool = False
    declined: bool = False
    """An infeasible case answered with nothing."""
    false_refusal: bool = False
    asked: bool = False
    """The reply to turn 0 asked a question."""
    data_notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ShoppingReport:
    """Every case's grade, in case order."""

    grades: tuple[ShoppingGrade, ...] = field(default_factory=tuple)


def load_items(db: Path) -> dict[str, CatalogItem]:
    """The catalog's variants by item id, from `products.json` of a store directory.

    Raises:
        StoreFileError: The file is missing or malformed.
    """
    path = db / "products.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {
            item_id: CatalogItem(
                item_id,
                str(product["name"]),
                dict(variant["options"]),
                bool(variant["available"]),
                round(float(variant["price"]) * 100),
            )
            for product in raw.values()
            for item_id, variant in product["variants"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreFileError(str(path), f"cannot read the catalog ({exc})") from exc


def _transcript_problem(case: ShoppingCase, answer: Answer) -> str | None:
    users = [(i, m) for i, m in enumerate(answer.messages) if m.role == "user"]
    said = [m.content.strip() for _, m in users]
    if said != [t.strip() for t in case.turns]:
        return "the transcript's user messages are not the case's turns"
    last = users[-1][0]
    if not any(m.role == "assistant" for m in answer.messages[last + 1 :]):
        return "no assistant reply after the last turn"
    return None


def _replies(answer: Answer, after_user: int, *, until_next: bool) -> str:
    seen, parts = -1, []
    for message in answer.messages:
        if message.role == "user":
            seen += 1
            if until_next and seen > after_user:
                break
            continue
        if seen == after_user and message.role == "assistant":
            parts.append(message.content)
    return "\n".join(parts)


def states_total(reply: str, cents: int) -> bool:
    """Whether a reply states an amount (section 8, rule 7)."""
    text = re.sub(r"[,，\s]", "", reply.lower())
    value = cents / 100
    forms = {f"{value:.2f}", repr(round(value, 2))}
    if cents % 100 == 0:
        forms.add(str(cents // 100))
    return any(re.search(re.escape(form) + r"(?!\d)", text) for form in forms)


def _units(answer: Answer) -> Counter[str]:
    units: Counter[str] = Counter()
    for line in answer.recommendation:
        units[line.item_id] += line.quantity
    return units


def _violations(units: Counter[str], items: Mapping[str, CatalogItem], c: Constraints) -> int:
    unknown = [i for i in units if i not in items]
    unavailable = [i for i in units if i in items and not items[i].available]
    total = sum(items[i].cents * q for i, q in units.items() if i in items)
    over = c.budget is not None and total > round(c.budget.max * 100)
    return len(unknown) + len(unavailable) + int(over)


def _fit_problems(
    units: Counter[str], items: Mapping[str, CatalogItem], c: Constraints
) -> list[str]:
    problems: list[str] = []
    filled = [0] * len(c.groups)
    kinds: list[list[str]] = [[] for _ in c.groups]
    for item_id, quantity in units.items():
        item = items.get(item_id)
        if item is None or not item.available:
            problems.append(f"{item_id} is not an available catalog item")
            continue
        index = next((i for i, g in enumerate(c.groups) if item.product in g.product_types), None)
        if index is None:
            problems.append(f"{item_id} ({item.product}) was not asked for")
            continue
        if not qualifies(item, c.groups[index]):
            problems.append(f"{item_id} does not meet the options asked for")
        filled[index] += quantity
        kinds[index].extend([item.product] * quantity)
    for index, group in enumerate(c.groups):
        low, high = group.bounds
        if not low <= filled[index] <= high:
            problems.append(
                f"group {index + 1} has {filled[index]} unit(s), wants {group.quantity}"
            )
        if group.distinct and len(set(kinds[index])) != len(kinds[index]):
            problems.append(f"group {index + 1} repeats a product type")
    return problems


def _data_notes(c: Constraints, solution: Solution) -> tuple[str, ...]:
    notes = []
    if c.feasible != solution.feasible:
        notes.append(f"stored feasible {c.feasible}, the catalog says {solution.feasible}")
    optimum = _optimum(c, solution)
    if (
        optimum is not None
        and c.optimum_total is not None
        and round(c.optimum_total * 100) != optimum
    ):
        notes.append(f"stored optimum {c.optimum_total}, the catalog says {optimum / 100:.2f}")
    return tuple(notes)


def _optimum(c: Constraints, solution: Solution) -> int | None:
    if c.objective == "cheapest":
        return solution.lowest_cents
    if c.objective == "best_within_budget":
        return solution.highest_cents
    return None


def grade_answer(
    case: ShoppingCase,
    answer: Answer | None,
    items: Mapping[str, CatalogItem],
    *,
    solution: Solution | None = None,
) -> ShoppingGrade:
    """Grade one case's answer (None: no well-formed line for it)."""
    c = case.constraints
    assert c is not None, "grade cases loaded with need_constraints=True"
    solution = solution or solve_case(list(items.values()), c)
    base = ShoppingGrade(
        case.id,
        case.lang,
        case.category or "?",
        False,
        feasible=solution.feasible,
        data_notes=_data_notes(c, solution),
    )
    if answer is None:
        return _with(base, reasons=("no well-formed answer line",))
    units = _units(answer)
    violations = _violations(units, items, c)
    asked = "?" in _replies(answer, 0, until_next=True) or "？" in _replies(
        answer, 0, until_next=True
    )
    reasons: list[str] = []
    problem = _transcript_problem(case, answer)
    if problem is not None:
        reasons.append(problem)
    if not solution.feasible:
        if units or round(answer.total * 100) != 0:
            reasons.append("recommended something on an infeasible request")
        return _with(
            base,
            passed=not reasons,
            reasons=tuple(reasons),
            violations=violations,
            declined=not units,
            asked=asked,
        )
    if not units:
        return _with(
            base,
            reasons=(*reasons, "nothing recommended"),
            violations=violations,
            false_refusal=True,
            asked=asked,
        )
    reasons.extend(_fit_problems(units, items, c))
    true_cents = sum(items[i].cents * q for i, q in units.items() if i in items)
    if c.budget is not None and true_cents > round(c.budget.max * 100):
        reasons.append(f"total {true_cents / 100:.2f} over the budget {c.budget.max}")
    if c.budget is not None and c.budget.min is not None and true_cents < round(c.budget.min * 100):
        reasons.append(f"total {true_cents / 100:.2f} under the budget's minimum {c.budget.min}")
    if round(answer.total * 100) != true_cents:
        reasons.append(f"stated total {answer.total} is not the true {true_cents / 100:.2f}")
    if not states_total(_replies(answer, len(case.turns) - 1, until_next=False), true_cents):
        reasons.append("the last reply does not state the total")
    if case.category == "clarify" and not asked:
        reasons.append("the reply to turn 0 asks no question")
    optimum = _optimum(c, solution)
    miss = False
    if optimum is not None and true_cents != optimum:
        miss = not reasons
        reasons.append(f"total {true_cents / 100:.2f} is not the optimum {optimum / 100:.2f}")
    return _with(
        base,
        passed=not reasons,
        reasons=tuple(reasons),
        violations=violations,
        optimal_miss=miss,
        asked=asked,
    )


def _with(grade: ShoppingGrade, **changes: object) -> ShoppingGrade:
    return replace(grade, **changes)  # type: ignore[arg-type]


def _rate(grades: Sequence[ShoppingGrade]) -> str:
    passed = sum(g.passed for g in grades)
    share = 100 * passed / len(grades) if grades else 0.0
    return f"{passed}/{len(grades)} ({share:.1f}%)"


def format_shopping_report(report: ShoppingReport, *, model: str | None = None) -> list[str]:
    """The printout: per category and language, failures, the counters, the summary line."""
    grades = report.grades
    lines = [f"model: {model}"] if model else []
    by_category: dict[str, list[ShoppingGrade]] = {}
    for grade in grades:
        by_category.setdefault(grade.category, []).append(grade)
    lines.extend(f"  {name:<20} {_rate(group)}" for name, group in sorted(by_category.items()))
    for lang in ("zh", "en"):
        lines.append(f"  lang {lang:<15} {_rate([g for g in grades if g.lang == lang])}")
    for grade in grades:
        if not grade.passed:
            lines.append(
                f"FAIL {grade.case_id} [{grade.category}/{grade.lang}]: {'; '.join(grade.reasons)}"
            )
        lines.extend(f"DATA {grade.case_id}: {note}" for note in grade.data_notes)
    optimum_cases = [g for g in grades if g.category in ("cheapest", "best_within_budget")]
    infeasible = sum(not g.feasible for g in grades)
    lines.append(
        f"optimality misses {sum(g.optimal_miss for g in grades)} "
        f"(optimum cases passed {_rate(optimum_cases)}), "
        f"infeasible declined {sum(g.declined for g in grades)}/{infeasible}, "
        f"false refusals {sum(g.false_refusal for g in grades)}, "
        f"clarifying questions {sum(g.asked for g in grades)}"
    )
    zh = [g for g in grades if g.lang == "zh"]
    en = [g for g in grades if g.lang == "en"]
    passed = sum(g.passed for g in grades)
    share = 100 * passed / len(grades) if grades else 0.0
    lines.append(
        f"shopping: passed {passed}/{len(grades)} ({share:.1f}%), "
        f"violations {sum(g.violations for g in grades)}, "
        f"zh {sum(g.passed for g in zh)}/{len(zh)}, en {sum(g.passed for g in en)}/{len(en)}"
    )
    return lines
