"""What an operator scrapes and runs: the process, build and per-variant series on /metrics, the alert
rules (promtool check and unit-test them) and the dashboard (every series it charts exists), and the command
line: check-config lists every error with its file and variant, `serve --help` shows every default, and
a server that cannot serve never says it is listening."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

from conftest import REPO, copy_zoo_model, run_tandem, tandem_binary, tandem_env, write_endpoint, zoo_rows

PROMETHEUS = REPO / "deploy" / "prometheus"
DASHBOARD = REPO / "deploy" / "grafana" / "tandem-dashboard.json"


def series(text: str) -> dict[str, float]:
    """`name{labels}` -> value for every sample of an exposition."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[re.sub(r",\s+", ",", name)] = float(value)
    return out


def test_promtool_checks_and_unit_tests_the_alert_rules():
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: scripts/install-deps --test installs Debian's prometheus package"
    checked = subprocess.run([promtool, "check", "rules", str(PROMETHEUS / "tandem-alerts.yml")],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 9 rules found" in checked.stdout
    tested = subprocess.run([promtool, "test", "rules", "tandem-alerts.test.yml"], cwd=PROMETHEUS,
                            capture_output=True, text=True, timeout=60)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_metrics_carry_process_build_and_variant_series_the_dashboard_and_rules_use(start_server, tmp_repo):
    copy_zoo_model(tmp_repo, "breast-cancer-logreg", "v1", "bc", 1)
    config = write_endpoint(tmp_repo, [{"name": "control", "model": "bc", "weight": 3},
                                       {"name": "challenger", "model": "bc", "weight": 1}])
    server = start_server(["--config", str(config), "--workers", "2"])
    for _ in range(4):
        assert server.invoke(zoo_rows("breast-cancer-logreg")[0])[0] == 200
    _, headers, body = server.request("GET", "/metrics")
    text = body.decode()
    samples = series(text)
    assert samples['tandem_variant_weight{endpoint="e2e",variant="control",role="production"}'] == 3
    assert samples['tandem_variant_configured_share{endpoint="e2e",variant="challenger",role="production"}'] == 0.25
    assert samples['tandem_variant_state{endpoint="e2e",variant="control",role="production",state="ready"}'] == 1
    assert samples['tandem_variant_state{endpoint="e2e",variant="control",role="production",state="failed"}'] == 0
    assert any(name.startswith("tandem_build_info{version=") for name in samples)
    assert samples["process_open_fds"] > 3 and samples["process_max_fds"] >= samples["process_open_fds"]
    assert samples["process_threads"] >= 4 and samples["process_resident_memory_bytes"] > 1 << 20
    assert samples["process_cpu_seconds_total"] > 0 and samples["process_start_time_seconds"] > 1.7e9
    assert any(name.startswith("tandem_model_load_seconds{path=") for name in samples)
    assert "# TYPE process_cpu_seconds_total counter" in text
    # Every series the dashboard and the alert rules name is exported (the histograms as _bucket).
    exported = {name.split("{")[0] for name in samples}
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    exprs += re.findall(r"expr: \|?\s*([^\n]+(?:\n {12}[^\n]+)*)", (PROMETHEUS / "tandem-alerts.yml").read_text())
    named = {name for expr in exprs for name in re.findall(r"\b((?:tandem|process)_[a-z0-9_]+)", expr)}
    # Series that appear only once something happens (a limit hit, a rejection, a split check with traffic).
    eventual = {"tandem_limit_hits_total", "tandem_queue_rejections_total"}
    assert named - exported - eventual == set()


def test_check_config_reports_every_error_with_its_file_and_variant(tmp_repo):
    copy_zoo_model(tmp_repo, "breast-cancer-logreg", "v1", "bc", 1)
    config = tmp_repo / "broken.yaml"
    config.write_text("\n".join([
        "endpoint: e2e",
        "repository: .",
        "health: {policy: sometimes}",
        "production_variants:",
        '  - {name: control, model: bc, weight: -1}',
        '  - {name: challenger, model: bc, workers: 0}',
        '  - {name: third, model: bc, colour: blue}',
    ]) + "\n")
    checked = run_tandem("check-config", "--config", str(config))
    assert checked.returncode == 1
    problems = [line for line in checked.stdout.splitlines() if line.startswith("invalid: ")]
    assert len(problems) == 4, checked.stdout
    for variant in ("control", "challenger", "third"):
        assert any(str(config) in line and f"(variant '{variant}')" in line for line in problems), (variant, problems)
    assert any("health.policy" in line and str(config) in line for line in problems)
    # Models that are missing are all named, each with the variants that use it.
    missing = write_endpoint(tmp_repo, [{"name": "a", "model": "nope"}, {"name": "b", "model": "gone"},
                                        {"name": "c", "model": "bc"}], filename="missing.yaml")
    checked = run_tandem("check-config", "--config", str(missing))
    problems = [line for line in checked.stdout.splitlines() if line.startswith("invalid: ")]
    assert checked.returncode == 1 and len(problems) == 2, checked.stdout
    assert "'nope'" in problems[1] + problems[0] and "(variant 'a')" in problems[0] + problems[1]
    assert all(str(missing) in line for line in problems)


def test_serve_help_shows_every_default():
    helped = run_tandem("serve", "--help")
    options = re.findall(r"^  (--[a-z-]+) <[^>]+>\s*(.*(?:\n {10,}.*)*)", helped.stdout, re.M)
    assert len(options) >= 9, helped.stdout
    for name, text in options:
        assert "default" in text, f"{name} does not show its default: {text}"
    for variable in ("TANDEM_ACCESS_LOG", "TANDEM_LOG_FORMAT", "SAGEMAKER_MAX_PAYLOAD_IN_MB"):
        assert variable in helped.stdout


def test_a_server_that_cannot_serve_never_says_it_is_listening(tmp_path):
    for args in (["--model-dir", str(tmp_path / "absent")], ["--config", str(write_endpoint(tmp_path, [{"name": "a", "model": "nope"}]))]):
        proc = subprocess.run([tandem_binary(), "serve", "--host", "127.0.0.1", "--port", "0", *args],
                              capture_output=True, text=True, timeout=30, env=tandem_env())
        assert proc.returncode == 1
        assert "listening" not in proc.stdout, proc.stdout
        assert "tandem: " in proc.stderr and ("does not exist" in proc.stderr or "not in the repository" in proc.stderr), proc.stderr
