"""The CS agent's rules policy: the next assistant message, decided from the transcript.

A small state machine re-derived on every call (`state`): transfer when a person
or a refund-only is asked for; identify the customer before any account read; read their record,
check an order is theirs before reading it; plan the change (`actions`) and propose it with
`propose_action`, as any model does (the CS graph shows the customer the confirmation rendered
from it); write exactly the proposal only when the customer's latest message answers it with an
unhedged yes (`shopcrew.agents.cs.confirmation`). Anything else said to a proposal is answered
(a question), read as a new request (a correction) or asked again. Knowledge-base questions are
answered from the search tool's articles.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from langchain_core.messages import AIMessage, BaseMessage

from shopcrew.agents.cs.confirmation import read_confirmation
from shopcrew.agents.cs.proposals import PROPOSE_TOOL, Proposal, answered_proposal
from shopcrew.agents.cs.rules import replies as say
from shopcrew.agents.cs.rules.actions import (
    Ask,
    AskWhat,
    Call,
    NeedTools,
    Propose,
    Refuse,
    plan_order_action,
    plan_user_address,
)
from shopcrew.agents.cs.rules.agenda import Agenda
from shopcrew.agents.cs.rules.answers import KB_TOOL, kb_reply, kb_tool, side_answers
from shopcrew.agents.cs.rules.asks import (
    closes_topic,
    defers,
    faq_turn,
    is_question,
    only_asks,
)
from shopcrew.agents.cs.rules.handoff import Handoff, transfer
from shopcrew.agents.cs.rules.leads import (
    agenda_of,
    blocking_note,
    lead_ins,
    order_request,
    previous_agenda,
)
from shopcrew.agents.cs.rules.recap import recap
from shopcrew.agents.cs.rules.request import Request, current_request, identity
from shopcrew.agents.cs.rules.state import DialogueState, message_text
from shopcrew.agents.cs.rules.state import derive_state as derive_state
from shopcrew.agents.cs.rules.templates import variant
from shopcrew.tools.langchain.identify import (
    CUSTOMER_IDENTIFY_TOOLS,
    FIND_USER_ID_BY_NAME_PHONE,
)
from shopcrew.tools.tau.names import (
    EXCHANGE_DELIVERED_ORDER_ITEMS,
    FIND_USER_ID_BY_EMAIL,
    FIND_USER_ID_BY_NAME_ZIP,
    GET_ORDER_DETAILS,
    GET_USER_DETAILS,
    MODIFY_PENDING_ORDER_ITEMS,
    MODIFY_PENDING_ORDER_PAYMENT,
    RETAIL_WRITE_TOOLS,
    TRANSFER_TOOL,
)

__all__ = ["KB_TOOL", "TRANSFER_TOOL", "next_message"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Proposing:
    """Propose a change (`propose_action`), with what to say before its confirmation."""

    plan: Propose
    lead: str = ""


Step = NeedTools | Propose | Handoff | str
"""What the request at hand needs next: records to read, a change to propose, a transfer to a
person, or a reply."""
Outcome = Step | Proposing


def _identify(state: DialogueState, request: Request, tool_names: frozenset[str]) -> Step:
    who = identity(state)
    if who.email and not state.tried(FIND_USER_ID_BY_EMAIL, {"email": who.email}):
        return NeedTools((Call(FIND_USER_ID_BY_EMAIL, {"email": who.email}),))
    if who.name and who.zip:
        args = {"first_name": who.name[0], "last_name": who.name[1], "zip": who.zip}
        swapped = {"first_name": who.name[1], "last_name": who.name[0], "zip": who.zip}
        # Name order is ambiguous ("Lee, Ann"): after a miss, try the parts the other way round.
        for attempt in (args, swapped):
            if not state.tried(FIND_USER_ID_BY_NAME_ZIP, attempt):
                return NeedTools((Call(FIND_USER_ID_BY_NAME_ZIP, attempt),))
    if who.name and who.phone and FIND_USER_ID_BY_NAME_PHONE in tool_names:
        first, last = who.name
        for one, other in ((first, last), (last, first)):
            attempt = {"first_name": one, "last_name": other, "phone": who.phone}
            if not state.tried(FIND_USER_ID_BY_NAME_PHONE, attempt):
                return NeedTools((Call(FIND_USER_ID_BY_NAME_PHONE, attempt),))
    failed = any(
        event.name in CUSTOMER_IDENTIFY_TOOLS and not event.ok for event in state.turn_events
    )
    wants_account = (
        request.action is not None or request.order_id is not None or request.refuses_identify
    )
    latest = state.latest()
    if faq_turn(state, request) and not (latest.email or latest.name):
        return kb_reply(state, tool_names)
    if not wants_account and not failed:
        if is_question(latest, state.humans[-1]):
            return kb_reply(state, tool_names)
        if latest.scores.get("thanks"):
            return say.greet(state.lang, after_change=True)
        if not (who.email or who.name):
            return say.greet(state.lang)
    text = say.ask_identification(state.lang, refused=request.refuses_identify, failed=failed)
    return _with_note(text, state)


def _with_note(text: str, state: DialogueState) -> str:
    if state.latest().injection:
        return f"{say.injection_note(state.lang)} {text}"
    return text


def _core(
    state: DialogueState,
    tool_names: frozenset[str],
    agenda: Agenda | None,
    *,
    answer_questions: bool = True,
) -> Step:
    focus = agenda.focus if agenda is not None else None
    request = current_request(state, focus=focus)
    if request.complaint and request.action is None:
        if not (request.faq and request.order_id is None):
            return transfer(state, request)
    if state.user_id is None:
        return _identify(state, request, tool_names)
    user = state.user
    if user is None:
        return NeedTools((Call(GET_USER_DETAILS, {"user_id": state.user_id}),))
    lang = state.lang
    latest = state.latest()
    if latest.injection and latest.amounts:
        return say.refuse_money(lang)
    if answer_questions and (
        faq_turn(state, request)
        or (request.action is None and is_question(latest, state.humans[-1]))
    ):
        if not latest.order_ids:
            return kb_reply(state, tool_names)
    if request.action is None and request.order_in_window:
        request = replace(request, action="status")
    if request.action is None:
        finished = agenda is not None and bool(agenda.finished)
        return say.greet(lang, after_change=state.last_write_turn >= 0 or finished)
    if request.action == "user_address":
        change = plan_user_address(request, state.user_id)
        return change if isinstance(change, Propose) else _render(change, state, request)
    order_id = request.order_id
    if order_id is None:
        return say.ask_order(lang, [str(o) for o in user.get("orders", [])])
    if order_id not in user.get("orders", []):
        return _with_note(say.not_your_order(order_id, lang), state)
    order = state.orders.get(order_id)
    if order is None:
        return NeedTools((Call(GET_ORDER_DETAILS, {"order_id": order_id}),))
    if request.action == "status":
        return say.order_facts(order, lang, currency=state.currency)
    request = order_request(state, order, focus)
    plan = plan_order_action(request, user, order, state.products)
    if state.user_stale and _charges_gift_card(plan):
        # A refund earlier in the conversation may have raised the balance: read it again.
        return NeedTools((Call(GET_USER_DETAILS, {"user_id": state.user_id}),))
    if isinstance(plan, NeedTools | Propose):
        return plan
    return _render(plan, state, request)


_PAYER_WRITES = frozenset(
    {MODIFY_PENDING_ORDER_PAYMENT, MODIFY_PENDING_ORDER_ITEMS, EXCHANGE_DELIVERED_ORDER_ITEMS}
)


def _charges_gift_card(plan: NeedTools | Propose | Ask | Refuse) -> bool:
    """Whether the plan rests on a gift card's balance (a refusal for it, or a charge to it)."""
    if isinstance(plan, Refuse):
        return plan.why == "gift_insufficient"
    if isinstance(plan, Propose):
        source = plan.payment_method.get("source")
        return plan.call.name in _PAYER_WRITES and source == "gift_card"
    return False


