"""Money the platform computes is integer fen; amounts written in documents stay Decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

Fen = int

_CENT = Decimal("0.01")


def yuan_to_fen(amount: Decimal) -> Fen:
    """Round a yuan amount half-up to the fen (the customs rounding of computed money)."""
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: Fen) -> Decimal:
    return (Decimal(fen) / 100).quantize(_CENT)


def format_yuan(fen: Fen) -> str:
    """Two decimals, as the CLI and API print money: 9282 -> "92.82"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
