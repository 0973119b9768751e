"""``kg serve``'s page at ``/`` in a real browser: headless Chromium driven by ChromeDriver.

The W3C WebDriver protocol is spoken over HTTP with the standard library (no Selenium). The
server is ``kg serve`` itself, started as a command over the session's corpus store. Chromium
and ChromeDriver are the Debian packages ``chromium`` and ``chromium-driver``, which ``make test``
installs (scripts/system-deps.sh); without them these tests fail, saying so.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from kg.query.params import bind
from kg.query.run import run_query
from kg.query.saved import QUERIES_DIR, saved_query

pytestmark = pytest.mark.slow  # see CONTRIBUTING.md: make check leaves these out

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 20.0  # seconds to wait for the page to show an answer
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C WebDriver element reference key
TITLE = "法治政府建设实施纲要"  # cited-where's example parameter
#: No proxy, whatever the environment says: everything here is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _program(path: str, name: str) -> str:
    if os.access(path, os.X_OK):
        return path
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{path} is missing: the browser test of kg serve's page needs Debian's chromium and "
            "chromium-driver; run `make test`, which installs them (scripts/system-deps.sh)",
            pytrace=False,
        )
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _until(what: str, check: Callable[[], Any], timeout: float = WAIT) -> Any:
    """``check()``'s first truthy value, polled until ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        time.sleep(0.05)


class WebDriverError(Exception):
    pass


