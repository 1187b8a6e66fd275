"""A deterministic month of the zone's parcels, and their CEB messages in time order.

`plan_month` decides every parcel (parties, goods, money, times, planted defect);
`iter_messages` renders the messages lazily, sorted by the time they are sent.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from singlewindow.demo.catalog import DESTINATIONS
from singlewindow.demo.documents import render_batch_message, render_parcel_message
from singlewindow.demo.identifiers import with_wrong_check
from singlewindow.demo.plan import ArrivalBatch, Defect, MonthPlan, ParcelPlan, PlanLine
from singlewindow.demo.pricing import TaxFunction, local_import_tax
from singlewindow.demo.zone import Zone, ZoneCommodity, ZoneEnterprise, ZonePerson, make_person
from singlewindow.kit.clock import CST
from singlewindow.kit.money import fen_to_yuan

# data, sender's code -> signed data (e.g. singlewindow.message.signing.sign_document with the
# sender's key).
Signer = Callable[[bytes, str], bytes]


class DemoMessage(NamedTuple):
    when: datetime
    cop_code: str
    data: bytes


# Share of import parcels planted with each defect (dishonest_seller also applies to exports).
# The annual-quota case is a series of big orders by one buyer instead (see `quota_series`).
DEFAULT_DEFECT_RATES: Mapping[Defect, float] = {
    Defect.AMOUNT_MISMATCH: 0.01,
    Defect.MISSING_PAYMENT: 0.01,
    Defect.CONSIGNEE_MISMATCH: 0.01,
    Defect.BAD_BUYER_ID: 0.005,
    Defect.OVER_SINGLE_LIMIT: 0.005,
    Defect.NEGATIVE_COMMODITY: 0.005,
    Defect.DISHONEST_SELLER: 0.01,
}

SINGLE_LIMIT = Decimal(5000)  # 财关税〔2018〕49号
ANNUAL_LIMIT = Decimal(26000)
_BUYER_CEILING = Decimal(20000)  # ordinary buyers stay well inside the annual limit
_NORMAL_CEILING = Decimal(4900)  # ordinary parcels stay inside the single limit
_SEND_ORDER = {
    "CEB311": 0,
    "CEB411": 1,
    "CEB511": 2,
    "CEB621": 3,
    "CEB303": 0,
    "CEB403": 1,
    "CEB505": 2,
    "CEB603": 3,
}
_EXPORT_WEIGHTS = {
    "wigs": 5.0,
    "honey": 1.5,
    "bags": 1.5,
    "sanitary": 1.0,
    "jun": 1.0,
    "flowers": 1.0,
    "herbs": 1.0,
    "tools": 1.0,
}
# Orders by hour of day: quiet at night, busy in the evening.
_HOUR_WEIGHTS = (2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 5, 5, 5, 5, 6, 7, 8, 9, 9, 7, 4)


def plan_month(
    zone: Zone,
    *,
    year: int,
    month: int,
    import_parcels: int,
    export_parcels: int,
    seed: int | None = None,
    defect_rates: Mapping[Defect, float] = DEFAULT_DEFECT_RATES,
    quota_series: int = 7,
    tax: TaxFunction = local_import_tax,
) -> MonthPlan:
    """Plan every parcel of the month. Defect counts are exact: round(rate × parcels).

    The quota series (`quota_series` big orders by one buyer, spread over the month) is planted
    when there are at least ten times as many import parcels; the orders that would take the
    buyer over 26,000 CNY are labelled `annual_quota`.
    """
    seed = zone.seed * 100 + month + year * 10000 if seed is None else seed
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not secrets
    start = datetime(year, month, 1, tzinfo=CST)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=CST)
    g = _Generator(zone, rng, tax, start, end)
    import_defects = _assign(rng, import_parcels, defect_rates, exclude=())
    series = quota_series if import_parcels >= 10 * quota_series else 0
    normal = [i for i, d in enumerate(import_defects) if d is Defect.NONE]
    series_slots = sorted(rng.sample(normal, series)) if series else []
    parcels: list[ParcelPlan] = []
    for i, defect in enumerate(import_defects):
        if i in series_slots:
            k = series_slots.index(i)
            parcels.append(g.quota_parcel(i, k, series))
        else:
            parcels.append(g.import_parcel(i, defect))
    export_defects = _assign(
        rng,
        export_parcels,
        {Defect.DISHONEST_SELLER: defect_rates.get(Defect.DISHONEST_SELLER, 0)},
        exclude=(),
    )
    exports = [g.export_parcel(import_parcels + j, d) for j, d in enumerate(export_defects)]
    exports, batches = g.batch(exports)
    return MonthPlan(year, month, seed, tuple(g.label_quota(parcels) + exports), tuple(batches))


def message_count(plan: MonthPlan) -> int:
    """How many messages `iter_messages` yields for the plan (parcels' own documents, and an
    arrival and a departure report per batch; a parcel's arrival and departure times only place
    it in its batch)."""
    own = sum(1 for p in plan.parcels for mt in p.times if mt in _SEND_ORDER)
    return own + 2 * len(plan.batches)


def iter_messages(
    zone: Zone, plan: MonthPlan, *, sign: Signer | None = None
) -> Iterator[DemoMessage]:
    """Every message of the month in the order it is sent (ties: parcel, then document)."""
    app_status = "2" if sign is not None else "1"
    events: list[tuple[datetime, int, int, str, ParcelPlan | ArrivalBatch]] = []
    for p in plan.parcels:
        for mt, when in p.times.items():
            if mt in _SEND_ORDER:
                events.append((when, p.index, _SEND_ORDER[mt], mt, p))
    base = len(plan.parcels)
    for b in plan.batches:
        events.append((b.arrival_at, base + b.index, 0, "CEB507", b))
        events.append((b.departure_at, base + b.index, 1, "CEB509", b))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    for when, _, _, mt, obj in events:
        if isinstance(obj, ParcelPlan):
            cop, data = render_parcel_message(zone, plan.seed, obj, mt, app_status)
        else:
            cop, data = render_batch_message(zone, plan.seed, obj, mt, app_status)
        yield DemoMessage(when, cop, sign(data, cop) if sign is not None else data)


def _assign(
    rng: random.Random, n: int, rates: Mapping[Defect, float], *, exclude: tuple[Defect, ...]
) -> list[Defect]:
    defects = [Defect.NONE] * n
    slots = list(range(n))
    rng.shuffle(slots)
    pos = 0
    for defect, rate in rates.items():
        if defect in exclude:
            continue
        k = round(rate * n)
        for i in slots[pos : pos + k]:
            defects[i] = defect
        pos += k
    return defects


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100 + 1)) / 100


class _Generator:
    """Draws parcels; holds the month's running facts (buyers' yearly totals)."""

    def __init__(
        self, zone: Zone, rng: random.Random, tax: TaxFunction, start: datetime, end: datetime
    ) -> None:
        self.zone, self.rng, self.tax, self.start, self.end = zone, rng, tax, start, end
        sellers = zone.with_role("ebc")
        honest = [e for e in sellers if e.credit_class != "dishonest"]
        self.import_sellers = [e for e in honest if e.industry in _IMPORT_INDUSTRIES]
        self.export_sellers = [e for e in honest if e.industry in _EXPORT_WEIGHTS]
        self.export_weights = [_EXPORT_WEIGHTS[e.industry] for e in self.export_sellers]
        dishonest = [e for e in sellers if e.credit_class == "dishonest"]
        self.dishonest_import = [e for e in dishonest if e.industry in _IMPORT_INDUSTRIES]
        self.dishonest_export = [e for e in dishonest if e.industry in _EXPORT_WEIGHTS]
        self.negative_seller = next(e for e in sellers if e.industry == "seeds")
        self.platforms = [e for e in zone.with_role("ebp") if "ebc" not in e.roles]
        self.pays = zone.with_role("pay")
        self.carriers = zone.with_role("logistics")
        self.agents = zone.with_role("agent")
        self.buyers = zone.persons[:-1]
        self.quota_buyer = zone.persons[-1]
        self.used: dict[str, Decimal] = {}

    # -- time ------------------------------------------------------------------------------
    def _order_time(self, horizon: timedelta) -> datetime:
        days = (self.end - horizon - self.start).days
        day = self.rng.randrange(max(days, 1))
        hour = self.rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
        t = self.start + timedelta(days=day, hours=hour, seconds=self.rng.randrange(3600))
        return min(t, self.end - horizon)

    def _secs(self, low: int, high: int) -> timedelta:
        return timedelta(seconds=self.rng.randrange(low, high))

    def _import_times(self, t0: datetime, with_payment: bool) -> dict[str, datetime]:
        r = self.rng.random()
        order = t0
        payment = t0 + self._secs(5, 300)
        if r < 0.05:  # the payment firm reports before the platform's order batch
            payment, order = t0, t0 + self._secs(60, 1800)
        waybill = order + self._secs(1800, 6 * 3600)
        inventory = max(waybill, payment) + self._secs(300, 3 * 3600)
        if 0.05 <= r < 0.17:  # payment lags: the inventory arrives first and must wait
            payment = inventory + self._secs(60, 2 * 3600)
        times = {"CEB311": order, "CEB511": waybill, "CEB621": inventory}
        if with_payment:
            times["CEB411"] = payment
        return times

    # -- parties and goods -----------------------------------------------------------------
    def _buyer(self, value: Decimal) -> ZonePerson:
        for _ in range(20):
            p = self.rng.choice(self.buyers)
            if self.used.get(p.id_number, Decimal(0)) + value <= _BUYER_CEILING:
                return p
        return make_person(self.rng)  # everyone is busy: a new, unfiled buyer

    def _lines(self, goods: tuple[ZoneCommodity, ...], n: int, max_qty: int) -> list[PlanLine]:
        picked = self.rng.sample(goods, min(n, len(goods)))
        lines = []
        for gnum, c in enumerate(picked, start=1):
            qty = self.rng.randint(1, max_qty)
            price = _cents(self.rng, c.good.price_low, c.good.price_high)
            lines.append(PlanLine(gnum, c, qty, price, price * qty))
        return lines

    def _weight(self, lines: list[PlanLine]) -> Decimal:
        total = sum((Decimal(ln.commodity.good.weight_kg) * ln.qty for ln in lines), Decimal(0))
        return (total + Decimal("0.2")).quantize(Decimal("0.001"))

    def _parties(self, seller: ZoneEnterprise) -> tuple[str, str, str, str]:
        ebp = seller.code if "ebp" in seller.roles else self.rng.choice(self.platforms).code
        agent = seller.code if self.rng.random() < 0.3 else self.rng.choice(self.agents).code
        return ebp, self.rng.choice(self.pays).code, self.rng.choice(self.carriers).code, agent

    # -- parcels ---------------------------------------------------------------------------
    def import_parcel(self, index: int, defect: Defect) -> ParcelPlan:
        rng = self.rng
        if defect is Defect.NEGATIVE_COMMODITY:
            seller = self.negative_seller
        elif defect is Defect.DISHONEST_SELLER:
            seller = rng.choice(self.dishonest_import)
        else:
            seller = rng.choice(self.import_sellers)
        goods = self.zone.goods_by_seller[seller.code]
        if defect is Defect.OVER_SINGLE_LIMIT:
            lines = self._lines(goods, 2, 1)
            # Enough units of each of two goods that the parcel passes 5,000 CNY.
            lines = [
                PlanLine(ln.gnum, ln.commodity, q, ln.price, ln.price * q)
                for ln in lines
                for q in [int(Decimal(2700) / ln.price) + 1]
            ]
        else:
            lines = self._lines(goods, rng.choices((1, 2, 3), weights=(6, 3, 1))[0], 3)
        freight = Decimal(0) if rng.random() < 0.4 else _cents(rng, 5, 30)
        insured = _cents(rng, 1, 5) if rng.random() < 0.1 else Decimal(0)
        while defect is not Defect.OVER_SINGLE_LIMIT and (
            sum((ln.total_price for ln in lines), Decimal(0)) + freight + insured > _NORMAL_CEILING
        ):
            lines = _trim(lines)
        value = sum((ln.total_price for ln in lines), Decimal(0)) + freight + insured
        buyer = self._buyer(value)
        if defect in (Defect.NONE, Defect.DISHONEST_SELLER):
            self.used[buyer.id_number] = self.used.get(buyer.id_number, Decimal(0)) + value
        t0 = self._order_time(timedelta(days=1))
        return self._import_plan(index, defect, seller, lines, freight, insured, buyer, t0)

    def quota_parcel(self, index: int, k: int, series: int) -> ParcelPlan:
        """The k-th big order of the quota buyer: about 4,600 CNY, spread over the month."""
        seller = self.import_sellers[0]
        c = self.zone.goods_by_seller[seller.code][0]
        price = _cents(self.rng, c.good.price_low, c.good.price_high)
        qty = int(Decimal(4600) / price)
        lines = [PlanLine(1, c, qty, price, price * qty)]
        span = (self.end - timedelta(days=1) - self.start) / (series + 1)
        t0 = self.start + span * (k + 1) + self._secs(0, 3600)
        return self._import_plan(
            index, Defect.NONE, seller, lines, Decimal(10), Decimal(0), self.quota_buyer, t0
        )

    def _import_plan(
        self,
        index: int,
        defect: Defect,
        seller: ZoneEnterprise,
        lines: list[PlanLine],
        freight: Decimal,
        insured: Decimal,
        buyer: ZonePerson,
        t0: datetime,
    ) -> ParcelPlan:
        rng = self.rng
        goods_value = sum((ln.total_price for ln in lines), Decimal(0))
        discount = Decimal(0)
        if rng.random() < 0.3:  # coupons and points: a non-cash part of the price
            discount = _cents(rng, 1, max(2, min(50, int(goods_value / 10))))
        tax = fen_to_yuan(self.tax(lines, freight, insured))
        actural = goods_value + freight + tax - discount
        paid = actural
        if defect is Defect.AMOUNT_MISMATCH:
            paid = actural + _cents(rng, 1, 20) * rng.choice((1, -1))
        consignee = buyer if rng.random() < 0.85 else rng.choice(self.buyers)
        address = consignee.address
        if defect is Defect.CONSIGNEE_MISMATCH:
            address = consignee.address.replace("号", "号附", 1)
        id_number = buyer.id_number
        if defect is Defect.BAD_BUYER_ID:
            id_number = with_wrong_check(id_number)
        ebp, pay, carrier, agent = self._parties(seller)
        mode = "1210" if rng.random() < 0.8 else "9610"
        origin = lines[0].commodity.origin_country
        return ParcelPlan(
            index=index,
            direction="I",
            defect=defect,
            order_no=f"XC{t0:%Y%m%d}I{index:08d}",
            logistics_no=f"XCL{t0:%y%m}{index:010d}",
            pay_transaction_id=f"PAY{t0:%Y%m%d}{index:012d}",
            ebp_code=ebp,
            ebc_code=seller.code,
            pay_code=pay,
            logistics_code=carrier,
            agent_code=agent,
            trade_mode=mode,
            buyer=buyer,
            buyer_id_number=id_number,
            consignee=consignee,
            waybill_address=address,
            lines=tuple(lines),
            goods_value=goods_value,
            freight=freight,
            insured_fee=insured,
            discount=discount,
            tax_total=tax,
            actural_paid=actural,
            amount_paid=paid,
            gross_weight=self._weight(lines),
            destination=(origin, ""),
            statistics_flag="",
            times=self._import_times(t0, defect is not Defect.MISSING_PAYMENT),
        )

    def label_quota(self, parcels: list[ParcelPlan]) -> list[ParcelPlan]:
        """Label the quota buyer's orders that would pass 26,000 CNY, in inventory order."""
        mine = sorted(
            (p for p in parcels if p.buyer is self.quota_buyer), key=lambda p: p.times["CEB621"]
        )
        used = Decimal(0)
        over: set[int] = set()
        for p in mine:
            if used + p.dutiable_value > ANNUAL_LIMIT:
                over.add(p.index)
            else:
                used += p.dutiable_value
        return [_relabel(p, Defect.ANNUAL_QUOTA) if p.index in over else p for p in parcels]

    def export_parcel(self, index: int, defect: Defect) -> ParcelPlan:
        rng = self.rng
        if defect is Defect.DISHONEST_SELLER:
            seller = rng.choice(self.dishonest_export)
        else:
            seller = rng.choices(self.export_sellers, weights=self.export_weights)[0]
        goods = tuple(c for c in self.zone.goods_by_seller[seller.code] if c.direction == "E")
        lines = self._lines(goods, rng.choices((1, 2, 3), weights=(5, 3, 2))[0], 6)
        goods_value = sum((ln.total_price for ln in lines), Decimal(0))
        freight = _cents(rng, 15, 120)
        ebp, pay, carrier, agent = self._parties(seller)
        t0 = self._order_time(timedelta(days=4))
        receipt = t0 + self._secs(60, 2 * 3600)
        waybill = t0 + self._secs(2 * 3600, 24 * 3600)
        inventory = waybill + self._secs(600, 6 * 3600)
        r = rng.random()
        if r < 0.1:  # the agent declares before the carrier files the waybill
            inventory, waybill = t0 + self._secs(3600, 7200), inventory
        elif r < 0.2:  # the money arrives after the inventory
            receipt = inventory + self._secs(600, 6 * 3600)
        return ParcelPlan(
            index=index,
            direction="E",
            defect=defect,
            order_no=f"XC{t0:%Y%m%d}E{index:08d}",
            logistics_no=f"XCE{t0:%y%m}{index:010d}",
            pay_transaction_id=f"RCV{t0:%Y%m%d}{index:012d}",
            ebp_code=ebp,
            ebc_code=seller.code,
            pay_code=pay,
            logistics_code=carrier,
            agent_code=agent,
            trade_mode="9610",
            buyer=None,
            buyer_id_number="",
            consignee=None,
            waybill_address="",
            lines=tuple(lines),
            goods_value=goods_value,
            freight=freight,
            insured_fee=Decimal(0),
            discount=Decimal(0),
            tax_total=Decimal(0),
            actural_paid=goods_value + freight,
            amount_paid=goods_value + freight,
            gross_weight=self._weight(lines),
            destination=rng.choice(DESTINATIONS),
            statistics_flag="A" if rng.random() < 0.1 else "B",
            times={"CEB303": t0, "CEB403": receipt, "CEB505": waybill, "CEB603": inventory},
        )

    def batch(self, exports: list[ParcelPlan]) -> tuple[list[ParcelPlan], list[ArrivalBatch]]:
        """Truck each carrier's declared parcels to the site twice a day; fly them out later."""
        groups: dict[tuple[str, int], list[ParcelPlan]] = {}
        for p in sorted(exports, key=lambda p: (p.times["CEB603"], p.index)):
            half_day = int((p.times["CEB603"] - self.start).total_seconds() // 43200)
            groups.setdefault((p.logistics_code, half_day), []).append(p)
        batches: list[ArrivalBatch] = []
        when: dict[int, tuple[datetime, datetime]] = {}
        for (carrier, half_day), members in sorted(
            groups.items(), key=lambda kv: (kv[0][1], kv[0][0])
        ):
            for chunk_start in range(0, len(members), 100):
                chunk = members[chunk_start : chunk_start + 100]
                arrival = (
                    self.start + timedelta(hours=12 * (half_day + 1)) + self._secs(600, 3 * 3600)
                )
                departure = arrival + self._secs(4 * 3600, 30 * 3600)
                batches.append(
                    ArrivalBatch(
                        len(batches),
                        carrier,
                        tuple(p.logistics_no for p in chunk),
                        arrival,
                        departure,
                    )
                )
                for p in chunk:
                    when[p.index] = (arrival, departure)
        stamped = [
            _with_times(p, {**p.times, "CEB507": when[p.index][0], "CEB509": when[p.index][1]})
            for p in exports
        ]
        return stamped, batches


_IMPORT_INDUSTRIES = frozenset({"infant", "cosmetics", "wine", "health"})


def _trim(lines: list[PlanLine]) -> list[PlanLine]:
    """One unit less of the dearest line, or drop the last line when every quantity is 1."""
    big = max(lines, key=lambda ln: ln.total_price)
    if big.qty > 1:
        q = big.qty - 1
        return [
            PlanLine(ln.gnum, ln.commodity, q, ln.price, ln.price * q) if ln is big else ln
            for ln in lines
        ]
    return lines[:-1] if len(lines) > 1 else [PlanLine(1, big.commodity, 1, big.price, big.price)]


def _relabel(p: ParcelPlan, defect: Defect) -> ParcelPlan:
    return replace(p, defect=defect)


def _with_times(p: ParcelPlan, times: Mapping[str, datetime]) -> ParcelPlan:
    return replace(p, times=times)
