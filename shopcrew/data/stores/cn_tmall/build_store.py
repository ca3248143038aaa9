"""Build the Chinese demo shop `cn_tmall` (orders.json, products.json, users.json), seeded.

A Taobao/Tmall-style shop in τ-bench's retail file shapes, so the JSON backend and the τ-bench
tools read it as they read the US store: Chinese product names and options, prices in CNY,
customers with Chinese addresses (`state` 省, `city` 市, `address2` 区, `address1` 详细地址,
`zip` 邮编) and masked mobile numbers, payment by 支付宝, 微信支付, 花呗, bank card and 购物金,
parcels with 顺丰/中通/圆通/韵达 tracking numbers. Statuses are τ-bench's codes; customers read
them in Chinese (`shopcrew/data/terms/zh.yaml`).

Run from anywhere; it rewrites the three files beside it, byte for byte the same each time:

    python shopcrew/data/stores/cn_tmall/build_store.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

SEED = 20261111
HERE = Path(__file__).resolve().parent
Record = dict[str, Any]

# name, option axes, lowest price (CNY), price step
PRODUCTS: list[tuple[str, dict[str, list[str]], int, int]] = [
    ("连衣裙", {"颜色": ["黑色", "藏青", "酒红", "碎花"], "尺码": ["S", "M", "L", "XL"]}, 199, 20),
    (
        "纯棉T恤",
        {"颜色": ["白色", "黑色", "灰色", "雾霾蓝"], "尺码": ["S", "M", "L", "XL", "XXL"]},
        59,
        10,
    ),
    (
        "羽绒服",
        {"颜色": ["黑色", "米白", "卡其"], "尺码": ["M", "L", "XL"], "充绒量": ["150g", "200g"]},
        599,
        100,
    ),
    ("降噪耳机", {"颜色": ["曜石黑", "珍珠白"], "版本": ["标准版", "Pro"]}, 399, 250),
    ("补水面膜", {"规格": ["10片装", "20片装"], "功效": ["补水", "美白"]}, 89, 40),
    (
        "保温杯",
        {"容量": ["350ml", "500ml"], "颜色": ["奶白", "雾蓝", "樱粉"], "材质": ["316不锈钢"]},
        79,
        15,
    ),
    ("电饭煲", {"容量": ["3L", "4L", "5L"], "内胆": ["陶晶", "球釜"]}, 299, 100),
    ("坚果礼盒", {"规格": ["1008g", "1500g"], "款式": ["年货款", "经典款"]}, 99, 50),
    (
        "床上四件套",
        {"尺寸": ["1.5m床", "1.8m床"], "材质": ["纯棉", "天丝"], "颜色": ["浅灰", "奶咖", "雾蓝"]},
        199,
        50,
    ),
    (
        "运动鞋",
        {"颜色": ["白色", "黑色", "灰绿"], "尺码": ["38", "39", "40", "41", "42", "43"]},
        329,
        30,
    ),
    ("羊毛围巾", {"颜色": ["驼色", "正红", "烟灰"], "材质": ["羊毛", "羊绒"]}, 159, 60),
    ("空气炸锅", {"容量": ["4.5L", "6L"], "颜色": ["白色", "黑色"]}, 229, 60),
    (
        "智能手表",
        {"颜色": ["黑色", "银色"], "表带": ["硅胶", "金属"], "尺寸": ["42mm", "46mm"]},
        699,
        150,
    ),
    ("电动牙刷", {"颜色": ["白色", "粉色", "黑色"], "刷头": ["2支装", "4支装"]}, 149, 40),
    ("扫地机器人", {"型号": ["标准版", "自集尘版"], "颜色": ["白色", "黑色"]}, 1599, 700),
    ("双肩包", {"颜色": ["黑色", "藏青", "灰色"], "容量": ["20L", "30L"]}, 169, 30),
    ("连帽卫衣", {"颜色": ["燕麦色", "黑色", "墨绿"], "尺码": ["M", "L", "XL", "XXL"]}, 129, 20),
    (
        "直筒牛仔裤",
        {"颜色": ["浅蓝", "深蓝", "黑色"], "尺码": ["26", "27", "28", "29", "30", "31", "32"]},
        159,
        20,
    ),
    ("西湖龙井", {"规格": ["250g", "500g"], "等级": ["特级", "一级"]}, 198, 150),
    ("桑蚕丝被", {"尺寸": ["150x200cm", "200x230cm"], "重量": ["1斤", "2斤"]}, 399, 200),
    ("加湿器", {"容量": ["3L", "5L"], "颜色": ["白色", "绿色"]}, 99, 40),
    ("丝绒口红", {"色号": ["#999", "#888", "#520", "#316"]}, 260, 20),
    ("婴儿纸尿裤", {"尺码": ["S", "M", "L", "XL"], "规格": ["箱装"]}, 139, 10),
    ("全价猫粮", {"规格": ["2kg", "5kg", "10kg"], "口味": ["鸡肉", "三文鱼"]}, 89, 100),
    (
        "机械键盘",
        {"轴体": ["红轴", "青轴", "茶轴"], "布局": ["87键", "104键"], "颜色": ["黑色", "白色"]},
        299,
        50,
    ),
    (
        "手机壳",
        {
            "型号": ["iPhone 16", "iPhone 16 Pro", "华为 Mate 70", "小米 15"],
            "颜色": ["透明", "黑色"],
        },
        29,
        10,
    ),
    ("充电宝", {"容量": ["10000mAh", "20000mAh"], "颜色": ["白色", "黑色"]}, 99, 40),
    ("瑜伽垫", {"厚度": ["6mm", "8mm", "10mm"], "颜色": ["紫色", "蓝色", "灰色"]}, 69, 15),
    ("洗发水", {"规格": ["400ml", "750ml"], "功效": ["去屑", "控油", "修护"]}, 49, 20),
    ("广式腊肠", {"规格": ["500g", "1000g"], "口味": ["广式", "川味"]}, 69, 35),
    ("零食大礼包", {"规格": ["小份", "大份"], "款式": ["年货款", "办公室款"]}, 59, 35),
    ("棉拖鞋", {"尺码": ["36-37", "38-39", "40-41", "42-43"], "颜色": ["粉色", "灰色"]}, 39, 10),
    ("护眼台灯", {"颜色": ["白色", "黑色"], "类型": ["充电款", "插电款"]}, 129, 50),
    ("拉杆行李箱", {"尺寸": ["20寸", "24寸", "28寸"], "颜色": ["银色", "黑色", "雾蓝"]}, 399, 100),
    ("儿童积木", {"款式": ["城市系列", "太空系列"], "颗粒": ["500颗", "1000颗"]}, 159, 120),
    ("真丝睡衣", {"颜色": ["香槟", "藏蓝"], "尺码": ["M", "L", "XL"]}, 399, 50),
    ("破壁机", {"容量": ["1.2L", "1.75L"], "颜色": ["白色", "灰色"]}, 399, 200),
    ("电热毯", {"尺寸": ["单人", "双人"], "控温": ["单控", "双控"]}, 99, 40),
    ("春联福字套装", {"款式": ["烫金", "植绒"], "规格": ["12件套", "20件套"]}, 29, 20),
    ("车载香薰", {"香型": ["海洋", "雪松", "白茶"]}, 49, 10),
    ("蓝牙音箱", {"颜色": ["黑色", "白色", "蓝色"], "版本": ["标准版", "防水版"]}, 199, 80),
    ("羊绒大衣", {"颜色": ["驼色", "黑色", "燕麦色"], "尺码": ["S", "M", "L"]}, 1299, 200),
    ("智能门锁", {"颜色": ["黑色", "银色"], "解锁": ["指纹", "人脸"]}, 1299, 500),
    ("洗碗机", {"套数": ["8套", "13套"], "安装": ["台式", "嵌入式"]}, 1999, 1000),
    ("阳光玫瑰葡萄", {"规格": ["2斤", "5斤"], "等级": ["精品", "特级"]}, 59, 50),
    ("五常大米", {"规格": ["5kg", "10kg"]}, 69, 60),
    ("防晒霜", {"规格": ["50ml", "100ml"], "类型": ["清爽型", "滋润型"]}, 99, 60),
    ("无线鼠标", {"颜色": ["黑色", "白色", "粉色"], "连接": ["蓝牙", "2.4G"]}, 79, 20),
]

SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("高", "gao"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("欧阳", "ouyang"),
]  # fmt: skip
GIVEN = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
    ("秀英", "xiuying"),
    ("霞", "xia"), ("平", "ping"), ("子涵", "zihan"), ("欣怡", "xinyi"), ("浩然", "haoran"),
    ("梓萱", "zixuan"), ("宇轩", "yuxuan"), ("一诺", "yinuo"), ("思远", "siyuan"),
    ("雨桐", "yutong"),
]  # fmt: skip
# 省, 市, 区, 邮编, streets
PLACES: list[tuple[str, str, str, str, list[str]]] = [
    ("浙江省", "杭州市", "西湖区", "310012", ["文三路", "天目山路", "教工路"]),
    ("浙江省", "杭州市", "余杭区", "311121", ["文一西路", "五常大道"]),
    ("上海市", "上海市", "浦东新区", "200120", ["世纪大道", "张杨路"]),
    ("上海市", "上海市", "徐汇区", "200030", ["漕溪北路", "衡山路"]),
    ("北京市", "北京市", "朝阳区", "100020", ["建国路", "朝阳北路"]),
    ("北京市", "北京市", "海淀区", "100080", ["中关村大街", "学院路"]),
    ("广东省", "广州市", "天河区", "510620", ["天河路", "体育西路"]),
    ("广东省", "深圳市", "南山区", "518057", ["科技园南路", "深南大道"]),
    ("江苏省", "南京市", "鼓楼区", "210008", ["中山路", "湖南路"]),
    ("江苏省", "苏州市", "姑苏区", "215006", ["人民路", "干将路"]),
    ("四川省", "成都市", "武侯区", "610041", ["人民南路", "科华北路"]),
    ("湖北省", "武汉市", "洪山区", "430074", ["珞喻路", "光谷大道"]),
    ("陕西省", "西安市", "雁塔区", "710061", ["小寨东路", "长安南路"]),
    ("重庆市", "重庆市", "渝中区", "400010", ["民族路", "邹容路"]),
    ("天津市", "天津市", "和平区", "300041", ["南京路", "滨江道"]),
    ("山东省", "青岛市", "市南区", "266071", ["香港中路", "东海西路"]),
    ("福建省", "厦门市", "思明区", "361001", ["中山路", "湖滨南路"]),
    ("湖南省", "长沙市", "岳麓区", "410006", ["麓山南路", "桐梓坡路"]),
    ("河南省", "郑州市", "金水区", "450000", ["花园路", "经三路"]),
    ("辽宁省", "沈阳市", "和平区", "110001", ["太原北街", "中华路"]),
    ("云南省", "昆明市", "五华区", "650021", ["东风西路", "人民中路"]),
    ("安徽省", "合肥市", "蜀山区", "230031", ["长江西路", "黄山路"]),
    ("黑龙江省", "哈尔滨市", "南岗区", "150001", ["西大直街", "红军街"]),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "830002", ["解放南路"]),
]
BANKS = ["招商银行", "工商银行", "建设银行", "农业银行", "中国银行", "交通银行"]
PHONE_PREFIXES = [
    "138",
    "139",
    "135",
    "136",
    "137",
    "150",
    "151",
    "158",
    "186",
    "187",
    "188",
    "199",
]
COURIERS = ["SF", "ZTO", "YTO", "YUNDA"]
STATUS_COUNTS = {
    "pending": 160,
    "processed": 90,
    "delivered": 110,
    "cancelled": 24,
    "return requested": 10,
    "exchange requested": 6,
}
CUSTOMERS = 100


class _Ids:
    """Unique random digit strings."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def digits(self, n: int) -> str:
        while True:
            value = str(self.rng.randrange(10 ** (n - 1), 10**n))
            if value not in self.used:
                self.used.add(value)
                return value


