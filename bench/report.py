#!/usr/bin/env python3
"""Turns bench/run.sh's raw lines into a JSON file and a markdown table with ratios and targets."""
import argparse
import json
import platform
import subprocess


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("--loops", type=int)
    ap.add_argument("--workers", type=int)
    ap.add_argument("--duration", type=int)
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    args = ap.parse_args()
    runs = {}
    with open(args.raw) as f:
        for line in f:
            label, _, payload = line.strip().partition(" ")
            if payload:
                runs[label] = json.loads(payload)

    def rps(label):
        return runs.get(label, {}).get("rps")

    def ratio(a, b):
        return round(a / b, 3) if a and b else None

    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True,
                         text=True).stdout.strip()
    result = {
        "machine": {"cpu": cpu, "cores": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
                    "kernel": platform.release()},
        "settings": {"loops": args.loops, "workers": args.workers, "duration_s": args.duration},
        "runs": runs,
        "ratios": {"single_vs_nginx": ratio(rps("single"), rps("nginx")),
                   "ab_vs_single": ratio(rps("ab"), rps("single"))},
    }
    sat = runs.get("saturation_probe", {})
    sat_cpu = runs.get("saturation_cpu_probe", {})
    idle = runs.get("idle_probe", {})
    lines = [
        f"Machine: {cpu}, {result['machine']['cores']} cores; Tandem loops={args.loops} workers={args.workers}; "
        f"{args.duration} s per run.",
        "",
        "| run | req/s | p50 | p99 | errors / non-2xx | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]

    def row(label, name, ratio_value, target):
        r = runs.get(label)
        if not r:
            lines.append(f"| {name} | missing | | | | | {target} |")
            return
        lines.append(f"| {name} | {r['rps']:.0f} | {r['p50_us'] / 1000:.2f} ms | {r['p99_us'] / 1000:.2f} ms | "
                     f"{r['errors']} / {r['non2xx']} | {ratio_value if ratio_value is not None else ''} | {target} |")

    row("nginx", "nginx fixed response (ceiling)", None, "")
    row("single", "Tandem, single-row CSV, breast-cancer LR", result["ratios"]["single_vs_nginx"], ">= 0.8x nginx")
    row("ab", "Tandem, 2 variants + sticky + metrics", result["ratios"]["ab_vs_single"], ">= 0.9x single")
    row("saturation_load", "Tandem, 50 ms model, 128 clients (load)", None, "")
    row("saturation_cpu_load", "Tandem, 50 ms CPU-bound model, 128 clients (load)", None, "")
    lines += ["", "| probe | connect p50 / p99 / max | /ping p50 / p99 / max | probes | failures | target |",
              "|---|---|---|---|---|---|"]

    def fmt(s):
        return " / ".join(f"{s[k]:.2f} ms" if s.get(k) is not None else "-" for k in ("p50_ms", "p99_ms", "max_ms"))

    if sat:
        lines.append(f"| saturation (every worker busy, 128 clients) | {fmt(sat['connect'])} | {fmt(sat['ping'])} | "
                     f"{sat['probes']} | {sat['failures']} | none > 250 ms, p99 < 5 ms |")
    if sat_cpu:
        lines.append(f"| CPU saturation (every worker and core busy) | {fmt(sat_cpu['connect'])} | {fmt(sat_cpu['ping'])} | "
                     f"{sat_cpu['probes']} | {sat_cpu['failures']} | /ping p99 <= 1 ms, max <= 10 ms |")
    if idle:
        lines.append(f"| 5,000 idle keep-alive connections | {fmt(idle['connect'])} | {fmt(idle['ping'])} | "
                     f"{idle['probes']} | {idle['failures']} | /ping p99 < 5 ms |")
        rss = idle.get("rss_kib_with_idle")
        before = idle.get("rss_kib_before")
        lines += ["", f"RSS: {before / 1024:.1f} MiB before, {rss / 1024:.1f} MiB holding "
                      f"{idle['idle_connections']} idle connections ({idle['idle_alive_after']} still answered after the run)."
                  if rss and before else ""]
    text = "\n".join(lines) + "\n"
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
