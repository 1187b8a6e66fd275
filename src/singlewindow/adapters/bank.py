"""Payment verification with the paying bank or payment enterprise (支付核验), as a port.

`PaymentVerifier` asks whether a payment transaction (CEB411 payTransactionId) was made by the
payer named, for the amount declared. `HttpPaymentVerifier` is the real client;
`InMemoryBank` is the in-process fake for tests and demos. Amounts are the document's exact
decimals, sent as strings so no float ever rounds them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from singlewindow.adapters.transport import (
    UNANSWERED,
    JsonEndpoint,
    timeout_from_env,
    verdict_of,
)

AGENCY = "bank"
PATH = "/payment-verifications"
URL_ENV = "SINGLEWINDOW_BANK_URL"


@dataclass(frozen=True, slots=True)
class PaymentQuery:
    """The CEB411 facts a bank can confirm (names as in the standard, snake_case)."""

    pay_code: str
    pay_transaction_id: str
    amount_paid: Decimal
    payer_id_type: str
    payer_id_number: str
    payer_name: str


@dataclass(frozen=True, slots=True)
class PaymentCheck:
    verified: bool
    reason_code: str | None = None

    @property
    def is_unanswered(self) -> bool:
        code = self.reason_code or ""
        return code.startswith(f"{AGENCY}.") and code.removeprefix(f"{AGENCY}.") in UNANSWERED


class PaymentVerifier(Protocol):
    def verify(self, query: PaymentQuery) -> PaymentCheck: ...


class HttpPaymentVerifier:
    """POST `{base_url}/payment-verifications` with the query in the standard's camelCase names;
    the answer is `{"verified": bool, "reason": str | null}`."""

    def __init__(self, base_url: str, timeout: float = 2.0) -> None:
        self._endpoint = JsonEndpoint(base_url.rstrip("/") + PATH, timeout)

    def verify(self, query: PaymentQuery) -> PaymentCheck:
        exchange = self._endpoint.post(
            {
                "payCode": query.pay_code,
                "payTransactionId": query.pay_transaction_id,
                "amountPaid": str(query.amount_paid),
                "payerIdType": query.payer_id_type,
                "payerIdNumber": query.payer_id_number,
                "payerName": query.payer_name,
            }
        )
        verified, reason = verdict_of(exchange, AGENCY)
        return PaymentCheck(verified, reason)

    def close(self) -> None:
        self._endpoint.close()


def verifier_from_env(environ: Mapping[str, str] | None = None) -> HttpPaymentVerifier | None:
    """The HTTP verifier when `SINGLEWINDOW_BANK_URL` is set, else None."""
    env = os.environ if environ is None else environ
    url = env.get(URL_ENV, "").strip()
    return HttpPaymentVerifier(url, timeout_from_env(env)) if url else None


@dataclass(frozen=True, slots=True)
class BookedPayment:
    amount_paid: Decimal
    payer_id_number: str
    payer_name: str


class InMemoryBank:
    """A bank that knows the payments booked into it, keyed by (payCode, payTransactionId)."""

    def __init__(self, booked: dict[tuple[str, str], BookedPayment] | None = None) -> None:
        self.booked = dict(booked or {})

    def book(self, pay_code: str, pay_transaction_id: str, payment: BookedPayment) -> None:
        self.booked[(pay_code, pay_transaction_id)] = payment

    def verify(self, query: PaymentQuery) -> PaymentCheck:
        payment = self.booked.get((query.pay_code, query.pay_transaction_id))
        if payment is None:
            return PaymentCheck(False, f"{AGENCY}.transaction_unknown")
        if payment.amount_paid != query.amount_paid:
            return PaymentCheck(False, f"{AGENCY}.amount_mismatch")
        if (payment.payer_id_number, payment.payer_name) != (
            query.payer_id_number,
            query.payer_name,
        ):
            return PaymentCheck(False, f"{AGENCY}.payer_mismatch")
        return PaymentCheck(True)