_ASK_AGAIN: dict[str, AskWhat] = {"refund_method": "refund_method", "payment_unknown": "payment"}
"""Refusals of a detail the customer can give again: the question follows the refusal."""


def _render(plan: Ask | Refuse, state: DialogueState, request: Request) -> str:
    if isinstance(plan, Ask):
        return _with_note(say.ask_detail(plan, state.lang), state)
    refusal = say.refuse(plan, state.lang, request.action, currency=state.currency)
    again = _ASK_AGAIN.get(plan.why)
    if again is not None:
        separator = "" if state.lang == "zh" else " "
        refusal += separator + say.ask_detail(Ask(again, plan.order_id), state.lang)
    return _with_note(refusal, state)


def _confirmed(
    proposal: Proposal | None, messages: Sequence[BaseMessage], state: DialogueState
) -> Proposal | None:
    """The proposal on the table (`answered_proposal`) if the latest message is its unhedged yes."""
    if proposal is None or state.turn_events:
        return None
    latest = next(m for m in reversed(messages) if m.type == "human")
    reading = read_confirmation(message_text(latest), action=proposal.name)
    return proposal if reading.is_yes else None


def _step(messages: Sequence[BaseMessage], tool_names: frozenset[str]) -> Outcome:
    state = derive_state(messages)
    if not state.humans:
        return say.greet(state.lang)
    if state.transferred:
        return say.transferred(state.lang)
    refused = [e for e in state.turn_events if e.name == PROPOSE_TOOL and not e.ok]
    if refused:
        return say.failed(refused[-1].explanation, state.lang)
    agenda = agenda_of(state)
    writes = [event for event in state.turn_events if event.name in RETAIL_WRITE_TOOLS]
    done = None
    if writes:
        finished_now = agenda is not None and agenda.indices("done", turn=state.turn)
        if not writes[-1].ok:
            return say.failed(writes[-1].explanation, state.lang)
        if not finished_now:
            return _join(
                [recap(state, writes[-1]), say.greet(state.lang, after_change=True)], state.lang
            )
        done = writes[-1]
    focus = agenda.focus if agenda is not None else None
    request = current_request(state, focus=focus)
    if request.wants_human or request.refund_only:
        return transfer(state, request)
    # the proposal the latest message answers, if any: read once for every use below
    pending = answered_proposal(messages)
    confirmed = _confirmed(pending, messages, state) if done is None else None
    if confirmed is not None:
        logger.debug("confirmed %s", confirmed.name)
        return NeedTools((Call(confirmed.name, dict(confirmed.arguments)),))
    if closes_topic(state.latest()) and pending is None:
        return say.greet(state.lang, after_change=True)
    current = _core(state, tool_names, agenda)
    if isinstance(current, NeedTools | Handoff):
        return current
    if isinstance(current, str) and pending is not None:
        # A question asked of a proposal: answer it, then show the proposal again for its yes.
        resumed = _core(state, tool_names, agenda, answer_questions=False)
        if isinstance(resumed, Propose):
            return Proposing(resumed, say.without_offer(current, state.lang))
        if only_asks(state.latest(), state.humans[-1]):
            # "Can I still cancel after this?" asks about a change, it does not request one:
            # the change on the table stays as it was shown.
            shown = Propose(Call(pending.name, dict(pending.arguments)))
            return Proposing(shown, say.without_offer(current, state.lang))
    # Questions asked beside the action are answered first, once the reply to it is settled.
    ongoing = request.action not in {None, "status"} and not faq_turn(state, request)
    answers = side_answers(state, kb_tool(tool_names), ongoing=ongoing)
    if isinstance(answers, NeedTools):
        return answers
    leads, note = answers, ""
    if agenda is not None:
        leads += lead_ins(state, agenda, previous_agenda(messages, state, agenda), done)
        note = blocking_note(state, agenda, current) if isinstance(current, Propose) else ""
    if isinstance(current, Propose):
        if not leads and pending is not None:
            # Neither a yes nor anything else to answer: say so, and ask again.
            later = defers(state.latest())
            leads = [say.deferred(state.lang) if later else say.not_yet(state.lang)]
        # A kind word goes before the request's first proposal only.
        window = [state.humans[turn] for turn in state.window]
        fresh = not any(e.name == PROPOSE_TOOL and e.turn in state.window for e in state.events)
        kind = say.empathy(window, state.lang) if fresh else ""
        return Proposing(current, _join([kind, *leads, note], state.lang))
    return _join([*leads, current], state.lang) if leads else current


