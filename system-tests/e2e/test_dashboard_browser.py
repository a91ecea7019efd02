"""The live dashboard in a real browser: Debian's Chromium, driven by its chromedriver (selenium, with the
driver's path given so nothing is downloaded), against a real tandem under traffic from two variants.

It checks that the page updates live; that the numbers it shows are those of /variants and /metrics of the same
moment (within one update); that a weight change made through the admin API shows within two seconds and the
page's own admin form changes weights through that API; that a variant made to fail turns red with its reason;
that it fits a phone's width; and, from the browser's network log, that no request went to any host but tandem's.
It draws the always-valid interval and the sequential sample-ratio check from the server's own JSON; against a
second tandem with a real canary rollout, it shows the rollout holding and its Abort button rolls it back through
POST /admin/rollouts.
Screenshots in both colour schemes, and of the rollout holding, go to the test's directory, and to docs/ with
TANDEM_UPDATE_SCREENSHOTS=1."""
import base64
import json
import os
import re
import shutil
import time
import urllib.parse

import pytest

from conftest import REPO, admin_weights, wait_until, write_endpoint, write_synthetic
from dashboard_support import (TOKEN, Traffic, card, get_json, is_red, make_config, metrics_by_variant, shown,
                               variants_by_name, wait_ticks)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