class Browser:
    """One WebDriver session, spoken to over HTTP."""

    def __init__(self, driver_url: str, profile: Path) -> None:
        self.driver_url = driver_url
        self.session = ""
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": _program(CHROMIUM, "chromium"),
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-proxy-server",
                    f"--user-data-dir={profile}",
                ],
            },
        }
        value = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = value["sessionId"]

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.driver_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with _OPENER.open(request, timeout=60) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")
            raise WebDriverError(f"{method} {path}: {err.code} {detail[:2000]}") from None

    def _session(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._call(method, f"/session/{self.session}{path}", body)

    def open(self, url: str) -> None:
        self._session("POST", "/url", {"url": url})

    def find_all(self, css: str) -> list[str]:
        found = self._session("POST", "/elements", {"using": "css selector", "value": css})
        return [e[ELEMENT] for e in found]

    def find(self, css: str) -> str:
        return str(self._session("POST", "/element", {"using": "css selector", "value": css})[
            ELEMENT
        ])

    def click(self, element: str) -> None:
        self._session("POST", f"/element/{element}/click", {})

    def clear(self, element: str) -> None:
        self._session("POST", f"/element/{element}/clear", {})

    def type(self, element: str, text: str) -> None:
        self._session("POST", f"/element/{element}/value", {"text": text})

    def text(self, element: str) -> str:
        """The element's text as rendered (what a user sees)."""
        return str(self._session("GET", f"/element/{element}/text"))

    def property(self, element: str, name: str) -> Any:
        return self._session("GET", f"/element/{element}/property/{name}")

    def script(self, body: str, *args: Any) -> Any:
        return self._session("POST", "/execute/sync", {"script": body, "args": list(args)})

    def quit(self) -> None:
        if self.session:
            self._session("DELETE", "")
            self.session = ""


@pytest.fixture(scope="module")
def server(corpus_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``kg serve`` on loopback (a free port) over the corpus store: its base URL."""
    log = tmp_path_factory.mktemp("kg-serve") / "stderr.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--store", str(corpus_store_path),
             "--port", "0", "--timeout", "20"],
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    try:
        def started() -> str | None:
            m = re.search(r"at (http://127\.0\.0\.1:\d+)/", log.read_text(errors="replace"))
            if m is None and process.poll() is not None:
                raise AssertionError(f"kg serve stopped: {log.read_text(errors='replace')}")
            return m.group(1) if m else None

        yield _until("kg serve to start", started)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Chromium:
    """Starts ChromeDriver and a browser session when a test first asks for them (so that a
    missing Chromium fails that test, not its setup) and ends both in :meth:`close`."""

    def __init__(self, where: Path) -> None:
        self.where = where
        self.driver: subprocess.Popen[bytes] | None = None
        self.browser: Browser | None = None

    def get(self) -> Browser:
        if self.browser is not None:
            return self.browser
        driver_path = _program(CHROMEDRIVER, "chromedriver")
        _program(CHROMIUM, "chromium")
        log = self.where / "chromedriver.log"
        port = _free_port()
        with log.open("wb") as sink:
            self.driver = subprocess.Popen(
                [driver_path, f"--port={port}"], stdout=sink, stderr=subprocess.STDOUT
            )
        driver, driver_url = self.driver, f"http://127.0.0.1:{port}"

        def ready() -> bool:
            if driver.poll() is not None:
                raise AssertionError(f"chromedriver stopped: {log.read_text(errors='replace')}")
            try:
                with _OPENER.open(driver_url + "/status", timeout=2) as response:
                    return bool(json.loads(response.read())["value"]["ready"])
            except OSError:
                return False

        _until("chromedriver to start", ready, 10)
        self.browser = Browser(driver_url, self.where / "profile")
        return self.browser

    def close(self) -> None:
        try:
            if self.browser is not None:
                self.browser.quit()
        finally:
            self.browser = None
            if self.driver is not None:
                self.driver.terminate()
                try:
                    self.driver.wait(10)
                except subprocess.TimeoutExpired:
                    self.driver.kill()
                    self.driver.wait()
                self.driver = None


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    """Headless Chromium for the module's tests; its session is deleted and its driver
    stopped whatever happens."""
    holder = Chromium(tmp_path_factory.mktemp("chromium"))
    try:
        yield holder
    finally:
        holder.close()


def _table(browser: Browser) -> tuple[list[str], list[list[str]]]:
    """The result table's header and rows, as the page has them."""
    header, *rows = browser.script(
        "return Array.from(document.querySelectorAll('#result table tr'),"
        " (tr) => Array.from(tr.children, (cell) => cell.textContent));"
    )
    return header, rows


def test_a_saved_query_with_a_parameter_in_the_browser(
    server: str, chromium: Chromium, corpus_store_path: Path
) -> None:
    started = time.monotonic()
    browser = chromium.get()
    browser.open(server + "/")
    # the saved queries come from /queries after the page loads
    option = _until(
        "the saved query cited-where in the list",
        lambda: browser.find_all('#saved option[value="cited-where"]'),
    )[0]
    browser.click(option)
    field = _until("cited-where's parameter field", lambda: browser.find_all('#params input'))
    assert len(field) == 1 and browser.property(field[0], "name") == "title"
    assert browser.property(field[0], "value") == TITLE  # the example, filled in
    saved = saved_query("cited-where", QUERIES_DIR)
    assert browser.property(browser.find("#query"), "value") == saved.text

    browser.click(browser.find("#run"))
    _until("the result table", lambda: browser.find_all("#result table tr td"))
    header, rows = _table(browser)

    # the same query through kg query's own runner gives the same table
    answer = run_query(
        corpus_store_path, saved.text, bind([f"title={TITLE}"], ["title"]), "json", 30
    )
    expected = json.loads(answer.text)
    assert header == expected["head"]["vars"] == list(saved.columns)
    assert rows == [
        [b[v]["value"] if v in b else "" for v in header]
        for b in expected["results"]["bindings"]
    ]
    regions = {row[header.index("region")] for row in rows}
    assert "保定市" in regions and all(TITLE in row[header.index("document")] for row in rows)
    status = browser.text(browser.find("#status"))
    assert status.startswith(f"{len(rows)} rows, ")
    assert time.monotonic() - started < 30


def test_a_syntax_error_shows_the_servers_message(server: str, chromium: Chromium) -> None:
    started = time.monotonic()
    browser = chromium.get()
    browser.open(server + "/")
    _until("the saved queries", lambda: browser.find_all('#saved option[value="cited-where"]'))
    bad = "SELECT ?x WHERE { ?x ?y }"
    box = browser.find("#query")
    browser.clear(box)
    browser.type(box, bad)
    browser.click(browser.find("#run"))
    error = _until("the error message", lambda: browser.find_all("#result .error"))[0]
    shown = browser.text(error)

    request = urllib.request.Request(f"{server}/sparql?query={quote(bad)}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        _OPENER.open(request, timeout=30)
    assert refused.value.code == 400
    message = refused.value.read().decode()
    assert "syntax error" in shown and "line 1, column" in shown
    assert browser.property(error, "textContent") == message
    assert browser.text(browser.find("#status")) == "400 Bad Request"
    assert not browser.find_all("#result table")
    assert time.monotonic() - started < 30
