"""Ingest: idempotent resubmission, guid reuse, sender rules and whole-message refusals.

Every refused message gets one receipt per business record (returnStatus 100 and the reason)
and stores nothing: the row counts of every table stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from tests.release.builders import (
    AGENT,
    EBC,
    EBP,
    LOGISTICS,
    NOW,
    OTHER,
    PAY,
    UNFILED,
    WAREHOUSE,
    Doc,
    Parcel,
    cancel_623,
    import_docs,
    order_311,
    render_message,
    return_625,
)
from tests.release.export_builders import arrival_507, departure_509, export_docs
from tests.release.harness import Keys, Platform, statuses

from singlewindow.message.signing import Signer, sign_document

NOTHING = {
    "messages": 0,
    "documents": 0,
    "inventories": 0,
    "transitions": 0,
    "receipts": 0,
    "tax_bills": 0,
    "quota_rows": 0,
}


def test_same_message_again_returns_the_original_receipts(platform: Platform) -> None:
    p = Parcel(1)
    docs = import_docs(p)
    signed = [platform.keys.sign(d) for d in docs.values()]
    first = [platform.submit(s) for s in signed]
    before = platform.counts()
    platform.clock.advance(timedelta(hours=1))
    again = [platform.submit(s) for s in signed]
    assert [[r.as_dict() for r in b] for b in again] == [[r.as_dict() for r in b] for b in first]
    assert platform.counts() == before


def test_receipt_time_is_china_standard_time_also_on_replay(platform: Platform) -> None:
    """returnTime is YYYYMMDDhhmmssfff in China Standard Time, as first sent and on replay."""
    signed = platform.keys.sign(order_311(Parcel(1)))
    first = platform.submit(signed)
    platform.clock.advance(timedelta(hours=1))
    again = platform.submit(signed)
    assert [r.time for r in first] == ["20260511093000000"]
    assert [r.time for r in again] == ["20260511093000000"]


def test_same_message_twice_in_one_batch_is_stored_once(platform: Platform) -> None:
    signed = platform.keys.sign(order_311(Parcel(1)))
    receipts = platform.submit(signed, signed)
    assert statuses(receipts) == [("CEB311", "120", ()), ("CEB311", "120", ())]
    assert (platform.counts()["messages"], platform.counts()["documents"]) == (1, 1)


@pytest.mark.parametrize(
    "same_batch",
    [pytest.param(False, id="guid_reused_later_case"), pytest.param(True, id="same_batch_case")],
)
def test_other_content_under_a_used_guid_is_refused(platform: Platform, same_batch: bool) -> None:
    first = order_311(Parcel(1))
    other = order_311(Parcel(2))
    other.guid = first.guid
    if same_batch:
        receipts = platform.send(first, other)
        assert statuses(receipts) == [
            ("CEB311", "120", ()),
            ("CEB311", "100", ("message.guid_reused",)),
        ]
        assert platform.counts()["documents"] == 1
        return
    platform.send(first)
    before = platform.counts()
    assert statuses(platform.send(other)) == [("CEB311", "100", ("message.guid_reused",))]
    assert platform.counts() == before


@dataclass(frozen=True)
class Sending:
    """How a test sends one document: its sender, signer, tampering and API key holder."""

    sender: str | None = None  # BaseTransfer/copCode (default: the document's own)
    signer: str | None = None  # whose filed key signs (default: the sender's); "rogue"; "none"
    submitter: str | None = None  # the enterprise of the HTTP API key (None: the platform)
    tamper: bool = False
    app_status: str | None = None


def _export(mt: str) -> Callable[[], Doc]:
    return lambda: export_docs(Parcel(1))[mt]


def _import(mt: str) -> Callable[[], Doc]:
    return lambda: import_docs(Parcel(1))[mt]


DOCS: dict[str, Callable[[], Doc]] = {
    "CEB311": _import("CEB311"),
    "CEB411": _import("CEB411"),
    "CEB511": _import("CEB511"),
    "CEB621": _import("CEB621"),
    "CEB623": lambda: cancel_623(Parcel(1), "4621202600000000001"[:18]),
    "CEB625": lambda: return_625(Parcel(1), "4621202600000000001"[:18]),
    "CEB303": _export("CEB303"),
    "CEB403": _export("CEB403"),
    "CEB505": _export("CEB505"),
    "CEB603": _export("CEB603"),
    "CEB507": lambda: arrival_507(["LN0000000001"], NOW),
    "CEB509": lambda: departure_509(["LN0000000001"], NOW),
}


WAITING_621 = (
    "comparison.order_missing",
    "comparison.payment_missing",
    "comparison.waybill_missing",
)


def _role(mt: str, sender: str, expected: str) -> object:
    """`expected` "refused" (sender.role_missing) or "accepted" (stored, 120)."""
    if expected == "refused":
        outcome: tuple[str, tuple[str, ...]] = ("100", ("sender.role_missing",))
    else:
        outcome = ("120", WAITING_621 if mt == "CEB621" else ())
    return pytest.param(mt, Sending(sender=sender), outcome, id=f"{mt}_from_{_NAME[sender]}_case")


_NAME = {
    EBP: "ebp",
    EBC: "ebc",
    PAY: "pay",
    LOGISTICS: "logistics",
    AGENT: "agent",
    WAREHOUSE: "warehouse",
}

SENDER_CASES = [
    pytest.param(
        "CEB311",
        Sending(sender=UNFILED, signer="rogue"),
        ("100", ("sender.not_filed",)),
        id="copcode_not_filed_case",
    ),
    # One row per type family: who may and who may not send it.
    _role("CEB311", PAY, "refused"),
    _role("CEB311", EBC, "accepted"),
    _role("CEB411", EBP, "refused"),
    _role("CEB511", EBC, "refused"),
    _role("CEB621", LOGISTICS, "refused"),
    _role("CEB621", EBC, "accepted"),
    _role("CEB623", PAY, "refused"),
    _role("CEB625", LOGISTICS, "refused"),
    _role("CEB303", PAY, "refused"),
    _role("CEB403", LOGISTICS, "refused"),
    _role("CEB403", EBC, "accepted"),
    _role("CEB505", EBP, "refused"),
    _role("CEB603", PAY, "refused"),
    _role("CEB507", EBC, "refused"),
    _role("CEB507", WAREHOUSE, "accepted"),
    _role("CEB509", WAREHOUSE, "refused"),
    pytest.param(
        "CEB311",
        Sending(submitter=OTHER),
        ("100", ("sender.not_key_holder",)),
        id="api_key_of_another_enterprise_case",
    ),
    pytest.param("CEB311", Sending(submitter=EBP), ("120", ()), id="api_key_of_the_sender_case"),
    pytest.param(
        "CEB311",
        Sending(signer="none"),
        ("100", ("sender.signature_required",)),
        id="declared_unsigned_case",
    ),
    pytest.param(
        "CEB311",
        Sending(signer="none", app_status="1"),
        ("1", ()),
        id="temporary_save_unsigned_accepted_case",
    ),
    pytest.param(
        "CEB311",
        Sending(signer="rogue"),
        ("100", ("sender.certificate_not_filed",)),
        id="certificate_not_filed_case",
    ),
    pytest.param(
        "CEB311",
        Sending(signer=PAY),
        ("100", ("sender.certificate_not_filed",)),
        id="certificate_of_another_enterprise_case",
    ),
    pytest.param(
        "CEB311",
        Sending(tamper=True),
        ("100", ("signature.digest_mismatch",)),
        id="byte_changed_after_signing_case",
    ),
]


def _prepare(keys: Keys, mt: str, how: Sending) -> bytes:
    doc = DOCS[mt]()
    if how.app_status:
        doc.head["appStatus"] = how.app_status
    if how.sender:
        doc.sender = how.sender
    data = doc.render()
    if how.signer == "none":
        return data
    signer: Signer = keys.rogue if how.signer == "rogue" else keys.signers[how.signer or doc.sender]
    signed = keys.sign(doc, signer=signer)
    assert signed.startswith(data[: data.index(b"<ceb:BaseTransfer>")])
    if how.tamper:
        signed = signed.replace(b"<ceb:freight>10.00<", b"<ceb:freight>10.01<", 1)
    return signed


@pytest.mark.parametrize(("message_type", "how", "expected"), SENDER_CASES)
def test_sender_rules(
    platform: Platform, message_type: str, how: Sending, expected: tuple[str, tuple[str, ...]]
) -> None:
    data = _prepare(platform.keys, message_type, how)
    before = platform.counts()
    receipts = platform.submit(data, submitter=how.submitter)
    assert statuses(receipts) == [(message_type, *expected)]
    after = platform.counts()
    if expected[0] == "100":
        assert after == before
        assert receipts[0].return_info != ""
    else:
        assert after["messages"] == before["messages"] + 1


def _records(count: int) -> tuple[list[Doc], str]:
    docs = [order_311(Parcel(n)) for n in range(1, count + 1)]
    return docs, docs[0].guid


def test_a_refused_message_gets_one_receipt_per_record(platform: Platform) -> None:
    docs, guid = _records(3)
    data = render_message("CEB311", guid, [(d.head, d.lines) for d in docs], UNFILED)
    receipts = platform.submit(data)
    assert [(r.guid, r.return_status, r.reasons) for r in receipts] == [
        (d.guid, "100", ("sender.not_filed",)) for d in docs
    ]
    assert [r.keys["orderNo"] for r in receipts] == [d.head["orderNo"] for d in docs]
    assert platform.counts() == NOTHING


def test_hostile_doctype_gets_one_receipt(platform: Platform) -> None:
    data = order_311(Parcel(1)).render()
    hostile = data.replace(b"?>\n", b'?>\n<!DOCTYPE x [<!ENTITY e "boom">]>\n', 1)
    receipts = platform.submit(hostile)
    assert [(r.return_status, r.reasons) for r in receipts] == [("100", ("hostile.doctype",))]
    assert platform.counts() == NOTHING


def test_format_invalid_with_three_records_gets_three_receipts(platform: Platform) -> None:
    docs, guid = _records(3)
    del docs[1].head["buyerName"]  # required
    data = render_message("CEB311", guid, [(d.head, d.lines) for d in docs], EBP)
    receipts = platform.submit(data)
    assert len(receipts) == 3
    assert [r.guid for r in receipts] == [d.guid for d in docs]
    assert {r.return_status for r in receipts} == {"100"}
    assert {r.reasons for r in receipts} == {("format.missing",)}
    assert platform.counts() == NOTHING


def test_unknown_code_in_one_record_of_two_refuses_only_that_record(
    platform: Platform,
) -> None:
    docs, guid = _records(2)
    docs[1].head["currency"] = "999"
    data = render_message("CEB311", guid, [(d.head, d.lines) for d in docs], EBP)
    receipts = platform.submit(sign_document(data, platform.keys.signers[EBP]))
    assert [(r.guid, r.return_status, r.reasons) for r in receipts] == [
        (docs[0].guid, "120", ()),
        (docs[1].guid, "100", ("code.unknown",)),
    ]
    counts = platform.counts()
    assert (counts["messages"], counts["documents"], counts["receipts"]) == (1, 1, 2)
