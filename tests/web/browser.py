"""Real headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by
Playwright against the platform served by uvicorn in a thread on 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

from playwright.sync_api import Browser, Page, sync_playwright

from singlewindow.demo.runner import Server
from singlewindow.kit.clock import FixedClock

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",  # the CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(url: str, clock: FixedClock) -> Iterator[str]:
    with Server(url, clock, "127.0.0.1", free_port()) as server:
        yield server.address


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Page, address: str, key: str) -> None:
    page.goto(f"{address}/")
    page.fill("#key", key)
    page.click("#signin-submit")
    page.wait_for_selector("#principal")
