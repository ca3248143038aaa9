"""The word lists behind the listing audit's text rules, as `LISTING_DEFECTS.md` defines them.

All entries are in normalised form (NFKC, lower case), since the text rules match there.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ABSOLUTE_EXCEPTIONS_AFTER_DI_YI",
    "ABSOLUTE_EXCEPTIONS_AFTER_ZUI",
    "ABSOLUTE_PHRASES_EN",
    "ABSOLUTE_TERMS_ZH",
    "CJK_FIBRES",
    "CONTACT_WECHAT_KEYWORDS_LATIN",
    "CONTACT_WECHAT_KEYWORDS_ZH",
    "LATIN_FIBRES",
    "MEDICAL_PHRASES_EN",
    "MEDICAL_TERMS_ZH",
    "MEDICAL_ZH_EXCEPTIONS",
    "REQUIRED_ATTRIBUTES",
    "REQUIRED_ATTRIBUTES_EN",
    "REQUIRED_ATTRIBUTES_ZH",
    "STUFFING_STOP_WORDS",
    "TITLE_WIDTH_LIMITS",
]

TITLE_WIDTH_LIMITS: Final = {"zh": 60, "en": 150}
"""Title width limit per marketplace language (Taobao's 60 bytes; Google Shopping's 150)."""

STUFFING_STOP_WORDS: Final = frozenset({"and", "for", "the", "with"})
"""Latin words that may repeat in a title without counting as keyword stuffing."""

ABSOLUTE_TERMS_ZH: Final = (
    "国家级",
    "世界级",
    "顶级",
    "顶尖",
    "极品",
    "绝对",
    "万能",
    "唯一",
    "首个",
    "史无前例",
)
"""Superlatives banned by China's Advertising Law art. 9, matched anywhere in the text."""

ABSOLUTE_EXCEPTIONS_AFTER_ZUI: Final = ("近", "后", "初", "终")
"""`最` is a claim unless it starts 最近 / 最后 / 最初 / 最终 (recently, last, first, final)."""

ABSOLUTE_EXCEPTIONS_AFTER_DI_YI: Final = ("次", "天", "步", "时间")
"""`第一` is a claim unless it starts 第一次 / 第一天 / 第一步 / 第一时间."""

ABSOLUTE_PHRASES_EN: Final = (
    "best in the world",
    "world's best",
    "world\u2019s best",
    "the best",
    "best ever",
    "number one",
)
"""English absolute claims, matched word-bounded."""

CJK_FIBRES: Final = (
    "纯棉",
    "全棉",
    "棉",
    "纯羊毛",
    "羊毛",
    "羊绒",
    "桑蚕丝",
    "真丝",
    "亚麻",
    "涤纶",
    "聚酯纤维",
    "莫代尔",
    "天丝",
    "锦纶",
    "氨纶",
)
"""Chinese fibre names: `100%` next to one of them states a fibre content, not a claim."""

LATIN_FIBRES: Final = (
    "cotton",
    "organic cotton",
    "pure cotton",
    "wool",
    "merino wool",
    "cashmere",
    "silk",
    "mulberry silk",
    "linen",
    "polyester",
    "nylon",
    "bamboo",
)
"""English fibre names (whole words): `100%` next to one of them states a fibre content."""

MEDICAL_TERMS_ZH: Final = (
    "治疗",
    "根治",
    "疗效",
    "药用",
    "药效",
    "消炎",
    "降血压",
    "降血糖",
    "降血脂",
    "抗癌",
    "防癌",
)
"""Chinese medical claims, matched anywhere in the text of a non-health listing."""

MEDICAL_ZH_EXCEPTIONS: Final = {"治愈": ("系",)}
"""Chinese medical claims with the continuations that make them ordinary (治愈系 style)."""

MEDICAL_PHRASES_EN: Final = (
    "cure",
    "cures",
    "heal",
    "heals",
    "medicinal",
    "therapeutic",
    "anti-inflammatory",
    "lowers blood pressure",
    "lowers blood sugar",
)
"""English medical claims, matched word-bounded in the text of a non-health listing."""

CONTACT_WECHAT_KEYWORDS_ZH: Final = ("微信", "威信", "薇信", "v信")
"""Words for WeChat that stand anywhere (no word boundary needed)."""

CONTACT_WECHAT_KEYWORDS_LATIN: Final = ("vx", "wx", "weixin", "wechat")
"""Latin words for WeChat; not preceded by a letter or digit nor followed by a letter."""

REQUIRED_ATTRIBUTES: Final = {
    "apparel": ("material", "size"),
    "food": ("shelf_life", "ingredients"),
    "cosmetics": ("net_content", "shelf_life", "ingredients"),
    "electronics": ("model", "voltage"),
    "home": ("material", "dimensions"),
    "health": ("registration_no", "manufacturer"),
}
"""Attributes every listing of a category must fill, in both languages."""

REQUIRED_ATTRIBUTES_ZH: Final = {"food": ("production_license",)}
"""Attributes required only on Chinese marketplaces (the food SC licence)."""

REQUIRED_ATTRIBUTES_EN: Final[dict[str, tuple[str, ...]]] = {}
"""Attributes required only on English stores (none today)."""
