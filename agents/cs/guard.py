"""The customer-service guard: what any model may do with the customer's account, checked in code.

The guard stands between the model and the tools (the CS graph runs it before every call), and
it reads only the conversation and the store, never the model's intentions. It guarantees, for
every model (the rules model or any LLM) and whatever a message says:

- **identity from the customer's own words**: `find_user_id_by_email` only with an email the
  customer typed in this conversation (the only one of their latest message that names any),
  `find_user_id_by_name_zip` only with a first name, last name and zip they typed; one
  identification per assistant message; once a customer is identified, no other identity is
  looked up;
- **one customer**: account reads and every write need that identified customer, and touch
  only their own profile, orders and payment methods;
- **a structured proposal**: before a write, the model proposes it as data (`propose_action`
  with the write tool's name and complete arguments); the guard refuses a proposal the shop's
  rules forbid, that leaves a detail open, that holds invisible characters, or that comes with
  a question or a look-alike confirmation; the graph shows the customer a confirmation rendered
  from the proposal's data (`confirmation_text`), as a message of its own, the turn's last;
- **exactly what was confirmed**: a write runs only when the customer's latest message answers
  that confirmation (comes right after it), is text alone and is an unhedged yes
  (`confirmation`), and the write's name and arguments equal the proposal's, field by field
  (item lists as multisets);
- **one yes, one write**: the first write call after the yes uses it up, whether it succeeds or
  not; a write in a turn whose customer message answered no proposal is refused.

The graph adds what the guard relies on: the model's answer is stored as a new assistant
message with unique tool call ids, so it cannot rewrite what was said (`graphs.cs`).

It does not guarantee what the model *says* beside the confirmation (shown as written, in its
own message before it), that the proposal is what the customer wanted (only that it is what
they confirmed), that a typed email is the customer's own, or anything of writes made outside
this graph (a tool called directly). With `require_confirmation=False` (a caller that confirms
through another channel) writes need no proposal or yes, and every other rule holds.

A refused call returns a tool message starting with `Error: blocked by policy:` that tells the
model why and what to do; its artifact carries the customer-facing explanation, in the
customer's language and in shop words, which is all a customer ever reads of it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

import yaml
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolCall, ToolMessage
from pydantic import ValidationError

from shopcrew.agents.cs.confirmation import read_confirmation
from shopcrew.agents.cs.confirmation_text import render_confirmation
from shopcrew.agents.cs.language import Lang, detect_language
from shopcrew.agents.cs.proposal_facts import Problem, ProposalFacts, describe
from shopcrew.agents.cs.proposals import (
    Proposal,
    ProposeActionArgs,
    answered_proposal,
    normalised_arguments,
)
from shopcrew.errors import UnknownRecordError
from shopcrew.tools.langchain.identify import (
    CUSTOMER_IDENTIFY_TOOLS,
    FIND_USER_ID_BY_NAME_PHONE,
)
from shopcrew.tools.protocols.retail import CatalogAdapter, CustomerAdapter, OrderAdapter
from shopcrew.tools.records.retail import Customer, Order, Product
from shopcrew.tools.tau.names import (
    ACCOUNT_READ_TOOLS,
    FIND_USER_ID_BY_EMAIL,
    GET_ORDER_DETAILS,
    GET_USER_DETAILS,
    MODIFY_USER_ADDRESS,
    ORDER_WRITE_TOOLS,
    RETAIL_WRITE_TOOLS,
    retail_tool_args,
)
from shopcrew.tracing import guard_decision

__all__ = ["BLOCKED_PREFIX", "Conversation", "CsGuard", "Refusal", "read_conversation"]

logger = logging.getLogger(__name__)

BLOCKED_PREFIX: Final = "Error: blocked by policy:"
"""How every refusal's tool message starts."""

_EMAIL: Final = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

