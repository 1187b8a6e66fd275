"""Hostile documents: each must be refused quickly with its own code, leaking nothing."""

from __future__ import annotations

from pathlib import Path

CEB_OPEN = b'<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="G" version="1">'
CEB_CLOSE = b"</ceb:CEB311Message>"
SECRET = "TOPSECRET-7f3a9c"


def xxe(secret_file: Path) -> bytes:
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE ceb:CEB311Message [<!ENTITY x SYSTEM "file://'
        + str(secret_file).encode()
        + b'">]>\n'
        + CEB_OPEN
        + b"<ceb:Order>&x;</ceb:Order>"
        + CEB_CLOSE
    )


def billion_laughs() -> bytes:
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">'.encode() for i in range(1, 10)
    )
    return b"<?xml version='1.0'?><!DOCTYPE lolz [" + entities + b"]><lolz>&lol9;</lolz>"


def external_dtd() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE ceb:CEB311Message SYSTEM "http://evil.example/x.dtd">\n'
        + CEB_OPEN
        + CEB_CLOSE
    )


def too_large() -> bytes:
    filler = b"<ceb:note>" + b"x" * 1000 + b"</ceb:note>"
    return CEB_OPEN + filler * (50 * 1024) + CEB_CLOSE  # about 50 MB


def too_deep(levels: int = 10_000) -> bytes:
    return CEB_OPEN + b"<ceb:x>" * levels + b"</ceb:x>" * levels + CEB_CLOSE


# (id, builder taking the secret file, expected code)
CASES = [
    ("xxe_local_file", xxe, "hostile.doctype"),
    ("billion_laughs", lambda _: billion_laughs(), "hostile.doctype"),
    ("external_dtd", lambda _: external_dtd(), "hostile.doctype"),
    ("fifty_megabytes", lambda _: too_large(), "hostile.too_large"),
    ("ten_thousand_deep", lambda _: too_deep(), "hostile.too_deep"),
    ("hundred_deep", lambda _: too_deep(100), "hostile.too_deep"),
]
