"""Refusals made before any route: a URL whose path or query holds a NUL character.

No identifier, code or name the API looks up can hold NUL, and PostgreSQL refuses it in a
bound text parameter; so it is refused here, with a coded error, for every route at once.
"""

from __future__ import annotations

from dataclasses import replace

import orjson

from singlewindow.api.ratelimit import ASGIApp, Receive, Scope, Send
from singlewindow.kit.errors import Problem

NUL_IN_URL = Problem(
    "request.nul_character",
    "请求地址或查询参数含有空字符(NUL)",
    "the request path or query holds a NUL character, which no field may hold",
)


def url_has_nul(scope: Scope) -> str:
    """'path' or 'query' when that part of the URL holds NUL (raw or as %00), else ''."""
    if "\x00" in scope.get("path", ""):
        return "path"
    query: bytes = scope.get("query_string", b"")
    if b"\x00" in query or b"%00" in query:
        return "query"
    return ""


class NulGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        where = url_has_nul(scope) if scope["type"] == "http" else ""
        if not where:
            await self.app(scope, receive, send)
            return
        body = orjson.dumps({"errors": [replace(NUL_IN_URL, path=where).as_dict()]})
        await send(
            {
                "type": "http.response.start",
                "status": 422,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
