"""How the offline τ-bench customer words what it says: intents, items, payment, corrections.

`CustomerWording` renders each answer from the customer's goal, only with what its instruction
states, in a phrase of `customer_en.yaml` chosen by the customer's seed (sometimes with a typo).
`RuleCustomer` (`customer`) decides what to say; this decides how.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import Any, Final

import yaml

from shopcrew.evaluation.tau.goal import GoalStep, IdentityKind, ItemGoal, PaymentGoal, TauGoal
from shopcrew.evaluation.tau.reading import ProposalMismatch, Slot

__all__ = ["CustomerWording", "join_words"]

_TYPO_WORD: Final = re.compile(r"(?<![{#@\w])[a-z]{5,}(?![}\w])")


@cache
def _phrases() -> Mapping[str, Any]:
    """The customer's wording (`customer_en.yaml`, beside this module)."""
    text = files("shopcrew.evaluation.tau").joinpath("customer_en.yaml").read_text("utf-8")
    loaded: Mapping[str, Any] = yaml.safe_load(text)
    return loaded


def join_words(parts: Sequence[str]) -> str:
    """Words joined as a list is said: "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


_NUMBERS: Final = {2: "two", 3: "three", 4: "four", 5: "five"}


class CustomerWording:
    """The offline customer's phrases, filled from its goal; `RuleCustomer` holds the state.

    Subclasses set these attributes before saying anything.
    """

    goal: TauGoal
    """What the customer wants, and what its instruction lets it say (`goal.knows`)."""
    rng: random.Random
    """Picks the phrase variants and typos (seeded per trial)."""
    colon: bool
    """Whether option values are said as `color: red` (else `color red`)."""
    identities: list[IdentityKind]
    """The identifications to give, the preferred first."""
    last_order: str | None
    """The order the previous step was about ("the same order")."""
    told_order: bool
    """Whether the customer has said which order it means."""

    def _say(self, key: str, kind: str | None = None, **values: str) -> str:
        """A variant of phrase `key` (of `kind`), maybe with a typo, filled with `values`."""
        found = _phrases()[key]
        variants: list[str] = found[kind] if kind is not None else found
        template = self.rng.choice(variants)
        if self.rng.random() < float(_phrases().get("typo_rate", 0.0)):
            template = self._typo(template)
        return template.format(**values)

    def _typo(self, template: str) -> str:
        """Swap two letters of one of the template's own words (never a filled-in value)."""
        words = list(_TYPO_WORD.finditer(template))
        if not words:
            return template
        word = self.rng.choice(words)
        at = word.start() + self.rng.randrange(1, len(word.group()) - 2)
        return template[:at] + template[at + 1] + template[at] + template[at + 2 :]

    # --- what the customer says -------------------------------------------------------

    def _intent(
        self, step: GoalStep, *, first: bool, explicit: bool = False, greet: bool = True
    ) -> str:
        many = len(step.items) > 1 or any(item.copies > 1 for item in step.items)
        things = "some items" if many else "an item"
        order = step.order_id or ""
        if first:
            lead = self._say("greet") if greet else ""
            phrase = self._say("intent_first", step.kind, things=things)
            return lead + (phrase[0].upper() + phrase[1:] if not lead else phrase)
        where = f"order {order}" if self._knows_order(step) else "another order"
        if order == self.last_order and not explicit:
            where = "the same order"
        also = "" if explicit else "also "
        phrase = {
            "cancel": f"I'd {also}like to cancel {where}.",
            "return": f"I'd {also}like to return {things} from {where}.",
            "exchange": f"I'd {also}like to exchange {things} from {where}.",
            "modify_items": f"I'd {also}like to change {things} in {where}."
            if not explicit
            else f"I'd like to change the {'items' if many else 'item'} in {where}.",
            "modify_address": f"I'd {also}like to change the shipping address of {where}.",
            "modify_payment": f"I'd {also}like to change the payment method of {where}.",
            "user_address": f"I'd {also}like to update the default address on my account.",
        }[step.kind]
        if explicit:
            return phrase
        return self._say("next_lead") + phrase

    def _identity(self, kind: IdentityKind) -> str:
        who = self.goal.identity
        if kind == "email":
            return self._say("email", email=who.email)
        return self._say("name_zip", first=who.first_name, last=who.last_name, zip=who.zip)

    def _options(self, options: dict[str, str]) -> str:
        sep = ": " if self.colon else " "
        # Only the option values the instruction states: the customer knows no catalog.
        known = {k: v for k, v in options.items() if self.goal.knows.says(v)}
        if not known:
            return "a different version"
        return join_words([f"{key}{sep}{value}" for key, value in known.items()])

    def _name(self, item: ItemGoal) -> str:
        return item.name if self.goal.knows.says(item.name) else "item I mentioned"

    def _knows_order(self, step: GoalStep) -> bool:
        return step.order_id is not None and step.order_id in self.goal.knows.orders

    def _item(self, item: ItemGoal, *, new: bool) -> str:
        name = self._name(item)
        if item.name_shared:
            name = f"{name} ({self._options(dict(item.options))})"
        if item.copies_in_order > 1 and item.copies == item.copies_in_order:
            text = f"both of the {name}" if item.copies == 2 else f"all {item.copies} {name}"
        elif item.copies > 1:
            text = f"{_NUMBERS.get(item.copies, str(item.copies))} {name}"
        else:
            text = f"the {name}"
        if new and item.new_options is not None:
            wanted = item.changed or dict(item.new_options)
            text += self._say("to_options") + self._options(wanted)
        return text

    def _items(self, step: GoalStep) -> str:
        new = step.kind in {"modify_items", "exchange"}
        listed = join_words([self._item(item, new=new) for item in step.items])
        if step.kind == "return":
            return self._say("return_items", listed=listed)
        if step.kind == "exchange":
            return self._say("exchange_items", listed=listed)
        return self._say("change_items", listed=listed)

    def _method(self, method: PaymentGoal, *, precise: bool = False) -> str:
        if method.foreign:
            return f"the {method.source.replace('_', ' ')} {method.method_id}"
        if method.source == "credit_card":
            text = f"my {(method.brand or 'credit').capitalize()} card ending in {method.last_four}"
        elif method.source == "paypal":
            text = "my PayPal account"
        elif method.source == "gift_card":
            text = "my gift card"
        else:
            return method.method_id
        precise_id = (method.ambiguous or precise) and self.goal.knows.says(method.method_id)
        return f"{text} ({method.method_id})" if precise_id else text

    def _payment(self, step: GoalStep, *, precise: bool = False) -> str:
        method = step.payment
        if method is None:
            return self._say("no_payment")
        said = self._method(method, precise=precise)
        if step.kind == "return":
            if method.original and not precise and self.rng.random() < 0.3:
                return self._say("refund_original")
            return self._say("refund_to", said=said)
        if step.kind == "modify_payment":
            return self._say("pay_switch", said=said)
        return self._say("pay_with", said=said)

    def _reason(self, step: GoalStep) -> str:
        if step.reason == "ordered by mistake":
            return self._say("reason_mistake")
        if step.reason == "no longer needed":
            return self._say("reason_unneeded")
        if step.reason is not None:
            return self._say("reason_other", reason=step.reason)
        return self._say("reason_none")

    def _address(self, step: GoalStep) -> str:
        a = step.address
        if a is None:
            return self._say("no_address")
        line2 = f", {a.address2}" if a.address2 else ""
        where = f"{a.address1}{line2}, {a.city}, {a.state} {a.zip}, {a.country}"
        return self._say("address", where=where)

    def _order(self, step: GoalStep | None) -> str:
        order = step.order_id if step is not None else self.goal.ask_about
        if step is not None and step.kind == "user_address":
            return self._say("not_an_order")
        self.told_order = True
        if order is not None and order in self.goal.knows.orders:
            return self._say("order_named", order=order)
        # Not named by the instruction: describe what it holds and let the agent find it.
        names = [] if step is None else [n for n in step.order_items if self.goal.knows.says(n)]
        if names:
            return self._say("order_unknown", items=join_words([f"the {n}" for n in names]))
        return self._say("order_unknown_bare")

    def _answer(self, slot: Slot, step: GoalStep | None) -> str | None:
        if slot == "identity":
            return self._identity(self.identities[0])
        if slot == "order":
            return self._order(step)
        if step is None:
            return None
        if slot == "items" and step.items:
            return self._items(step)
        if slot == "new_options" and step.kind in {"modify_items", "exchange"}:
            return self._items(step)
        if slot == "payment" and step.payment is not None:
            return self._payment(step)
        if slot == "reason":
            return self._reason(step)
        if slot == "address" and step.address is not None:
            return self._address(step)
        return None

    def _correction(self, why: ProposalMismatch, step: GoalStep) -> str:
        match why:
            case "kind" | "order":
                intent = self._intent(step, first=False, explicit=True)
                return f"{intent} {self._items(step)}" if step.items else intent
            case "items" | "new_options":
                return self._items(step)
            case "payment":
                return self._payment(step, precise=True)
            case "reason":
                return self._reason(step)
            case "address":
                return self._address(step)
