"""Goods checks of the comparison: order arithmetic and inventory lines against order lines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from singlewindow.comparison.domain import GoodsLine, InventoryLine, Reason
from singlewindow.comparison.reasons import amount, mismatch, plain, simple, yuan
from singlewindow.kit.money import yuan_to_fen


def goods_value(document: str, value: Decimal, lines: Sequence[GoodsLine]) -> list[Reason]:
    """goodsValue = Σ totalPrice, to the fen."""
    total = sum((ln.total_price for ln in lines), Decimal(0))
    return amount(
        "comparison.goods_value_incorrect",
        (document, "goodsValue"),
        value,
        (document, "Σ totalPrice"),
        total,
    )


def line_totals(document: str, lines: Iterable[GoodsLine | InventoryLine]) -> list[Reason]:
    reasons = []
    for ln in lines:
        if yuan_to_fen(ln.total_price) != yuan_to_fen(ln.price * ln.qty):
            reasons.append(
                mismatch(
                    "comparison.line_total_incorrect",
                    (document, "totalPrice"),
                    yuan(ln.total_price),
                    (document, "price × qty"),
                    yuan(ln.price * ln.qty),
                    ("gnum", str(ln.gnum)),
                )
            )
    return reasons


def goods_lines(
    inventory_doc: str,
    inventory_lines: Sequence[InventoryLine],
    order_doc: str,
    order_lines: Sequence[GoodsLine],
) -> list[Reason]:
    """Inventory lines one-to-one with order lines by `gnum`; name, item, qty, price and total
    equal."""
    ours = {ln.gnum: ln for ln in inventory_lines}
    theirs = {ln.gnum: ln for ln in order_lines}
    reasons: list[Reason] = []
    for gnum in sorted(theirs.keys() - ours.keys()):
        reasons.append(
            simple(
                "comparison.line_missing", inventory_doc, "gnum", (f"{order_doc}.gnum", str(gnum))
            )
        )
    for gnum in sorted(ours.keys() - theirs.keys()):
        reasons.append(
            simple(
                "comparison.line_unexpected",
                inventory_doc,
                "gnum",
                (f"{inventory_doc}.gnum", str(gnum)),
            )
        )
    for gnum in sorted(ours.keys() & theirs.keys()):
        inv, order = ours[gnum], theirs[gnum]
        where = ("gnum", str(gnum))
        if inv.gname.strip() != order.name.strip():
            reasons.append(
                mismatch(
                    "comparison.line_mismatch",
                    (inventory_doc, "gname"),
                    inv.gname,
                    (order_doc, "itemName"),
                    order.name,
                    where,
                )
            )
        if inv.item_no.strip() and order.item_no.strip() and inv.item_no != order.item_no:
            reasons.append(
                mismatch(
                    "comparison.line_mismatch",
                    (inventory_doc, "itemNo"),
                    inv.item_no,
                    (order_doc, "itemNo"),
                    order.item_no,
                    where,
                )
            )
        if inv.qty != order.qty:
            reasons.append(
                mismatch(
                    "comparison.line_mismatch",
                    (inventory_doc, "qty"),
                    plain(inv.qty),
                    (order_doc, "qty"),
                    plain(order.qty),
                    where,
                )
            )
        for field, mine, other in (
            ("price", inv.price, order.price),
            ("totalPrice", inv.total_price, order.total_price),
        ):
            if yuan_to_fen(mine) != yuan_to_fen(other):
                reasons.append(
                    mismatch(
                        "comparison.line_mismatch",
                        (inventory_doc, field),
                        yuan(mine),
                        (order_doc, field),
                        yuan(other),
                        where,
                    )
                )
    return reasons
