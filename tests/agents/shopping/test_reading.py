from __future__ import annotations

from decimal import Decimal

import pytest

from shopcrew.agents.shopping import CatalogIndex, WishGroup, read


@pytest.mark.parametrize(
    ("text", "amount", "approx", "low"),
    [
        ("A desk lamp, around $200.", "200", True, None),
        ("A laptop under $1,500 please.", "1500", False, None),
        ("I need a tablet, $1.5k max.", "1500", False, None),
        ("300 bucks is my limit for a grill.", "300", False, None),
        ("Something for my wife, ballpark $250.", "250", True, None),
        ("A backpack, between $150 and $220.", "220", False, "150"),
        ("想买个台灯，300以内。", "300", False, None),
        ("台灯，不超过三百。", "300", False, None),
        ("笔记本电脑两千五左右。", "2500", True, None),
        ("最多花两千五百块买个自行车。", "2500", False, None),
        ("送爸爸礼物，预算两三百。", "300", False, "200"),
        ("有没有180块上下的宠物窝？", "180", True, None),
    ],
)
def test_budgets_in_all_forms(
    catalog: CatalogIndex, text: str, amount: str, approx: bool, low: str | None
) -> None:
    budget = read(text, catalog).budget
    assert budget is not None
    assert (budget.amount, budget.approx, budget.low) == (
        Decimal(amount),
        approx,
        None if low is None else Decimal(low),
    )


def test_numbers_with_units_are_not_money(catalog: CatalogIndex) -> None:
    reading = read("Two 8GB e-readers with a 6-inch screen, please.", catalog)
    assert reading.budget is None
    assert reading.groups == (
        WishGroup(
            product_types=["E-Reader"],
            quantity=2,
            require={"storage": ["8GB"], "screen size": ["6-inch"]},
        ),
    )


def test_options_and_alternatives_belong_to_their_product(catalog: CatalogIndex) -> None:
    reading = read(
        "I want a T-shirt in black or blue, size L, and a waterproof action camera. $600 max.",
        catalog,
    )
    assert reading.groups == (
        WishGroup(product_types=["T-Shirt"], require={"color": ["black", "blue"], "size": ["L"]}),
        WishGroup(product_types=["Action Camera"], require={"waterproof": ["yes"]}),
    )


@pytest.mark.parametrize(
    ("text", "product", "exclude"),
    [
        ("Hiking boots for $250, not leather please.", "Hiking Boots", {"material": ["leather"]}),
        (
            "A bookshelf for $500. Anything but black or white.",
            "Bookshelf",
            {"color": ["black", "white"]},
        ),
        ("想买双登山鞋，不要皮的，250以内。", "Hiking Boots", {"material": ["leather"]}),
        ("要个双肩包，200以内，绿色和灰色的就算了。", "Backpack", {"color": ["green", "grey"]}),
        ("买块手表，金属表带的pass，预算两千。", "Wristwatch", {"strap material": ["metal"]}),
    ],
)
def test_refused_options_are_exclusions(
    catalog: CatalogIndex, text: str, product: str, exclude: dict[str, list[str]]
) -> None:
    [group] = read(text, catalog).groups
    assert (group.product_types, group.require, group.exclude) == ([product], {}, exclude)


@pytest.mark.parametrize(
    ("text", "interest", "recipient"),
    [
        ("My dad loves hiking. What could I get him for $200?", "hiking", "male"),
        ("Gift for my sister, she's into photography, $600 max.", "photography", "female"),
        ("送女朋友的生日礼物，预算500。", "any_gift", "female"),
        ("我爸特别喜欢喝茶，送他个礼物，150以内。", "tea", "male"),
    ],
)
def test_gifts_take_product_types_from_the_interest(
    catalog: CatalogIndex, text: str, interest: str, recipient: str
) -> None:
    reading = read(text, catalog)
    assert [g.interest for g in reading.groups] == [interest]
    assert reading.recipient == recipient


def test_what_the_recipient_has_is_left_out(catalog: CatalogIndex) -> None:
    reading = read("He plays games every night and already has a gaming mouse. $300.", catalog)
    assert reading.groups == (WishGroup(interest="gaming", exclude_types=["Gaming Mouse"]),)


def test_two_or_three_different_gifts(catalog: CatalogIndex) -> None:
    [group] = read("我妈很爱骑行，想送两三样不同的东西，预算2300以内。", catalog).groups
    assert (group.quantity, group.max_quantity, group.distinct) == (2, 3, True)


def test_one_of_each_splits_the_alternatives(catalog: CatalogIndex) -> None:
    reading = read("T-shirts in red and blue, one of each, under $120.", catalog)
    assert [g.require for g in reading.groups] == [{"color": ["red"]}, {"color": ["blue"]}]


def test_a_set_for_the_family_needs_a_head_count(catalog: CatalogIndex) -> None:
    assert read("Water bottles for the whole family, $200.", catalog).needs_people
    [group] = read("Water bottles for a family of four, $200.", catalog).groups
    assert group.quantity == 4


@pytest.mark.parametrize(
    ("text", "objective"),
    [
        ("The cheapest 4-foot bookshelf, please.", "cheapest"),
        ("白色电热水壶，越便宜越好。", "cheapest"),
        ("Max out my $300 on a skateboard.", "best_within_budget"),
        ("预算600买个吸尘器，钱尽量花满。", "best_within_budget"),
        ("A desk lamp for $150.", None),
    ],
)
def test_objectives(catalog: CatalogIndex, text: str, objective: str | None) -> None:
    assert read(text, catalog).objective == objective


def test_something_the_store_does_not_sell(catalog: CatalogIndex) -> None:
    reading = read("I want to buy a printer, $300 max.", catalog)
    assert (reading.groups, reading.thing) == ((), "printer")


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("I need a phone case, $30 max.", "phone case"),
        ("Do you have a laptop stand under $50?", "laptop stand"),
        ("想买个手机壳，50以内。", "手机壳"),
    ],
)
def test_an_accessory_of_a_product_is_not_the_product(
    catalog: CatalogIndex, text: str, thing: str
) -> None:
    reading = read(text, catalog)
    assert (reading.groups, reading.thing) == ((), thing)
