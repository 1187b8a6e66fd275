"""The public-security identity check, as a port: buyers' IDs are verified at clearance."""

from __future__ import annotations

from typing import Protocol

from singlewindow.registry import rules
from singlewindow.registry.domain import IdentityResult, IdType


class IdentityChecker(Protocol):
    def check(self, id_type: str, id_number: str, name: str) -> IdentityResult: ...


class LocalCheckDigitIdentity:
    """Checks what can be checked without the public-security interface: the shape and the
    GB 11643 check character of a resident ID number. It cannot tell whether the name matches."""

    def check(self, id_type: str, id_number: str, name: str) -> IdentityResult:
        if id_type not in {t.value for t in IdType}:
            return IdentityResult(False, "registry.id_type_unknown")
        if not name.strip():
            return IdentityResult(False, "registry.field_required")
        rule = rules.id_number_problem(IdType(id_type), rules.normalize_id_number(id_number))
        return IdentityResult(rule is None, rule)
