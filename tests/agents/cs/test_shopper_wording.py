"""The rules model reads shoppers as they write: typos, their own option words, questions about
the shop's rules, a person asked for in any words, thanks, corrections (issue 15).

Every sentence here is written for this file; none comes from an evaluation set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from cs_policy_loop import DB, find_orders, play, products

from shopcrew.agents.cs.rules.acts import read_act
from shopcrew.agents.cs.rules.items import extract_options, shifted_size, size_shift
from shopcrew.agents.cs.rules.lexicon import language_data, languages
from shopcrew.agents.cs.rules.nlu import understand
from shopcrew.agents.cs.rules.slots import extract_name
from shopcrew.agents.cs.rules.spelling import mend_typos
from shopcrew.errors import CsLanguageDataError, DataFileError

IDENTIFY = frozenset({"find_user_id_by_email", "find_user_id_by_name_zip"})
needs_store = pytest.mark.skipif(not DB.exists(), reason="no ../shared/tau-retail")


# --- the engine's parts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("plz cancle it", "plz cancel it"),
        ("wrong adress on it", "wrong address on it"),
        ("I want to retrun this", "I want to return this"),
        ("exhange for a bigger one", "exchange for a bigger one"),
        ("收获地址写错了", "收货地址写错了"),
    ],
)
def test_typos_are_mended(typed: str, meant: str) -> None:
    assert mend_typos(typed) == meant


@pytest.mark.parametrize("text", ["any chance of that?", "the charger is fine", "a cute mug", "ok"])
def test_real_words_and_short_words_are_left_alone(text: str) -> None:
    assert mend_typos(text) == text


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("yo how many days have I got to send something back", "policy"),
        ("亲亲～礼品卡里的钱可以取出来吗", "policy"),
        ("do u guys deliver to guam", "policy"),
        ("周末发不发货呀", "policy"),
        ("please cancel #W1234567, I don't want it", "account"),
        ("帮我看看#W1234567到哪了", "account"),
        ("put me on with an actual human being", "person"),
        ("别让机器人回了，我要人工", "person"),
        ("awesome, thx a ton", "thanks"),
        ("好滴 谢谢啦", "thanks"),
    ],
)
def test_the_act_classifier_reads_fresh_wording(text: str, act: str) -> None:
    assert read_act(text).act == act


def test_every_language_has_the_same_intents() -> None:
    intents = {lang: set(language_data(lang).intents) for lang in languages()}
    assert len(set(map(frozenset, intents.values()))) == 1, intents


def test_a_missing_language_file_is_a_typed_error() -> None:
    with pytest.raises(CsLanguageDataError, match=r"lang/xx/understanding.yaml.*does not exist"):
        language_data("xx")
    assert issubclass(CsLanguageDataError, DataFileError)


def test_option_words_in_the_shoppers_own_words() -> None:
    options = {"color": ["black", "grey", "gold"], "size": ["S", "M", "L"]}
    assert extract_options("想换成灰色的", options) == [("color", "grey", 3)]
    assert extract_options("colour gray pls", options) == [("color", "grey", 0)]
    assert extract_options("the gold one", options) == [("color", "gold", 4)]
    # A size letter is never read out of a word on its own.
    assert extract_options("it's too small", options) == []


def test_one_size_up_or_down() -> None:
    assert size_shift("can it be one size bigger") == 1
    assert size_shift("要小一号的") == -1
    assert size_shift("same size please") == 0
    sizes = {"size": ["XL", "S", "M", "L"], "color": ["red"]}
    assert shifted_size(sizes, {"size": "M", "color": "red"}, 1) == ("size", "L")
    assert shifted_size(sizes, {"size": "S", "color": "red"}, -1) is None
    assert shifted_size({"size": ["7", "9", "8"]}, {"size": "8"}, -1) == ("size", "7")
    assert shifted_size({"size": ["small", "odd"]}, {"size": "small"}, 1) is None


def test_an_order_id_taken_back_in_the_same_message() -> None:
    assert understand("cancel W1111111 - oops, I mean W2222222").order_ids == ("#W2222222",)
    assert understand("取消W1111111，说错了，是W2222222").order_ids == ("#W2222222",)
    assert understand("cancel W1111111 and W2222222").order_ids == ("#W1111111", "#W2222222")


# --- whole conversations ------------------------------------------------------------------------


def _pending() -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    return next(iter(find_orders(lambda u, o: o["status"] == "pending")))


@needs_store
@pytest.mark.parametrize(
    "question", ["亲～退货的话运费谁来出呀？", "hey is there a time limit for sending stuff back"]
)
def test_a_question_about_the_rules_is_answered_without_identification(question: str) -> None:
    played = play([question])
    assert not IDENTIFY & set(played.names())
    assert "search_knowledge_base" in played.names()
    assert "account email" not in played.replies[-1] and "账户的邮箱" not in played.replies[-1]


@needs_store
@pytest.mark.parametrize(
    "ask", ["你们这机器人不行，帮我叫个真人客服", "can u get an actual human on this please"]
)
def test_a_person_asked_for_in_any_words_is_a_transfer(ask: str) -> None:
    assert "transfer_to_human_agents" in play([ask]).names()


@needs_store
def test_thanks_after_an_answer_ends_the_topic() -> None:
    user, order = _pending()
    played = play([f"{user['email']} where's {order['order_id']}?", "cool thx!"])
    assert not [call for call in played.calls if call[0] == 1]
    assert order["order_id"] not in played.replies[1]


@needs_store
def test_a_typo_does_not_flip_the_intent() -> None:
    user, order = _pending()
    played = play([f"{user['email']} pls cancle {order['order_id']}, ordered by mistake"])
    proposals = [args for _, name, args, _ in played.calls if name == "propose_action"]
    assert proposals and proposals[0]["name"] == "cancel_pending_order"


def _colour_change() -> tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any], str]:
    """(user, pending order, item, zh colour word) where only the colour needs to change."""
    zh = {"black": "黑色", "white": "白色", "red": "红色", "blue": "蓝色", "green": "绿色"}
    for user, order in find_orders(lambda u, o: o["status"] == "pending"):
        names = [item["name"] for item in order["items"]]
        for item in order["items"]:
            options = item["options"]
            if names.count(item["name"]) > 1 or "color" not in options:
                continue
            for variant in products()[item["product_id"]]["variants"].values():
                other = variant["options"]
                same_rest = all(other[k] == v for k, v in options.items() if k != "color")
                if variant["available"] and same_rest and other["color"] in zh:
                    if other["color"] != options["color"]:
                        return user, order, {**item, "new": variant}, zh[other["color"]]
    raise AssertionError("the store has no such order")


@needs_store
def test_a_colour_in_chinese_words_names_the_variant() -> None:
    user, order, item, colour = _colour_change()
    text = (
        f"邮箱{user['email']}，{order['order_id']}里的{item['name']}想改成{colour}的，"
        "差价用原来的付款方式"
    )
    played = play([text])
    proposals = [args for _, name, args, _ in played.calls if name == "propose_action"]
    assert proposals, played.replies
    assert proposals[-1]["arguments"]["new_item_ids"] == [item["new"]["item_id"]]


@needs_store
def test_a_question_asked_of_a_proposal_is_answered_and_the_proposal_shown_again() -> None:
    user, order = _pending()
    played = play(
        [
            f"邮箱{user['email']}，{order['order_id']}不要了，帮我取消",
            "取消之后钱几天能回到卡上？",
            "好的",
        ]
    )
    proposals = [turn for turn, name, _, _ in played.calls if name == "propose_action"]
    assert 1 in proposals  # shown again with the answer
    assert [name for _, name, _ in played.writes()] == ["cancel_pending_order"]
    assert played.writes()[0][0] == 2


def test_a_bare_name_lead_with_a_capitalised_name_identifies() -> None:
    # The τ customer's "zip 76171, name Olivia Lopez." — a lead without "my … is".
    assert extract_name("zip 80302, name Dana Whitfield.") == ("Dana", "Whitfield")
    assert extract_name("the name brand ones are fine") is None
    assert extract_name("name dana whitfield") is None
