"""What the dashboard's browser tests share, whichever browser drives the page (test_dashboard_browser.py runs
Chromium through selenium, test_dashboard_firefox.py runs Firefox through Marionette): the endpoint they serve, the
traffic they keep on it, and reading a variant's card in one script call. A `driver` here is anything with
selenium's `execute_script(script, *args)`."""
import json
import random
import threading
import time

from conftest import KeepAliveClient, wait_until, write_endpoint

TOKEN = "dash-secret"


def make_config(root, b_model="steady"):
    """Two production variants (control and challenger, equal weights) with health on and outcomes recorded."""
    path = write_endpoint(root, [
        {"name": "control", "model": "steady", "weight": 1},
        {"name": "challenger", "model": b_model, "weight": 1},
    ], admin={"token": TOKEN}, health={"policy": "any", "min_requests": 10, "degraded_error_rate": 0.5,
                                       "window_s": 5}, name="checkout-ranker")
    with path.open("a") as config:
        config.write("experiment: {outcomes: true, control: control}\n")
    return path


class Traffic:
    """Keeps invoking the endpoint from two keep-alive connections until stopped."""

    def __init__(self, server):
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(server,), daemon=True) for _ in range(2)]
        for thread in self.threads:
            thread.start()

    def run(self, server):
        """Invokes, and posts an outcome for every answered request (challenger's mean a little higher), in
        batches, so /experiment has intervals to draw."""
        client = KeepAliveClient(server, timeout=10)
        rng = random.Random(7)
        outcomes = []
        while not self.stop.is_set():
            try:
                status, headers, _ = client.invoke("1.0")
                variant = headers.get("x-amzn-invoked-production-variant")
                if status == 200 and variant:
                    mean = 1.3 if variant == "challenger" else 1.0
                    outcomes.append({"request_id": headers["x-amzn-requestid"], "value": rng.gauss(mean, 1.0)})
                if len(outcomes) >= 20:
                    client.request("POST", "/outcomes", json.dumps({"outcomes": outcomes}),
                                   {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
                    outcomes = []
            except OSError:
                time.sleep(0.05)
            time.sleep(0.01)
        client.close()

    def close(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(5)


# Cards are rebuilt on every update, so the page is read in one script call (one consistent update, no stale
# element references).
READ = """
const [variant, keys] = arguments;
const card = document.querySelector(`article[data-variant="${variant}"]`);
if (!card) return null;
const out = {_class: card.className, _border: getComputedStyle(card).borderLeftColor};
for (const k of keys) { const c = card.querySelector(`[data-k="${k}"]`); out[k] = c ? [c.dataset.raw ?? null, c.textContent] : [null, null]; }
return out;
"""


def ticks(driver) -> int:
    """How many pushed updates the page has handled (its body's data-ticks)."""
    return int(driver.execute_script("return document.body ? document.body.dataset.ticks || 0 : 0") or 0)


def wait_ticks(driver, count, timeout=10.0):
    """Waits until the page has handled `count` more pushed updates."""
    target = ticks(driver) + count
    wait_until(lambda: ticks(driver) >= target, timeout=timeout)


def card(driver, variant, *keys):
    """{key: (raw value, text shown)} for `variant`'s card, plus its class and border colour."""
    return driver.execute_script(READ, variant, list(keys)) or {}


def shown(driver, variant, key):
    """The raw number the page shows for `variant`'s `key` (its data-raw attribute) and the text shown."""
    return tuple(card(driver, variant, key).get(key) or (None, None))


def is_red(colour: str) -> bool:
    """Whether a computed `rgb(r, g, b)` colour is clearly red."""
    red, green, blue = [int(float(x)) for x in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3]]
    return red > 150 and red > 2 * green and red > 2 * blue


def get_json(server, path):
    status, _, body = server.request("GET", path, headers={"Accept": "application/json"})
    assert status == 200, body
    return json.loads(body)


def metrics_by_variant(server):
    return {m["variant"]: m for m in get_json(server, "/metrics?format=json")["variants"]}


def variants_by_name(server):
    return {v["name"]: v for v in get_json(server, "/variants")["variants"]}
