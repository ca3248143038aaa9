from __future__ import annotations

import unicodedata

import pytest

from shopcrew.agents.store_manager.audit.findings import DefectCode, DraftFix, Finding, Location
from shopcrew.agents.store_manager.audit.text import audit_text, stuffed_keywords, unstuff_title


def codes(title: str, description: str | None = None, *, health: bool = False) -> set[str]:
    return {finding.code for finding in audit_text(title, description, health=health)}


def found(code: DefectCode, text: str, *, health: bool = False) -> bool:
    return code in codes("标题", text, health=health)


# ABSOLUTE_CLAIM -------------------------------------------------------------------------

ABSOLUTE_POSITIVES = [
    "本店国家级认证工厂出品",
    "世界级工艺",
    "采用顶级面料",
    "顶尖团队研发",
    "极品好茶",
    "绝对正品",
    "万能清洁膏",
    "全网唯一授权",
    "国内首个专利",
    "史无前例的低价",
    "全网最低价",
    "最强续航",
    "最好用的杯子",
    "销量第一",
    "第一泡茶汤清亮",
    "100%有效",
    "１００％正品",
    "纯度100%",
    "100%  silky finish",
    "100% silky",
    "No.1 rated blender",
    "no. 1 choice",
    "NO.1",
    "#1 best seller",
    "the best gift for mom",
    "The Best.",
    "best in the world",
    "The world's best coffee",
    "The world\u2019s best coffee",
    "our best ever formula",
    "Number one in sales",
    "the best-selling mug",
    "棉质手感，100%满意",
]

ABSOLUTE_NEGATIVES = [
    "最近很多买家问",
    "最后一批现货",
    "最初的设计",
    "最终解释权",
    "第一次购买",
    "第一天使用",
    "第一步：清洁",
    "第一时间发货",
    "100%纯棉",
    "100% 全棉",
    "面料：棉100%",
    "羊毛 100%",
    "100% cotton",
    "100% Organic Cotton tee",
    "Cotton 100%",
    "merino wool 100% inside",
    "100% polyester shell",
    "100%桑蚕丝",
    "best-selling",
    "our bestseller",
    "best before date",
    "No. 10",
    "no.12 shade",
    "size #12",
    "#10 envelope",
    "piano 1",
    "Casino.1 bar",
    "theme best",
    "the bestie set",
    "world's bestseller",
    "number ones",
    "anumber one",
]


@pytest.mark.parametrize("text", ABSOLUTE_POSITIVES)
def test_absolute_claim_found(text: str) -> None:
    assert found("ABSOLUTE_CLAIM", text)


@pytest.mark.parametrize("text", ABSOLUTE_NEGATIVES)
def test_absolute_claim_near_miss_not_found(text: str) -> None:
    assert not found("ABSOLUTE_CLAIM", text)


def test_absolute_claim_counts_each_zui_apart_from_exceptions() -> None:
    findings = audit_text("最近最热卖", None, health=False)
    assert [(f.where.start, f.where.end, f.where.text) for f in findings] == [(2, 3, "最")]


def test_fibre_content_only_excuses_the_adjacent_100_percent() -> None:
    assert found("ABSOLUTE_CLAIM", "100%纯棉，100%好评")
    assert not found("ABSOLUTE_CLAIM", "100%纯棉，棉100%")


def test_fibre_after_a_newline_is_not_adjacent() -> None:
    assert found("ABSOLUTE_CLAIM", "纯棉\n100%")


def test_absolute_claim_draft_removes_the_claim_words() -> None:
    findings = audit_text("Mug", "The best gift: 100% handmade, No.1 in town.", health=False)
    fixes = {f.fix for f in findings if f.code == "ABSOLUTE_CLAIM"}
    assert fixes == {DraftFix("description", "gift: handmade, in town.")}


# MEDICAL_CLAIM --------------------------------------------------------------------------

MEDICAL_POSITIVES = [
    "坚持饮用可降血压",
    "根治脚气",
    "辅助治疗失眠",
    "治愈痘痘",
    "疗效显著",
    "药用级原料",
    "药效持久",
    "消炎止痛",
    "降血糖",
    "降血脂茶",
    "抗癌食品",
    "防癌蔬菜",
    "cures acne",
    "heals dry skin overnight",
    "A natural cure.",
    "a cure-all tonic",
    "Heal cracked heels",
    "medicinal herbs",
    "therapeutic massage",
    "anti-inflammatory tea",
    "It lowers blood pressure",
    "lowers blood sugar naturally",
]

MEDICAL_NEGATIVES = [
    "治愈系小夜灯",
    "self-healing screen protector",
    "secure fit",
    "manicure kit",
    "curete",
    "healthy snack",
    "heals12",
    "lower blood pressure readings",
    "health tracker",
]


@pytest.mark.parametrize("text", MEDICAL_POSITIVES)
def test_medical_claim_found(text: str) -> None:
    assert found("MEDICAL_CLAIM", text)