def _price(rng: random.Random, low: int, step: int) -> float:
    return float(low + step * rng.randrange(0, 4) + rng.choice([0, 0, 10, 20]))


def build_products(rng: random.Random, ids: _Ids) -> dict[str, Record]:
    """Every product with 3 to 7 of its option combinations as variants."""
    products: dict[str, Record] = {}
    for name, axes, low, step in PRODUCTS:
        product_id = ids.digits(10)
        combos: list[dict[str, str]] = [{}]
        for axis, values in axes.items():
            combos = [{**c, axis: v} for c in combos for v in values]
        chosen = rng.sample(combos, min(len(combos), rng.randrange(3, 8)))
        variants: dict[str, Record] = {}
        for options in chosen:
            item_id = ids.digits(10)
            variants[item_id] = {
                "item_id": item_id,
                "options": options,
                "available": rng.random() > 0.15,
                "price": _price(rng, low, step),
            }
        products[product_id] = {"name": name, "product_id": product_id, "variants": variants}
    return products


def _address(rng: random.Random) -> Record:
    state, city, district, zip_code, streets = rng.choice(PLACES)
    detail = (
        f"{rng.choice(streets)}{rng.randrange(1, 400)}号"
        f"{rng.randrange(1, 20)}幢{rng.randrange(1, 30)}0{rng.randrange(1, 5)}室"
    )
    return {
        "address1": detail,
        "address2": district,
        "city": city,
        "country": "中国",
        "state": state,
        "zip": zip_code,
    }


