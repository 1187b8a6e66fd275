"""App assembly: engine and sessions on `app.state`, error mapping, and the mounted routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from singlewindow.api.guards import NulGuardMiddleware
from singlewindow.api.ratelimit import RateLimitMiddleware, buckets_from_env
from singlewindow.auth.domain import Unauthenticated
from singlewindow.db.analyze import Analyzer
from singlewindow.db.migrate import ensure_schema
from singlewindow.db.session import Checkpointer, make_engine, make_sessionmaker
from singlewindow.kit.admission import BUSY, RETRY_AFTER_S, Admission, Busy
from singlewindow.kit.clock import Clock, system_clock
from singlewindow.kit.collector import settle_after_start
from singlewindow.kit.errors import DomainError, Forbidden, NotFound, Problem
from singlewindow.message.schema import validator
from singlewindow.registry.routes import router as registry_router
from singlewindow.release.context import load_reference_data
from singlewindow.release.routes import router as clearance_router
from singlewindow.statistics.routes import router as statistics_router
from singlewindow.summary.routes import router as summary_router
from singlewindow.web.pages import router as console_router

health_router = APIRouter(tags=["health"])


@health_router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


# Every capability's routes, mounted in this order. Append new routers here.
ROUTERS: list[APIRouter] = [
    health_router,
    registry_router,
    clearance_router,
    console_router,
    summary_router,
    statistics_router,
]

# Most specific first: Unauthenticated, NotFound and Forbidden are DomainErrors too.
_STATUS: list[tuple[type[DomainError], int]] = [
    (Unauthenticated, 401),
    (NotFound, 404),
    (Forbidden, 403),
    (Busy, 503),
    (DomainError, 422),
]


def status_of(error: DomainError) -> int:
    return next(status for kind, status in _STATUS if isinstance(error, kind))


_HEADERS = {401: {"WWW-Authenticate": "APIKey"}, 503: {"Retry-After": str(RETRY_AFTER_S)}}


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = status_of(error)
    headers = _HEADERS.get(status)
    body = {"errors": [p.as_dict() for p in error.problems]}
    return JSONResponse(body, status_code=status, headers=headers)


# Refusals made by the framework itself (no route, wrong method, body too large ...) carry the
# same coded shape as the domain's: {"errors": [{code, message_zh, message_en, ...}]}.
_HTTP_PROBLEMS: dict[int, tuple[str, str, str]] = {
    400: ("http.body_unreadable", "请求体无法解析", "the request body could not be parsed"),
    404: ("http.not_found", "没有这个地址", "no such resource"),
    405: ("http.method_not_allowed", "该地址不支持此方法", "method not allowed on this resource"),
    413: ("http.too_large", "请求体过大", "request body too large"),
}


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code < 400:  # the console's redirects (303 with Location)
        return await http_exception_handler(request, error)
    code, zh, en = _HTTP_PROBLEMS.get(
        error.status_code,
        (f"http.status_{error.status_code}", "请求被拒绝", f"refused ({error.status_code})"),
    )
    body = {"errors": [Problem(code, zh, en).as_dict()]}
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    """A body, path or query the route's declared types refuse: one coded problem per error."""
    assert isinstance(error, RequestValidationError)
    problems = [
        Problem(
            "request.invalid",
            "请求参数或请求体不符合要求",
            str(e.get("msg", "invalid")),
            path="/".join(str(part) for part in e.get("loc", ())),
        )
        for e in error.errors()
    ] or [Problem("request.invalid", "请求参数或请求体不符合要求", "invalid request")]
    return JSONResponse({"errors": [p.as_dict() for p in problems]}, status_code=422)


async def _pool_exhausted(_request: Request, _error: Exception) -> JSONResponse:
    """No database connection came free in time: the same answer as a full admission queue."""
    return JSONResponse({"errors": [BUSY.as_dict()]}, status_code=503, headers=_HEADERS[503])


def serving_app() -> FastAPI:
    """The app a server process runs (`singlewindow serve`): every message schema compiled and
    the garbage collector settled once it is built (kit.collector)."""
    app = create_app(background_checkpoint=True)
    validator("CEB311")  # compiles all message types' schemas, before any request
    settle_after_start()
    return app


def create_app(
    *,
    database_url: str | None = None,
    clock: Clock | None = None,
    background_checkpoint: bool = False,
) -> FastAPI:
    """The HTTP API. On SQLite an empty database is migrated at creation; a server database
    is migrated by `singlewindow db upgrade`. `background_checkpoint` (a serving process): on
    SQLite, the WAL is folded by a thread of the app's own (`db.session.Checkpointer`), not by
    commits; on PostgreSQL, a thread keeps the planner's statistics up with fast-growing tables
    (`db.analyze.Analyzer`)."""
    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":
        ensure_schema(engine, [load_reference_data])
    checkpointer = Checkpointer(engine)
    analyzer = Analyzer(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if background_checkpoint:
            checkpointer.start()
            analyzer.start()
        yield
        analyzer.stop()
        checkpointer.stop()
        engine.dispose()

    app = FastAPI(
        title="singlewindow",
        summary="Single window for a cross-border e-commerce comprehensive pilot zone (单一窗口)",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.session_factory = make_sessionmaker(engine)
    app.state.clock = clock or system_clock
    app.state.admission = Admission.from_env()
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(PoolTimeout, _pool_exhausted)
    app.add_middleware(NulGuardMiddleware)  # inside the rate limit: refusals count too
    app.add_middleware(RateLimitMiddleware, buckets=buckets_from_env())
    for router in ROUTERS:
        app.include_router(router)
    return app
