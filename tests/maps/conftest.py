"""Shared fixtures of the map tests: a tiny hand-made network with hostile names, results on it
and on the default network, and a headless Chromium (see `browser`)."""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest

from maps.style import TILE_HOST
from network import load_network
from network.model import Location, Network, Service
from routing.compare import compare
from routing.consignment import Consignment
from routing.itinerary import Itinerary
from routing.query import build_consignment
from routing.search import SearchOptions

XSS = "<img src=x onerror=alert(1)>"
XSS_OPERATOR = "<script>alert('op')</script>"
BRU = ZoneInfo("Europe/Brussels")
COMPUTED_AT = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
RAIL_SHAPE = ((50.9, 7.0), (52.2, 21.0), (51.0, 71.4), (43.8, 87.6))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _loc(lid: str, kind: str, lat: float, lon: float, *, name: str = "", cn: bool = False,
         **kw: Any) -> Location:
    return Location(lid, name or lid, kind, "CN" if cn else "BE", lat, lon,
                    "Asia/Shanghai" if cn else "Europe/Brussels", as_of="2025-01" if cn else "2024-06",
                    **kw)


def _svc(sid: str, origin: str, destination: str, mode: str, km: float, hours: float,
         eur_per_kg: float, co2: float, *, operator: str = "op", cn: bool = False) -> Service:
    return Service(sid, origin, destination, mode, operator, km, hours, eur_per_kg=eur_per_kg,
                   co2e_g_per_tkm=co2, origin_tz="Asia/Shanghai" if cn else "Europe/Brussels",
                   as_of="2024-01")


def tiny_network() -> Network:
    """A city with a hostile name joined to a Chinese city by one rail, air and sea route each."""
    locations = [
        _loc("ORIG", "city", 50.60, 5.50, name=XSS, handling_h=2, handling_eur=15),
        _loc("RT", "rail_terminal", 50.65, 5.45, handling_h=3, handling_eur=40),
        _loc("AP", "airport", 50.64, 5.44, handling_h=4, handling_eur=60),
        _loc("SP", "seaport", 51.30, 4.30, handling_h=12, handling_eur=90),
        _loc("DRT", "rail_terminal", 34.70, 113.60, cn=True),
        _loc("DAP", "airport", 34.52, 113.84, cn=True),
        _loc("DSP", "seaport", 31.23, 121.50, cn=True),
        _loc("DEST", "city", 34.75, 113.65, name="Zhengzhou & Co", cn=True),
    ]
    services = [
        _svc("R-ORIG-RT", "ORIG", "RT", "road", 10, 2, 0.05, 85),
        _svc("R-ORIG-AP", "ORIG", "AP", "road", 10, 2, 0.05, 85),
        _svc("R-ORIG-SP", "ORIG", "SP", "road", 140, 4, 0.10, 85),
        _svc("RAIL", "RT", "DRT", "rail", 10_000, 400, 0.8, 20),
        _svc("AIR", "AP", "DAP", "air", 8_500, 20, 4.0, 600, operator=XSS_OPERATOR),
        _svc("SEA", "SP", "DSP", "sea", 20_000, 900, 0.5, 10),
        _svc("R-DRT-DEST", "DRT", "DEST", "road", 10, 2, 0.05, 85, cn=True),
        _svc("R-DAP-DEST", "DAP", "DEST", "road", 30, 2, 0.05, 85, cn=True),
        _svc("R-DSP-DEST", "DSP", "DEST", "road", 900, 20, 0.10, 85, cn=True),
    ]
    return Network({x.id: x for x in locations}, {s.id: s for s in services},
                   shapes={"RAIL": RAIL_SHAPE}, name="tiny")


@pytest.fixture(scope="session")
def tiny() -> Network:
    return tiny_network()


@pytest.fixture(scope="session")
def tiny_itineraries(tiny: Network) -> list[Itinerary]:
    """The best itinerary per main mode on the tiny network: air, rail, sea (in that order)."""
    c = Consignment("ORIG", "DEST", 800.0, 3.5, datetime(2026, 12, 1, 9, 0, tzinfo=BRU), id=XSS)
    result = compare(tiny, c, SearchOptions(horizon_days=60))
    assert list(result.by_mode) == ["air", "rail", "sea"]
    return list(result.by_mode.values())


@pytest.fixture(scope="session")
def default_compare() -> tuple[Network, list[Itinerary]]:
    """`compare Namur Zhengzhou --weight 800kg --volume 3.5m3 --ready 2026-12-01T09:00`."""
    net, c = build_consignment(load_network(), "Namur", "Zhengzhou", weight_kg=800.0,
                               volume_m3=3.5, ready="2026-12-01T09:00")
    result = compare(net, c, SearchOptions())
    assert {"air", "rail"} <= set(result.by_mode)
    return net, list(result.by_mode.values())


# --- headless Chromium ------------------------------------------------------------------------

def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail when the run requires the browser tests (CI sets SILKROUTE_REQUIRE_BROWSER=1)."""
    if os.environ.get("SILKROUTE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required but {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    """Debian's chromium (never Playwright's own download); SILKROUTE_CHROMIUM overrides."""
    explicit = os.environ.get("SILKROUTE_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    executable = chromium_path()
    if executable is None:
        _unavailable("chromium is not installed")
    with sync_playwright() as p:
        try:
            instance = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:  # any launch failure means no browser
            _unavailable(f"chromium did not start: {exc}")
        yield instance
        instance.close()


def _png_1x1(rgba: tuple[int, int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" + bytes(rgba))) + chunk(b"IEND", b""))


BLANK_TILE = _png_1x1((0, 0, 0, 0))  # what the stubbed tile server answers


@dataclass
class Session:
    page: Any
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri())
        self.page.wait_for_selector(".leaflet-overlay-pane path", state="attached", timeout=5000)
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(null)))")

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.external == [], self.external
        assert self.dialogs == [], self.dialogs
        assert self.page.evaluate("window.__xss") is None


@pytest.fixture
def session(browser) -> Iterator[Session]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    s = Session(page)
    page.add_init_script("window.alert = (m) => { window.__xss = String(m); };")
    page.on("console", lambda m: s.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: s.errors.append(f"page error: {e}"))
    page.on("dialog", lambda d: (s.dialogs.append(d.message), d.dismiss()))

    def route(r: Any) -> None:
        url = r.request.url
        host = urlparse(url).hostname or ""
        if url.startswith(("file:", "data:")):
            r.continue_()
        elif host.endswith(TILE_HOST):
            r.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
        else:
            s.external.append(url)
            r.abort()

    page.route("**/*", route)
    yield s
    context.close()