def _join(parts: Sequence[str], lang: str) -> str:
    kept = [part for part in parts if part]
    return " ".join(kept) if lang == "en" else "".join(kept)


def _message(outcome: Outcome, state: DialogueState) -> AIMessage:
    if isinstance(outcome, str):
        return AIMessage(content=outcome)
    if isinstance(outcome, Propose):
        outcome = Proposing(outcome)
    content = ""
    if isinstance(outcome, Proposing):
        args = {"name": outcome.plan.call.name, "arguments": dict(outcome.plan.call.args)}
        calls = [(PROPOSE_TOOL, args)]
        content = outcome.lead
    elif isinstance(outcome, Handoff):
        calls = [(outcome.call.name, dict(outcome.call.args))]
        content = outcome.text
    else:
        calls = [(call.name, dict(call.args)) for call in outcome.calls]
    return AIMessage(
        content=content,
        tool_calls=[
            {
                "name": name,
                "args": args,
                "id": f"call_{state.call_count + i + 1}",
                "type": "tool_call",
            }
            for i, (name, args) in enumerate(calls)
        ],
    )


_VARIANTS = 3
"""How many wordings a reply may take before it is said again as it was."""


def next_message(messages: Sequence[BaseMessage], tool_names: frozenset[str]) -> AIMessage:
    """Decide the CS agent's next message from the conversation so far.

    A reply that would repeat an earlier one word for word (a "why?", a detail asked for
    again) is said in its next wording (`templates.variant`): the explanation of the rule, or
    what is still missing.

    Args:
        messages: The conversation: customer messages, the agent's earlier messages and tool
            calls, and the tool results.
        tool_names: Names of the tools bound to the model.

    Returns:
        Tool calls (τ-bench names and arguments) or a reply in the customer's language.
    """
    # the system prompt stays: it names the shop's currency (`DialogueState.currency`)
    visible = [m for m in messages if m.type in {"system", "human", "ai", "tool"}]
    said = {message_text(m).strip() for m in visible if isinstance(m, AIMessage)} - {""}
    state = derive_state(visible)
    message = _message(_step(visible, tool_names), state)
    for index in range(1, _VARIANTS):
        if message_text(message).strip() not in said:
            break
        with variant(index):
            message = _message(_step(visible, tool_names), state)
    return message
