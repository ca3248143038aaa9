"""The option wordings of SHOPPING_FORMAT.md's glossary, read as the catalog's values."""

from __future__ import annotations

import pytest

from shopcrew.agents.shopping import CatalogIndex, read

EN = [
    ("an office chair with adjustable armrests", "Office Chair", {"armrest": ["adjustable"]}),
    ("an office chair with no armrests", "Office Chair", {"armrest": ["none"]}),
    ("a mechanical keyboard with RGB backlighting", "Mechanical Keyboard", {"backlight": ["RGB"]}),
    ("a mechanical keyboard with no backlight", "Mechanical Keyboard", {"backlight": ["none"]}),
    ("a high-back office chair", "Office Chair", {"backrest height": ["high-back"]}),
    ("a bagless vacuum cleaner", "Vacuum Cleaner", {"bagged/bagless": ["bagless"]}),
    ("a smart watch with a metal band", "Smart Watch", {"band material": ["metal"]}),
    (
        "a Bluetooth speaker with 20 hours of battery life",
        "Bluetooth Speaker",
        {"battery life": ["20 hours"]},
    ),
    (
        "an electric toothbrush that runs on AA batteries",
        "Electric Toothbrush",
        {"battery type": ["AA batteries"]},
    ),
    ("a 75W-equivalent LED light bulb", "LED Light Bulb", {"brightness": ["75W equivalent"]}),
    ("a 2-cup coffee maker", "Coffee Maker", {"capacity": ["2 cups"]}),
    ("a tea kettle that holds 2 liters", "Tea Kettle", {"capacity": ["2 liters"]}),
    ("a wall clock in wood finish", "Wall Clock", {"color": ["wood"]}),
    ("a backpack with a hydration compartment", "Backpack", {"compartment": ["hydration"]}),
    (
        "an e-reader with Wi-Fi + Cellular connectivity",
        "E-Reader",
        {"connectivity": ["Wi-Fi + Cellular"]},
    ),
    (
        "an indoor security camera with an Ethernet connection",
        "Indoor Security Camera",
        {"connectivity": ["Ethernet"]},
    ),
    ("a skateboard with a maple deck", "Skateboard", {"deck material": ["maple"]}),
    ("a wristwatch with a blue dial", "Wristwatch", {"dial color": ["blue"]}),
    ("a 14-inch wall clock", "Wall Clock", {"diameter": ["14 inches"]}),
    ("a coffee maker with a built-in grinder", "Coffee Maker", {"features": ["built-in grinder"]}),
    (
        "an indoor security camera with a 160-degree field of view",
        "Indoor Security Camera",
        {"field of view": ["160 degrees"]},
    ),
    ("a perfume that's unisex", "Perfume", {"gender": ["unisex"]}),
    ("a 100-foot garden hose", "Garden Hose", {"length": ["100ft"]}),
    ("sunglasses with brown lenses", "Sunglasses", {"lens color": ["brown"]}),
    ("a portable charger with USB-C output", "Portable Charger", {"output": ["USB-C"]}),
    ("a 1000-piece jigsaw puzzle", "Jigsaw Puzzle", {"pieces": ["1000"]}),
    ("a 24MP digital camera", "Digital Camera", {"resolution": ["24MP"]}),
    ("a fixed-weight dumbbell set", "Dumbbell Set", {"set type": ["fixed"]}),
    ("a full-size mechanical keyboard", "Mechanical Keyboard", {"size": ["full size"]}),
    (
        "a tea kettle for an induction stove",
        "Tea Kettle",
        {"stovetop compatibility": ["induction"]},
    ),
    ("a fully automatic espresso machine", "Espresso Machine", {"type": ["automatic"]}),
    (
        "a Bluetooth speaker that's water-resistant",
        "Bluetooth Speaker",
        {"water resistance": ["yes"]},
    ),
    ("a 30-50 lbs dumbbell set", "Dumbbell Set", {"weight range": ["30-50 lbs"]}),
    ("a laptop with an i7 processor", "Laptop", {"processor": ["i7"]}),
    ("an A5 notebook", "Notebook", {"size": ["A5"]}),
]

ZH = [
    ("带可调节扶手的办公椅", "Office Chair", {"armrest": ["adjustable"]}),
    ("RGB背光的机械键盘", "Mechanical Keyboard", {"backlight": ["RGB"]}),
    ("无尘袋的吸尘器", "Vacuum Cleaner", {"bagged/bagless": ["bagless"]}),
    ("金属表带的智能手表", "Smart Watch", {"band material": ["metal"]}),
    ("6小时续航的真无线耳机", "Wireless Earbuds", {"battery life": ["6 hours"]}),
    ("用AA电池的电动牙刷", "Electric Toothbrush", {"battery type": ["AA batteries"]}),
    ("75W等效的LED灯泡", "LED Light Bulb", {"brightness": ["75W equivalent"]}),
    ("2升的煮茶壶", "Tea Kettle", {"capacity": ["2 liters"]}),
    ("原木色的挂钟", "Wall Clock", {"color": ["wood"]}),
    ("蜂窝网络的电子书阅读器", "E-Reader", {"connectivity": ["Wi-Fi + Cellular"]}),
    ("网线连接的室内监控摄像头", "Indoor Security Camera", {"connectivity": ["Ethernet"]}),
    ("定制图案的滑板", "Skateboard", {"design": ["custom"]}),
    ("中号车架的自行车", "Bicycle", {"frame size": ["medium"]}),
    ("专家难度的拼图", "Jigsaw Puzzle", {"difficulty level": ["expert"]}),
    ("活性炭滤网的空气净化器", "Air Purifier", {"filter type": ["carbon"]}),
    ("中性香水", "Perfume", {"gender": ["unisex"]}),
    ("4件套的行李箱套装", "Luggage Set", {"piece count": ["4-piece"]}),
    ("1000片的拼图", "Jigsaw Puzzle", {"pieces": ["1000"]}),
    ("2400万像素的数码相机", "Digital Camera", {"resolution": ["24MP"]}),
    ("便携式烧烤炉", "Grill", {"size": ["portable"]}),
    ("电磁炉能用的煮茶壶", "Tea Kettle", {"stovetop compatibility": ["induction"]}),
    ("青轴机械键盘", "Mechanical Keyboard", {"switch type": ["clicky"]}),
    ("全自动意式咖啡机", "Espresso Machine", {"type": ["automatic"]}),
    ("30-50磅的哑铃套装", "Dumbbell Set", {"weight range": ["30-50 lbs"]}),
    ("10倍变焦的数码相机", "Digital Camera", {"zoom": ["10x"]}),
    ("512GB SSD的笔记本电脑", "Laptop", {"storage": ["512GB SSD"]}),
    ("16GB内存的笔记本电脑", "Laptop", {"ram": ["16GB"]}),
    ("10码的休闲鞋", "Sneakers", {"size": ["10"]}),
]


@pytest.mark.parametrize(("text", "product", "require"), EN, ids=[t for t, _, _ in EN])
def test_english_wordings(
    catalog: CatalogIndex, text: str, product: str, require: dict[str, list[str]]
) -> None:
    reading = read(f"I'm looking for {text}, $5000 max.", catalog)
    assert [(g.product_types, g.require) for g in reading.groups] == [([product], require)]


@pytest.mark.parametrize(("text", "product", "require"), ZH, ids=[t for t, _, _ in ZH])
def test_chinese_wordings(
    catalog: CatalogIndex, text: str, product: str, require: dict[str, list[str]]
) -> None:
    reading = read(f"想买一个{text}，预算5000以内。", catalog)
    assert [(g.product_types, g.require) for g in reading.groups] == [([product], require)]
