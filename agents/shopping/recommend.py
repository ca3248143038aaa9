"""`recommend`: solve a wish against the catalog and render the reply from the solution.

The one place a recommendation is made, for an LLM's tool call and the rules model's alike:
groups are resolved (`resolve`), the budget becomes bounds in cents, the integer program
chooses (`choose`), and when nothing qualifies `_why` says why (not sold, no such variant,
out of stock, exclusions, budget) with the nearest alternative named in the text only.
"""

from __future__ import annotations

import logging
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from shopcrew.agents.shopping import render
from shopcrew.agents.shopping.catalog import CatalogIndex, cents, dollars
from shopcrew.agents.shopping.choose import Choice, Need, solve
from shopcrew.agents.shopping.lexicon import Lang, lexicon
from shopcrew.agents.shopping.resolve import Resolved, resolve_group
from shopcrew.agents.shopping.wish import ChosenItem, RecommendArgs, RecommendResult

__all__ = ["Bounds", "Recommender", "budget_bounds"]

logger = logging.getLogger(__name__)

Bounds = tuple[int | None, int | None, int | None]
"""(max, min, target) in cents."""


def budget_bounds(args: RecommendArgs) -> Bounds:
    """The budget as (max, min, target) cents: a hard cap X, or 0.8X-1.1X when approximate."""
    if args.budget is None:
        low = cents(args.budget_min) if args.budget_min is not None else None
        return None, low, None
    amount = Decimal(str(args.budget))
    if args.budget_approx:
        high = int((amount * Decimal("110")).to_integral_value(ROUND_FLOOR))
        low = int((amount * Decimal("80")).to_integral_value(ROUND_CEILING))
    else:
        high, low = cents(amount), None
    if args.budget_min is not None:
        low = max(low or 0, cents(args.budget_min))
    target = int((amount * Decimal("90")).to_integral_value(ROUND_FLOOR))
    if low is not None:
        target = max(target, (low + min(high, cents(amount))) // 2)
    return high, low, target


def _need(group: Resolved) -> Need:
    wish = group.wish
    high = max(wish.quantity, wish.max_quantity or wish.quantity)
    return Need(group.candidates, wish.quantity, high, wish.distinct, group.ranks)


class Recommender:
    """Chooses and renders recommendations over one catalog."""

    def __init__(self, catalog: CatalogIndex, *, currency: str = "$") -> None:
        self.catalog, self.currency = catalog, currency

    def recommend(self, args: RecommendArgs) -> RecommendResult:
        """The recommendation for a wish: items, exact total, reply; or why there is none."""
        groups = [resolve_group(args, group, self.catalog) for group in args.groups]
        solved = args.model_copy(update={"groups": [g.wish for g in groups]})
        unknown = [name for g in groups for name in g.unknown]
        if unknown or not all(g.types for g in groups):
            reply = render.not_sold(", ".join(unknown) or None, args.lang)
            return self._empty("not_sold", "not_sold", reply, solved)
        high, low, target = budget_bounds(args)
        needs = [_need(g) for g in groups]
        choice = solve(
            needs, goal=args.objective, max_cents=high, min_cents=low, target_cents=target
        )
        if choice is None:
            reason, parts = self._why(groups, needs, args, high, low)
            return self._empty("infeasible", reason, render.unmet(parts, args.lang), solved)
        items = self._items(choice)
        intro = {"cheapest": "intro_cheapest", "best_within_budget": "intro_best"}.get(
            args.objective, "intro"
        )
        gift = next((g.wish.interest for g in groups if g.wish.interest), None)
        reply = render.recommendation(
            items,
            total_cents=choice.total_cents,
            currency=self.currency,
            lang=args.lang,
            intro=intro,
            interest=gift,
        )
        return RecommendResult(
            status="ok",
            items=items,
            total=dollars(choice.total_cents),
            currency=self.currency,
            reply=reply,
            request=solved,
        )

    def _items(self, choice: Choice) -> list[ChosenItem]:
        return [
            ChosenItem(
                item_id=pick.variant.item_id,
                product=pick.variant.product,
                options=dict(pick.variant.options),
                price=dollars(pick.variant.cents),
                quantity=pick.quantity,
            )
            for pick in choice.picks
        ]

    def _empty(
        self, status: str, reason: str, reply: str, request: RecommendArgs
    ) -> RecommendResult:
        return RecommendResult.model_validate(
            {
                "status": status,
                "currency": self.currency,
                "reason": reason,
                "reply": reply,
                "request": request.model_dump(),
            }
        )

    def _why(
        self,
        groups: list[Resolved],
        needs: list[Need],
        args: RecommendArgs,
        high: int | None,
        low: int | None,
    ) -> tuple[str, list[str]]:
        """The reason nothing qualifies, and the sentences that say it."""
        lang: Lang = args.lang
        lex = lexicon(lang)
        for group in groups:
            name = render.product_name(group.types[0], lang)
            options = _named_options(group, lang)
            if not group.matching:
                return "no_such_variant", [
                    lex.template("no_such_variant").format(name=name, options=options)
                ]
            if not group.available:
                return "out_of_stock", [
                    lex.template("out_of_stock").format(name=name, options=options)
                ]
            kinds = {v.product for v in group.candidates}
            if not group.candidates or (group.wish.distinct and len(kinds) < group.wish.quantity):
                refused = _refused_text(group, lang)
                return "exclusions", [
                    lex.template("exclusions").format(name=name, excluded=refused)
                ]
        return "budget", self._budget_parts(groups, needs, args, high, low)

    def _budget_parts(
        self,
        groups: list[Resolved],
        needs: list[Need],
        args: RecommendArgs,
        high: int | None,
        low: int | None,
    ) -> list[str]:
        lex = lexicon(args.lang)
        budget = render.money(cents(args.budget or 0), self.currency)
        cheapest = solve(needs, goal="cheapest", max_cents=None)
        if cheapest is None:
            return []
        kinds = dict.fromkeys(pick.variant.product for pick in cheapest.picks)
        names = [render.product_name(kind, args.lang) for kind in kinds]
        if high is not None and cheapest.total_cents > high:
            lowest = render.money(cheapest.total_cents, self.currency)
            joined = lex.template("list_sep").join(names)
            return [lex.template("over_budget").format(names=joined, lowest=lowest, budget=budget)]
        below = solve(needs, goal="best_within_budget", max_cents=(low or 1) - 1)
        nearest = render.money(below.total_cents if below else cheapest.total_cents, self.currency)
        return [lex.template("under_budget").format(budget=budget, nearest=nearest)]


def _named_options(group: Resolved, lang: Lang) -> str:
    parts = [
        f"{render.options_text({option: value}, lang)}"
        for option, values in group.wish.require.items()
        for value in values[:1]
    ]
    return lexicon(lang).template("list_sep").join(parts) or "-"


def _refused_text(group: Resolved, lang: Lang) -> str:
    values = [v for values in group.wish.exclude.values() for v in values]
    if not values:
        return "-"
    return lexicon(lang).template("or").join(values)
