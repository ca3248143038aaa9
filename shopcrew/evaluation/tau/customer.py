"""Simulated customers for `shopcrew eval tau`: an offline one from the goal, an LLM one.

`RuleCustomer` pursues a `TauGoal` (`goal`) without a model. It *wants* the ground truth's
writes (so grading is unchanged) but *says* only what its instruction tells it (`Knowledge`):
an order id the instruction does not name is never said (it describes the items instead and
lets the agent find the order), nor an item name, option value or payment id it does not
state. Its wording comes from `customer_en.yaml`, written apart from the readers, with typos.
It opens with the intent of its first step, asks for the information a task expects stated
(its outputs), answers only what the agent asks (identity, order, items, payment, reason,
address), says yes to a proposal that fits the step and no (with the correction) to one that
does not, moves to the next step when the agent reports the change done, and ends when the
goal is reached or it is stuck. When the agent does not understand it, it says more, one level
of detail at a time (the order, then the items, then the payment), as a person would; a step
the ground truth itself fails is dropped instead of ending the conversation, since dropping it
leaves the same store. Its wording varies with the seed. `LlmCustomer` is τ-bench's
user simulator: a chat model playing the user from the task's instruction, ending with
``###STOP###``.
"""

from __future__ import annotations

import logging
import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Final, Literal, Protocol

import yaml
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from shopcrew.evaluation.tau.goal import GoalStep, IdentityKind, ItemGoal, PaymentGoal, TauGoal
from shopcrew.evaluation.tau.reading import (
    ProposalMismatch,
    Reading,
    Slot,
    judge_proposal,
    read_reply,
)

__all__ = [
    "OFFLINE_KNOWS",
    "STOP_TOKEN",
    "TAU_USER_PROMPT",
    "CustomerTurn",
    "LlmCustomer",
    "RuleCustomer",
    "SimulatedCustomer",
    "StopReason",
]

logger = logging.getLogger(__name__)

StopReason = Literal[
    "goal_reached",
    "agent_transferred",
    "agent_refused",
    "wrong_proposal",
    "repeated_question",
    "unanswerable",
    "identity_not_found",
    "write_failed",
    "turn_limit",
]
"""Why the customer ended the conversation."""

STOP_TOKEN: Final = "###STOP###"
TAU_USER_PROMPT: Final = """You are a user talking to a customer service agent.

Instruction: {instruction}

Rules:
- Write one line at a time: the user's next message only.
- Do not give the whole instruction at once; give only what the current step needs.
- Do not invent information the instruction does not give. If the agent asks for something \
the instruction does not mention (an order id, say), say you do not remember it or do not have \
it.
- When the instruction's goal is met, write '{stop}' alone as the message to end the \
conversation.
- Do not repeat the instruction word for word; say the same thing in your own words.
- Keep the conversation natural and stay in the personality the instruction gives."""
"""The LLM customer's system prompt: τ-bench's user simulator rules, in our words."""
OPENING: Final = "Hi! How can I help you today?"
"""What the LLM customer is first shown, as in τ-bench."""
_MAX_REJECTIONS: Final = 2
_MAX_ASKS: Final = 3
_MAX_CONFUSED: Final = 3
_PAYMENT_WORDS: Final = re.compile(r"payment|card|pay ?pal|refund", re.IGNORECASE)
OFFLINE_KNOWS: Final = (
    "offline rules customer; knows only its instruction (its identity, the order ids, item "
    "names, options, payment ids and addresses the instruction states; otherwise it describes "
    "the items and lets the agent find the order); wants the ground truth's writes; wording "
    "from customer_en.yaml with typos"
)
"""What the offline customer knows, as printouts and result files say it."""
_TYPO_WORD: Final = re.compile(r"(?<![{#@\w])[a-z]{5,}(?![}\w])")


@cache
def _phrases() -> Mapping[str, Any]:
    """The customer's wording (`customer_en.yaml`, beside this module)."""
    text = files("shopcrew.evaluation.tau").joinpath("customer_en.yaml").read_text("utf-8")
    loaded: Mapping[str, Any] = yaml.safe_load(text)
    return loaded


@dataclass(frozen=True, slots=True)
class CustomerTurn:
    """The customer's next message, and whether it ends the conversation."""

    text: str
    stop: StopReason | None = None
    """Set when the conversation ends here; the text is then not sent to the agent."""
    note: str = ""
    """Why it ended, in words (the agent's reply the customer could not get past)."""


class SimulatedCustomer(Protocol):
    """A customer that plays one conversation."""

    async def opening(self) -> str:
        """The first message."""
        ...

    async def respond(self, reply: str) -> CustomerTurn:
        """The answer to the agent's reply."""
        ...


def _first_person(text: str) -> str:
    """An instruction's "You want to know..." as the customer says it ("I want to know...")."""
    swapped = re.sub(r"\byou are\b", "I am", text, flags=re.IGNORECASE)
    swapped = re.sub(r"\byour\b", "my", swapped, flags=re.IGNORECASE)
    return re.sub(r"\byou\b", "I", swapped, flags=re.IGNORECASE)


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