def _payment_methods(rng: random.Random, ids: _Ids) -> dict[str, Record]:
    methods: dict[str, Record] = {}
    kinds = rng.sample(
        ["alipay", "wechat_pay", "huabei", "credit_card", "gift_card"], rng.randrange(1, 4)
    )
    for kind in sorted(
        kinds, key=["alipay", "wechat_pay", "huabei", "credit_card", "gift_card"].index
    ):
        method_id = f"{kind}_{ids.digits(7)}"
        if kind == "credit_card":
            methods[method_id] = {
                "source": "credit_card",
                "brand": rng.choice(BANKS),
                "last_four": f"{rng.randrange(10000):04d}",
                "id": method_id,
            }
        elif kind == "gift_card":
            methods[method_id] = {
                "source": "gift_card",
                "balance": rng.randrange(20, 800),
                "id": method_id,
            }
        else:
            methods[method_id] = {"source": kind, "id": method_id}
    return methods


def build_users(rng: random.Random, ids: _Ids) -> dict[str, Record]:
    """Customers with distinct full names, one address and one to three payment methods."""
    names = rng.sample([(s, g) for s in SURNAMES for g in GIVEN], CUSTOMERS)
    users: dict[str, Record] = {}
    for (surname, surname_py), (given, given_py) in names:
        number = ids.digits(4)
        user_id = f"{surname_py}_{given_py}_{number}"
        users[user_id] = {
            "name": {"first_name": given, "last_name": surname},
            "address": _address(rng),
            "email": f"{surname_py}{given_py}{number}@example.com",
            "phone": f"{rng.choice(PHONE_PREFIXES)}****{rng.randrange(10000):04d}",
            "payment_methods": _payment_methods(rng, ids),
            "orders": [],
        }
    return users


