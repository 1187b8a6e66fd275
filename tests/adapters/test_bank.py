"""Payment verification: the HTTP client against a local stub bank, and the in-process fake."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from tests.adapters.stub import Reply, closed_port_url, json_reply, stub_server

from singlewindow.adapters.bank import (
    BookedPayment,
    HttpPaymentVerifier,
    InMemoryBank,
    PaymentCheck,
    PaymentQuery,
    PaymentVerifier,
)

QUERY = PaymentQuery(
    pay_code="4403169D3W",
    pay_transaction_id="2026051100001",
    amount_paid=Decimal("299.50000"),
    payer_id_type="1",
    payer_id_number="110101199003074514",
    payer_name="张三",
)
BOOKED = BookedPayment(Decimal("299.5"), "110101199003074514", "张三")


def _with(**changes: Any) -> PaymentQuery:
    return dataclasses.replace(QUERY, **changes)


def _bank_answering(fake: InMemoryBank) -> Callable[[str, dict[str, Any]], Reply]:
    """A stub bank whose answers come from the fake, so both must agree on every case."""

    def answer(path: str, body: dict[str, Any]) -> Reply:
        check = fake.verify(
            PaymentQuery(
                body["payCode"],
                body["payTransactionId"],
                Decimal(body["amountPaid"]),
                body["payerIdType"],
                body["payerIdNumber"],
                body["payerName"],
            )
        )
        reason = (check.reason_code or "").removeprefix("bank.") or None
        return json_reply({"verified": check.verified, "reason": reason})

    return answer


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(QUERY, PaymentCheck(True), id="verified_case"),
        pytest.param(
            _with(amount_paid=Decimal("299.51")),
            PaymentCheck(False, "bank.amount_mismatch"),
            id="amount_mismatch_case",
        ),
        pytest.param(
            _with(payer_name="李四"), PaymentCheck(False, "bank.payer_mismatch"), id="payer_case"
        ),
        pytest.param(
            _with(payer_id_number="110101199003070000"),
            PaymentCheck(False, "bank.payer_mismatch"),
            id="payer_id_case",
        ),
        pytest.param(
            _with(pay_transaction_id="nope"),
            PaymentCheck(False, "bank.transaction_unknown"),
            id="unknown_transaction_case",
        ),
    ],
)
def test_http_client_and_fake_agree(query: PaymentQuery, expected: PaymentCheck) -> None:
    fake = InMemoryBank({(QUERY.pay_code, QUERY.pay_transaction_id): BOOKED})
    with stub_server(_bank_answering(fake)) as stub:
        verifier: PaymentVerifier = HttpPaymentVerifier(stub.url, timeout=1.0)
        over_http = verifier.verify(query)
    assert (over_http, fake.verify(query)) == (expected, expected)
    path, body = stub.seen[0]
    assert path == "/payment-verifications"
    assert body == {
        "payCode": query.pay_code,
        "payTransactionId": query.pay_transaction_id,
        "amountPaid": str(query.amount_paid),
        "payerIdType": "1",
        "payerIdNumber": query.payer_id_number,
        "payerName": query.payer_name,
    }


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        pytest.param(Reply(200, b'{"verified": true}', delay=1.0), "bank.timeout", id="slow_case"),
        pytest.param(json_reply({}, status=500), "bank.bad_status", id="server_error_case"),
        pytest.param(Reply(200, b"OK"), "bank.malformed_answer", id="not_json_case"),
        pytest.param(json_reply({"ok": 1}), "bank.malformed_answer", id="no_verified_case"),
    ],
)
def test_failed_exchanges_are_coded_and_unanswered(reply: Reply, code: str) -> None:
    with stub_server(lambda path, body: reply) as stub:
        check = HttpPaymentVerifier(stub.url, timeout=0.2).verify(QUERY)
    assert (check, check.is_unanswered) == (PaymentCheck(False, code), True)


def test_unreachable_bank() -> None:
    check = HttpPaymentVerifier(closed_port_url(), timeout=0.5).verify(QUERY)
    assert (check, check.is_unanswered) == (PaymentCheck(False, "bank.unreachable"), True)


def test_a_refusal_is_answered() -> None:
    fake = InMemoryBank()
    fake.book(QUERY.pay_code, QUERY.pay_transaction_id, BOOKED)
    assert fake.verify(QUERY) == PaymentCheck(True)
    refused = fake.verify(_with(amount_paid=Decimal("1")))
    assert (refused.verified, refused.is_unanswered) == (False, False)