_NUMBERS: Final = {2: "two", 3: "three", 4: "four", 5: "five"}


class RuleCustomer:
    """The offline simulated customer (see the module docstring).

    Args:
        goal: What the customer wants.
        seed: Picks the wording (and the identification when the instruction gives none).
        max_turns: Customer messages before it gives up (`turn_limit`).
    """

    def __init__(self, goal: TauGoal, *, seed: int, max_turns: int = 30) -> None:
        self.goal, self.max_turns = goal, max_turns
        self.rng = random.Random(seed)
        self.done: set[int] = set()
        self.current = 0
        self.awaiting: int | None = None
        self.asked: Counter[Slot] = Counter()
        self.rejections = self.refusals = self.confused = self.turns = 0
        self.told_order = self.asked_outputs = False
        self.last_order: str | None = None
        kinds: tuple[IdentityKind, IdentityKind] = ("email", "name_zip")
        first = self.rng.choice(kinds) if goal.identity.prefer is None else goal.identity.prefer
        self.identities: list[IdentityKind] = [first, "name_zip" if first == "email" else "email"]
        self.colon = self.rng.random() < 0.5

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

    @property
    def step(self) -> GoalStep | None:
        """The step being pursued (None when every step is settled)."""
        steps = self.goal.steps
        return steps[self.current] if self.current < len(steps) else None

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
        return _join([f"{key}{sep}{value}" for key, value in known.items()])

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
        listed = _join([self._item(item, new=new) for item in step.items])
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
            return self._say("order_unknown", items=_join([f"the {n}" for n in names]))
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

    # --- the conversation ----------------------------------------------------------------

    async def opening(self) -> str:
        """State the first step's intent, without its details."""
        step = self.step
        if step is not None:
            return self._intent(step, first=True)
        if self.goal.ask_about is not None:
            return self._say("ask_status")
        if self.goal.outputs:
            return self._say("greet") + self._ask_outputs()
        return self._say("ask_human")

    async def respond(self, reply: str) -> CustomerTurn:
        """Answer the agent's reply (see the module docstring)."""
        self.turns += 1
        if self.turns >= self.max_turns:
            return CustomerTurn("I have to go now.", "turn_limit", reply)
        reading = read_reply(reply)
        if reading.transferred:
            reached = self.step is None and self.goal.wants_human
            return CustomerTurn("Okay, thanks.", "goal_reached" if reached else "agent_transferred")
        if self.awaiting is not None:
            settled = self._settle(reading, reply)
            if settled is not None:
                return settled
        if reading.proposal:
            return self._judge(reply)
        if reading.identity_failed:
            if len(self.identities) > 1:
                self.identities.pop(0)
                return CustomerTurn(self._identity(self.identities[0]))
            return CustomerTurn("Never mind.", "identity_not_found", reply)
        if reading.refusal and "?" not in reply:
            return self._refused(reply)
        if reading.asks:
            return self._answer_asks(reading, reply)
        if self.step is None and self.goal.ask_about is not None and self.told_order:
            return CustomerTurn(self._closing(), "goal_reached")
        return self._confused(reply, greeting=reading.greeting)

    def _settle(self, reading: Reading, reply: str) -> CustomerTurn | None:
        index, self.awaiting = self.awaiting, None
        assert index is not None
        if reading.failed and not self.goal.steps[index].fails:
            return CustomerTurn("Oh no.", "write_failed", reply)
        if reading.done or reading.failed:
            return self._advance(index)
        return None

    def _advance(self, index: int, *, lead: str = "") -> CustomerTurn:
        self.done.add(index)
        self.last_order = self.goal.steps[index].order_id
        self.current = next(
            (i for i in range(len(self.goal.steps)) if i not in self.done), len(self.goal.steps)
        )
        self.asked.clear()
        self.rejections = self.refusals = self.confused = 0
        step = self.step
        if step is not None:
            return CustomerTurn(lead + self._intent(step, first=False))
        if self.goal.outputs and not self.asked_outputs:
            return CustomerTurn(lead + self._ask_outputs())
        if self.goal.wants_human:
            return CustomerTurn(lead + self._say("also_human"))
        return CustomerTurn(lead + self._closing(), "goal_reached")

    def _stuck(self, reason: StopReason, text: str, reply: str) -> CustomerTurn:
        """End the conversation, unless the step is one the ground truth fails anyway."""
        step = self.step
        if step is not None and step.fails:
            # Its call changes nothing in the ground truth, so dropping it is the same state.
            return self._advance(self.current, lead=self._say("drop"))
        return CustomerTurn(text, reason, reply)

    def _closing(self) -> str:
        return self._say("closing")

    def _ask_outputs(self) -> str:
        """Ask for the information the task expects, in the instruction's words."""
        self.asked_outputs = True
        question = _first_person(self.goal.question)
        if question:
            return self._say("ask_outputs", question=question)
        return self._say("ask_outputs_bare")

    def _judge(self, reply: str) -> CustomerTurn:
        step = self.step
        offers_person = "transfer" in reply.lower() or "human" in reply.lower()
        if step is None:
            if offers_person and self.goal.wants_human:
                return CustomerTurn("Yes, please.")
            return CustomerTurn("No, thanks, I don't need anything else.", "goal_reached")
        if offers_person:
            return self._confused(reply, greeting=False)
        why = judge_proposal(reply, step, self.goal)
        if why is None:
            self.awaiting = self.current
            return CustomerTurn(self._say("agree"))
        self.rejections += 1
        no = self._say("disagree")
        if self.rejections > _MAX_REJECTIONS:
            return self._stuck("wrong_proposal", no.strip(), f"{why}: {reply}")
        return CustomerTurn(no + self._correction(why, step))

    def _refused(self, reply: str) -> CustomerTurn:
        step = self.step
        if step is not None and step.fails:
            return self._advance(self.current, lead=self._say("accept_refusal"))
        if step is None:
            return CustomerTurn(self._closing(), "goal_reached")
        self.refusals += 1
        if self.refusals > 1:
            return CustomerTurn("Okay, never mind then.", "agent_refused", reply)
        details = [self._intent(step, first=False, explicit=True)]
        if step.items:
            details.append(self._items(step))
        if step.payment is not None and _PAYMENT_WORDS.search(reply):
            details.append(self._payment(step, precise=True))
        return CustomerTurn(self._say("precise") + " ".join(details))

    def _answer_asks(self, reading: Reading, reply: str) -> CustomerTurn:
        step = self.step
        answers: list[str] = []
        for slot in reading.asks:
            self.asked[slot] += 1
            if self.asked[slot] > _MAX_ASKS:
                return self._stuck("repeated_question", "I already told you that.", reply)
            answer = self._answer(slot, step)
            if answer is not None and answer not in answers:
                answers.append(answer)
        if not answers:
            return self._confused(reply, greeting=False)
        self.confused = 0
        return CustomerTurn(" ".join(answers))

    def _confused(self, reply: str, *, greeting: bool) -> CustomerTurn:
        self.confused += 1
        if self.confused > _MAX_CONFUSED:
            return self._stuck("unanswerable", "I'll try again later.", reply)
        step = self.step
        if step is None:
            return CustomerTurn(self._closing(), "goal_reached")
        lead = "" if greeting else self._say("confused")
        if self.confused == 1 and not self.told_order and step.order_id != self.last_order:
            # Before the order was asked for, restating the intent keeps it back.
            intent = self._intent(step, first=True, greet=False)
            return CustomerTurn(lead + intent[0].upper() + intent[1:])
        # Not understood: say more, as a person would, one level of detail at a time.
        details = [self._intent(step, first=False, explicit=self.confused >= 2)]
        if self.confused >= 2 and step.items:
            details.append(self._items(step))
        if self.confused >= 3:
            if step.payment is not None:
                details.append(self._payment(step))
            if step.reason is not None:
                details.append(self._reason(step))
            if step.address is not None:
                details.append(self._address(step))
        return CustomerTurn(lead + " ".join(details))


