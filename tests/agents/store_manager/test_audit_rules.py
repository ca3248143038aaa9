from __future__ import annotations

from typing import Any

import pytest

from shopcrew.agents.store_manager.audit.findings import DraftFix, Location, defect_codes
from shopcrew.agents.store_manager.audit.normalize import width
from shopcrew.agents.store_manager.audit.rules import audit_listing, shorten_title
from shopcrew.tools.records.listings import Listing

IMAGES = [f"https://img.example.com/{n}.jpg" for n in range(4)]


def listing(lang: str = "en", **changes: Any) -> Listing:
    """A clean listing of the given language, with `changes` applied."""
    base: dict[str, Any] = {
        "id": "t1",
        "lang": lang,
        "category": "apparel",
        "title": "Linen Shirt Men Short Sleeve" if lang == "en" else "亚麻衬衫男短袖夏季",
        "description": (
            "Breathable linen shirt with a relaxed fit, coconut buttons and a chest pocket."
            if lang == "en"
            else "采用透气亚麻面料，宽松版型，椰壳纽扣，胸前口袋设计，适合夏季日常通勤穿着。"
        ),
        "images": IMAGES,
        "attributes": {"material": "linen" if lang == "en" else "亚麻"},
        "options": {"size": ["M", "L"]},
        "variants": [
            {"sku": "A-M", "options": {"size": "M"}, "price": 39.0, "list_price": None, "stock": 3},
            {"sku": "A-L", "options": {"size": "L"}, "price": 39.0, "list_price": 49.0, "stock": 0},
        ],
        "status": "active",
    }
    base.update(changes)
    return Listing.model_validate(base)


def codes(item: Listing) -> list[str]:
    return list(defect_codes(audit_listing(item)))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_clean_listing_has_no_findings(lang: str) -> None:
    assert audit_listing(listing(lang)) == []


# TITLE_TOO_LONG -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title", "too_long"),
    [
        ("zh", "衬" * 30, False),
        ("zh", "衬" * 31, True),
        ("zh", "【旗舰店】" + "a" * 50, False),
        ("zh", "【旗舰店】" + "a" * 51, True),
        ("zh", "2024新款连衣裙" + "x" * 46, False),
        ("en", "a" * 150, False),
        ("en", "a" * 151, True),
        ("en", "é" * 75, False),
        ("en", "é" * 75 + "!", True),
        ("en", "\u3000" * 76, True),
    ],
)
def test_title_width_against_the_marketplace_limit(lang: str, title: str, too_long: bool) -> None:
    assert ("TITLE_TOO_LONG" in codes(listing(lang, title=title))) is too_long


@pytest.mark.parametrize(
    ("title", "limit"),
    [
        ("【旗舰店】【官方正品】2024夏季新款法式碎花连衣裙女中长款收腰显瘦V领泡泡袖", 60),
        ("2024夏季新款法式碎花连衣裙女中长款收腰显瘦V领泡泡袖雪纺裙子ABCDEFG长款", 60),
        ("Linen Shirt " * 20, 150),
        ("x" * 400, 150),
        ("Supercalifragilistic" * 9, 150),
    ],
)
def test_shortened_title_fits_the_limit(title: str, limit: int) -> None:
    short = shorten_title(title, limit)
    assert 0 < width(short) <= limit
    assert short == shorten_title(short, limit)


def test_title_too_long_drafts_a_title_that_passes() -> None:
    words = "linen shirt men short sleeve casual button down summer beach holiday loose fit travel"
    title = " ".join(f"{word.title()}{word[::-1]}" for word in words.split())
    (finding,) = audit_listing(listing(title=title))
    assert finding.code == "TITLE_TOO_LONG"
    assert finding.fix is not None
    assert codes(listing(title=finding.fix.value)) == []
    assert finding.fix.value.endswith(" Looseesool Fittif")


