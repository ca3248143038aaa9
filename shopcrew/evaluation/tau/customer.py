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
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from shopcrew.evaluation.tau._customer_wording import CustomerWording
from shopcrew.evaluation.tau.goal import GoalStep, IdentityKind, TauGoal
from shopcrew.evaluation.tau.reading import (
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


class RuleCustomer(CustomerWording):
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
        self.last_order = None
        kinds: tuple[IdentityKind, IdentityKind] = ("email", "name_zip")
        first = self.rng.choice(kinds) if goal.identity.prefer is None else goal.identity.prefer
        self.identities = [first, "name_zip" if first == "email" else "email"]
        self.colon = self.rng.random() < 0.5

    @property
    def step(self) -> GoalStep | None:
        """The step being pursued (None when every step is settled)."""
        steps = self.goal.steps
        return steps[self.current] if self.current < len(steps) else None

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
