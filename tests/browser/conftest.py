"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

The set-up (``make test``) installs ``chromium`` and ``fonts-noto-cjk`` from Debian. Where
Chromium is missing the tests are skipped with a message, except under CI, where they fail.
Screenshots of each workbench are kept in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls that the tests
# make between browser steps are plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "hotline12345"
# The flags a closed network needs: no background calls to Google's services.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def demo_city(transactional_db, settings):
    """The demo city (濮阳市) with its users, in the live server's database."""
    from hotline.demo.city import load_city

    settings.HOTLINE_LIVE_POLL_SECONDS = 0.3
    load_city()


class Session:
    """One person's browser: a context in Chinese, logged in, recording every request."""

    def __init__(self, browser, base_url: str, username: str, locale: str = "zh-CN"):
        self.base_url = base_url
        self.context = browser.new_context(
            locale=locale, viewport={"width": 1440, "height": 900}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.set_default_timeout(10_000)
        if username:
            self.login(username)

    def login(self, username: str) -> None:
        self.page.goto(self.base_url + "/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/console/**")

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def outside_requests(self) -> list[str]:
        return [
            url
            for url in self.requests
            if not url.startswith(self.base_url) and not url.startswith(("data:", "blob:"))
        ]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_session(browser, live_server, demo_city, settings):
    sessions = []

    def open_as(username: str, locale: str = "zh-CN") -> Session:
        session = Session(browser, live_server.url, username, locale)
        sessions.append(session)
        return session

    yield open_as
    for session in sessions:
        session.close()
    # Live-update streams notice the closed browser at their next poll; let them end
    # while the database is still there.
    time.sleep(3 * settings.HOTLINE_LIVE_POLL_SECONDS)
    for session in sessions:
        assert not session.outside_requests(), session.outside_requests()
        assert not session.errors, session.errors


# Renders a character and the "missing glyph" of an unassigned code point with the page's
# own font; if they look the same, the page shows empty boxes instead of Chinese.
CJK_CHECK = """
(text) => {
  const font = getComputedStyle(document.body).font;
  function draw(t) {
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 64;
    const ctx = canvas.getContext("2d");
    ctx.font = font.replace(/\\d+px/, "40px");
    ctx.fillText(t, 4, 48);
    return canvas.toDataURL();
  }
  const missing = draw("\\u{10FFFD}");
  return Array.from(text).filter((ch) => draw(ch) === missing);
}
"""


def assert_chinese_renders(page, text: str = "受理派单承办审核回访督办濮阳") -> None:
    boxes = page.evaluate(CJK_CHECK, text)
    assert not boxes, f"these characters render as empty boxes: {boxes}"
