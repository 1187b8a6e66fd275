"""The inventory status machine through the clearance service: one row per transition of the
clearance issue (import, export, sweep, inspection, cancel, return, modify/delete, duplicate,
temporary save)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from tests.release.builders import BUYER_ID, NOW, Doc, Parcel, cancel_623, import_docs, return_625
from tests.release.export_builders import arrival_507, departure_509, export_docs
from tests.release.harness import Platform, statuses

IMPORT = ("CEB311", "CEB411", "CEB511", "CEB621")
MISSING = {
    "CEB311": "comparison.order_missing",
    "CEB411": "comparison.payment_missing",
    "CEB511": "comparison.waybill_missing",
}
QUOTA = 11_000  # the default parcel: 100.00 goods + 10.00 freight


def _expected_import(order: tuple[str, ...]) -> list[tuple[str, str, tuple[str, ...]]]:
    """Receipts of each document sent alone, in `order`: companions are stored (120); the
    inventory waits (120, naming what is missing) unless it comes last, then it is released."""
    out = []
    for i, mt in enumerate(order):
        if mt != "CEB621":
            out.append((mt, "120", ()))
            continue
        missing = tuple(MISSING[m] for m in IMPORT[:3] if m not in order[:i])
        out.append(("CEB621", "120", missing) if missing else ("CEB621", "800", ()))
    return out


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(IMPORT, id="inventory_last_case"),
        pytest.param(("CEB621", "CEB311", "CEB411", "CEB511"), id="inventory_first_case"),
        pytest.param(("CEB511", "CEB621", "CEB411", "CEB311"), id="inventory_second_case"),
        pytest.param(("CEB411", "CEB311", "CEB621", "CEB511"), id="waybill_last_case"),
    ],
)
def test_import_waits_then_releases_when_the_last_document_arrives(
    platform: Platform, order: tuple[str, ...]
) -> None:
    p = Parcel(1)
    docs = import_docs(p)
    receipts = [r for b in platform.send_each([docs[mt] for mt in order]) for r in b]
    assert statuses(receipts) == _expected_import(order)
    history = platform.history(p.order_no)
    assert history[-1] == ("120", "800", ())
    assert history[0][:2] == ("", "120")
    assert platform.quota(BUYER_ID, 2026) == QUOTA


def test_import_releases_in_every_order_of_arrival(platform: Platform) -> None:
    for n, order in enumerate(itertools.permutations(IMPORT), 1):
        p = Parcel(n, buyer_id=BUYER_ID)
        docs = import_docs(p)
        receipts = [r for b in platform.send_each([docs[mt] for mt in order]) for r in b]
        assert statuses(receipts) == _expected_import(order), order
        assert platform.status(p.order_no) == "800", order
    assert platform.quota(BUYER_ID, 2026) == 24 * QUOTA


def test_import_in_one_batch_releases(platform: Platform) -> None:
    p = Parcel(1)
    docs = import_docs(p)
    receipts = platform.send(*(docs[mt] for mt in ("CEB621", "CEB311", "CEB411", "CEB511")))
    assert [r.message_type for r in receipts] == ["CEB621", "CEB311", "CEB411", "CEB511"]
    assert platform.status(p.order_no) == "800"


def _released(platform: Platform, n: int = 1) -> tuple[Parcel, str]:
    p = Parcel(n)
    platform.send_each(list(import_docs(p).values()))
    inventory = platform.inventory(p.order_no)
    assert inventory.status in ("800", "500")
    return p, inventory.invt_no or ""


def test_selected_for_inspection_then_passed(platform: Platform) -> None:
    platform.inspecting()
    p = Parcel(1)
    receipts = platform.send_each(list(import_docs(p).values()))
    assert statuses(receipts[-1]) == [("CEB621", "500", ("risk.selected_for_inspection",))]
    invt_no = platform.inventory(p.order_no).invt_no or ""
    assert platform.quota(BUYER_ID, 2026) == QUOTA
    receipt = platform.inspect(invt_no, passed=True)
    assert (receipt.return_status, receipt.reasons) == ("800", ("inspection.passed",))
    assert platform.status(p.order_no) == "800"
    assert platform.quota(BUYER_ID, 2026) == QUOTA


def test_selected_for_inspection_then_failed_gives_the_quota_back(platform: Platform) -> None:
    platform.inspecting()
    p, invt_no = _released(platform)
    receipt = platform.inspect(invt_no, passed=False)
    assert (receipt.return_status, receipt.reasons) == ("100", ("inspection.failed",))
    assert platform.history(p.order_no)[-1] == ("500", "100", ("inspection.failed",))
    assert platform.quota(BUYER_ID, 2026) == 0


@pytest.mark.parametrize(
    ("first", "after", "expected"),
    [
        pytest.param(timedelta(0), timedelta(hours=24, seconds=1), "100", id="older_than_24h_case"),
        pytest.param(timedelta(0), timedelta(hours=24), "120", id="exactly_24h_stays_case"),
        pytest.param(timedelta(0), timedelta(hours=23, minutes=59), "120", id="younger_stays_case"),
        pytest.param(
            # The order came 20 h before the inventory: the wait counts from the order.
            timedelta(hours=20),
            timedelta(hours=4, seconds=1),
            "100",
            id="counted_from_the_first_document_case",
        ),
    ],
)
def test_sweep_refuses_waits_past_24_hours(
    platform: Platform, first: timedelta, after: timedelta, expected: str
) -> None:
    p = Parcel(1)
    docs = import_docs(p)
    platform.send(docs["CEB311"])
    platform.clock.advance(first)
    platform.send(docs["CEB621"])
    platform.clock.advance(after)
    assert platform.sweep() == (1 if expected == "100" else 0)
    assert platform.status(p.order_no) == expected
    if expected == "100":
        assert platform.history(p.order_no)[-1] == (
            "120",
            "100",
            ("comparison.deadline_exceeded",),
        )


def test_cancel_refuses_and_gives_the_quota_back(platform: Platform) -> None:
    p, invt_no = _released(platform)
    platform.clock.advance(timedelta(hours=2))
    assert statuses(platform.send(cancel_623(p, invt_no))) == [("CEB623", "399", ())]
    assert platform.history(p.order_no)[-1] == ("800", "100", ("release.cancelled",))
    assert platform.quota(BUYER_ID, 2026) == 0


@pytest.mark.parametrize(
    ("after", "expected", "quota"),
    [
        pytest.param(timedelta(days=29), ("399", ()), 0, id="return_within_30_days_case"),
        pytest.param(timedelta(days=30), ("399", ()), 0, id="return_on_day_30_case"),
        pytest.param(
            timedelta(days=30, seconds=1),
            ("120", ("tax.return_window_passed",)),
            QUOTA,
            id="return_after_30_days_case",
        ),
    ],
)
def test_return_gives_the_quota_back_within_30_days(
    platform: Platform, after: timedelta, expected: tuple[str, tuple[str, ...]], quota: int
) -> None:
    p, invt_no = _released(platform)
    platform.clock.advance(after)
    assert statuses(platform.send(return_625(p, invt_no))) == [("CEB625", *expected)]
    assert platform.quota(BUYER_ID, 2026) == quota
    assert platform.status(p.order_no) == "800"


def _again(doc: Doc, app_type: str, **values: str) -> Doc:
    head = doc.head | {"appType": app_type, **values}
    head["guid"] = Doc(doc.message_type, doc.sender, {}).guid
    return Doc(doc.message_type, doc.sender, head, [dict(x) for x in doc.lines], head["guid"] or "")


@pytest.mark.parametrize(
    ("message_type", "app_type"),
    [
        pytest.param("CEB621", "2", id="modify_inventory_after_release_case"),
        pytest.param("CEB621", "3", id="delete_inventory_after_release_case"),
        pytest.param("CEB311", "2", id="modify_order_after_release_case"),
        pytest.param("CEB311", "3", id="delete_order_after_release_case"),
    ],
)
def test_modify_or_delete_after_release_is_refused(
    platform: Platform, message_type: str, app_type: str
) -> None:
    p = Parcel(1)
    docs = import_docs(p)
    platform.send_each(list(docs.values()))
    before = platform.counts()
    receipts = platform.send(_again(docs[message_type], app_type, buyerTelephone="13900000000"))
    assert statuses(receipts) == [(message_type, "100", ("declaration.modify_after_release",))]
    assert platform.status(p.order_no) == "800"
    after = platform.counts()
    # Only the message and its receipt are kept.
    assert {k: after[k] - before[k] for k in after} == {
        "messages": 1,
        "documents": 0,
        "inventories": 0,
        "transitions": 0,
        "receipts": 1,
        "tax_bills": 0,
        "quota_rows": 0,
    }


def test_refused_inventory_sent_again_as_new_is_compared_again(platform: Platform) -> None:
    p = Parcel(1)
    docs = import_docs(p)
    platform.send_each([docs["CEB311"], docs["CEB411"], docs["CEB511"]])
    wrong = _again(docs["CEB621"], "1", buyerName="王五")
    assert statuses(platform.send(wrong)) == [("CEB621", "100", ("comparison.buyer_mismatch",))]
    fixed = _again(docs["CEB621"], "1")
    assert statuses(platform.send(fixed)) == [("CEB621", "800", ())]
    assert [h[1] for h in platform.history(p.order_no)] == ["120", "100", "120", "800"]


def test_modify_while_waiting_is_stored_and_compared_later(platform: Platform) -> None:
    p = Parcel(1)
    docs = import_docs(p)
    platform.send(docs["CEB621"])
    changed = _again(docs["CEB621"], "2", buyerTelephone="13800000009")
    receipts = platform.send(changed)
    assert statuses(receipts) == [("CEB621", "120", tuple(MISSING.values()))]
    platform.send_each([docs["CEB311"], docs["CEB411"]])
    # The inventory as modified is compared: its telephone is not the order's.
    assert statuses(platform.send(docs["CEB511"])) == [("CEB511", "120", ())]
    assert platform.history(p.order_no)[-1] == ("120", "100", ("comparison.buyer_mismatch",))


@pytest.mark.parametrize(
    "message_type",
    [
        pytest.param("CEB311", id="duplicate_order_case"),
        pytest.param("CEB411", id="duplicate_payment_case"),
        pytest.param("CEB511", id="duplicate_waybill_case"),
        pytest.param("CEB621", id="duplicate_inventory_case"),
    ],
)
def test_duplicate_new_is_refused(platform: Platform, message_type: str) -> None:
    p = Parcel(1)
    docs = import_docs(p)
    platform.send_each(list(docs.values()))
    receipts = platform.send(_again(docs[message_type], "1"))
    assert statuses(receipts) == [(message_type, "100", ("declaration.duplicate",))]
    assert platform.status(p.order_no) == "800"


def test_temporary_save_is_not_compared_until_declared(platform: Platform) -> None:
    p = Parcel(1)
    docs = import_docs(p)
    platform.send_each([docs["CEB311"], docs["CEB411"], docs["CEB511"]])
    saved = _again(docs["CEB621"], "1", appStatus="1")
    assert statuses(platform.send(saved)) == [("CEB621", "1", ())]
    assert platform.history(p.order_no) == [("", "1", ())]
    assert platform.counts()["tax_bills"] == 0
    declared = _again(docs["CEB621"], "1", appStatus="2")
    assert statuses(platform.send(declared)) == [("CEB621", "800", ())]
    assert [h[1] for h in platform.history(p.order_no)] == ["1", "120", "800"]


def test_export_concluded_then_released_at_arrival_then_closed_at_departure(
    platform: Platform,
) -> None:
    p = Parcel(1)
    docs = export_docs(p)
    receipts = platform.send_each(list(docs.values()))
    assert statuses(receipts[-1]) == [("CEB603", "399", ())]
    arrival = platform.send(arrival_507([p.logistics_no], NOW))
    assert statuses(arrival) == [("CEB507", "120", ())]
    assert platform.status(p.order_no) == "800"
    departure = platform.send(departure_509([p.logistics_no], NOW))
    assert statuses(departure) == [("CEB509", "120", ())]
    assert [h[1] for h in platform.history(p.order_no)] == ["120", "399", "800", "899"]
    assert platform.counts()["tax_bills"] == 0


def test_export_arrival_first_releases_at_conclusion(platform: Platform) -> None:
    p = Parcel(1)
    platform.send(arrival_507([p.logistics_no], NOW))
    receipts = platform.send_each(list(export_docs(p).values()))
    assert statuses(receipts[-1]) == [("CEB603", "399", ())]
    assert [h[1] for h in platform.history(p.order_no)] == ["120", "399", "800"]


def test_export_departure_before_arrival_changes_nothing(platform: Platform) -> None:
    p = Parcel(1)
    platform.send_each(list(export_docs(p).values()))
    platform.send(departure_509([p.logistics_no], NOW))
    assert platform.status(p.order_no) == "399"


def test_export_selected_for_inspection_at_arrival(platform: Platform) -> None:
    platform.inspecting()
    p = Parcel(1)
    platform.send_each(list(export_docs(p).values()))
    platform.send(arrival_507([p.logistics_no], NOW))
    assert platform.history(p.order_no)[-1] == (
        "399",
        "500",
        ("risk.selected_for_inspection",),
    )
