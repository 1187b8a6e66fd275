"""First-cut risk rules: negative lists refuse; inspection is drawn at the seller's credit-class
rate (SYSTEMS.md §1.4, §8).

The draw is a deterministic function of the configured seed and the inventory key (SHA-256 of
"seed|key" read as a fraction in [0, 1)), so a replay of the same traffic with the same seed
selects the same parcels, and nobody can predict selection without the seed. Excludes the
behavioural indicators of SYSTEMS.md §8.2 (a later cut).
"""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal
from importlib import resources

from singlewindow.risk.domain import Reason, RiskConfig, RiskDecision, RiskFacts

_SCALE = Decimal(2**64)
DEFAULT_SEED = "singlewindow-demo-seed"


def inspection_draw(seed: str, key: str) -> Decimal:
    """Uniform in [0, 1): the first 8 bytes of SHA-256("seed|key") over 2**64."""
    digest = hashlib.sha256(f"{seed}|{key}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / _SCALE


def evaluate_risk(facts: RiskFacts, config: RiskConfig) -> RiskDecision:
    """Refuse on a negative commodity (HS prefix or the seller's item) or enterprise; otherwise
    select for inspection when the draw falls below the seller's class rate."""
    doc_zh, doc = facts.document or "清单", facts.document or "inventory"
    reasons: list[Reason] = []
    for hs in facts.hs_codes:
        for prefix, why in config.negative_hs_prefixes:
            if hs.startswith(prefix):
                reasons.append(
                    Reason(
                        code="risk.negative_commodity",
                        message_zh=f"{doc_zh} 商品编码 {hs} 属于负面清单（{prefix}：{why}）",
                        message_en=f"{doc} HS code {hs} is on the negative list ({prefix}: {why})",
                        document=facts.document,
                        field="gcode",
                        facts=(("gcode", hs), ("prefix", prefix), ("why", why)),
                    )
                )
                break
    listed = set(config.negative_items)
    for item_no in facts.item_nos:
        if (facts.ebc_code, item_no) in listed:
            reasons.append(
                Reason(
                    code="risk.negative_commodity",
                    message_zh=f"{doc_zh} 电商企业 {facts.ebc_code} 的商品货号 {item_no} "
                    "属于负面清单",
                    message_en=f"{doc} item {item_no} of seller {facts.ebc_code} "
                    "is on the negative list",
                    document=facts.document,
                    field="itemNo",
                    facts=(("ebcCode", facts.ebc_code), ("itemNo", item_no)),
                )
            )
    for party in sorted(facts.parties & config.negative_enterprises):
        reasons.append(
            Reason(
                code="risk.negative_enterprise",
                message_zh=f"{doc_zh} 所列企业 {party} 属于负面清单",
                message_en=f"{doc} names enterprise {party}, which is on the negative list",
                document=facts.document,
                field="",
                facts=(("enterprise", party),),
            )
        )
    rate = config.rate_for(facts.credit_class)
    draw = inspection_draw(config.seed, facts.key)
    if reasons:
        return RiskDecision(
            refused=True, inspect=False, reasons=tuple(reasons), draw=draw, rate=rate
        )
    inspect = draw < rate
    if inspect:
        reasons.append(
            Reason(
                code="risk.selected_for_inspection",
                message_zh=f"{doc_zh} 被随机布控查验（抽取值 {draw:.6f} < "
                f"{facts.credit_class} 类查验率 {rate}）",
                message_en=f"{doc} selected for inspection (draw {draw:.6f} < "
                f"inspection rate {rate} of class {facts.credit_class})",
                document=facts.document,
                field="",
                facts=(
                    ("draw", str(draw)),
                    ("rate", str(rate)),
                    ("credit_class", facts.credit_class),
                    ("key", facts.key),
                ),
            )
        )
    return RiskDecision(
        refused=False, inspect=inspect, reasons=tuple(reasons), draw=draw, rate=rate
    )


def _data_text(name: str) -> str:
    return resources.files("singlewindow.risk").joinpath("data", name).read_text(encoding="utf-8")


def parse_inspection_rates(text: str) -> dict[str, Decimal]:
    """credit_class,rate[,source] rows; rates are fractions."""
    return {
        row["credit_class"].strip(): Decimal(row["rate"])
        for row in csv.DictReader(io.StringIO(text))
    }


def parse_negative_hs_prefixes(text: str) -> tuple[tuple[str, str], ...]:
    """prefix,reason[,source] rows."""
    return tuple(
        (row["prefix"].strip(), row["reason"].strip()) for row in csv.DictReader(io.StringIO(text))
    )


def default_risk_config(seed: str = DEFAULT_SEED) -> RiskConfig:
    """The packaged defaults (`risk/data/*.csv`, sources in `SOURCES.md`); no listed items or
    enterprises until the zone lists them."""
    return RiskConfig(
        seed=seed,
        rates_by_credit_class=parse_inspection_rates(_data_text("inspection_rates.csv")),
        negative_hs_prefixes=parse_negative_hs_prefixes(_data_text("negative_hs_prefixes.csv")),
    )