_MODEL_TEXT: Final[Mapping[str, str]] = {
    "not_identified": "{tool} needs an identified customer. Ask for their email, or first name, "
    "last name and zip, and call find_user_id_by_email or find_user_id_by_name_zip first.",
    "identity_not_given": "identify the customer only with an email, or a first name, last name "
    "and zip, that the customer wrote in this conversation; ask them for it.",
    "already_identified": "the customer is already identified as {customer}; this conversation "
    "serves only that customer, so no other identity is looked up.",
    "not_yours": "{target} does not belong to the identified customer; do not look it up or "
    "change it, and tell the customer you can only help with their own orders and account.",
    "no_proposal": "a write needs the customer's explicit yes to a proposal of exactly this "
    "change, and their latest message answers none. Call propose_action with the write's name "
    "and complete arguments; the customer is shown the confirmation; write only after their yes.",
    "not_yes": "the customer's latest message is not an unhedged yes to the proposal ({why}). "
    "Answer what they said: their question, their correction (propose the corrected change), "
    "or propose again; make no change now.",
    "mismatch": "this call is not the change the customer confirmed ({proposed}); a write must "
    "equal the confirmed proposal (its propose_action arguments) field by field. Propose the "
    "change you mean and wait for a yes.",
    "one_identification": "one identification per message: wait for its result before looking up "
    "anyone, and never look up a second identity.",
    "which_email": "the customer's message names several emails; ask which one is their own "
    "account's before looking it up.",
    "question_beside_proposal": "a proposal goes alone: do not ask the customer anything in the "
    "message that proposes (their yes could answer your question). Answer or ask first, then "
    "propose.",
    "hidden_characters": "the proposal's {fields} holds invisible or direction-control "
    "characters; use the text as the customer wrote it.",
    "used_up": "one yes allows one write attempt, and a write was already attempted since the "
    "customer's latest message. Propose the next change and wait for its own yes.",
    "busy": "one proposal at a time: the customer has not answered the one just made.",
    "invalid": "propose_action needs `name` (a write tool) and `arguments` (its complete "
    "arguments): {detail}",
    "incomplete": "the proposal leaves details open or invalid ({fields}); a proposal states "
    "every argument of the write. Ask the customer for what is missing.",
    "reason": "the cancel reason must be 'no longer needed' or 'ordered by mistake'.",
    "status": "the order is {status}; {tool} needs a {needed} order. Tell the customer the "
    "status and change nothing.",
    "item_not_in_order": "item {item} is not in the order.",
    "item_count": "the order holds fewer copies of item {item}.",
    "variant_unavailable": "{new_item} is not an available variant of the {item}'s product; "
    "say it is not available and change nothing.",
    "payment_not_yours": "payment method {method} is not one of the identified customer's "
    "methods; use only a method from their own get_user_details record.",
    "refund_target": "a refund goes to the order's original payment method or the customer's "
    "gift card, nowhere else.",
    "same_payment": "the order is already paid with that method.",
    "payment_changed": "the order's payment was already changed once.",
    "gift_card_short": "the gift card balance ({balance}) does not cover the amount.",
}


