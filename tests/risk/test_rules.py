from __future__ import annotations

import hashlib
import math
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from singlewindow.risk.domain import RiskConfig, RiskFacts
from singlewindow.risk.rules import default_risk_config, evaluate_risk, inspection_draw

D = Decimal
RATES = {
    "advanced": D("0.005"),
    "certified": D("0.01"),
    "regular": D("0.05"),
    "dishonest": D("0.8"),
    "seriously_dishonest": D(1),
    "never": D(0),
}
CONFIG = RiskConfig(
    seed="test-seed",
    rates_by_credit_class=RATES,
    negative_hs_prefixes=(("1209", "seeds for sowing"), ("93", "arms")),
    negative_items=(("EBC1", "SKU-BAD"),),
    negative_enterprises=frozenset({"LOG-BAD"}),
)
FACTS = RiskFacts(
    key="46002026I000000001",
    ebc_code="EBC1",
    credit_class="never",
    hs_codes=("1901101090", "3304990099"),
    item_nos=("SKU-1", "SKU-2"),
    parties=frozenset({"EBC1", "EBP1", "LOG1", "AGT1"}),
    document="CEB621",
)


@pytest.mark.parametrize(
    ("changes", "refused", "inspect", "codes"),
    [
        pytest.param({}, False, False, [], id="clean_rate_zero_case"),
        pytest.param(
            {"credit_class": "seriously_dishonest"},
            False,
            True,
            ["risk.selected_for_inspection"],
            id="seriously_dishonest_always_case",
        ),
        pytest.param(
            {"hs_codes": ("1901101090", "1209300000")},
            True,
            False,
            ["risk.negative_commodity"],
            id="negative_hs_prefix_case",
        ),
        pytest.param(
            {"hs_codes": ("1209300000", "9302000000")},
            True,
            False,
            ["risk.negative_commodity", "risk.negative_commodity"],
            id="two_negative_lines_case",
        ),
        pytest.param(
            {"hs_codes": ("9120930000",)}, False, False, [], id="prefix_matches_only_the_start_case"
        ),
        pytest.param(
            {"item_nos": ("SKU-1", "SKU-BAD")},
            True,
            False,
            ["risk.negative_commodity"],
            id="negative_item_of_this_seller_case",
        ),
        pytest.param(
            {"item_nos": ("SKU-BAD",), "ebc_code": "EBC2"},
            False,
            False,
            [],
            id="same_item_no_other_seller_case",
        ),
        pytest.param(
            {"parties": frozenset({"EBC1", "LOG-BAD"})},
            True,
            False,
            ["risk.negative_enterprise"],
            id="negative_enterprise_case",
        ),
        pytest.param(
            {"parties": frozenset({"LOG-BAD"}), "credit_class": "seriously_dishonest"},
            True,
            False,
            ["risk.negative_enterprise"],
            id="refusal_before_inspection_case",
        ),
    ],
)
def test_evaluate_risk(
    changes: dict[str, object], refused: bool, inspect: bool, codes: list[str]
) -> None:
    decision = evaluate_risk(replace(FACTS, **changes), CONFIG)  # type: ignore[arg-type]
    assert (decision.refused, decision.inspect) == (refused, inspect)
    assert [r.code for r in decision.reasons] == codes


def test_negative_commodity_reason_names_the_line() -> None:
    decision = evaluate_risk(replace(FACTS, hs_codes=("1209300000",)), CONFIG)
    (reason,) = decision.reasons
    assert (reason.document, reason.field) == ("CEB621", "gcode")
    assert reason.facts == (
        ("gcode", "1209300000"),
        ("prefix", "1209"),
        ("why", "seeds for sowing"),
    )
    assert reason.message_en == (
        "CEB621 HS code 1209300000 is on the negative list (1209: seeds for sowing)"
    )


def test_draw_is_sha256_of_seed_and_key() -> None:
    digest = hashlib.sha256(b"test-seed|46002026I000000001").digest()
    expected = D(int.from_bytes(digest[:8], "big")) / D(2**64)
    assert inspection_draw("test-seed", "46002026I000000001") == expected
    assert evaluate_risk(FACTS, CONFIG).draw == expected


def test_selection_is_strictly_below_the_rate() -> None:
    draw = inspection_draw("test-seed", FACTS.key)
    at = replace(CONFIG, rates_by_credit_class={**RATES, "edge": draw})
    above = replace(CONFIG, rates_by_credit_class={**RATES, "edge": draw + D("1e-20")})
    facts = replace(FACTS, credit_class="edge")
    assert evaluate_risk(facts, at).inspect is False
    chosen = evaluate_risk(facts, above)
    assert chosen.inspect is True
    (reason,) = chosen.reasons
    assert dict(reason.facts) == {
        "draw": str(draw),
        "rate": str(draw + D("1e-20")),
        "credit_class": "edge",
        "key": FACTS.key,
    }


def test_unknown_class_is_judged_at_the_default_class_rate() -> None:
    decision = evaluate_risk(replace(FACTS, credit_class="unheard_of"), CONFIG)
    assert decision.rate == D("0.05")


def test_replay_decides_the_same_and_another_seed_draws_differently() -> None:
    keys = [f"46002026I{n:09d}" for n in range(200)]
    facts = [replace(FACTS, key=k, credit_class="dishonest") for k in keys]
    first = [evaluate_risk(f, CONFIG) for f in facts]
    again = [evaluate_risk(f, replace(CONFIG)) for f in facts]
    assert first == again
    other = [evaluate_risk(f, replace(CONFIG, seed="other")) for f in facts]
    assert [d.draw for d in other] != [d.draw for d in first]


@settings(max_examples=8, deadline=None)
@given(st.text(max_size=20), st.sampled_from(["advanced", "certified", "regular", "dishonest"]))
def test_observed_rate_is_near_the_configured_rate(seed: str, credit_class: str) -> None:
    n = 20_000
    config = replace(CONFIG, seed=seed)
    rate = float(RATES[credit_class])
    hits = sum(
        evaluate_risk(replace(FACTS, key=f"K{i}", credit_class=credit_class), config).inspect
        for i in range(n)
    )
    sigma = math.sqrt(rate * (1 - rate) / n)
    assert abs(hits / n - rate) <= 5 * sigma


def test_default_config_carries_the_packaged_rates_and_lists() -> None:
    config = default_risk_config(seed="s")
    assert dict(config.rates_by_credit_class) == {
        "advanced": D("0.005"),
        "certified": D("0.01"),
        "regular": D("0.05"),
        "dishonest": D("0.80"),
        "seriously_dishonest": D("1.00"),
    }
    assert [p for p, _ in config.negative_hs_prefixes] == ["1209", "01", "93"]
    assert config.seed == "s"
    assert evaluate_risk(replace(FACTS, hs_codes=("1209300000",)), config).refused is True


@pytest.mark.parametrize(
    ("rates", "default", "message"),
    [
        pytest.param({"regular": D("1.5")}, "regular", "not in [0, 1]", id="rate_over_one_case"),
        pytest.param({"regular": D("-0.1")}, "regular", "not in [0, 1]", id="negative_rate_case"),
        pytest.param(
            {"advanced": D("0.1")},
            "regular",
            "no inspection rate for the default",
            id="default_class_missing_case",
        ),
    ],
)
def test_config_refuses_bad_rates(rates: dict[str, Decimal], default: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        RiskConfig(seed="s", rates_by_credit_class=rates, default_credit_class=default)
