"""Server-side console tests over TestClient: sign-in, language, pages per persona, scoping,
escaping, and plotly.js from the installed package."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from tests.web.seeding import ConsoleZone

from singlewindow.web.pages import PLOTLY_URL
from singlewindow.web.templating import CONTENT_SECURITY_POLICY

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _get(
    console: TestClient, path: str, key: str | None = None, lang: str | None = None
) -> Response:
    console.cookies.clear()
    cookies = [f"sw_key={key}"] if key else []
    if lang:
        cookies.append(f"sw_lang={lang}")
    return console.get(path, headers={"Cookie": "; ".join(cookies)} if cookies else {})


def _ids(html: str) -> set[str]:
    return set(re.findall(r'id="([^"]+)"', html))


def test_anonymous_visitor_gets_the_chinese_sign_in_page(console: TestClient) -> None:
    response = _get(console, "/")
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    assert "<h1>登录</h1>" in response.text
    assert '<form method="post" action="/signin">' in response.text
    assert 'href="/?lang=en"' in response.text
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "set-cookie" not in response.headers


def test_lang_en_switches_and_is_remembered(console: TestClient) -> None:
    response = _get(console, "/?lang=en")
    assert '<html lang="en">' in response.text
    assert "<h1>Sign in</h1>" in response.text
    assert 'href="/?lang=zh"' in response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("sw_lang=en;")
    remembered = _get(console, "/", lang="en")
    assert "<h1>Sign in</h1>" in remembered.text
    assert "set-cookie" not in remembered.headers


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/console/inventories", id="search_case"),
        pytest.param("/console/inventories/46322026I000000002", id="detail_case"),
        pytest.param("/console/orders/X/Y", id="by_order_case"),
        pytest.param("/console/summaries", id="summaries_case"),
        pytest.param("/console/registry", id="registry_case"),
    ],
)
def test_anonymous_visitor_is_sent_to_sign_in(console: TestClient, path: str) -> None:
    response = _get(console, path)
    assert (response.status_code, response.headers["location"]) == (303, "/")


def test_bad_key_is_refused_and_sets_no_cookie(console: TestClient) -> None:
    console.cookies.clear()
    response = console.post("/signin", content="key=sw_not_a_key", headers=FORM)
    assert response.status_code == 401
    assert 'id="signin-error"' in response.text
    assert "API密钥无效" in response.text
    assert "set-cookie" not in response.headers


def test_sign_in_sets_a_strict_httponly_cookie_and_sign_out_clears_it(
    console: TestClient, console_zone: ConsoleZone
) -> None:
    console.cookies.clear()
    key = console_zone.keys["customs"]
    response = console.post("/signin", content=f"key={key}", headers=FORM)
    assert (response.status_code, response.headers["location"]) == (303, "/")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"sw_key={key};")
    assert {"HttpOnly", "Path=/", "SameSite=strict", "Max-Age=43200"} <= {
        part.strip() for part in cookie.split(";")
    }
    out = console.post("/signout")
    console.cookies.clear()
    assert (out.status_code, out.headers["location"]) == (303, "/")
    assert out.headers["set-cookie"].startswith('sw_key="";')
    assert "Max-Age=0" in out.headers["set-cookie"]


@pytest.mark.parametrize(
    ("persona", "path", "status", "marker"),
    [
        pytest.param(
            "zone_admin", "/console/inventories", 200, "inventory-results", id="admin_search_case"
        ),
        pytest.param(
            "customs", "/console/inventories", 200, "inventory-results", id="customs_search_case"
        ),
        pytest.param("tax", "/console/inventories", 200, "inventory-results", id="tax_search_case"),
        pytest.param(
            "enterprise", "/console/inventories", 200, "inventory-results", id="ent_search_case"
        ),
        pytest.param(
            "zone_admin", "/console/registry", 200, "enterprises", id="admin_registry_case"
        ),
        pytest.param("enterprise", "/console/registry", 200, "enterprises", id="ent_registry_case"),
        pytest.param("tax", "/console/summaries", 200, "summaries", id="tax_summaries_case"),
        pytest.param(
            "enterprise", "/console/summaries", 200, "summaries-empty", id="ent_summaries_case"
        ),
    ],
)
def test_pages_per_persona(
    console: TestClient,
    console_zone: ConsoleZone,
    persona: str,
    path: str,
    status: int,
    marker: str,
) -> None:
    response = _get(console, path, console_zone.keys[persona])
    assert response.status_code == status
    assert f'data-role="{persona.replace("other_", "")}"' in response.text
    assert marker in _ids(response.text)


def _rows(html: str, table: str) -> list[str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>", body.split("<tbody>", 1)[1]) if "<tbody>" in body else []


def _result_invt_nos(html: str) -> list[str]:
    return re.findall(r'class="invt" href="/console/inventories/([^"]+)"', html)


def test_search_by_invt_no_finds_exactly_that_inventory(
    console: TestClient, console_zone: ConsoleZone
) -> None:
    invt = console_zone.own_invt_no
    response = _get(console, f"/console/inventories?invtNo={invt}", console_zone.keys["zone_admin"])
    assert _result_invt_nos(response.text) == [invt]
    assert "共 1 条" in response.text


def test_search_by_order_no_and_status(console: TestClient, console_zone: ConsoleZone) -> None:
    key = console_zone.keys["customs"]
    by_order = _get(console, f"/console/inventories?orderNo={console_zone.own_order_no}", key)
    assert _result_invt_nos(by_order.text) == [console_zone.own_invt_no]
    refused = _get(console, "/console/inventories?status=100", key)
    assert console_zone.refused_invt_no in _result_invt_nos(refused.text)
    assert set(re.findall(r'class="status (s\d+)"', refused.text)) == {"s100"}


def test_enterprise_search_sees_only_its_own(
    console: TestClient, console_zone: ConsoleZone
) -> None:
    key = console_zone.keys["enterprise"]
    everything = _get(console, "/console/inventories", key)
    own = _result_invt_nos(everything.text)
    admin_view = _get(console, "/console/inventories", console_zone.keys["zone_admin"])
    assert console_zone.own_invt_no in own
    assert console_zone.foreign_invt_no not in own
    assert len(own) < len(_result_invt_nos(admin_view.text))
    foreign = _get(console, f"/console/inventories?invtNo={console_zone.foreign_invt_no}", key)
    assert _result_invt_nos(foreign.text) == []
    assert "没有符合条件的清单" in foreign.text


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        pytest.param("zone_admin", 200, id="admin_case"),
        pytest.param("customs", 200, id="customs_case"),
        pytest.param("tax", 200, id="tax_case"),
        pytest.param("enterprise", 404, id="enterprise_case"),
    ],
)
def test_another_enterprises_inventory_is_not_found(
    console: TestClient, console_zone: ConsoleZone, persona: str, status: int
) -> None:
    invt = console_zone.foreign_invt_no
    response = _get(console, f"/console/inventories/{invt}", console_zone.keys[persona])
    assert response.status_code == status
    if status == 404:
        assert 'data-code="inventory.not_found"' in response.text
        assert "history" not in _ids(response.text)
    else:
        assert f'<span id="inventory-no">{invt}</span>' in response.text


def test_detail_shows_documents_history_reasons_and_facts(
    console: TestClient, console_zone: ConsoleZone
) -> None:
    assert console_zone.refused_invt_no is not None
    response = _get(
        console,
        f"/console/inventories/{console_zone.refused_invt_no}",
        console_zone.keys["customs"],
    )
    html = response.text
    documents = re.findall(r"<tr><td>(CEB\d{3})</td>", html)
    assert sorted(documents) == ["CEB311", "CEB411", "CEB511", "CEB621"]
    assert re.findall(r'<td class="to">(\d+)', html) == ["120", "100"]
    assert re.findall(r"<code>([a-z_.]+)</code>", html) == ["comparison.amount_mismatch"]
    assert "&#34;CEB411.amountPaid&#34;" in html  # facts, escaped JSON
    assert re.search(r"<td>2026-04-\d\d \d\d:\d\d:\d\d</td>", html)


@pytest.mark.parametrize(
    ("persona", "masked"),
    [
        pytest.param("customs", False, id="customs_case"),
        pytest.param("zone_admin", True, id="admin_case"),
        pytest.param("tax", True, id="tax_case"),
        pytest.param("enterprise", True, id="enterprise_case"),
    ],
)
def test_buyer_id_is_masked_unless_customs(
    console: TestClient, console_zone: ConsoleZone, persona: str, masked: bool
) -> None:
    response = _get(
        console, f"/console/inventories/{console_zone.own_invt_no}", console_zone.keys[persona]
    )
    shown = re.search(r'<dd id="buyer-id">([^<]*)</dd>', response.text)
    assert shown is not None
    assert len(shown.group(1)) == 18
    assert ("*" in shown.group(1)) is masked


def test_enterprise_registry_shows_only_its_filing(
    console: TestClient, console_zone: ConsoleZone
) -> None:
    mine = _get(console, "/console/registry", console_zone.keys["enterprise"]).text
    everyone = _get(console, "/console/registry", console_zone.keys["zone_admin"]).text
    assert _rows(mine, "enterprises") == ["<tr>"]
    assert f"<tr><td>{console_zone.enterprise_code}</td>" in mine
    assert len(_rows(everyone, "enterprises")) == 29


def test_query_text_is_escaped(console: TestClient, console_zone: ConsoleZone) -> None:
    response = _get(
        console,
        "/console/inventories?orderNo=%3Cscript%3Ealert(1)%3C/script%3E",
        console_zone.keys["tax"],
    )
    assert "<script>alert(1)</script>" not in response.text
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in response.text


def test_plotly_js_comes_from_the_installed_package(console: TestClient) -> None:
    response = _get(console, PLOTLY_URL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.content.startswith(b"/**\n* plotly.js v")


@pytest.mark.parametrize(
    ("name", "status"),
    [
        pytest.param("console.css", 200, id="css_case"),
        pytest.param("console.js", 200, id="js_case"),
        pytest.param("..%2Fpages.py", 404, id="traversal_case"),
        pytest.param("pages.py", 404, id="other_file_case"),
    ],
)
def test_own_static_files_only(console: TestClient, name: str, status: int) -> None:
    assert _get(console, f"/static/console/{name}").status_code == status


def test_console_pages_stay_out_of_the_openapi_document(console: TestClient) -> None:
    paths = set(_get(console, "/openapi.json").json()["paths"])
    assert not {p for p in paths if p == "/" or p.startswith(("/console", "/signin", "/static"))}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        pytest.param("zone_admin", 200, id="admin_case"),
        pytest.param("customs", 200, id="customs_case"),
        pytest.param("tax", 200, id="tax_case"),
        pytest.param("enterprise", 404, id="other_seller_case"),
    ],
)
def test_summary_detail_per_persona(
    console: TestClient, console_zone: ConsoleZone, persona: str, status: int
) -> None:
    assert console_zone.enterprise_code != console_zone.summary_ebc_code
    response = _get(
        console, f"/console/summaries/{console_zone.sum_no}", console_zone.keys[persona]
    )
    assert response.status_code == status
    if status == 404:
        assert 'data-code="summary.not_found"' in response.text
        return
    html = response.text
    assert f'<span id="sum-no">{console_zone.sum_no}</span>' in html
    assert html.count('class="grid declaration-lines"') == 2
    assert re.findall(r'<td class="treatment">([^<]+)</td>', html) == ["免税"] * 3
    assert len(_rows(html, "summary-items")) == 4


def test_summary_list_shows_the_summary_to_officers_only(
    console: TestClient, console_zone: ConsoleZone
) -> None:
    listed = _get(console, "/console/summaries", console_zone.keys["tax"]).text
    assert re.findall(r'class="sum" href="/console/summaries/(\w+)"', listed) == [
        console_zone.sum_no
    ]
    own = _get(console, "/console/summaries", console_zone.keys["enterprise"]).text
    assert 'class="sum"' not in own


def _charts(html: str) -> dict[str, list[str]]:
    block = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html)
    assert block is not None
    return {c["id"]: c["x"] for c in json.loads(block.group(1))}


@pytest.mark.parametrize(
    ("persona", "targets"),
    [
        pytest.param("zone_admin", True, id="zone_admin_case"),
        pytest.param("customs", True, id="customs_case"),
        pytest.param("tax", True, id="tax_case"),
        pytest.param("enterprise", False, id="enterprise_case"),
    ],
)
def test_dashboard_per_persona_has_tiles_and_non_empty_charts(
    console: TestClient, console_zone: ConsoleZone, persona: str, targets: bool
) -> None:
    response = _get(console, "/", console_zone.keys[persona])
    html = response.text
    assert response.status_code == 200
    assert f'<script src="{PLOTLY_URL}"></script>' in html
    charts = _charts(html)
    assert {"trend", "country", "trade_mode", "county", "hs_chapter"} <= set(charts)
    assert all(charts[c] for c in charts)
    assert ("(2018)" in html) is targets
    assert "截至 2026-05-01 10:00" in html