# Images ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("images", "expected"),
    [
        ([], ["MISSING_MAIN_IMAGE"]),
        ([""], ["MISSING_MAIN_IMAGE"]),
        (["placeholder.jpg", "  ", "https://"], ["MISSING_MAIN_IMAGE"]),
        (["ftp://x/a.jpg"], ["MISSING_MAIN_IMAGE"]),
        (["http://x/a.jpg"], ["TOO_FEW_IMAGES"]),
        (["https://x/a.jpg", " https://x/a.jpg ", ""], ["TOO_FEW_IMAGES"]),
        (["https://x/a.jpg", "https://x/b.jpg", "https://x/a.jpg"], ["TOO_FEW_IMAGES"]),
        (["https://x/a.jpg", "https://x/b.jpg", "http://x/a.jpg"], []),
        (["placeholder.jpg", "https://x/a.jpg", "https://x/b.jpg", "https://x/c.jpg"], []),
    ],
)
def test_image_rules(images: list[str], expected: list[str]) -> None:
    assert codes(listing(images=images)) == expected


# MISSING_REQUIRED_ATTRIBUTE -------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "category", "attributes", "options", "missing"),
    [
        ("en", "apparel", {"material": "cotton"}, {"size": ["M"]}, []),
        ("en", "apparel", {"material": "cotton", "size": "M"}, {}, []),
        ("en", "apparel", {"material": "cotton"}, {"size": []}, ["size"]),
        ("en", "apparel", {"material": " \u3000"}, {"size": ["M"]}, ["material"]),
        ("en", "food", {"shelf_life": "12 months", "ingredients": ["oats"]}, {}, []),
        ("en", "food", {"shelf_life": None, "ingredients": []}, {}, ["shelf_life", "ingredients"]),
        ("zh", "food", {"shelf_life": "12个月", "ingredients": "燕麦"}, {}, ["production_license"]),
        (
            "zh",
            "food",
            {
                "shelf_life": "12个月",
                "ingredients": "燕麦",
                "production_license": " SC11337028200015 ",
            },
            {},
            [],
        ),
        (
            "zh",
            "food",
            {
                "shelf_life": "12个月",
                "ingredients": "燕麦",
                "production_license": "SC1133702820001",
            },
            {},
            ["production_license"],
        ),
        (
            "zh",
            "food",
            {"shelf_life": "1年", "ingredients": "燕麦", "production_license": "sc11337028200015"},
            {},
            ["production_license"],
        ),
        ("en", "cosmetics", {"net_content": "50 ml", "shelf_life": 36, "ingredients": "x"}, {}, []),
        ("zh", "cosmetics", {"net_content": "50ml", "ingredients": "水"}, {}, ["shelf_life"]),
        ("en", "electronics", {"model": "X1", "voltage": 0}, {}, []),
        ("zh", "electronics", {"model": "X1"}, {}, ["voltage"]),
        ("en", "home", {"material": "oak", "dimensions": ""}, {}, ["dimensions"]),
        ("zh", "health", {"registration_no": "械备20200001号"}, {}, ["manufacturer"]),
    ],
)
def test_required_attributes(
    lang: str,
    category: str,
    attributes: dict[str, Any],
    options: dict[str, Any],
    missing: list[str],
) -> None:
    variant = {"sku": "S", "options": {}, "price": 9.0, "list_price": None, "stock": 1}
    if options.get("size"):
        variant["options"] = {"size": options["size"][0]}
    item = listing(
        lang, category=category, attributes=attributes, options=options, variants=[variant]
    )
    findings = audit_listing(item)
    assert [f.where.key for f in findings if f.code == "MISSING_REQUIRED_ATTRIBUTE"] == missing


# PRICE_ANOMALY --------------------------------------------------------------------------


def variants(*prices: float, list_price: float | None = None) -> list[dict[str, Any]]:
    return [
        {"sku": f"S{n}", "options": {}, "price": price, "list_price": list_price, "stock": 5}
        for n, price in enumerate(prices)
    ]