class LlmCustomer:
    """τ-bench's LLM user simulator over any chat model.

    The model sees the system prompt with the task's instruction, the agent's messages as the
    user's side and its own as the assistant's, and ends the conversation with ``###STOP###``.

    Args:
        model: The chat model playing the customer.
        instruction: The task's instruction.
        max_turns: Customer messages before the conversation is cut (`turn_limit`).
    """

    def __init__(self, model: BaseChatModel, instruction: str, *, max_turns: int = 30) -> None:
        self.model, self.max_turns, self.turns = model, max_turns, 0
        prompt = TAU_USER_PROMPT.format(instruction=instruction, stop=STOP_TOKEN)
        self.history: list[BaseMessage] = [SystemMessage(content=prompt)]

    async def _say(self, heard: str) -> str:
        self.history.append(HumanMessage(content=heard))
        message = await self.model.ainvoke(self.history)
        text = message.text if isinstance(message, AIMessage) else str(message.content)
        self.history.append(AIMessage(content=text))
        return text.strip()

    async def opening(self) -> str:
        """The first message, answering τ-bench's greeting."""
        return (await self._say(OPENING)).replace(STOP_TOKEN, "").strip()

    async def respond(self, reply: str) -> CustomerTurn:
        """The model's answer; ``###STOP###`` ends the conversation."""
        self.turns += 1
        if self.turns >= self.max_turns:
            return CustomerTurn("", "turn_limit", reply)
        text = await self._say(reply)
        if STOP_TOKEN in text:
            return CustomerTurn(text.replace(STOP_TOKEN, "").strip(), "goal_reached")
        return CustomerTurn(text)
