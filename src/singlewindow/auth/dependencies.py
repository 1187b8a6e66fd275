"""FastAPI dependencies: the caller's principal from `X-API-Key`, and role guards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader

from singlewindow.auth import service
from singlewindow.auth.domain import AgencyRole, Principal, Unauthenticated
from singlewindow.db.dependencies import SessionDep
from singlewindow.kit.errors import Forbidden

API_KEY_HEADER = "X-API-Key"

_api_key = APIKeyHeader(name=API_KEY_HEADER, auto_error=False)


def get_principal(session: SessionDep, key: Annotated[str | None, Depends(_api_key)]) -> Principal:
    principal = service.authenticate(session, key or "")
    if principal is None:
        raise Unauthenticated.of(
            "auth.key_invalid",
            "缺少或无效的API密钥（X-API-Key）",
            "missing or invalid API key (X-API-Key)",
            path=API_KEY_HEADER,
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_role(*roles: AgencyRole) -> Callable[[Principal], Principal]:
    """A dependency that lets only the given roles through (403 otherwise)."""
    allowed = frozenset(roles)

    def guard(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise Forbidden.of(
                "auth.role_forbidden",
                "当前角色无权执行此操作",
                "this role may not do this",
            )
        return principal

    return guard