@pytest.mark.parametrize(
    ("prices", "list_price", "anomalous"),
    [
        ((199, 199, 199, 19.9), None, ["S3"]),
        ((129, 159, 299), None, []),
        ((0,), None, ["S0"]),
        ((-1,), None, ["S0"]),
        ((10,), 10, []),
        ((10.01,), 10, ["S0"]),
        ((30, 100, 100), None, []),
        ((29.99, 100, 100), None, ["S0"]),
        ((100, 300), None, []),
        ((100, 300.01), None, ["S1"]),
        ((0.3, 1, 1), None, []),
        ((0.29, 1, 1), None, ["S0"]),
        ((15, 20, 40, 60), None, []),
        ((12, 20, 30, 40, 75), None, []),
        ((12, 20, 30, 40, 75.01), None, ["S4"]),
        ((5, 10, 20, 100), None, ["S0", "S3"]),
    ],
)
def test_price_anomaly(
    prices: tuple[float, ...], list_price: float | None, anomalous: list[str]
) -> None:
    item = listing(options={}, variants=variants(*prices, list_price=list_price))
    findings = [f for f in audit_listing(item) if f.code == "PRICE_ANOMALY"]
    assert [f.where.sku for f in findings] == anomalous


# VARIANT_OPTION_MISMATCH ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "variant_options", "mismatch"),
    [
        ({"color": ["黑色", "白色"], "size": ["S"]}, {"color": "黑色", "size": "S"}, False),
        ({"color": ["黑色", "白色"]}, {"color": "黑色", "size": "S"}, True),
        ({"color": ["黑色", "白色"]}, {"color": "红色"}, True),
        ({"color": ["Black"]}, {"color": "black"}, True),
        ({"color": ["黑色"], "size": ["S"]}, {"color": "黑色"}, True),
        ({}, {}, False),
        ({}, {"size": "S"}, True),
    ],
)
def test_variant_option_mismatch(
    options: dict[str, list[str]], variant_options: dict[str, str], mismatch: bool
) -> None:
    variant = {"sku": "V", "options": variant_options, "price": 9, "list_price": None, "stock": 1}
    item = listing(
        "zh", attributes={"material": "棉", "size": "均码"}, options=options, variants=[variant]
    )
    assert codes(item) == (["VARIANT_OPTION_MISMATCH"] if mismatch else [])


# STOCK_ZERO_ACTIVE ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "stocks", "expected"),
    [
        ("active", (0, 0), True),
        ("active", (0, -2), True),
        ("active", (0, 1), False),
        ("paused", (0, 0), False),
        ("draft", (0, 0), False),
        ("active", (), False),
    ],
)
def test_stock_zero_active(status: str, stocks: tuple[int, ...], expected: bool) -> None:
    rows = [
        {"sku": f"S{n}", "options": {}, "price": 9, "list_price": None, "stock": stock}
        for n, stock in enumerate(stocks)
    ]
    item = listing(
        status=status, options={}, attributes={"material": "x", "size": "M"}, variants=rows
    )
    findings = [f for f in audit_listing(item) if f.code == "STOCK_ZERO_ACTIVE"]
    assert [(f.where, f.fix) for f in findings] == (
        [(Location("status", text="active"), DraftFix("status", "paused"))] if expected else []
    )


# DESCRIPTION_TOO_SHORT ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "too_short"),
    [
        (None, True),
        ("", True),
        ("x" * 29, True),
        ("x" * 30, False),
        ("\u3000 " + "短" * 29 + "\n\u3000", True),
        ("短" * 30, False),
    ],
)
def test_description_too_short(description: str | None, too_short: bool) -> None:
    assert codes(listing("zh", description=description)) == (
        ["DESCRIPTION_TOO_SHORT"] if too_short else []
    )


def test_findings_say_where_and_codes_come_in_spec_order() -> None:
    item = listing(
        title="The best linen shirt",
        images=IMAGES[:1],
        variants=variants(39, 0),
        options={},
        attributes={"material": "linen", "size": "M"},
    )
    assert codes(item) == ["ABSOLUTE_CLAIM", "TOO_FEW_IMAGES", "PRICE_ANOMALY"]
    claim = audit_listing(item)[0]
    assert claim.where == Location("title", start=0, end=8, text="The best")
    assert claim.fix == DraftFix("title", "linen shirt")
