"""Check characters of the identifiers the zone hands out, used here only to generate valid ones.

The check characters themselves are the registry's (`registry.rules`), which validates them on
filing; this module makes codes that pass them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from singlewindow.registry.rules import (
    ID_CHECK_CHARS,
    USCC_CHARSET,
    id_check_char,
    uscc_check_char,
)

__all__ = ["id_check_char", "uscc_check_char"]

# GB 11714 organisation code embedded at positions 9-17 carries its own check character.
_ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check_char(first8: str) -> str:
    total = sum(_ORG_CHARSET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def make_uscc(rng: random.Random, region: str) -> str:
    """An enterprise's code: registered by market regulation (9), a company (1), in `region`."""
    while True:
        body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        check = org_code_check_char(body)
        # The org-code check may be X, which is fine; positions 9-17 stay within the USCC set.
        if check in USCC_CHARSET:
            first17 = "91" + region + body + check
            return first17 + uscc_check_char(first17)


def make_id_number(rng: random.Random, region: str, born: date) -> str:
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1, 1000):03d}"
    return first17 + id_check_char(first17)


def with_wrong_check(id_number: str) -> str:
    """The same number with a check character that does not match (a typing slip)."""
    right = id_number[17]
    wrong = ID_CHECK_CHARS[(ID_CHECK_CHARS.index(right) + 3) % 11]
    return id_number[:17] + wrong


def random_birth_date(rng: random.Random, *, oldest: date, youngest: date) -> date:
    return oldest + timedelta(days=rng.randrange((youngest - oldest).days + 1))