@pytest.mark.parametrize("text", MEDICAL_NEGATIVES)
def test_medical_claim_near_miss_not_found(text: str) -> None:
    assert not found("MEDICAL_CLAIM", text)


def test_medical_claim_allowed_in_health_listings() -> None:
    assert not found("MEDICAL_CLAIM", "用于轻微伤口的治疗 helps minor cuts heal", health=True)


# CONTACT_INFO_IN_TEXT -------------------------------------------------------------------

CONTACT_POSITIVES = [
    "咨询13812345678",
    "电话138-1234-5678",
    "电话 138 1234 5678",
    "电话：１３８１２３４５６７８",
    "座机021-61234567",
    "0755-1234567",
    "热线400-820-8820",
    "热线4008208820",
    "热线800 820 8820",
    "Call (415) 555-0134",
    "call 415.555.0134",
    "call +1 415 555 0134",
    "call 1-415-555-0134",
    "call 4155550134 now",
    "mail shop@example.com",
    "Mail Lily.Shop+2@mail.example.co.uk",
    "加微信：shop_8899",
    "微信号 abc12345",
    "威信abc123",
    "薇信号码: tea-2024",
    "V信 lily2024",
    "加vx abc12345",
    "wx:12345678",
    "weixin hello2024",
    "WeChat ID: lily2024",
    "wechat: a1b2c3",
    "QQ：12345678",
    "qq号 123456",
    "QQ群 1234567",
    "qq12345",
]

CONTACT_NEGATIVES = [
    "支持微信支付",
    "WeChat Pay accepted",
    "QQ糖",
    "投诉请拨12315",
    "条形码6901234567892",
    "生产许可证编号SC11337028200015",
    "型号 12345678901234",
    "加微信：shopping",
    "微信：abc12",
    "微信：abcdefghijk123456789x",
    "wechatpay 123456",
    "mywx abc12345",
    "qqq 12345",
    "qq 1234",
    "qq 123456789012",
    "号码128123456789",
    "021-123456",
    "13812345678901",
    "size 10-20 cm",
    "user at example dot com",
]


@pytest.mark.parametrize("text", CONTACT_POSITIVES)
def test_contact_info_found(text: str) -> None:
    assert found("CONTACT_INFO_IN_TEXT", text)


@pytest.mark.parametrize("text", CONTACT_NEGATIVES)
def test_contact_info_near_miss_not_found(text: str) -> None:
    assert not found("CONTACT_INFO_IN_TEXT", text)


def test_contact_finding_points_into_raw_text_after_normalisation() -> None:
    description = "欢迎咨询：１３８－１２３４－５６７８，谢谢"
    findings = [f for f in audit_text("杯子", description, health=False)]
    assert findings == [
        Finding(
            "CONTACT_INFO_IN_TEXT",
            Location("description", start=5, end=18, text="１３８－１２３４－５６７８"),
            findings[0].message,
            DraftFix("description", "欢迎咨询：，谢谢"),
        )
    ]
    assert "Chinese mobile number" in findings[0].message


def test_title_and_description_are_located_apart() -> None:
    findings = audit_text("顶级茶叶", "顶级", health=False)
    assert [(f.where.field, f.where.start, f.where.end) for f in findings] == [
        ("title", 0, 2),
        ("description", 0, 2),
    ]


# TITLE_KEYWORD_STUFFING -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "keywords"),
    [
        ("连衣裙女夏季碎花连衣裙收腰显瘦连衣裙", ["连衣", "衣裙"]),
        ("防晒霜防晒喷雾防晒乳", ["防晒"]),
        ("Dress Women Summer dress Floral DRESS", ["dress"]),
        ("ｄｒｅｓｓ dress Dress", ["dress"]),
        ("Case for iPhone for Women for Girls", []),
        ("连衣裙 连衣裙 夏季", []),
        ("cat cats cat-ear cat", ["cat"]),
        ("ab ab ab tea", []),
        ("Pro 3 Pro3 pro", ["pro"]),
        ("哈哈哈哈", []),
        ("哈哈哈哈哈哈", ["哈哈"]),
    ],
)
def test_stuffed_keywords(title: str, keywords: list[str]) -> None:
    assert stuffed_keywords(unicodedata.normalize("NFKC", title).lower()) == keywords


def test_stuffing_finding_points_at_the_third_use_and_drafts_a_clean_title() -> None:
    title = "Dress Women Summer dress Floral DRESS"
    (finding,) = [f for f in audit_text(title, None, health=False)]
    assert finding.code == "TITLE_KEYWORD_STUFFING"
    assert finding.where == Location("title", start=32, end=37, text="DRESS")
    assert finding.fix == DraftFix("title", "Dress Women Summer Floral")


def test_unstuffed_title_passes_the_rule() -> None:
    for title in [
        "连衣裙女夏季碎花连衣裙收腰显瘦连衣裙",
        "防晒霜防晒喷雾防晒乳",
        "哈哈哈哈哈哈哈哈",
    ]:
        assert stuffed_keywords(unstuff_title(title)) == []