@cache
def _customer_texts(lang: Lang) -> Mapping[str, Any]:
    source = resources.files("shopcrew.agents.cs").joinpath(f"lang/{lang}/refusals.yaml")
    data: Mapping[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the guard refused a call: for the model, and for the customer."""

    code: str
    model_text: str
    """Internal: what the model did wrong and what to do instead."""
    customer_text: str
    """What the customer may read: what cannot be done and why, in their language."""

    @property
    def content(self) -> str:
        """The tool message the model gets."""
        return f"{BLOCKED_PREFIX} {self.model_text}"


def _refusal(code: str, lang: Lang, **values: str) -> Refusal:
    texts = _customer_texts(lang)
    words = {
        "status_words": str(texts["status_words"].get(values.get("status", ""), "")),
        "action_words": str(texts["action_words"].get(values.get("tool", ""), "")),
    }
    customer = str(texts.get(code, texts["invalid"])).format_map(_Blank({**values, **words}))
    model = _MODEL_TEXT.get(code, "{detail}").format_map(_Blank(values))
    return Refusal(code, model, customer)


class _Blank(dict[str, str]):
    """Template values where a name not given is left empty."""

    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True, slots=True)
class Conversation:
    """What the guard knows of the conversation before the assistant message being checked."""

    customer_id: str | None
    """The user id of the first successful identification, if any."""
    customer_texts: tuple[str, ...]
    """Everything the customer wrote, in order."""
    answered: Proposal | None
    """The proposal the customer's latest message answers, if it answers one."""
    attempted_write: bool
    """A write was already attempted since the customer's latest message (its yes is used)."""
    lang: Lang
    latest_plain: bool = True
    """The customer's latest message is text alone (no image, file or other part)."""
    identify_attempted: bool = False
    """An identification was already tried in the assistant message being checked."""

    @property
    def latest_user(self) -> str | None:
        """The customer's latest message."""
        return self.customer_texts[-1] if self.customer_texts else None


def _text(message: BaseMessage) -> str:
    return message.text if isinstance(message.content, list) else str(message.content)


def _succeeded(message: ToolMessage) -> bool:
    return message.status != "error" and not _text(message).startswith("Error:")


def read_conversation(messages: Sequence[BaseMessage]) -> Conversation:
    """Read identification, the customer's words and the proposal they answer from messages.

    Args:
        messages: The conversation *before* the assistant message whose calls are checked (its
            own calls' results must not count).
    """
    names: dict[str, str] = {}
    customer: str | None = None
    texts: list[str] = []
    attempted = False
    plain = True
    for message in messages:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                names[call["id"] or ""] = call["name"]
                attempted = attempted or call["name"] in RETAIL_WRITE_TOOLS
        elif isinstance(message, HumanMessage):
            texts.append(_text(message))
            attempted, plain = False, _plain(message)
        elif isinstance(message, ToolMessage) and _succeeded(message) and customer is None:
            # Only an identification's own result (matched by its call id) identifies.
            if names.get(message.tool_call_id) in CUSTOMER_IDENTIFY_TOOLS:
                customer = _text(message).strip()
    lang = detect_language(" ".join(texts)) if texts else "en"
    answered = answered_proposal(messages)
    return Conversation(customer, tuple(texts), answered, attempted, lang, plain)


def _plain(message: BaseMessage) -> bool:
    """Whether a message is text alone: a string, or parts that are all text."""
    if isinstance(message.content, str):
        return True
    return all(
        isinstance(part, str) or (isinstance(part, dict) and part.get("type") == "text")
        for part in message.content
    )


def question_beside_proposal(lang: Lang) -> Refusal:
    """The refusal of a proposal made in a message that also asks the customer something."""
    return _refusal("question_beside_proposal", lang)


def _email_rule(email: str, conversation: Conversation) -> Refusal | None:
    """An email lookup needs the email typed by the customer, and theirs without doubt.

    The customer's latest message that holds emails must hold this one and no other: "I'm
    a@x.com; my husband is b@x.com" names two, so the agent asks which account is theirs.
    """
    given = email.strip().casefold()
    for text in reversed(conversation.customer_texts):
        typed = {found.casefold() for found in _EMAIL.findall(text)}
        if not typed:
            continue
        if given not in typed:
            break
        return None if len(typed) == 1 else _refusal("which_email", conversation.lang)
    return _refusal("identity_not_given", conversation.lang)


def _hidden_characters(arguments: Mapping[str, Any]) -> list[str]:
    """The text arguments that hold invisible, control or direction-control characters."""
    return [
        key
        for key, value in arguments.items()
        if isinstance(value, str)
        and any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} for ch in value)
    ]


def _typed(text: str, value: str) -> bool:
    """Whether the customer's text holds `value` as a word of its own (any case)."""
    pattern = r"(?<![0-9a-z])" + re.escape(value.casefold()) + r"(?![0-9a-z])"
    return bool(value.strip()) and re.search(pattern, text.casefold()) is not None


