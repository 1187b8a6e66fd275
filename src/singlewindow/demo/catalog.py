"""Facts the synthetic zone is drawn from: counties, parks, industries, goods, places, names.

Counties, parks and industries follow the Xuchang zone plan 许政〔2017〕25号 (§四 空间布局).
Region codes are GB/T 2260. Country, unit, customs district and port codes
are real codes of the customs parameter library (guoyunhe/singlewindow @ 550b26f, the same tables
as `singlewindow/declaration/data/codes`). HS codes are 10-digit codes of the Chinese tariff.
Statutory units and per-unit weights are plausible values chosen for the demo, not a tariff
table: the demo needs coherent documents, not legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass

# County (GB/T 2260 code, name) of the Xuchang zone and the parks the plan names there.
COUNTIES: dict[str, tuple[str, str]] = {
    "魏都区": ("411002", "魏都区发制品跨境电商产业园"),
    "建安区": ("411003", "建安区跨境电商仓储物流配运基地"),
    "禹州市": ("411081", "禹州市特色电商产业集聚园"),
    "长葛市": ("411082", "长葛市蜂产品及卫浴陶瓷跨境电商产业园"),
    "鄢陵县": ("411024", "鄢陵县花木箱包跨境电商综合园"),
    "襄城县": ("411025", "襄城县装备制造跨境电商培育园"),
    "东城区": ("411000", "许昌市商务中心区"),
    "经济技术开发区": ("411000", "许昌保税物流中心（B型）"),
}

XUCHANG_CUSTOMS = "4621"  # 许昌海关
BONDED_CENTRE_CUSTOMS = "4632"  # 河南许昌保税物流中心（B型）
ZHENGZHOU_AIRPORT_CUSTOMS = "4604"  # 郑州机场海关: where direct-purchase imports enter


@dataclass(frozen=True, slots=True)
class Good:
    """A kind of commodity a seller lists: its tariff line and how one unit is declared."""

    key: str
    hs_code: str
    name: str
    gmodel: str
    unit: str  # declared unit code (unit.csv)
    unit1: str  # statutory unit code
    qty1_per_unit: str  # statutory quantity per declared unit, decimal text
    price_low: int  # yuan per unit, inclusive range
    price_high: int
    weight_kg: str  # gross weight per unit
    origin: str  # country code (country.csv)


# Exports of the zone's industries, by the seller's industry key.
EXPORT_GOODS: dict[str, tuple[Good, ...]] = {
    "wigs": (
        Good(
            "WIG",
            "6704200000",
            "人发制整头假发",
            "人发|长30cm|自然黑",
            "007",
            "035",
            "0.3",
            120,
            900,
            "0.4",
            "142",
        ),
        Good(
            "SYN",
            "6704110000",
            "合成纤维整头假发",
            "合成纤维|长25cm|棕色",
            "007",
            "035",
            "0.25",
            40,
            260,
            "0.3",
            "142",
        ),
        Good(
            "EXT",
            "6703000000",
            "人发接发片",
            "经梳理人发|长40cm",
            "125",
            "035",
            "0.1",
            60,
            400,
            "0.15",
            "142",
        ),
    ),
    "honey": (
        Good(
            "HNY",
            "0409000000",
            "天然洋槐蜂蜜",
            "500g/瓶|食用",
            "142",
            "035",
            "0.5",
            35,
            120,
            "0.7",
            "142",
        ),
    ),
    "sanitary": (
        Good(
            "BSN",
            "6910100000",
            "瓷制洗面盆",
            "陶瓷|60cm|白色",
            "011",
            "011",
            "1",
            180,
            900,
            "14",
            "142",
        ),
    ),
    "jun": (
        Good(
            "JUN",
            "6911101100",
            "钧瓷茶具",
            "神垕钧瓷|一壶四杯",
            "140",
            "035",
            "1.2",
            300,
            2600,
            "1.8",
            "142",
        ),
    ),
    "flowers": (
        Good(
            "FLW",
            "0603199000",
            "鲜切腊梅花枝",
            "鲜切花|20枝/束",
            "125",
            "035",
            "0.6",
            30,
            150,
            "0.8",
            "142",
        ),
    ),
    "bags": (
        Good(
            "BAG",
            "4202220000",
            "纺织材料面手提包",
            "涤纶面|35x28cm",
            "007",
            "007",
            "1",
            60,
            480,
            "0.6",
            "142",
        ),
    ),
    "herbs": (
        Good(
            "HRB",
            "1211903999",
            "禹州白芷饮片原料",
            "干燥根|1kg/袋",
            "125",
            "035",
            "1",
            40,
            260,
            "1.1",
            "142",
        ),
    ),
    "tools": (
        Good(
            "DRL",
            "8467291000",
            "手持式电动角磨机",
            "220V|850W",
            "001",
            "001",
            "1",
            150,
            1100,
            "2.6",
            "142",
        ),
    ),
}

# Imports sold by the zone's bonded-centre sellers, by the seller's industry key.
IMPORT_GOODS: dict[str, tuple[Good, ...]] = {
    "infant": (
        Good(
            "IFM",
            "1901101090",
            "婴幼儿配方奶粉3段",
            "800g/罐|1-3岁",
            "122",
            "035",
            "0.8",
            180,
            380,
            "1.1",
            "304",
        ),
        Good(
            "MLK",
            "0402210000",
            "全脂奶粉",
            "1kg/袋|未加糖",
            "125",
            "035",
            "1",
            90,
            220,
            "1.1",
            "601",
        ),
    ),
    "cosmetics": (
        Good(
            "CRM",
            "3304990099",
            "保湿面霜",
            "50ml/瓶",
            "142",
            "035",
            "0.05",
            120,
            480,
            "0.15",
            "116",
        ),
        Good(
            "SRM",
            "3304990099",
            "修护精华液",
            "30ml/瓶",
            "142",
            "035",
            "0.03",
            150,
            300,
            "0.1",
            "133",
        ),
    ),
    "wine": (
        Good(
            "WIN",
            "2204210000",
            "干红葡萄酒",
            "750ml/瓶|13%vol",
            "142",
            "095",
            "0.75",
            90,
            680,
            "1.4",
            "305",
        ),
    ),
    "health": (
        Good(
            "VIT",
            "2106909090",
            "复合维生素片",
            "120片/瓶",
            "142",
            "035",
            "0.2",
            80,
            320,
            "0.3",
            "502",
        ),
        Good(
            "FSH",
            "2106909090",
            "深海鱼油软胶囊",
            "200粒/瓶",
            "142",
            "035",
            "0.25",
            90,
            360,
            "0.35",
            "601",
        ),
    ),
}

# A commodity outside the positive list of retail imports (seeds for sowing need a quarantine
# permit): the demo's negative-list case. Offered by the flower importer.
NEGATIVE_GOOD = Good(
    "SED",
    "1209300000",
    "草本花卉种子",
    "播种用|50g/袋",
    "125",
    "035",
    "0.05",
    40,
    120,
    "0.1",
    "309",
)

# Export destinations: (运抵国 country code, 指运港 old 4-digit customs port code in port.csv).
DESTINATIONS: tuple[tuple[str, str], ...] = (
    ("502", "3154"),  # 美国 洛杉矶
    ("502", "3166"),  # 美国 纽约
    ("303", "1974"),  # 英国 伦敦
    ("304", "2110"),  # 德国 汉堡
    ("116", "1331"),  # 日本 东京
    ("601", "3266"),  # 澳大利亚 悉尼
    ("236", "1727"),  # 尼日利亚 拉各斯
    ("138", "1543"),  # 阿联酋 迪拜
    ("244", "1753"),  # 南非 约翰内斯堡
)

# Buyers' home regions (GB/T 2260 county-level codes) and the city text of their address.
BUYER_REGIONS: tuple[tuple[str, str], ...] = (
    ("110105", "北京市朝阳区"),
    ("310115", "上海市浦东新区"),
    ("440106", "广州市天河区"),
    ("440305", "深圳市南山区"),
    ("410105", "郑州市金水区"),
    ("411002", "许昌市魏都区"),
    ("330106", "杭州市西湖区"),
    ("320102", "南京市玄武区"),
    ("420106", "武汉市武昌区"),
    ("510107", "成都市武侯区"),
    ("610113", "西安市雁塔区"),
    ("370202", "青岛市市南区"),
)

STREETS = ("建设路", "人民路", "文化路", "解放路", "中山路", "新华路", "学府路", "光明街", "长江路")

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰鹏辉婷雪琳浩宇欣怡子涵思远晨"
