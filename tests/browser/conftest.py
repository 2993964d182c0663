"""Browser tests: the real app on a local port, driven by Debian's Chromium through Playwright.

Every test gets a fresh page. At the end of each test the page must have logged no console error
and no uncaught exception, and must have made no request outside localhost. A failing test leaves a screenshot in
tests/browser/artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = os.environ.get("ATALAYA_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/|^(data|blob|about):")

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A Dash app served by werkzeug in a background thread."""

    def __init__(self, dash_app) -> None:
        from werkzeug.serving import make_server

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = dash_app
        self._server = make_server("127.0.0.1", self.port, dash_app.server, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()


@pytest.fixture(scope="session")
def demo_server() -> Iterator[LiveServer]:
    from app import create_app

    server = LiveServer(create_app())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                  "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
        )
        yield b
        b.close()


class PageWatch:
    """Console errors, page errors and off-machine requests seen by one page."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.external_requests: list[str] = []

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors]
                + [f"external request: {u}" for u in self.external_requests])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True,
                                  locale="es-GT")
    pg = context.new_page()
    watch = PageWatch()

    def on_console(msg):
        if msg.type == "error":
            watch.console_errors.append(msg.text)

    def on_request(req):
        # Recorded, not intercepted: routing every request through Playwright slows pages ~3x. The
        # machines running the tests have no internet, so such a request also fails visibly.
        if not LOCAL.match(req.url):
            watch.external_requests.append(req.url)

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: watch.page_errors.append(str(exc)))
    pg.on("request", on_request)
    pg.watch = watch  # type: ignore[attr-defined]
    pg.set_default_timeout(20_000)
    yield pg
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    problems = watch.problems()
    if failed or problems:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        except Exception:  # noqa: BLE001 - a screenshot must never hide the real failure
            pass
    context.close()
    assert not problems, "the page was not clean:\n" + "\n".join(problems)


def wait_for_dash(pg) -> None:
    """Wait until Dash has rendered and no callback is pending."""
    pg.wait_for_selector("#page-content > *", state="attached")
    # and until every graph has drawn its figure (dcc.Graph marks a pending plot with a class)
    pg.wait_for_function(
        "() => !document.querySelector('[data-dash-is-loading=\"true\"]')"
        " && !document.querySelector('._dash-loading')"
        " && !document.querySelector('.dash-graph--pending')",
        timeout=60_000,
    )


BROKEN_HEADER_WORDS = """() => {
  // every word of every grid header must fit its header on one line (AG Grid wraps header text and
  // would otherwise break a word such as 'Rango' into 'Rang' / 'o')
  const out = [];
  const probe = document.createElement('span');
  probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
  document.body.appendChild(probe);
  for (const el of document.querySelectorAll('.ag-header-cell-text')) {
    const cs = getComputedStyle(el);
    probe.style.font = cs.font; probe.style.letterSpacing = cs.letterSpacing;
    for (const word of el.textContent.split(/\\s+/).filter(Boolean)) {
      probe.textContent = word;
      if (probe.getBoundingClientRect().width > el.getBoundingClientRect().width + 0.5) out.push(word);
    }
  }
  probe.remove();
  return out;
}"""


def broken_header_words(pg) -> list[str]:
    """The grid header words on the page that are too wide for their header (so AG Grid breaks them)."""
    return pg.evaluate(BROKEN_HEADER_WORDS)
