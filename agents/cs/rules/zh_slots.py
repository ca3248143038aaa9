"""Chinese names and addresses for the CS rules model, from `lang/zh/people.yaml`.

A Chinese customer gives their name as surname and given name in one run of characters
("我是王伟", "宋霞，邮编430074") and an address from the province down ("浙江省杭州市西湖区文三路
100 号 3 幢 501，邮编 310012"). The name is split at a known surname (compound ones first); the
address is read into the τ-bench fields as the Chinese shop stores it: `state` 省 (or 直辖市),
`city` 市, `address2` 区/县, `address1` 详细地址, `zip` 邮编, `country` 中国.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

__all__ = ["extract_phone", "extract_zh_addresses", "extract_zh_name"]

_CJK = r"\u4e00-\u9fff"
_NAME_LEAD = r"(?:我是|我叫|名字(?:是|叫)?|姓名(?:是|为)?|本人(?:是)?|收件人(?:是|为)?)\s*[:：]?\s*"
_TITLES = ("先生", "女士", "小姐", "老师", "同学", "客服", "亲")
_ZIP_TAIL = r"\s*[，,、]?\s*(?:(?:邮编|邮政编码)\s*(?:是|为)?\s*[:：]?\s*)?(?P<zip>\d{6})(?!\d)"


@dataclass(frozen=True, slots=True)
class _Patterns:
    name_after_lead: re.Pattern[str]
    name_before_zip: re.Pattern[str]
    phone_tail: tuple[re.Pattern[str], ...]
    phone_full: re.Pattern[str]
    province: re.Pattern[str]
    municipality: re.Pattern[str]
    full_names: dict[str, str]
    """A province or municipality as written (浙江, 浙江省, 北京) -> its full name."""


def _short(name: str) -> str:
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _alternatives(names: list[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


@cache
def _patterns() -> _Patterns:
    source = resources.files("shopcrew.agents.cs").joinpath("lang/zh/people.yaml")
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    surnames = "|".join(re.escape(s) for s in data["surnames"])
    ends = _alternatives(list(data["name_ends"]))
    name = (
        rf"(?P<last>{surnames})(?P<first>[{_CJK}]{{1,2}}?)"
        rf"(?=$|[^{_CJK}]|{ends})"
    )
    before_phone = _alternatives(list(data["phone"]["name_before"]))
    full_names: dict[str, str] = {}
    for full in [*data["provinces"], *data["municipalities"]]:
        full_names[full] = full
        full_names[_short(full)] = full
    provinces = [n for n, full in full_names.items() if full not in data["municipalities"]]
    municipalities = [n for n, full in full_names.items() if full in data["municipalities"]]
    detail = r"(?P<detail>[^，,。；;！!？?\n]+?)"
    district = rf"(?P<district>[{_CJK}]{{1,6}}?(?:区|县|旗|市))"
    return _Patterns(
        name_after_lead=re.compile(_NAME_LEAD + name),
        name_before_zip=re.compile(
            rf"(?<![{_CJK}]){name}\s*[，,、]?\s*(?:邮编|邮政编码|{before_phone})", re.UNICODE
        ),
        phone_tail=tuple(re.compile(p) for p in data["phone"]["tail"]),
        phone_full=re.compile(data["phone"]["full"]),
        province=re.compile(
            rf"(?P<state>{_alternatives(provinces)})\s*"
            rf"(?P<city>[{_CJK}]{{1,6}}?(?:市|自治州|地区|盟))\s*{district}\s*{detail}{_ZIP_TAIL}"
        ),
        municipality=re.compile(
            rf"(?P<state>{_alternatives(municipalities)})\s*(?:(?P=state)\s*)?"
            rf"{district}\s*{detail}{_ZIP_TAIL}"
        ),
        full_names=full_names,
    )


def extract_zh_name(text: str) -> tuple[str, str] | None:
    """A Chinese name given ("我是王伟", "王伟，邮编…") as (given name, surname), or None."""
    found = _patterns()
    for pattern in (found.name_after_lead, found.name_before_zip):
        for match in pattern.finditer(text):
            first = match.group("first")
            if first not in _TITLES and not first.startswith(_TITLES):
                return first, match.group("last")
    return None


def extract_phone(text: str) -> str | None:
    """A mobile number given to identify ("手机尾号 8848", "138 1234 5678"), digits only.

    Returns:
        The last four digits or the full 11-digit number, as typed without separators;
        None when the message gives neither.
    """
    found = _patterns()
    for pattern in (*found.phone_tail, found.phone_full):
        match = pattern.search(text)
        if match is not None:
            return re.sub(r"\D", "", match.group("digits"))
    return None


def _matches(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    found = _patterns()
    for pattern, municipality in ((found.province, False), (found.municipality, True)):
        for match in pattern.finditer(text):
            state = found.full_names[match.group("state")]
            city = state if municipality else match.group("city")
            detail = re.sub(r"\s+", "", match.group("detail"))
            yield (
                match.start(),
                {
                    "address1": detail,
                    "address2": match.group("district"),
                    "city": city,
                    "state": state,
                    "zip": match.group("zip"),
                    "country": "中国",
                },
            )


def extract_zh_addresses(text: str) -> tuple[dict[str, str], ...]:
    """Every distinct Chinese address with its 邮编, in the order written, as τ-bench fields."""
    found: list[dict[str, str]] = []
    for _, address in sorted(_matches(text), key=lambda pair: pair[0]):
        if address not in found:
            found.append(address)
    return tuple(found)
