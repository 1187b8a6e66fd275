"""A deterministic synthetic Xuchang pilot zone: its enterprises, commodities and buyers.

Everything comes from one seed, so two runs file the same zone and replay the same month.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from singlewindow.demo.catalog import (
    BUYER_REGIONS,
    COUNTIES,
    EXPORT_GOODS,
    GIVEN_CHARS,
    IMPORT_GOODS,
    NEGATIVE_GOOD,
    STREETS,
    SURNAMES,
    Good,
)
from singlewindow.demo.identifiers import make_id_number, make_uscc, random_birth_date

DEFAULT_SEED = 20170531  # the day the zone plan was issued


@dataclass(frozen=True, slots=True)
class ZoneEnterprise:
    code: str
    name: str
    roles: tuple[str, ...]
    county: str
    park: str
    credit_class: str
    dxp_id: str
    industry: str = ""  # key into EXPORT_GOODS / IMPORT_GOODS for sellers


@dataclass(frozen=True, slots=True)
class ZoneCommodity:
    ebc_code: str
    item_no: str
    hs_code: str
    name: str
    origin_country: str
    producer: str
    good: Good
    direction: str  # "I" import, "E" export
    bar_code: str
    negative: bool = False


@dataclass(frozen=True, slots=True)
class ZonePerson:
    id_number: str
    name: str
    telephone: str
    address: str


@dataclass(frozen=True, slots=True)
class Zone:
    seed: int
    enterprises: tuple[ZoneEnterprise, ...]
    commodities: tuple[ZoneCommodity, ...]
    persons: tuple[ZonePerson, ...]
    by_code: Mapping[str, ZoneEnterprise] = field(repr=False)
    goods_by_seller: Mapping[str, tuple[ZoneCommodity, ...]] = field(repr=False)

    def with_role(self, role: str) -> tuple[ZoneEnterprise, ...]:
        return tuple(e for e in self.enterprises if role in e.roles)


# (name, roles, county, industry, credit class or "" for drawn). Names are invented; any likeness
# to a real company is chance. Sellers carry the county's industry from the zone plan.
_ENTERPRISES: tuple[tuple[str, str, str, str, str], ...] = (
    ("许昌买全球跨境电商平台有限公司", "ebp", "东城区", "", "advanced"),
    ("中原发制品国际交易平台有限公司", "ebp", "魏都区", "", "regular"),
    ("许昌保税优选电子商务有限公司", "ebp ebc", "经济技术开发区", "infant", "certified"),
    ("许昌魏都发艺制品有限公司", "ebc", "魏都区", "wigs", ""),
    ("许昌建安美发制品有限公司", "ebc", "建安区", "wigs", ""),
    ("许昌东城假发进出口有限公司", "ebc", "东城区", "wigs", ""),
    ("长葛蜂源蜂业有限公司", "ebc", "长葛市", "honey", ""),
    ("长葛洁具陶瓷有限公司", "ebc", "长葛市", "sanitary", ""),
    ("长葛重工机械有限公司", "ebc", "长葛市", "tools", ""),
    ("禹州神垕钧瓷有限公司", "ebc", "禹州市", "jun", ""),
    ("禹州药材贸易有限公司", "ebc", "禹州市", "herbs", ""),
    ("禹州发制品加工有限公司", "ebc", "禹州市", "wigs", ""),
    ("鄢陵花木进出口有限公司", "ebc", "鄢陵县", "flowers", ""),
    ("鄢陵箱包皮具有限公司", "ebc", "鄢陵县", "bags", ""),
    ("襄城装备制造有限公司", "ebc", "襄城县", "tools", ""),
    ("襄城鑫达商贸有限公司", "ebc", "襄城县", "bags", "dishonest"),
    ("中原跨境美妆有限公司", "ebc", "经济技术开发区", "cosmetics", ""),
    ("许昌环球酒业有限公司", "ebc", "经济技术开发区", "wine", ""),
    ("许昌健康优选贸易有限公司", "ebc", "经济技术开发区", "health", ""),
    ("许昌速通跨境贸易有限公司", "ebc", "建安区", "health", "dishonest"),
    ("鄢陵花卉园艺进口有限公司", "ebc", "鄢陵县", "seeds", ""),
    ("许昌通汇支付服务有限公司", "pay", "东城区", "", ""),
    ("中原跨境支付有限公司", "pay", "东城区", "", ""),
    ("许昌跨境物流有限公司", "logistics", "建安区", "", ""),
    ("中原国际快递有限公司", "logistics", "魏都区", "", ""),
    ("许港速运物流有限公司", "logistics", "经济技术开发区", "", ""),
    ("许昌报关服务有限公司", "agent", "东城区", "", ""),
    ("禹州通关代理有限公司", "agent", "禹州市", "", ""),
    ("河南许昌保税物流中心仓储有限公司", "warehouse", "经济技术开发区", "", "certified"),
)

_DRAWN_CLASSES = ("regular",) * 7 + ("advanced", "certified")


def build_zone(seed: int = DEFAULT_SEED, *, persons: int = 1000) -> Zone:
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not secrets
    enterprises = []
    for n, (name, roles, county, industry, credit) in enumerate(_ENTERPRISES, start=1):
        region, park = COUNTIES[county]
        enterprises.append(
            ZoneEnterprise(
                code=make_uscc(rng, region),
                name=name,
                roles=tuple(roles.split()),
                county=county,
                park=park,
                credit_class=credit or rng.choice(_DRAWN_CLASSES),
                dxp_id=f"DXPENT{seed % 10000:04d}{n:08d}",
                industry=industry,
            )
        )
    commodities: list[ZoneCommodity] = []
    for e in enterprises:
        if e.industry == "seeds":
            goods: tuple[Good, ...] = (NEGATIVE_GOOD,)
        else:
            goods = EXPORT_GOODS.get(e.industry, ()) + IMPORT_GOODS.get(e.industry, ())
        for g in goods:
            direction = "E" if g in EXPORT_GOODS.get(e.industry, ()) else "I"
            for variant in range(1, 4):
                commodities.append(
                    ZoneCommodity(
                        ebc_code=e.code,
                        item_no=f"{g.key}-{e.code[-4:]}-{variant:02d}",
                        hs_code=g.hs_code,
                        name=g.name,
                        origin_country=g.origin,
                        producer=e.name if direction == "E" else f"境外生产商{g.origin}-{g.key}",
                        good=g,
                        direction=direction,
                        bar_code=_ean13(rng),
                        negative=g is NEGATIVE_GOOD,
                    )
                )
    goods_by_seller: dict[str, tuple[ZoneCommodity, ...]] = {}
    for c in commodities:
        goods_by_seller[c.ebc_code] = (*goods_by_seller.get(c.ebc_code, ()), c)
    return Zone(
        seed=seed,
        enterprises=tuple(enterprises),
        commodities=tuple(commodities),
        persons=tuple(make_person(rng) for _ in range(persons)),
        by_code={e.code: e for e in enterprises},
        goods_by_seller=goods_by_seller,
    )


def make_person(rng: random.Random) -> ZonePerson:
    """A buyer aged 18-70 in 2017 with a valid ID number, a mobile number and an address."""
    region, city = rng.choice(BUYER_REGIONS)
    born = random_birth_date(rng, oldest=date(1947, 1, 1), youngest=date(1999, 12, 31))
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN_CHARS, k=rng.choice((1, 2))))
    phone = rng.choice(("13", "15", "18", "17")) + f"{rng.randrange(10**9):09d}"
    address = f"{city}{rng.choice(STREETS)}{rng.randrange(1, 300)}号{rng.randrange(1, 30)}栋"
    return ZonePerson(make_id_number(rng, region, born), name, phone, address)


def _ean13(rng: random.Random) -> str:
    # 690-699 is GS1 China; the 13th digit is the EAN check digit.
    digits = f"69{rng.randrange(10):d}{rng.randrange(10**9):09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def zone_registry_lines(
    zone: Zone | None = None, *, certificates: Mapping[str, Sequence[str]] | None = None
) -> list[str]:
    """The JSONL lines of `singlewindow registry import` filing the whole zone.

    `certificates` maps an enterprise code to the PEM certificates it files (its signing keys).
    """
    zone = zone or build_zone()
    certs = certificates or {}
    lines = []
    for e in zone.enterprises:
        record: dict[str, object] = {
            "kind": "enterprise",
            "code": e.code,
            "name": e.name,
            "roles": list(e.roles),
            "county": e.county,
            "park": e.park,
            "credit_class": e.credit_class,
        }
        if e.code in certs:
            record["certificates"] = list(certs[e.code])
        lines.append(_json(record))
    for c in zone.commodities:
        lines.append(
            _json(
                {
                    "kind": "commodity",
                    "ebc_code": c.ebc_code,
                    "item_no": c.item_no,
                    "hs_code": c.hs_code,
                    "name": c.name,
                    "origin_country": c.origin_country,
                    "producer": c.producer,
                }
            )
        )
    for p in zone.persons:
        lines.append(
            _json({"kind": "person", "id_type": "1", "id_number": p.id_number, "name": p.name})
        )
    return lines


def _json(record: Mapping[str, object]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
