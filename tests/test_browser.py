"""The static site in a real headless browser (Debian's chromium): the home page and a case page
render what they should, from file:// and from a static HTTP server on 127.0.0.1. Screenshots go
to the test output folder (OPSI_KG_TEST_OUTPUT, default test-output/browser/).

Needs the `chromium` package (``apt-get install -y chromium``); skipped only when it is absent.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import shutil
import struct
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib.namespace import RDF

from opsi_kg.namespaces import OPSI
from opsi_kg.publish import page_path

RELEASE_DATE = dt.date(2025, 1, 1)
CASE = "https://w3id.org/opsi-kg/id/case/accelerated-capability-environment"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get update && apt-get install -y chromium)"
)


@pytest.fixture(scope="module")
def shots(test_output) -> Path:
    folder = test_output / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _chromium(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def dump_dom(tmp_path: Path, url: str) -> str:
    """The page's DOM after the browser loaded it (styles applied, no scripts on the site)."""
    done = _chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", url)
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


def screenshot(tmp_path: Path, url: str, target: Path, size: str = "1280,900") -> tuple[int, int]:
    target.unlink(missing_ok=True)
    done = _chromium(tmp_path, f"--screenshot={target}", f"--window-size={size}", url)
    assert target.is_file() and target.stat().st_size > 10_000, done.stderr[-2000:]
    head = target.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])  # width, height


class _Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("br", "img", "link", "meta", "rect", "line", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        for tag in set(self.stack):
            self.text.setdefault(tag, []).append(data)

    def texts(self, tag: str) -> str:
        return " ".join(" ".join(self.text.get(tag, [])).split())


def _parse(html: str) -> _Dom:
    dom = _Dom()
    dom.feed(html)
    return dom


@pytest.fixture(scope="module")
def http_root(release_dir):
    """The release folder on a static HTTP server at 127.0.0.1 (a free port), for the test only."""
    handler = functools.partial(_QuietHandler, directory=str(release_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def test_home_page_renders_statistics_and_charts(tmp_path, release_dir, default_build, shots):
    url = (release_dir / "site" / "index.html").as_uri()
    dom = _parse(dump_dom(tmp_path, url))
    assert dom.texts("h1") == "opsi-kg"
    cases = len(set(default_build.asserted.subjects(RDF.type, OPSI.Case)))
    stats = dom.texts("ul")
    assert f"{cases} cases" in stats
    svgs = [a for tag, a in dom.tags if tag == "svg"]
    assert {a.get("id") for a in svgs} >= {"chart-themes", "chart-countries", "chart-years"}
    assert sum(1 for tag, _a in dom.tags if tag == "rect") >= 10
    assert "Downloads" in dom.texts("h2") and "catalog.ttl" in dom.texts("a")
    width, height = screenshot(tmp_path, url, shots / "home.png")
    assert (width, height) == (1280, 900)


def test_case_page_renders_its_properties_links_and_data_files(tmp_path, release_dir, shots):
    path = release_dir / "site" / page_path(CASE)
    dom = _parse(dump_dom(tmp_path, path.as_uri()))
    assert dom.texts("h1") == "Accelerated Capability Environment (ACE)"
    table = dom.texts("table")
    for expected in ("country", "United Kingdom", "led by", "Home Office", "level of government", "National"):
        assert expected in table, expected
    hrefs = {a.get("href") for tag, a in dom.tags if tag == "a"}
    assert {
        "../country/GBR.html",
        "accelerated-capability-environment.ttl",
        "accelerated-capability-environment.jsonld",
    } <= hrefs
    assert any(tag == "html" and a.get("lang") == "en" for tag, a in dom.tags)
    screenshot(tmp_path, path.as_uri(), shots / "case.png", "1280,1400")


def test_site_works_from_a_static_http_server(tmp_path, http_root, shots):
    url = http_root + "site/" + page_path("http://publications.europa.eu/resource/authority/country/GBR")
    dom = _parse(dump_dom(tmp_path, url))
    assert dom.texts("h1") == "United Kingdom"
    assert "Cases in this country" in dom.texts("h3")
    assert "Accelerated Capability Environment (ACE)" in dom.texts("a")
    screenshot(tmp_path, url, shots / "country-over-http.png")
