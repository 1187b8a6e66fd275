"""Users and their API keys: a key is shown once and stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.orm import Session

from singlewindow.audit import service as audit
from singlewindow.audit.domain import Action
from singlewindow.auth import repository
from singlewindow.auth.domain import AgencyRole, Principal
from singlewindow.kit.clock import Clock, system_clock
from singlewindow.kit.errors import DomainError

KEY_PREFIX = "sw_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def add_user(
    session: Session,
    role: AgencyRole,
    name: str,
    enterprise_code: str | None,
    *,
    clock: Clock = system_clock,
) -> tuple[Principal, str]:
    """Create a user with a new API key; returns the principal and the key in plain text.

    An enterprise user belongs to a filed enterprise; an officer belongs to none.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise DomainError.of(
            "auth.name_invalid",
            "用户名称应为1至100个字符",
            "a user name is 1 to 100 characters",
            path="name",
        )
    if role is AgencyRole.ENTERPRISE:
        if not enterprise_code:
            raise DomainError.of(
                "auth.enterprise_required",
                "企业用户须指定已备案企业",
                "an enterprise user needs the code of a filed enterprise",
                path="enterprise",
            )
        if not repository.is_filed_enterprise(session, enterprise_code):
            raise DomainError.of(
                "auth.enterprise_not_filed",
                "企业未备案",
                "no enterprise is filed under this code",
                path="enterprise",
            )
    elif enterprise_code:
        raise DomainError.of(
            "auth.enterprise_for_officer",
            "机关用户不属于企业",
            "an agency user belongs to no enterprise",
            path="enterprise",
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)  # 32 random bytes
    row = repository.insert_user(
        session,
        name=name,
        role=role.value,
        enterprise_code=enterprise_code or None,
        key_hash=hash_key(key),
        created_at=clock(),
    )
    audit.record(
        session,
        actor="operator",
        action=Action.USER_ADD,
        subject=f"user:{row.id}",
        details={"role": role.value, "name": name, "enterprise": enterprise_code},
        at=clock(),
    )
    return Principal(row.id, role, name, row.enterprise_code), key


def authenticate(session: Session, key: str) -> Principal | None:
    if not key:
        return None
    row = repository.find_by_key_hash(session, hash_key(key))
    if row is None:
        return None
    return Principal(row.id, AgencyRole(row.role), row.name, row.enterprise_code)
