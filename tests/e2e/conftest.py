"""Real-browser fixtures: a Streamlit server on a free port with its own workspace, and Debian's Chromium.

Every test here shares one xdist worker (group "e2e"): the servers are module-scoped, one per test file,
and the browser is started once per worker.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1400, "height": 1000}
E2E_DIR = Path(__file__).resolve().parent


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM when the test process dies, so a killed run leaves no server behind."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """`streamlit run app.py` in a subprocess; restartable on the same workspace and port.

    Its output (tracebacks included) goes to `log`, next to the workspace folder.
    """

    def __init__(self, workspace: Path):
        self.workspace = workspace
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = workspace.parent / f"streamlit-{self.port}.log"
        self.log_mark = 0  # where the current test's part of the log begins

    def new_log_text(self) -> str:
        """The log written since the current test began."""
        if not self.log.exists():
            return ""
        with self.log.open("rb") as f:
            f.seek(self.log_mark)
            return f.read().decode(errors="replace")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def page_url(self, url_path: str = "", **params) -> str:
        query = f"?{urllib.parse.urlencode(params, doseq=True)}" if params else ""
        return f"{self.url}/{url_path}{query}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, "PROCUREMENT_KPI_WORKSPACE": str(self.workspace)}
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(self.port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not become healthy in {timeout}s: {self.log_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def pytest_collection_modifyitems(config, items):
    """Every browser test runs in the one xdist worker that owns the browser and the servers."""
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).resolve().parents and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server on a fresh workspace (filled with the sample city on first visit)."""
    workspace = tmp_path_factory.mktemp("e2e") / "workspace"
    srv = StreamlitServer(workspace)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def _server_log_mark(request):
    """Each test answers for its own part of the server log (see assert_no_exception)."""
    if "server" in request.fixturenames:
        srv = request.getfixturevalue("server")
        srv.log_mark = srv.log.stat().st_size if srv.log.exists() else 0
    yield


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists(), "Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright Python package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context (so a fresh Streamlit session); a screenshot is kept when the test fails."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed and not pg.is_closed():
        with contextlib.suppress(Exception):  # a missing screenshot must not hide the failure
            screenshot(pg, "FAILED-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name))
    context.close()


# --- waiting ---------------------------------------------------------------------------------------------

_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  const w = document.querySelector('[data-testid="stStatusWidget"]');
  if (w && /Running/i.test(w.innerText)) return false;
  return document.querySelectorAll('[data-testid="stMain"] [data-testid="stSkeleton"]').length === 0;
}"""


def wait_idle(page, timeout: float = 30_000, quiet: float = 400) -> None:
    """Wait until Streamlit has finished running the script and stayed so for `quiet` ms.

    The app element carries the script state ('initial', 'running', 'notRunning'...) and the connection
    state; a rerun triggered by a click may start a moment after the click, hence the quiet period.
    Follow it with an `expect(...)` on the content the test needs: elements can render a little later.
    """
    deadline = time.monotonic() + timeout / 1000
    since = None
    while True:
        if page.evaluate(_IDLE_JS):
            since = since or time.monotonic()
            if (time.monotonic() - since) * 1000 >= quiet:
                return
        else:
            since = None
        if time.monotonic() > deadline:
            state = page.evaluate("""() => { const a = document.querySelector('[data-testid="stApp"]');
                return a && [a.getAttribute('data-test-script-state'), a.getAttribute('data-test-connection-state')]; }""")
            raise TimeoutError(f"Streamlit still busy after {timeout / 1000:.0f}s (script, connection: {state})")
        page.wait_for_timeout(100)


def open_page(page, server, url_path: str = "", **params) -> None:
    """Go to a page of the app (its url path from ui/pages.py, query parameters as keywords) and wait."""
    page.goto(server.page_url(url_path, **params))
    wait_idle(page)


# --- reading the page ------------------------------------------------------------------------------------

def main(page):
    return page.get_by_test_id("stMain")


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def query_params(page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)


_GRID_JS = """(el) => {
  const t = el.querySelector('table[role="grid"]');
  if (!t) return null;
  const head = Array.from(t.querySelectorAll('thead th')).map(c => c.textContent.trim());
  const rows = Array.from(t.querySelectorAll('tbody tr')).map(
      r => Array.from(r.querySelectorAll('td')).map(c => c.textContent.trim()));
  return {head, rows};
}"""


def grid_rows(dataframe) -> list[dict[str, str]]:
    """The rendered rows of an st.dataframe / st.data_editor, from the grid's accessible table.

    The grid draws on a canvas; the table behind it holds the rows and columns currently rendered
    (the first screenful), which is what a user sees.
    """
    dataframe.locator('table[role="grid"]').wait_for(state="attached")
    grid = dataframe.evaluate(_GRID_JS)
    return [dict(zip(grid["head"], row, strict=False)) for row in grid["rows"]]


def assert_no_exception(page, server=None) -> None:
    """No exception element and no 'Traceback' on the page (and none in the server's log since the test
    began, when the server is given)."""
    exceptions = page.get_by_test_id("stException")
    assert exceptions.count() == 0, f"exception on {page.url}: {exceptions.first.inner_text()[:2000]}"
    body = page.locator("body").inner_text()
    assert "Traceback" not in body, f"'Traceback' shown on {page.url}: {body[body.find('Traceback'):][:2000]}"
    if server is not None:
        log = server.new_log_text()
        assert "Traceback" not in log, f"traceback in the server log {server.log}:\n{log[log.find('Traceback'):][:3000]}"


# --- acting ----------------------------------------------------------------------------------------------

def choose(page, label: str, value: str, *, where=None) -> None:
    """Add `value` to a multiselect (the sidebar's by default): type to filter the list, click the option.

    The dropdown shows only the first options, so typing is how a user reaches 'Police' too.
    """
    scope = where if where is not None else sidebar(page)
    box = scope.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(value)
    page.get_by_role("option", name=value, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def upload(page, path: Path | str) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(path))
    page.wait_for_timeout(300)
    wait_idle(page, timeout=60_000)


# --- artifacts -------------------------------------------------------------------------------------------

_PAGE_HEIGHT_JS = """() => Math.max(document.documentElement.scrollHeight,
  ...Array.from(document.querySelectorAll(
      '[data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stMainBlockContainer"], ' +
      '[data-testid="stSidebarContent"]'))
      .map(e => e.scrollHeight))"""


def screenshot(page, name: str) -> Path:
    """A full-page PNG under artifacts/screenshots/ (git-ignored).

    Streamlit scrolls inside its own containers, so a plain full-page shot stops at the window: the window
    is made as tall as the page for the shot, then put back.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size or VIEWPORT
    height = min(int(page.evaluate(_PAGE_HEIGHT_JS)) + 40, 16_000)
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height})
        page.wait_for_timeout(500)
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if height > size["height"]:
            page.set_viewport_size(size)
    return path
