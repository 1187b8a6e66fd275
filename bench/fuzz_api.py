"""Atheris campaign over the HTTP API, in process, on a throwaway SQLite database.

Each input is decoded (atheris.FuzzedDataProvider) into one request: a route of the app's route
table (or a made-up path), path parameters (known values or fuzz text), a query string, the
caller (each persona's API key, by header or console cookie, none, or a made-up key), and for
POST/PUT a content type and a body (fuzz bytes, a signed message of the tests' builders mutated,
a batch of them, random JSON or NDJSON, deep / huge / entity documents). The request goes through
starlette's TestClient to the app. A finding is a 5xx, a request over the time bound, a 4xx
without the coded error shape ({"errors": [{"code": ...}]}, or the console's error page with
its data-code), a 429 without Retry-After, a refused receipt without reasons, or a refused write
that changed a row. Findings are collected (first example of each kind per route) and the
campaign goes on; the exit status is 1 if there was any.

Usage: python bench/fuzz_api.py [--runs 1000000] [--seconds 0] [--seed 0]
(--seconds 0: no time limit; --seed 0: libFuzzer picks one)
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import atheris
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the tests' builders and harness: filed zone, keys, messages
# Throttling is tested in tests/api/test_ratelimit.py; here the bucket never runs dry, but the
# middleware still sees every key.
os.environ["SINGLEWINDOW_RATE_LIMIT"] = "1000000"

with atheris.instrument_imports(include=["singlewindow"]):
    from singlewindow.api.app import create_app
    from singlewindow.db.base import Base
    from singlewindow.db.migrate import upgrade
    from singlewindow.db.session import make_engine, make_sessionmaker
    from singlewindow.kit.clock import FixedClock

# After the instrumented block: what they import from singlewindow is instrumented already.
from tests.release.builders import AGENT, EBP, NOW, Parcel, import_docs  # noqa: E402
from tests.release.export_builders import export_docs  # noqa: E402
from tests.release.harness import file_zone_over_http, make_keys  # noqa: E402

CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
BOUND_S = 10.0
CONTENT_TYPES = [
    "application/xml",
    "application/json",
    "application/x-ndjson",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/xml; charset=utf-16",
    "",
]
JSON_NAMES = [
    "messages",
    "values",
    "passed",
    "note",
    "ebcCode",
    "invoiceCode",
    "invoiceNo",
    "hsCode",
    "itemName",
    "amountFen",
    "taxFen",
    "issuedOn",
    "rebateClass",
    "kind",
    "code",
    "name",
    "roles",
    "credit_class",
    "certificates",
    "id_type",
    "id_number",
    "filed_on",
    "demonstration_parks",
    "lists_declared",
    "county",
    "park",
]
ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><CEB311Message>&b;</CEB311Message>'
)


@dataclass
class World:
    client: TestClient
    engine: Engine
    routes: list[tuple[str, str, list[str], list[str]]]  # method, path, path params, query
    keys: list[str]
    known: list[str]  # values for path parameters that reach stored things
    signed: list[bytes]
    findings: dict[tuple[str, str, str, int], str] = field(default_factory=dict)
    runs: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    count_sql: str = ""

    def counts(self) -> tuple[int, ...]:
        with self.engine.connect() as connection:
            return tuple(connection.execute(text(self.count_sql)).one())


def build_world(folder: Path) -> World:
    url = f"sqlite:///{folder / 'fuzz.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    keys = make_keys()
    app = create_app(database_url=url, clock=FixedClock(NOW))
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    client.__enter__()
    zone = file_zone_over_http(client, factory, keys)
    first = import_docs(Parcel(1))
    receipts = []
    for doc in first.values():
        response = client.post(
            "/messages",
            content=keys.sign(doc),
            headers={**zone.of(doc.sender), "Content-Type": "application/xml"},
        )
        receipts.extend(response.json()["receipts"])
    released = receipts[-1]
    assert released["returnStatus"] == "800", released
    signed = [keys.sign(d) for n in (2, 3) for d in import_docs(Parcel(n)).values()]
    signed += [keys.sign(d) for d in export_docs(Parcel(4)).values()]
    routes = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            params = [p.name for p in route.dependant.path_params]
            query = [p.alias for p in route.dependant.query_params]
            methods = sorted(context.methods or ())
            routes.extend((m, str(context.path), params, query) for m in methods if m != "HEAD")
    tables = [t.name for t in Base.metadata.sorted_tables]
    count_sql = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
    return World(
        client,
        engine,
        routes,
        [*zone.enterprise_keys.values(), *zone.agency_keys.values()],
        [released["invtNo"], first["CEB621"].guid, EBP, AGENT, "ORD00000001", "lists_declared"],
        signed,
        count_sql=count_sql,
    )


def _json(fdp: atheris.FuzzedDataProvider, depth: int = 0) -> Any:
    kind = fdp.ConsumeIntInRange(0, 7 if depth < 4 else 4)
    if kind == 0:
        return None
    if kind == 1:
        return fdp.ConsumeBool()
    if kind == 2:
        return fdp.ConsumeInt(8)
    if kind == 3:
        return fdp.ConsumeUnicodeNoSurrogates(24)
    if kind == 4:
        return fdp.ConsumeRegularFloat()
    if kind == 5:
        return [_json(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 4))]
    out: dict[str, Any] = {}
    for _ in range(fdp.ConsumeIntInRange(0, 6)):
        name = (
            fdp.PickValueInList(JSON_NAMES)
            if fdp.ConsumeBool()
            else fdp.ConsumeUnicodeNoSurrogates(8)
        )
        out[name] = _json(fdp, depth + 1)
    return out


def _mutated(world: World, fdp: atheris.FuzzedDataProvider) -> bytes:
    seed = fdp.PickValueInList(world.signed)
    for _ in range(fdp.ConsumeIntInRange(0, 3)):
        at = fdp.ConsumeIntInRange(0, len(seed))
        cut = fdp.ConsumeIntInRange(0, 16)
        seed = seed[:at] + fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 16)) + seed[at + cut :]
    return seed


def _body(world: World, fdp: atheris.FuzzedDataProvider) -> bytes:
    kind = fdp.ConsumeIntInRange(0, 7)
    if kind == 0:
        return _mutated(world, fdp)
    if kind == 1:
        items = [_mutated(world, fdp).decode("utf-8", "replace") for _ in range(3)]
        return json.dumps({"messages": items[: fdp.ConsumeIntInRange(0, 3)]}).encode()
    if kind == 2:
        return json.dumps(_json(fdp), ensure_ascii=fdp.ConsumeBool()).encode()
    if kind == 3:
        lines = [json.dumps(_json(fdp)) for _ in range(fdp.ConsumeIntInRange(1, 4))]
        return "\n".join(lines).encode()
    if kind == 4:
        depth = fdp.ConsumeIntInRange(1, 20_000)
        return b"<a>" * depth + b"</a>" * depth if fdp.ConsumeBool() else b"[" * depth
    if kind == 5:
        return b"<CEB311Message>" + b"A" * fdp.PickValueInList([100, 100_000, 10 * 2**20 + 1])
    if kind == 6:
        return ENTITY
    return fdp.ConsumeBytes(fdp.remaining_bytes())


def _path(world: World, fdp: atheris.FuzzedDataProvider, template: str, names: list[str]) -> str:
    path = template
    for name in names:
        if fdp.ConsumeBool():
            value = fdp.PickValueInList(world.known)
        else:
            value = fdp.ConsumeUnicodeNoSurrogates(40)
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return path


def _query(fdp: atheris.FuzzedDataProvider, names: list[str]) -> str:
    parts = []
    for name in names:
        if fdp.ConsumeBool():
            parts.append(f"{name}={quote(fdp.ConsumeUnicodeNoSurrogates(30), safe='')}")
    if fdp.ConsumeBool():
        parts.append(quote(fdp.ConsumeUnicodeNoSurrogates(40), safe="=&"))
    return "&".join(parts)


def _header_safe(value: str) -> bytes:
    return value.encode("utf-8", "replace").translate(None, b"\r\n\x00")


def one_request(world: World, data: bytes) -> None:
    world.runs += 1
    fdp = atheris.FuzzedDataProvider(data)
    pick = fdp.ConsumeIntInRange(0, len(world.routes))
    if pick == len(world.routes):
        method = fdp.PickValueInList(["GET", "POST", "PUT", "DELETE", "PATCH"])
        template = "/" + quote(fdp.ConsumeUnicodeNoSurrogates(40), safe="/")
        url, names, query = template, [], []
    else:
        method, template, names, query = world.routes[pick]
        url = _path(world, fdp, template, names)
    q = _query(fdp, query)
    if q:
        url = f"{url}?{q}"
    headers: dict[str, bytes] = {}
    cookies: dict[str, str] = {}
    who = fdp.ConsumeIntInRange(0, len(world.keys) + 1)
    key = (
        world.keys[who]
        if who < len(world.keys)
        else (fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 5000)) if who > 0 else "")
    )
    if key and fdp.ConsumeBool():
        headers["X-API-Key"] = _header_safe(key)
    elif key:
        cookies["sw_key"] = quote(key, safe="")
    body = b""
    if method in {"POST", "PUT", "PATCH"}:
        content_type = fdp.PickValueInList(CONTENT_TYPES)
        if content_type:
            headers["Content-Type"] = content_type.encode()
        body = _body(world, fdp)
    write = method != "GET"
    before = world.counts() if write else ()
    world.client.cookies.clear()
    world.client.cookies.update(cookies)
    start = time.perf_counter()
    response = world.client.request(method, url, content=body, headers=headers)
    took = time.perf_counter() - start
    world.statuses[response.status_code] = world.statuses.get(response.status_code, 0) + 1
    problem = judge(response.status_code, response.headers, response.content, template, method)
    if took > BOUND_S:
        problem = problem or f"took {took:.1f} s"
    if not problem and write and response.status_code >= 400 and world.counts() != before:
        problem = "a refused write changed rows"
    if problem:
        sig = (problem.split(":")[0], method, template, response.status_code)
        if sig not in world.findings:
            world.findings[sig] = f"{method} {url[:200]!r} body={body[:200]!r} -> {problem}"
            print(f"FINDING {sig}: {world.findings[sig]}", flush=True)


def judge(status: int, headers: Any, content: bytes, template: str, method: str) -> str:
    """The properties of one answer; '' when they hold."""
    if status >= 500:
        return f"5xx: {content[:300]!r}"
    kind = headers.get("content-type", "")
    if 400 <= status < 500:
        if status == 429 and not headers.get("retry-after"):
            return "429 without Retry-After"
        if kind.startswith("text/html"):
            if b'data-code="' in content or (template == "/signin" and status == 401):
                return ""
            return "uncoded: html"
        try:
            errors = json.loads(content)["errors"]
        except (ValueError, KeyError, TypeError):
            return f"uncoded: {content[:200]!r}"
        if not errors or not all(CODE.match(str(e.get("code", ""))) for e in errors):
            return f"uncoded: {errors!r:.200}"
        return ""
    if status == 200 and kind.startswith("application/json"):
        try:
            receipts = json.loads(content).get("receipts", [])
        except (ValueError, AttributeError):
            return ""
        for r in receipts if isinstance(receipts, list) else ():
            refused = r.get("returnStatus", "").startswith("-") or r.get("returnStatus") == "100"
            if refused and not r.get("reasons"):
                return f"refused receipt without reasons: {r!r:.200}"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=0, help="stop after this long (0: never)")
    parser.add_argument("--seed", type=int, default=0, help="libFuzzer's seed (0: random)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fuzz_api_"))
    world = build_world(folder)
    corpus = folder / "corpus"
    corpus.mkdir()
    start = time.perf_counter()

    def report(_status: int, _arg: object) -> None:
        took = time.perf_counter() - start
        print(
            f"runs={world.runs} seconds={took:.1f} exec_per_s={world.runs / max(took, 1e-9):.1f}"
            f" findings={len(world.findings)}",
            flush=True,
        )
        print("statuses " + " ".join(f"{k}:{v}" for k, v in sorted(world.statuses.items())))
        for finding in world.findings.values():
            print(f"  {finding}", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
        if world.findings:
            os._exit(1)

    # libFuzzer ends the process with exit(); only a C-level exit hook runs after it.
    hook = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_void_p)(report)
    ctypes.CDLL(ctypes.util.find_library("c")).on_exit(hook, None)
    target: Callable[[bytes], None] = lambda data: one_request(world, data)  # noqa: E731
    artifacts = Path(__file__).resolve().parents[1] / "build" / "fuzz_api"  # crash-/timeout- files
    artifacts.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.argv[0],
        f"-runs={args.runs}",
        "-max_len=4096",
        "-timeout=60",
        f"-artifact_prefix={artifacts}/",
        str(corpus),
    ]
    if args.seconds:
        argv.insert(2, f"-max_total_time={args.seconds}")
    if args.seed:
        argv.insert(2, f"-seed={args.seed}")
    atheris.Setup(argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