webdriver = pytest.importorskip("selenium.webdriver")
if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    pytest.skip("chromium and chromium-driver are not installed (scripts/install-deps --test)", allow_module_level=True)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-sync", "--disable-default-apps",
                 "--disable-component-update", "--window-size=1280,900", "--hide-scrollbars"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def save_screenshot(driver, tmp_path, name):
    """The whole page (not only the window), as a PNG."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.execute_script("return document.documentElement.clientWidth")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    (tmp_path / name).write_bytes(base64.b64decode(shot["data"]))
    if os.environ.get("TANDEM_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(tmp_path / name, REPO / "docs" / name)


def test_dashboard_live_in_chromium(start_server, tmp_repo, tmp_path, browser):
    write_synthetic(tmp_repo, "steady", 1, features=1, latency={"p50_ms": 2, "p99_ms": 9})
    write_synthetic(tmp_repo, "flaky", 1, features=1, latency_ms=1, error_rate=1.0)
    config = make_config(tmp_repo)
    server = start_server(["--config", str(config), "--workers", "2"])
    traffic = Traffic(server)
    try:
        base = f"http://127.0.0.1:{server.port}"
        browser.get(base + "/dashboard")
        assert "checkout-ranker" in browser.title
        wait_ticks(browser, 2, timeout=15)

        # Live: the pushed updates keep coming, about one a second.
        started = time.monotonic()
        wait_ticks(browser, 3, timeout=10)
        assert time.monotonic() - started < 6

        # The numbers shown are /metrics and /variants of the same moment: counters between a read just before
        # and one just after an update, settings equal.
        before = metrics_by_variant(server)
        wait_ticks(browser, 2)
        keys = ("invocations", "invocation_5xx_errors", "weight", "configured_share")
        snapshot = {v: card(browser, v, *keys) for v in ("control", "challenger")}
        page = {v: {k: snapshot[v][k][0] for k in keys} for v in snapshot}
        after = metrics_by_variant(server)
        variants = variants_by_name(server)
        for name in ("control", "challenger"):
            assert before[name]["invocations"] <= int(page[name]["invocations"]) <= after[name]["invocations"]
            assert int(page[name]["invocations"]) > 0
            assert float(page[name]["weight"]) == variants[name]["weight"]
            assert float(page[name]["configured_share"]) == variants[name]["configured_share"]
        assert shown(browser, "control", "configured_share")[1] == "50.0 %"
        assert shown(browser, "control", "rps")[1].endswith("req/s")
        assert "ms" in shown(browser, "control", "model_latency")[1] or "µs" in shown(browser, "control", "model_latency")[1]
        # The experiment: the interval of /experiment is drawn (a line on the forest plot), not only printed.
        wait_until(lambda: any("ci95" in v for v in get_json(server, "/experiment")["variants"]), timeout=20)
        wait_until(lambda: browser.execute_script("return document.querySelectorAll('#experiment line.fixed').length") >= 1,
                   timeout=5)
        # Charts drew a line per variant from the history.
        assert len(browser.find_elements(By.CSS_SELECTOR, "#charts svg path")) >= 2
        save_screenshot(browser, tmp_path, "dashboard.png")
        # The always-valid interval of /experiment (`sequential.absolute.interval`) is drawn beside the fixed one,
        # and its numbers are those the server reported.
        wait_until(lambda: browser.execute_script("return document.querySelectorAll('#experiment line.valid').length") >= 1,
                   timeout=5)
        report = get_json(server, "/experiment")
        assert report["sequential_settings"]["method"] in browser.find_element(By.ID, "experiment-note").text.replace(" ", "_")
        challenger = next(v for v in report["variants"] if v["name"] == "challenger")
        assert challenger["sequential"]["absolute"]["interval"] and "ci95" in challenger
        assert "Always-valid sample-ratio check: p = " in browser.find_element(By.ID, "split").text
        seq = browser.execute_script("return document.querySelector('#split [data-k=sequential_mismatch]').dataset.raw")
        assert seq == str(get_json(server, "/variants")["traffic_split"]["sequential_mismatch"]).lower()
        # A bandit's member, in the shape /experiment gives it (this config runs none, and a bandit would move the
        # weights the checks below set): the real report with `bandit` added, fed to the page's renderer.
        drawn = browser.execute_script("""
            const report = arguments[0];
            report.bandit = {updates: 4, burn_in: false, updated_at: Date.now() / 1000,
                             shares: {challenger: 0.7, control: 0.3}, note: "adaptive allocation: biased"};
            state.experiment = report;
            renderExperiment();  // (after the screenshot: the docs show only what the server reported)
            return [document.querySelectorAll('#experiment line.valid').length, document.querySelector('#bandit').textContent,
                    document.querySelector('#bandit [data-bandit=challenger] [data-raw]').dataset.raw];
        """, report)
        assert drawn[0] == 1 and "70.0 %" in drawn[1] and "4 updates" in drawn[1] and drawn[2] == "0.7", drawn

        # A weight change through the admin API (as curl would) shows within two seconds.
        status, _ = admin_weights(server, {"weights": {"control": 3, "challenger": 1}}, TOKEN)
        assert status == 200
        changed = time.monotonic()
        wait_until(lambda: shown(browser, "control", "weight")[0] == "3", timeout=2.0, interval=0.02)
        assert time.monotonic() - changed <= 2.0
        assert shown(browser, "control", "configured_share")[1] == "75.0 %"

        # The page's own admin form: nothing admin before the token, then weights through /admin/weights.
        assert not browser.find_element(By.ID, "admin").is_displayed()
        browser.find_element(By.ID, "admin-toggle").click()
        assert not browser.find_element(By.ID, "admin-actions").is_displayed()
        browser.find_element(By.ID, "token").send_keys("wrong")
        browser.find_element(By.CSS_SELECTOR, "#token-form button").click()
        wait_until(lambda: "401" in browser.find_element(By.ID, "admin-result").text, timeout=5)
        assert not browser.find_element(By.ID, "admin-actions").is_displayed()
        token_box = browser.find_element(By.ID, "token")
        token_box.clear()
        token_box.send_keys(TOKEN)
        browser.find_element(By.CSS_SELECTOR, "#token-form button").click()
        wait_until(lambda: browser.find_element(By.ID, "admin-actions").is_displayed(), timeout=5)
        wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, '#weights-inputs input[name="challenger"]'), timeout=5)
        field = browser.find_element(By.CSS_SELECTOR, '#weights-inputs input[name="challenger"]')
        field.clear()
        field.send_keys("3")
        browser.find_element(By.CSS_SELECTOR, "#weights-form button[type=submit]").click()
        wait_until(lambda: variants_by_name(server)["challenger"]["weight"] == 3, timeout=5)
        wait_until(lambda: shown(browser, "challenger", "weight")[0] == "3", timeout=3)

        # A variant made to fail: the reload (through the admin API) points the challenger at a model that fails
        # every call; under traffic it turns degraded, and its card turns red and says why.
        make_config(tmp_repo, b_model="flaky")
        status, _, body = server.request("POST", "/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
        assert status == 200, body
        wait_until(lambda: variants_by_name(server)["challenger"]["state"] == "degraded", timeout=15)
        wait_until(lambda: "bad" in card(browser, "challenger").get("_class", ""), timeout=3)
        failing = card(browser, "challenger", "reason", "state")
        reason = failing["reason"][1]
        # The reason's counts move with the traffic: the same sentence as /variants, numbers aside.
        assert reason and re.sub(r"[0-9.]+", "N", reason) == re.sub(r"[0-9.]+", "N", variants_by_name(server)["challenger"]["reason"])
        assert "failed" in reason
        assert is_red(failing["_border"]), failing["_border"]
        assert "degraded" in failing["state"][1]
        assert "bad" not in card(browser, "control")["_class"]
        # The dark scheme follows the system setting (emulated here), failing card and all.
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        wait_ticks(browser, 1)
        background = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(21, 23, 26)", background
        save_screenshot(browser, tmp_path, "dashboard-dark.png")
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})

        # A phone's width: nothing wider than the screen.
        browser.set_window_size(390, 844)
        wait_ticks(browser, 1)
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, overflow

        # Every request the page made went to tandem (the browser's own network log).
        hosts = set()
        urls = []
        for entry in browser.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                url = message["params"]["request"]["url"]
                urls.append(url)
                if not url.startswith("data:"):
                    parsed = urllib.parse.urlsplit(url)
                    hosts.add((parsed.scheme, parsed.hostname, parsed.port))
        assert any(u.endswith("/dashboard/events") for u in urls), urls[:20]
        assert hosts == {("http", "127.0.0.1", server.port)}, hosts
    finally:
        traffic.close()


def make_rollout_config(root):
    """Control and a challenger (weight 0) that a canary rollout gives 30 % of the traffic, then holds for
    promotion; outcomes on, so /experiment has the sequential comparison."""
    path = write_endpoint(root, [
        {"name": "control", "model": "steady", "weight": 1},
        {"name": "challenger", "model": "steady", "weight": 0},
    ], admin={"token": TOKEN}, name="rollout-ranker")
    rollout = {"variant": "challenger", "policy": "canary", "canary_share": 0.3, "bake_s": 1.5,
               "evaluation_interval_s": 0.1, "min_requests": 5}
    with path.open("a") as config:
        config.write("experiment: {outcomes: true, control: control}\n")
        config.write(f"rollouts:\n  - {json.dumps(rollout)}\n")
    return path


def test_dashboard_shows_a_real_rollout_and_aborts_it(start_server, tmp_repo, tmp_path, browser):
    """Against a server with a real rollout: /variants' `rollouts` is drawn (phase, step, decisions), the
    always-valid interval of /experiment is drawn, and the page's Abort button calls POST /admin/rollouts with
    what that route accepts, so the server rolls the challenger back."""
    write_synthetic(tmp_repo, "steady", 1, features=1, latency_ms=1)
    server = start_server(["--config", str(make_rollout_config(tmp_repo)), "--workers", "2"])
    traffic = Traffic(server)
    try:
        browser.get(f"http://127.0.0.1:{server.port}/dashboard")
        wait_until(lambda: (get_json(server, "/variants").get("rollouts") or [{}])[0].get("phase") == "holding",
                   timeout=20)
        rollout_card = "#rollouts article[data-rollout=challenger]"

        def phase():
            return browser.execute_script(f"const c = document.querySelector('{rollout_card}'); return c && c.dataset.phase")
        wait_until(lambda: phase() == "holding", timeout=5)
        assert browser.find_element(By.ID, "rollouts-section").is_displayed()
        text = browser.find_element(By.CSS_SELECTOR, rollout_card).text
        assert "canary rollout" in text and "1 of 2" in text and "30.0 %" in text, text
        actions = browser.execute_script(
            f"return [...document.querySelectorAll('{rollout_card} tr[data-action]')].map(r => r.dataset.action)")
        assert actions[:2] == ["hold", "start"], actions  # newest first

        # The always-valid interval, from a real `sequential` member.
        wait_until(lambda: browser.execute_script("return document.querySelectorAll('#experiment line.valid').length") >= 1,
                   timeout=20)
        raw = browser.execute_script(
            "return document.querySelector('#experiment tr[data-variant=challenger] [data-k=sequential_interval]').dataset.raw")
        assert len([float(x) for x in raw.split(",")]) == 2
        save_screenshot(browser, tmp_path, "dashboard-rollout.png")  # the rollout card holding, before the abort

        # Abort through the page's admin button (the confirmation accepted).
        browser.find_element(By.ID, "admin-toggle").click()
        browser.find_element(By.ID, "token").send_keys(TOKEN)
        browser.find_element(By.CSS_SELECTOR, "#token-form button").click()
        wait_until(lambda: browser.find_element(By.ID, "admin-actions").is_displayed(), timeout=5)
        abort = '#rollout-actions button[data-action=abort][data-variant=challenger]'
        wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, abort), timeout=5)
        assert browser.find_elements(By.CSS_SELECTOR, '#rollout-actions button[data-action=promote]')
        browser.execute_script("window.confirm = () => true;")
        browser.find_element(By.CSS_SELECTOR, abort).click()
        wait_until(lambda: "/admin/rollouts → 200" in browser.find_element(By.ID, "admin-result").text, timeout=5)
        assert get_json(server, "/variants")["rollouts"][0]["phase"] == "rolled_back"
        wait_until(lambda: phase() == "rolled_back", timeout=3)
        assert "aborted by an admin call" in browser.find_element(By.CSS_SELECTOR, rollout_card).text
        wait_until(lambda: not browser.find_elements(By.CSS_SELECTOR, abort), timeout=3)  # nothing left to decide
    finally:
        traffic.close()
