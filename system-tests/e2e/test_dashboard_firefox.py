"""The live dashboard in Firefox: Debian's firefox-esr, headless, driven over Marionette (marionette-driver; Debian
has no geckodriver), against a real tandem under traffic from two variants. The Chromium test
(test_dashboard_browser.py) covers the page's every feature; this one checks the essentials in the other engine.

It checks that the page renders both variants and updates live over its event stream; that the numbers it shows are
those of /variants and /metrics of the same moment (within one update); that a weight change made through the admin
API shows within two seconds; that a variant made to fail turns red with its reason; that the light and the dark
colour scheme each apply (Firefox's `layout.css.prefers-color-scheme.content-override`); that every request the page
made (the browser's own request log, and the page's resource timing) went to tandem's host and port; and that the
page logged no error. Screenshots in both schemes go to the test's directory."""
import re
import shutil
import time
import urllib.parse

import pytest

from conftest import admin_weights, wait_until, write_synthetic
from dashboard_support import (TOKEN, Traffic, card, get_json, is_red, make_config, metrics_by_variant, shown,
                               variants_by_name, wait_ticks)

pytest.importorskip("marionette_driver", reason="marionette-driver is not installed (scripts/install-deps --test)")
if not (shutil.which("firefox-esr") or shutil.which("firefox")):
    pytest.skip("firefox-esr is not installed (scripts/install-deps --test)", allow_module_level=True)
from firefox_marionette import Firefox  # noqa: E402

SCHEME = "layout.css.prefers-color-scheme.content-override"  # 0 dark, 1 light
LIGHT_BACKGROUND = "rgb(247, 247, 245)"  # --bg of DashboardPage's two schemes
DARK_BACKGROUND = "rgb(21, 23, 26)"


@pytest.fixture
def firefox(tmp_path):
    browser = Firefox(tmp_path / "firefox")
    yield browser
    browser.close()


def background(browser) -> str:
    return browser.execute_script("return getComputedStyle(document.body).backgroundColor")


def on_tandem(url: str, port: int) -> bool:
    parsed = urllib.parse.urlsplit(url)
    return (parsed.scheme, parsed.hostname, parsed.port) == ("http", "127.0.0.1", port)


def test_dashboard_live_in_firefox(start_server, tmp_repo, tmp_path, firefox):
    write_synthetic(tmp_repo, "steady", 1, features=1, latency={"p50_ms": 2, "p99_ms": 9})
    write_synthetic(tmp_repo, "flaky", 1, features=1, latency_ms=1, error_rate=1.0)
    server = start_server(["--config", str(make_config(tmp_repo)), "--workers", "2"])
    traffic = Traffic(server)
    try:
        firefox.set_pref(SCHEME, 1)
        firefox.navigate(f"http://127.0.0.1:{server.port}/dashboard")
        assert "checkout-ranker" in firefox.title
        wait_ticks(firefox, 2, timeout=15)
        # Both variants have their card.
        for name in ("control", "challenger"):
            assert card(firefox, name, "invocations").get("invocations", [None])[0] is not None, name

        # Live: the pushed updates keep coming, about one a second.
        started = time.monotonic()
        wait_ticks(firefox, 3, timeout=10)
        assert time.monotonic() - started < 6

        # The numbers shown are /metrics and /variants of the same moment: counters between a read just before
        # and one just after an update, settings equal.
        before = metrics_by_variant(server)
        wait_ticks(firefox, 2)
        keys = ("invocations", "weight", "configured_share")
        page = {v: {k: card(firefox, v, *keys)[k][0] for k in keys} for v in ("control", "challenger")}
        after = metrics_by_variant(server)
        variants = variants_by_name(server)
        for name in ("control", "challenger"):
            assert 0 < int(page[name]["invocations"])
            assert before[name]["invocations"] <= int(page[name]["invocations"]) <= after[name]["invocations"]
            assert float(page[name]["weight"]) == variants[name]["weight"]
            assert float(page[name]["configured_share"]) == variants[name]["configured_share"]
        assert shown(firefox, "control", "configured_share")[1] == "50.0 %"
        # Charts drew a line per variant from the history.
        wait_until(lambda: firefox.execute_script("return document.querySelectorAll('#charts svg path').length") >= 2,
                   timeout=5)

        # The light scheme applies.
        wait_until(lambda: background(firefox) == LIGHT_BACKGROUND, timeout=5)
        firefox.screenshot(tmp_path / "dashboard-firefox.png")

        # A weight change through the admin API (as curl would) shows within two seconds.
        status, _ = admin_weights(server, {"weights": {"control": 3, "challenger": 1}}, TOKEN)
        assert status == 200
        changed = time.monotonic()
        wait_until(lambda: shown(firefox, "control", "weight")[0] == "3", timeout=2.0, interval=0.02)
        assert time.monotonic() - changed <= 2.0
        assert shown(firefox, "control", "configured_share")[1] == "75.0 %"

        # A variant made to fail: the reload points the challenger at a model that fails every call; under traffic
        # it turns degraded, and its card turns red and says why.
        make_config(tmp_repo, b_model="flaky")
        status, _, body = server.request("POST", "/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
        assert status == 200, body
        wait_until(lambda: variants_by_name(server)["challenger"]["state"] == "degraded", timeout=15)
        wait_until(lambda: "bad" in card(firefox, "challenger").get("_class", ""), timeout=3)
        failing = card(firefox, "challenger", "reason", "state")
        reason = failing["reason"][1]
        assert reason and "failed" in reason
        assert re.sub(r"[0-9.]+", "N", reason) == re.sub(r"[0-9.]+", "N", variants_by_name(server)["challenger"]["reason"])
        assert is_red(failing["_border"]), failing["_border"]
        assert "degraded" in failing["state"][1]
        assert "bad" not in card(firefox, "control")["_class"]

        # The dark scheme applies too, failing card and all.
        firefox.set_pref(SCHEME, 0)
        wait_until(lambda: background(firefox) == DARK_BACKGROUND, timeout=5)
        wait_ticks(firefox, 1)
        assert is_red(card(firefox, "challenger")["_border"])
        firefox.screenshot(tmp_path / "dashboard-firefox-dark.png")

        # Every request the page made went to tandem: the browser's own log of the requests pages started, and
        # the page's resource timing.
        requested = firefox.requests()
        assert any(url.endswith("/dashboard/events") or "/dashboard/events?" in url for url in requested), requested
        assert [url for url in requested if not on_tandem(url, server.port)] == []
        timed = firefox.execute_script(
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
            ".map(e => e.name)")
        assert timed and [url for url in timed if not on_tandem(url, server.port)] == []

        # And the page logged no error (uncaught exceptions, failed loads, CSP refusals).
        assert firefox.page_errors() == []
        assert get_json(server, "/variants")["variants"]  # tandem served throughout
    finally:
        traffic.close()
