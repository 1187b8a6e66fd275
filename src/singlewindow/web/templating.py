"""Jinja2 over the console's templates (autoescaped), and the page chrome every page shares."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from singlewindow.auth.domain import AgencyRole, Principal
from singlewindow.kit.clock import CST
from singlewindow.web.i18n import LANG_NAMES, STRINGS, Lang, other_lang, pick_lang, translator
from singlewindow.web.signin import LANG_COOKIE, remember_lang

_env = Environment(
    loader=PackageLoader("singlewindow.web", "templates"),
    autoescape=select_autoescape(["html"], default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _local_time(value: datetime | str | None) -> str:
    """Times are shown on the zone's clock (CST), to the second."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")


def _pretty_json(value: object) -> str:
    # Plain text: autoescaping makes it safe inside the page.
    return json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True)


_env.filters["local_time"] = _local_time
_env.filters["pretty_json"] = _pretty_json

# Scripts only from this origin (plotly.js is served by the platform itself); plotly sets
# inline styles on the SVG it draws, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    href: str


_NAV = (
    NavItem("nav.dashboard", "/"),
    NavItem("nav.inventories", "/console/inventories"),
    NavItem("nav.summaries", "/console/summaries"),
    NavItem("nav.registry", "/console/registry"),
)
# Who sees summaries: the sellers that declare them and the agencies that act on them.
SUMMARY_ROLES = frozenset(
    {
        AgencyRole.ZONE_ADMIN,
        AgencyRole.CUSTOMS,
        AgencyRole.TAX,
        AgencyRole.STATISTICS,
        AgencyRole.COMMERCE,
        AgencyRole.ENTERPRISE,
    }
)


def nav_for(principal: Principal | None) -> list[NavItem]:
    if principal is None:
        return []
    return [n for n in _NAV if n.key != "nav.summaries" or principal.role in SUMMARY_ROLES]


def here_with(request: Request, **params: str | int) -> str:
    """This page's path and query with `params` replaced: a same-site, relative link."""
    query = {**request.query_params, **{k: str(v) for k, v in params.items()}}
    return f"{request.url.path}?{urlencode(query)}"


def request_lang(request: Request) -> Lang:
    return pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    active: str = "",
    **context: Any,
) -> HTMLResponse:
    lang = request_lang(request)
    switch_to = other_lang(lang)
    t = translator(lang)
    html = _env.get_template(template).render(
        t=t,
        status_name=lambda code: t(f"status.{code}") if f"status.{code}" in STRINGS else "",
        lang=lang.value,
        html_lang="zh-CN" if lang is Lang.ZH else "en",
        switch_href=here_with(request, lang=switch_to.value),
        switch_label=LANG_NAMES[switch_to],
        principal=principal,
        nav=nav_for(principal),
        active=active,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code, headers=_HEADERS)
    chosen = request.query_params.get("lang")
    if chosen and chosen == lang.value and request.cookies.get(LANG_COOKIE) != chosen:
        remember_lang(request, response, chosen)
    return response