def _tracking(rng: random.Random, courier: str) -> str:
    digits = "".join(str(rng.randrange(10)) for _ in range(12))
    return {
        "SF": f"SF1{digits}",
        "ZTO": f"78{digits}",
        "YTO": f"YT8{digits}",
        "YUNDA": f"43{digits}1",
    }[courier]


def _items(rng: random.Random, products: dict[str, Record]) -> list[Record]:
    items: list[Record] = []
    for product in rng.sample(list(products.values()), rng.choice([1, 1, 1, 2, 2, 3])):
        variant = rng.choice(list(product["variants"].values()))
        items.append(
            {
                "name": product["name"],
                "product_id": product["product_id"],
                "item_id": variant["item_id"],
                "price": variant["price"],
                "options": variant["options"],
            }
        )
    return items


def _order(
    rng: random.Random,
    ids: _Ids,
    status: str,
    user_id: str,
    user: Record,
    products: dict[str, Record],
) -> Record:
    order_id = f"#W{ids.digits(7)}"
    items = _items(rng, products)
    total = round(sum(item["price"] for item in items), 2)
    method_id = rng.choice(list(user["payment_methods"]))
    history = [{"transaction_type": "payment", "amount": total, "payment_method_id": method_id}]
    shipped = status not in ("pending", "cancelled")
    fulfillments = []
    if shipped:
        courier = rng.choice(COURIERS)
        fulfillments.append(
            {
                "tracking_id": [_tracking(rng, courier)],
                "item_ids": [item["item_id"] for item in items],
                "courier": courier,
            }
        )
    order: Record = {
        "order_id": order_id,
        "user_id": user_id,
        "address": dict(user["address"]),
        "items": items,
        "fulfillments": fulfillments,
        "status": status,
        "payment_history": history,
    }
    if status == "cancelled":
        history.append(
            {"transaction_type": "refund", "amount": total, "payment_method_id": method_id}
        )
        order["cancel_reason"] = rng.choice(["no longer needed", "ordered by mistake"])
    elif status == "return requested":
        order["return_items"] = sorted(item["item_id"] for item in items[:1])
        order["return_payment_method_id"] = method_id
    elif status == "exchange requested":
        old = items[0]
        others = [
            v
            for v in products[old["product_id"]]["variants"].values()
            if v["item_id"] != old["item_id"]
        ]
        new = rng.choice(others)
        order["exchange_items"] = [old["item_id"]]
        order["exchange_new_items"] = [new["item_id"]]
        order["exchange_payment_method_id"] = method_id
        order["exchange_price_difference"] = round(new["price"] - old["price"], 2)
    return order


