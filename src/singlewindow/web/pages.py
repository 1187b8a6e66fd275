"""The console's pages: sign-in at `/`, dashboard, inventories, summaries, registry, and its
own static files (plotly.js comes from the installed plotly package, never a CDN)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from singlewindow.auth import service as auth_service
from singlewindow.auth.domain import Principal
from singlewindow.db.dependencies import NowDep, SessionDep
from singlewindow.kit.errors import NotFound
from singlewindow.registry import service as registry_service
from singlewindow.release import views
from singlewindow.web import dashboard, inventory_search, summaries
from singlewindow.web.i18n import translator
from singlewindow.web.signin import SignedInDep, VisitorDep, forget_key, remember_key
from singlewindow.web.templating import SUMMARY_ROLES, here_with, render, request_lang

router = APIRouter(include_in_schema=False)

_STATIC = Path(__file__).parent / "static"
_OWN_STATIC = {"console.css": "text/css", "console.js": "text/javascript"}
PLOTLY_URL = f"/static/plotly-{version('plotly')}.min.js"
_FORM_LIMIT = 4096
_REGISTRY_PAGE = 50
# Status codes an inventory can be in, for the search's choice list (SPEC §3.1).
_STATUSES = ("120", "100", "399", "500", "800", "899")


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form body, small by construction (a sign-in form holds one key)."""
    body = await request.body()
    if len(body) > _FORM_LIMIT:
        raise HTTPException(status_code=413)
    return dict(parse_qsl(body.decode("utf-8", "replace"), max_num_fields=10))


FormDep = Annotated[dict[str, str], Depends(_form)]


def _not_found(request: Request, principal: Principal, error: NotFound) -> Response:
    return render(request, "error.html", principal, status_code=404, problems=error.problems)


@router.get("/")
def home(request: Request, session: SessionDep, visitor: VisitorDep, now: NowDep) -> Response:
    """Signed in: the dashboard. Anyone else: the sign-in page (Chinese unless asked)."""
    if visitor is None:
        return render(request, "signin.html", None, error=False)
    lang = request_lang(request)
    board = dashboard.load(session, visitor, now=now, lang=lang, t=translator(lang))
    return render(
        request,
        "dashboard.html",
        visitor,
        active="nav.dashboard",
        board=board,
        charts_json=board.charts_payload() if board else [],
        plotly=PLOTLY_URL,
    )


@router.get("/signin")
def signin_page(request: Request, visitor: VisitorDep) -> Response:
    if visitor is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, "signin.html", None, error=False)


@router.post("/signin")
def signin(request: Request, session: SessionDep, form: FormDep) -> Response:
    key = form.get("key", "").strip()
    principal = auth_service.authenticate(session, key)
    if principal is None:
        return render(request, "signin.html", None, status_code=401, error=True)
    response = RedirectResponse("/", status_code=303)
    remember_key(request, response, key)
    return response


@router.post("/signout")
def signout(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    forget_key(request, response)
    return response


@router.get("/console/inventories")
def inventories(
    request: Request,
    session: SessionDep,
    principal: SignedInDep,
    invt_no: Annotated[str, Query(alias="invtNo", max_length=30)] = "",
    order_no: Annotated[str, Query(alias="orderNo", max_length=60)] = "",
    ebc_code: Annotated[str, Query(alias="ebcCode", max_length=18)] = "",
    status: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    wanted = inventory_search.InventoryFilter(
        invt_no.strip(), order_no.strip(), ebc_code.strip(), status.strip()
    )
    found = inventory_search.search_inventories(session, principal, wanted, page=page)
    return render(
        request,
        "inventories.html",
        principal,
        active="nav.inventories",
        wanted=wanted,
        found=found,
        statuses=_STATUSES,
        page_href=lambda n: here_with(request, page=n),
    )


def _inventory_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    **key: str,
) -> Response:
    try:
        inventory = views.get_inventory(session, principal, **key)
    except NotFound as error:
        return _not_found(request, principal, error)
    documents = inventory_search.linked_documents(session, principal, **key)
    return render(
        request,
        "inventory.html",
        principal,
        active="nav.inventories",
        inv=inventory,
        documents=documents,
    )


@router.get("/console/inventories/{invt_no}")
def inventory(
    request: Request, session: SessionDep, principal: SignedInDep, invt_no: str
) -> Response:
    return _inventory_page(request, session, principal, invt_no=invt_no)


@router.get("/console/orders/{ebp_code}/{order_no}")
def inventory_by_order(
    request: Request, session: SessionDep, principal: SignedInDep, ebp_code: str, order_no: str
) -> Response:
    """An inventory not yet numbered (still waiting for documents), by its platform and order."""
    return _inventory_page(request, session, principal, ebp_code=ebp_code, order_no=order_no)


def _summary_reader(principal: SignedInDep) -> Principal:
    if principal.role not in SUMMARY_ROLES:
        raise HTTPException(status_code=303, headers={"Location": "/"})
    return principal


SummaryReaderDep = Annotated[Principal, Depends(_summary_reader)]


@router.get("/console/summaries")
def summary_list(
    request: Request,
    session: SessionDep,
    principal: SummaryReaderDep,
    now: NowDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    listing = summaries.list_for(session, principal, now=now, page=page)
    return render(
        request,
        "summaries.html",
        principal,
        active="nav.summaries",
        listing=listing,
        page=page,
        has_next=len(listing["summaries"]) == summaries.PAGE_SIZE,
        page_href=lambda n: here_with(request, page=n),
    )


@router.get("/console/summaries/{sum_no}")
def summary_detail(
    request: Request, session: SessionDep, principal: SummaryReaderDep, sum_no: str
) -> Response:
    try:
        detail = summaries.get_for(session, principal, sum_no)
    except NotFound as error:
        return _not_found(request, principal, error)
    return render(request, "summary.html", principal, active="nav.summaries", detail=detail)


@router.get("/console/registry")
def registry(
    request: Request,
    session: SessionDep,
    principal: SignedInDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Filed enterprises and commodities; an enterprise sees its own filing only."""
    own = principal.enterprise_code if principal.is_enterprise else None
    offset = (page - 1) * _REGISTRY_PAGE
    enterprises = registry_service.list_enterprises(
        session, only_code=own, limit=_REGISTRY_PAGE, offset=offset
    )
    commodities = registry_service.list_commodities(
        session, ebc_code=own, limit=_REGISTRY_PAGE, offset=offset
    )
    return render(
        request,
        "registry.html",
        principal,
        active="nav.registry",
        enterprises=enterprises,
        commodities=commodities,
        page=page,
        has_next=len(enterprises) == _REGISTRY_PAGE or len(commodities) == _REGISTRY_PAGE,
        page_href=lambda n: here_with(request, page=n),
    )


@router.get("/static/console/{name}")
def own_static(name: str) -> Response:
    media_type = _OWN_STATIC.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    return FileResponse(
        _STATIC / name, media_type=media_type, headers={"Cache-Control": "no-cache"}
    )


@router.get(PLOTLY_URL)
def plotly_js() -> Response:
    """plotly.js as bundled in the installed plotly package; the URL names its version, so
    browsers may keep it for a year."""
    return FileResponse(
        dashboard.plotly_js_path(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
