"""Who is looking at the console: the API key in an HttpOnly cookie, checked on every page.

The cookie is SameSite=Strict, so a form posted from another site arrives without it; with
every state change being a POST, that stands in for CSRF tokens for now.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response

from singlewindow.auth import service as auth_service
from singlewindow.auth.domain import Principal
from singlewindow.db.dependencies import SessionDep

KEY_COOKIE = "sw_key"
LANG_COOKIE = "sw_lang"
_YEAR_SECONDS = 365 * 24 * 3600
_SESSION_SECONDS = 12 * 3600  # an officer's working day; the key itself never expires here


def find_principal(request: Request, session: SessionDep) -> Principal | None:
    return auth_service.authenticate(session, request.cookies.get(KEY_COOKIE, ""))


def require_principal(
    principal: Annotated[Principal | None, Depends(find_principal)],
) -> Principal:
    """A page for signed-in users: anyone else is sent to the sign-in page at `/`."""
    if principal is None:
        raise HTTPException(status_code=303, headers={"Location": "/"})
    return principal


VisitorDep = Annotated[Principal | None, Depends(find_principal)]
SignedInDep = Annotated[Principal, Depends(require_principal)]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def remember_key(request: Request, response: Response, key: str) -> None:
    response.set_cookie(
        KEY_COOKIE,
        key,
        max_age=_SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )


def forget_key(request: Request, response: Response) -> None:
    response.delete_cookie(
        KEY_COOKIE, httponly=True, samesite="strict", secure=_secure(request), path="/"
    )


def remember_lang(request: Request, response: Response, lang: str) -> None:
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=_YEAR_SECONDS,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