def build_orders(
    rng: random.Random, ids: _Ids, users: dict[str, Record], products: dict[str, Record]
) -> dict[str, Record]:
    """Orders in `STATUS_COUNTS`, each added to its customer's order list."""
    statuses = [status for status, count in STATUS_COUNTS.items() for _ in range(count)]
    rng.shuffle(statuses)
    user_ids = list(users)
    orders: dict[str, Record] = {}
    for index, status in enumerate(statuses):
        # every customer has at least one order; the rest fall where they may
        user_id = user_ids[index] if index < len(user_ids) else rng.choice(user_ids)
        order = _order(rng, ids, status, user_id, users[user_id], products)
        orders[order["order_id"]] = order
        users[user_id]["orders"].append(order["order_id"])
    return orders


def _write(directory: Path, name: str, table: dict[str, Record]) -> None:
    """One record per line: small, and a diff shows the records that changed."""
    lines = [
        f"  {json.dumps(key, ensure_ascii=False)}: {json.dumps(record, ensure_ascii=False)}"
        for key, record in table.items()
    ]
    (directory / f"{name}.json").write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


def main(directory: Path = HERE) -> None:
    """Write the three files into `directory` (beside this script by default)."""
    rng = random.Random(SEED)
    ids = _Ids(rng)
    products = build_products(rng, ids)
    users = build_users(rng, ids)
    orders = build_orders(rng, ids, users, products)
    for name, table in (("products", products), ("users", users), ("orders", orders)):
        _write(directory, name, table)


if __name__ == "__main__":
    main()