def _name_typed(text: str, value: str) -> bool:
    """`_typed`, or a Chinese name part written inside a run of characters ("我是宋霞")."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in value):
        return bool(value.strip()) and value in text
    return _typed(text, value)


def _digits_typed(text: str, digits: str) -> bool:
    """Whether the customer typed this number, separators (spaces, dashes) aside."""
    plain = re.sub(r"(?<=\d)[\s\-]+(?=\d)", "", text)
    return re.search(rf"(?<!\d){re.escape(digits)}(?!\d)", plain) is not None


class CsGuard:
    """Decides, for each tool call of the CS model, whether it may run.

    Args:
        orders: The merchant's orders (ownership and status).
        customers: The merchant's customers (payment methods, the default address).
        catalog: The merchant's products (the variants an item change may take).
        require_confirmation: Writes need a confirmed proposal; only a trusted caller that
            confirms through another channel turns it off.
        currency: The shop's currency, for the amounts in confirmations (ISO 4217 code).
    """

    def __init__(
        self,
        *,
        orders: OrderAdapter,
        customers: CustomerAdapter,
        catalog: CatalogAdapter,
        require_confirmation: bool = True,
        currency: str = "USD",
    ) -> None:
        self.orders, self.customers, self.catalog = orders, customers, catalog
        self.require_confirmation = require_confirmation
        self.currency = currency

    def check(self, call: ToolCall, conversation: Conversation) -> Refusal | None:
        """None when `call` may run, else why not.

        Args:
            call: The model's tool call (`propose_action` goes to `propose` instead).
            conversation: `read_conversation` of the messages before the call's message, with
                `attempted_write` set for the writes earlier in the same message.
        """
        name, args = call["name"], call["args"]
        if name in CUSTOMER_IDENTIFY_TOOLS:
            refusal = self._identity(name, args, conversation)
        elif name in ACCOUNT_READ_TOOLS or name in RETAIL_WRITE_TOOLS:
            refusal = self._customer(name, conversation) or self._ownership(
                name, args, conversation
            )
            if refusal is None and name in RETAIL_WRITE_TOOLS:
                refusal = self._write(name, args, conversation)
        else:
            return None
        if refusal is not None:
            logger.info("guard refused %s: %s", name, refusal.code)
        guard_decision(name, allowed=refusal is None, reason=refusal.code if refusal else "")
        return refusal

    def propose(self, call: ToolCall, conversation: Conversation) -> Proposal | Refusal:
        """Check a `propose_action` call and render its confirmation, or say why not."""
        checked = self._propose(call, conversation)
        refused = isinstance(checked, Refusal)
        reason = checked.code if isinstance(checked, Refusal) else ""
        guard_decision("propose_action", allowed=not refused, reason=reason)
        return checked

    def _propose(self, call: ToolCall, conversation: Conversation) -> Proposal | Refusal:
        lang = conversation.lang
        try:
            proposed = ProposeActionArgs.model_validate(call["args"])
        except ValidationError as exc:
            return _refusal("invalid", lang, detail=_first_error(exc))
        name = proposed.name
        arguments = normalised_arguments(name, proposed.arguments)
        if arguments is None:
            detail = _validation_detail(name, proposed.arguments)
            return _refusal("incomplete", lang, fields=detail, tool=name)
        hidden = _hidden_characters(arguments)
        if hidden:
            return _refusal("hidden_characters", lang, fields=", ".join(hidden))
        refusal = self._customer(name, conversation) or self._ownership(
            name, arguments, conversation
        )
        if refusal is not None:
            return refusal
        facts = self._facts(name, arguments, str(conversation.customer_id))
        if isinstance(facts, Problem):
            return _refusal(facts.code, lang, tool=name, **facts.detail)
        text = render_confirmation(facts, lang, currency=self.currency)
        return Proposal(str(call["id"] or ""), name, arguments, text, lang)

    def _identity(
        self, name: str, args: Mapping[str, Any], conversation: Conversation
    ) -> Refusal | None:
        lang = conversation.lang
        if conversation.customer_id is not None:
            return _refusal("already_identified", lang, customer=conversation.customer_id)
        if conversation.identify_attempted:
            return _refusal("one_identification", lang)
        said = "\n".join(conversation.customer_texts)
        if name == FIND_USER_ID_BY_EMAIL:
            return _email_rule(str(args.get("email", "")), conversation)
        parts: tuple[Any, ...] = (args.get("first_name"), args.get("last_name"))
        if name == FIND_USER_ID_BY_NAME_PHONE:
            phone = args.get("phone")
            if not (isinstance(phone, str) and _digits_typed(said, phone)):
                return _refusal("identity_not_given", lang)
        else:
            parts = (*parts, args.get("zip"))
        if all(isinstance(part, str) and _name_typed(said, part) for part in parts):
            return None
        return _refusal("identity_not_given", lang)

    def _customer(self, name: str, conversation: Conversation) -> Refusal | None:
        if conversation.customer_id is None:
            return _refusal("not_identified", conversation.lang, tool=name)
        return None

    def _ownership(
        self, name: str, args: Mapping[str, Any], conversation: Conversation
    ) -> Refusal | None:
        me = conversation.customer_id
        if name in {GET_USER_DETAILS, MODIFY_USER_ADDRESS} and args.get("user_id") != me:
            return _refusal("not_yours", conversation.lang, target=f"account {args.get('user_id')}")
        if name == GET_ORDER_DETAILS or name in ORDER_WRITE_TOOLS:
            order = self._order(str(args.get("order_id", "")))
            if order is not None and order.user_id != me:
                return _refusal("not_yours", conversation.lang, target=f"order {order.order_id}")
        return None

    def _write(
        self, name: str, args: Mapping[str, Any], conversation: Conversation
    ) -> Refusal | None:
        lang = conversation.lang
        if not self.require_confirmation:
            arguments = normalised_arguments(name, args)
            if arguments is None:
                return None  # the tool refuses bad arguments itself
            facts = self._facts(name, arguments, str(conversation.customer_id))
            if isinstance(facts, Problem):
                return _refusal(facts.code, lang, tool=name, **facts.detail)
            return None
        if conversation.attempted_write:
            return _refusal("used_up", lang)
        proposal = conversation.answered
        if proposal is None:
            return _refusal("no_proposal", lang)
        reading = read_confirmation(conversation.latest_user or "", action=proposal.name)
        if not reading.is_yes or not conversation.latest_plain:
            why = str(reading.why_not) if not reading.is_yes else "not text alone"
            return _refusal("not_yes", lang, why=why)
        if not proposal.matches(name, args):
            return _refusal("mismatch", lang, proposed=proposal.name)
        return None

    def _facts(self, name: str, arguments: Mapping[str, Any], me: str) -> ProposalFacts | Problem:
        customer = self._customer_record(me)
        if customer is None:
            return Problem("payment_not_yours")
        order = self._order(str(arguments.get("order_id", ""))) if "order_id" in arguments else None
        return describe(
            name, arguments, customer=customer, order=order, products=self._products(order)
        )

    def _order(self, order_id: str) -> Order | None:
        try:
            return self.orders.get_order(order_id)
        except UnknownRecordError:
            return None

    def _customer_record(self, customer_id: str) -> Customer | None:
        try:
            return self.customers.get_customer(customer_id)
        except UnknownRecordError:
            return None

    def _products(self, order: Order | None) -> dict[str, Product]:
        products: dict[str, Product] = {}
        for item in order.items if order is not None else []:
            if item.product_id not in products:
                try:
                    products[item.product_id] = self.catalog.get_product(item.product_id)
                except UnknownRecordError:
                    continue
        return products


def _first_error(exc: ValidationError) -> str:
    problem = exc.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "arguments"
    return f"{where}: {problem['msg']}"


def _validation_detail(name: str, arguments: Mapping[str, Any]) -> str:
    try:
        retail_tool_args(name).model_validate(dict(arguments))
    except ValidationError as exc:
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors()
        )
    return "arguments"
