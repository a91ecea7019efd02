/// The dashboard page: one HTML document with its CSS and JavaScript inline, built into the binary. It asks
/// nothing of any host but the one that served it (no fonts, scripts or images from elsewhere), so it works in an
/// air-gapped VPC; the `Content-Security-Policy` sent with it makes the browser enforce that.
enum DashboardPage {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The page with `endpointName` (HTML-escaped) in its title.
    static func html(endpointName: String) -> [UInt8] {
        Array(template.replacingOccurrences(of: "{{ENDPOINT}}", with: escape(endpointName)).utf8)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    private static let template = head + style + body + script

    private static let head = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <link rel="icon" href="data:,">
        <title>{{ENDPOINT}} · Tandem dashboard</title>

        """#

    private static let style = #"""
        <style>
        :root {
          --bg: #f7f7f5; --panel: #ffffff; --text: #1b1b1b; --muted: #5c5c5c; --line: #d9d9d4;
          --ok: #0072b2; --bad: #c0392b; --bad-bg: #fbe9e7; --warn: #b36b00;
          --c0: #0072b2; --c1: #e69f00; --c2: #009e73; --c3: #cc79a7; --c4: #56b4e9; --c5: #d55e00; --c6: #000000;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 15px;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #15171a; --panel: #1e2125; --text: #e8e8e6; --muted: #a5a8ad; --line: #363a40;
            --ok: #56b4e9; --bad: #ff6b5b; --bad-bg: #3a1f1c; --warn: #f0b429;
            --c0: #56b4e9; --c1: #e69f00; --c2: #009e73; --c3: #cc79a7; --c4: #f0e442; --c5: #ff7f50; --c6: #ffffff;
          }
        }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--text); }
        header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .8rem 1rem;
                 border-bottom: 1px solid var(--line); background: var(--panel); position: sticky; top: 0; z-index: 2; }
        header h1 { font-size: 1.15rem; margin: 0; font-weight: 600; }
        header .spacer { flex: 1; }
        main { padding: 1rem; display: grid; gap: 1rem; max-width: 1400px; margin: 0 auto; }
        section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; min-width: 0; }
        section h2 { font-size: .95rem; margin: 0 0 .6rem; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
        .pill { display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .8rem; font-weight: 600;
                border: 1px solid currentColor; }
        .pill.ok { color: var(--ok); } .pill.bad { color: var(--bad); background: var(--bad-bg); } .pill.warn { color: var(--warn); }
        .muted { color: var(--muted); font-size: .85rem; }
        .cards { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(290px, 1fr)); }
        .card { border: 1px solid var(--line); border-left: 6px solid var(--swatch, var(--ok)); border-radius: 8px; padding: .7rem .8rem; }
        .card.bad { border-color: var(--bad); border-left-color: var(--bad); background: var(--bad-bg); }
        .card h3 { margin: 0 0 .2rem; font-size: 1.05rem; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
        .card .reason { color: var(--bad); font-weight: 600; font-size: .85rem; margin: .2rem 0 .4rem; overflow-wrap: anywhere; }
        dl { display: grid; grid-template-columns: auto 1fr; gap: .15rem .8rem; margin: .4rem 0 0; font-size: .9rem; }
        dt { color: var(--muted); } dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
        .charts { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); }
        .chart h3 { font-size: .85rem; margin: 0 0 .3rem; font-weight: 600; }
        .chart svg { width: 100%; height: 120px; display: block; }
        .chart .axis { stroke: var(--line); stroke-width: 1; }
        .chart text { fill: var(--muted); font-size: 10px; }
        .legend { display: flex; flex-wrap: wrap; gap: .3rem .9rem; font-size: .85rem; }
        .legend span::before { content: ""; display: inline-block; width: .9em; height: .25em; margin-right: .35em;
                               vertical-align: middle; background: var(--swatch); }
        table { border-collapse: collapse; width: 100%; font-size: .9rem; }
        th, td { text-align: left; padding: .25rem .4rem; border-bottom: 1px solid var(--line); }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .scroll { overflow-x: auto; }
        .bar { height: .6rem; background: var(--swatch); border-radius: 3px; }
        .bartrack { background: var(--line); border-radius: 3px; }
        .forest svg { width: 100%; max-width: 760px; display: block; }
        .forest .zero { stroke: var(--muted); stroke-dasharray: 3 3; }
        .forest .fixed { stroke-width: 6; stroke-linecap: round; }
        .forest .valid { stroke-width: 2; }
        .forest text { fill: var(--text); font-size: 12px; }
        button, input { font: inherit; color: var(--text); background: var(--panel); border: 1px solid var(--line);
                        border-radius: 6px; padding: .3rem .6rem; }
        button { cursor: pointer; } button:hover { border-color: var(--ok); }
        button.danger { color: var(--bad); border-color: var(--bad); }
        .row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .4rem 0; }
        input[type=number] { width: 6.5rem; }
        #admin-result { white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: .8rem; }
        .hidden { display: none !important; }
        @media (max-width: 520px) {
          :root { font-size: 14px; }
          main { padding: .5rem; gap: .6rem; }
          header h1 { font-size: 1rem; }
          .cards, .charts { grid-template-columns: 1fr; }
        }
        </style>
        </head>

        """#

    private static let body = #"""
        <body data-ticks="0">
        <header>
          <h1><span id="endpoint">{{ENDPOINT}}</span> <span class="muted">Tandem</span></h1>
          <span id="health" class="pill">loading</span>
          <span id="srm" class="pill hidden"></span>
          <span class="spacer"></span>
          <span id="live" class="muted">connecting…</span>
          <button id="admin-toggle" type="button">Admin</button>
        </header>
        <main>
          <section id="admin" class="hidden" aria-label="Admin">
            <h2>Admin</h2>
            <form id="token-form" class="row" autocomplete="off">
              <label for="token">Admin token</label>
              <input id="token" type="password" placeholder="token" size="24">
              <button type="submit">Unlock</button>
              <span class="muted">Kept in this tab only; every action calls the same admin API as curl.</span>
            </form>
            <div id="admin-actions" class="hidden">
              <form id="weights-form"><div id="weights-inputs" class="row"></div>
                <div class="row"><button type="submit">Set weights</button>
                <button id="reload" type="button">Reload config</button>
                <button id="lock" type="button">Forget token</button></div>
              </form>
              <div id="rollout-actions" class="row"></div>
            </div>
            <div id="admin-result" class="muted"></div>
          </section>
          <section aria-label="Variants"><h2>Variants</h2><div id="cards" class="cards"></div></section>
          <section aria-label="Recent history"><h2>Last 15 minutes <span class="muted">(per second)</span></h2>
            <div id="legend" class="legend"></div><div id="charts" class="charts"></div></section>
          <section aria-label="Traffic split"><h2>Traffic split</h2><div id="split" class="scroll"></div></section>
          <section id="shadow-section" class="hidden" aria-label="Shadow agreement"><h2>Shadow agreement</h2><div id="shadow" class="scroll"></div></section>
          <section id="rollouts-section" class="hidden" aria-label="Rollouts"><h2>Rollouts</h2><div id="rollouts"></div></section>
          <section id="experiment-section" class="hidden" aria-label="Experiment"><h2>Experiment</h2>
            <div id="experiment" class="forest"></div><div id="bandit"></div></section>
        </main>

        """#

    private static let script = #"""
        <script>
        "use strict";
        const $ = (id) => document.getElementById(id);
        const el = (tag, attrs, ...kids) => {
          const e = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) {
            if (k === "class") e.className = v; else if (k === "style") e.style.cssText = v; else e.setAttribute(k, v);
          }
          for (const k of kids) if (k !== null && k !== undefined) e.append(k);
          return e;
        };
        const SVG = "http://www.w3.org/2000/svg";
        const svg = (tag, attrs) => { const e = document.createElementNS(SVG, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); return e; };
        const fmt = {
          int: (v) => v === null || v === undefined ? "–" : Math.round(v).toLocaleString("en-US"),
          rate: (v) => (v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString("en-US")) + " req/s",
          pct: (v) => v === null || v === undefined ? "–" : (v * 100).toFixed(1) + " %",
          us: (v) => !v ? "–" : v < 1000 ? v + " µs" : v < 1e6 ? (v / 1000).toFixed(v < 1e4 ? 2 : 1) + " ms" : (v / 1e6).toFixed(2) + " s",
          num: (v, d = 3) => v === null || v === undefined ? "–" : Number(v).toPrecision(d),
        };
        const colours = 7;
        const state = { fields: [], history: new Map(), order: [], last: null, experiment: null, rollouts: null, token: sessionStorage.getItem("tandem-admin-token") || "" };
        const colourOf = (name) => `var(--c${Math.max(0, state.order.indexOf(name)) % colours})`;
        const F = {};
        ["t_s", "requests", "errors_4xx", "errors_5xx", "model_p50_us", "model_p99_us", "overhead_p50_us", "overhead_p99_us",
         "queue_depth", "in_flight", "share"].forEach((f, i) => { F[f] = i; });
        const HISTORY = 900;

        function numberRow(dl, label, key, raw, text) {
          dl.append(el("dt", {}, label), el("dd", { "data-k": key, "data-raw": raw === null || raw === undefined ? "" : String(raw) }, text));
        }

        function render() {
          const tick = state.last;
          if (!tick) return;
          const variants = tick.variants, metrics = tick.metrics;
          $("endpoint").textContent = variants.endpoint || $("endpoint").textContent;
          document.title = (variants.endpoint || "Tandem") + " · Tandem dashboard";
          const health = $("health");
          health.textContent = variants.status || "unknown";
          health.className = "pill " + (variants.status === "healthy" ? "ok" : "bad");
          const byMetrics = new Map((metrics.variants || []).map((m) => [m.variant, m]));
          const cards = $("cards");
          cards.replaceChildren();
          for (const v of variants.variants || []) {
            if (!state.order.includes(v.name)) state.order.push(v.name);
            const m = byMetrics.get(v.name) || {};
            const p = (tick.points || {})[v.name];
            const bad = v.state === "failed" || v.state === "degraded";
            const card = el("article", { class: "card" + (bad ? " bad" : ""), "data-variant": v.name, "data-state": v.state, style: `--swatch:${colourOf(v.name)}` });
            card.append(el("h3", {}, v.name, el("span", { class: "pill " + (bad ? "bad" : v.state === "ready" ? "ok" : "warn"), "data-k": "state" }, (bad ? "✖ " : "") + v.state),
              el("span", { class: "muted" }, `${v.role} · ${v.model} v${v.version}`)));
            if (v.reason) card.append(el("div", { class: "reason", "data-k": "reason" }, v.reason));
            const dl = el("dl");
            if (v.role === "production") {
              numberRow(dl, "Weight", "weight", v.weight, fmt.num(v.weight, 4));
              numberRow(dl, "Configured share", "configured_share", v.configured_share, fmt.pct(v.configured_share));
              numberRow(dl, "Observed share", "share", v.share, fmt.pct(v.share));
            } else {
              numberRow(dl, "Sampling", "sampling_percentage", v.sampling_percentage, fmt.num(v.sampling_percentage, 3) + " %");
            }
            if (p) {
              numberRow(dl, "Requests", "rps", p[F.requests], fmt.rate(p[F.requests]));
              numberRow(dl, "4xx", "errors_4xx_rate", p[F.errors_4xx], p[F.errors_4xx].toFixed(1) + " /s");
              numberRow(dl, "5xx", "errors_5xx_rate", p[F.errors_5xx], p[F.errors_5xx].toFixed(1) + " /s");
            }
            numberRow(dl, "Invocations", "invocations", m.invocations, fmt.int(m.invocations));
            numberRow(dl, "4xx total", "invocation_4xx_errors", m.invocation_4xx_errors, fmt.int(m.invocation_4xx_errors));
            numberRow(dl, "5xx total", "invocation_5xx_errors", m.invocation_5xx_errors, fmt.int(m.invocation_5xx_errors));
            const ml = m.model_latency_us || {}, ol = m.overhead_latency_us || {};
            numberRow(dl, "Model p50 / p99", "model_latency", ml.p99, `${fmt.us(ml.p50)} / ${fmt.us(ml.p99)}`);
            numberRow(dl, "Overhead p50 / p99", "overhead_latency", ol.p99, `${fmt.us(ol.p50)} / ${fmt.us(ol.p99)}`);
            numberRow(dl, "Queue depth", "queue_depth", v.queue_depth, fmt.int(v.queue_depth));
            numberRow(dl, "In flight", "in_flight", m.in_flight, fmt.int(m.in_flight));
            card.append(dl);
            cards.append(card);
          }
          renderLegend(variants);
          renderCharts();
          renderSplit(variants.traffic_split);
          renderShadow(metrics);
          renderRollouts("rollouts" in variants ? variants.rollouts : state.rollouts);
          renderAdminInputs(variants);
        }

        function renderLegend(variants) {
          $("legend").replaceChildren(...(variants.variants || []).map((v) => el("span", { style: `--swatch:${colourOf(v.name)}` }, v.name)));
        }

        const CHARTS = [
          ["Requests", (p) => p[F.requests], (v) => v.toFixed(0) + " req/s"],
          ["Errors (4xx + 5xx)", (p) => p[F.errors_4xx] + p[F.errors_5xx], (v) => v.toFixed(0) + " /s"],
          ["Model latency p99", (p) => p[F.model_p99_us] / 1000, (v) => v.toFixed(1) + " ms"],
          ["Overhead p99", (p) => p[F.overhead_p99_us] / 1000, (v) => v.toFixed(2) + " ms"],
          ["Queue depth", (p) => p[F.queue_depth], (v) => v.toFixed(0)],
          ["Observed share", (p) => p[F.share] * 100, (v) => v.toFixed(0) + " %"],
        ];

        function renderCharts() {
          const box = $("charts");
          const now = state.last ? state.last.t_s : Math.floor(Date.now() / 1000);
          const W = 320, H = 120, L = 44, B = 16;
          // The x axis spans the history there is (at least a minute, at most HISTORY seconds).
          let oldest = now;
          for (const pts of state.history.values()) if (pts.length) oldest = Math.min(oldest, pts[0][F.t_s]);
          const span = Math.min(HISTORY, Math.max(60, now - oldest));
          const spanText = span >= 120 ? "−" + Math.round(span / 60) + " min" : "−" + span + " s";
          box.replaceChildren();
          for (const [title, value, label] of CHARTS) {
            let max = 0;
            for (const pts of state.history.values()) for (const p of pts) max = Math.max(max, value(p) || 0);
            max = max > 0 ? max * 1.1 : 1;
            const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", role: "img", "aria-label": title });
            s.append(svg("line", { class: "axis", x1: L, y1: H - B, x2: W, y2: H - B }), svg("line", { class: "axis", x1: L, y1: 4, x2: L, y2: H - B }));
            const top = svg("text", { x: 2, y: 12 }); top.textContent = label(max); s.append(top);
            const zero = svg("text", { x: 2, y: H - B }); zero.textContent = label(0); s.append(zero);
            const ago = svg("text", { x: L, y: H - 2 }); ago.textContent = spanText; s.append(ago);
            const nowText = svg("text", { x: W - 24, y: H - 2 }); nowText.textContent = "now"; s.append(nowText);
            for (const [name, pts] of state.history) {
              let d = "";
              for (const p of pts) {
                const x = L + (W - L) * (1 - (now - p[F.t_s]) / span);
                if (x < L) continue;
                const y = (H - B) - (H - B - 4) * ((value(p) || 0) / max);
                d += (d ? "L" : "M") + x.toFixed(1) + " " + y.toFixed(1);
              }
              if (d) s.append(svg("path", { d, fill: "none", stroke: colourOf(name), "stroke-width": 1.6, "vector-effect": "non-scaling-stroke" }));
            }
            box.append(el("div", { class: "chart" }, el("h3", {}, title), s));
          }
        }

        function renderSplit(split) {
          const box = $("split");
          const srm = $("srm");
          if (!split) { box.replaceChildren(el("p", { class: "muted" }, "No production split.")); return; }
          // Two checks: the fixed-sample chi-square test and the always-valid (sequential) one, which may be
          // looked at every second without inflating false alarms.
          const mismatch = !!split.mismatch || !!split.sequential_mismatch;
          srm.textContent = mismatch ? "split mismatch" + (split.sequential_mismatch ? " (sequential)" : "") : "split ok";
          srm.className = "pill " + (mismatch ? "bad" : "ok");
          srm.dataset.sequentialMismatch = String(!!split.sequential_mismatch);
          const table = el("table", {}, el("tr", {}, el("th", {}, "Variant"), el("th", { class: "num" }, "Expected"), el("th", { class: "num" }, "Observed"), el("th", { class: "num" }, "Requests"), el("th", { style: "width:35%" }, "")));
          for (const v of split.variants || []) {
            const bars = el("div", {}, el("div", { class: "bartrack" }, el("div", { class: "bar", style: `width:${(v.expected_share * 100).toFixed(1)}%;--swatch:var(--muted);opacity:.6` })),
              el("div", { class: "bartrack", style: "margin-top:2px" }, el("div", { class: "bar", style: `width:${(v.observed_share * 100).toFixed(1)}%;--swatch:${colourOf(v.name)}` })));
            table.append(el("tr", {}, el("td", {}, v.name), el("td", { class: "num" }, fmt.pct(v.expected_share)), el("td", { class: "num" }, fmt.pct(v.observed_share)), el("td", { class: "num" }, fmt.int(v.requests)), el("td", {}, bars)));
          }
          const sequential = el("p", { class: "muted", id: "srm-sequential" }, "Always-valid sample-ratio check: p = ",
            el("span", { "data-k": "sequential_p_value", "data-raw": split.sequential_p_value ?? "" }, fmt.num(split.sequential_p_value)),
            ` over ${fmt.int(split.sequential_requests)} requests, `,
            el("span", { "data-k": "sequential_mismatch", "data-raw": String(!!split.sequential_mismatch), class: split.sequential_mismatch ? "pill bad" : "" },
              split.sequential_mismatch ? "mismatch" : "no mismatch"), ".");
          box.replaceChildren(table, el("p", { class: "muted" }, `Sample-ratio check: χ² = ${fmt.num(split.chi_square)}, df = ${split.degrees_of_freedom}, p = ${fmt.num(split.p_value)} over ${fmt.int(split.weighted_requests)} weighted requests (mismatch below p = ${split.threshold} with at least ${split.minimum_requests}).`), sequential);
        }

        function renderShadow(metrics) {
          const rows = [];
          for (const m of metrics.variants || []) for (const a of m.agreement || []) rows.push([m.variant, a]);
          $("shadow-section").classList.toggle("hidden", rows.length === 0);
          if (!rows.length) return;
          const table = el("table", {}, el("tr", {}, el("th", {}, "Shadow"), el("th", {}, "vs"), el("th", { class: "num" }, "Compared"), el("th", { class: "num" }, "Label agreement"), el("th", { class: "num" }, "Mean |Δscore|"), el("th", { class: "num" }, "Max |Δscore|")));
          for (const [name, a] of rows) table.append(el("tr", {}, el("td", {}, name), el("td", {}, a.production_variant), el("td", { class: "num" }, fmt.int(a.compared_requests)), el("td", { class: "num" }, fmt.pct(a.label_agreement)), el("td", { class: "num" }, fmt.num(a.mean_score_delta)), el("td", { class: "num" }, fmt.num(a.max_score_delta))));
          $("shadow").replaceChildren(table);
        }

        // /experiment: per challenger, the fixed-sample Welch interval (`ci95`) and the always-valid confidence
        // sequence (`sequential.absolute.interval`, with `sequential.relative` as a share of control's mean);
        // `sequential_settings`; `bandit` when Thompson sampling runs.
        const pair = (x) => Array.isArray(x) && x.length === 2 && x.every((n) => typeof n === "number" && isFinite(n)) ? x : null;
        const fixedOf = (v) => pair(v.ci95);
        const validOf = (v) => pair(v.sequential && v.sequential.absolute && v.sequential.absolute.interval);
        const span = (iv, d = 3) => iv ? `[${fmt.num(iv[0], d)}, ${fmt.num(iv[1], d)}]` : "–";

        function renderExperiment() {
          const e = state.experiment;
          $("experiment-section").classList.toggle("hidden", !e);
          if (!e) return;
          const rows = (e.variants || []).filter((v) => v.name !== e.control);
          const box = $("experiment");
          const W = 600, rowH = 34, L = 120, R = 20, H = 30 + rowH * Math.max(1, rows.length);
          let lo = 0, hi = 0;
          for (const v of rows) for (const iv of [fixedOf(v), validOf(v)]) if (iv) for (const n of iv) { lo = Math.min(lo, n); hi = Math.max(hi, n); }
          if (lo === hi) { lo -= 1; hi += 1; }
          const pad = (hi - lo) * 0.08; lo -= pad; hi += pad;
          const x = (n) => L + (W - L - R) * ((n - lo) / (hi - lo));
          const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "Difference from control with intervals" });
          s.append(svg("line", { class: "zero", x1: x(0), y1: 14, x2: x(0), y2: H - 4 }));
          const t0 = svg("text", { x: x(0) + 3, y: 11 }); t0.textContent = `0 (= ${e.control})`; s.append(t0);
          for (const n of [lo, hi]) { const t = svg("text", { x: x(n), y: H - 2, "text-anchor": n === lo ? "start" : "end", class: "muted" }); t.textContent = fmt.num(n, 2); s.append(t); }
          rows.forEach((v, i) => {
            const y = 30 + i * rowH + rowH / 2 - 8;
            const name = svg("text", { x: 4, y: y + 4 }); name.textContent = v.name; s.append(name);
            const f = fixedOf(v), a = validOf(v);
            if (a) s.append(svg("line", { class: "valid", "data-variant": v.name, x1: x(a[0]), x2: x(a[1]), y1: y + 8, y2: y + 8, stroke: colourOf(v.name), "stroke-dasharray": "4 2" }));
            if (f) s.append(svg("line", { class: "fixed", "data-variant": v.name, x1: x(f[0]), x2: x(f[1]), y1: y, y2: y, stroke: colourOf(v.name) }));
            if (typeof v.difference === "number") s.append(svg("circle", { cx: x(v.difference), cy: y, r: 5, fill: "var(--text)" }));
            if (!f && !a) { const n = svg("text", { x: L, y: y + 4 }); n.textContent = v.note || "not enough outcomes yet"; s.append(n); }
          });
          const table = el("table", {}, el("tr", {}, el("th", {}, "Variant"), el("th", { class: "num" }, "Outcomes"), el("th", { class: "num" }, "Mean"), el("th", { class: "num" }, "Δ vs control"),
            el("th", { class: "num" }, "95% interval"), el("th", { class: "num" }, "p"), el("th", { class: "num" }, "Always-valid interval"), el("th", { class: "num" }, "Always-valid p"),
            el("th", { class: "num" }, "Relative Δ (always-valid)")));
          for (const v of e.variants || []) {
            const q = v.sequential || null, abs = q && q.absolute, rel = q && q.relative;
            const cell = (k, raw, text) => el("td", { class: "num", "data-k": k, "data-raw": raw === null || raw === undefined ? "" : String(raw) }, text);
            table.append(el("tr", { "data-variant": v.name }, el("td", {}, v.name + (v.name === e.control ? " (control)" : "")), cell("outcomes", v.outcomes, fmt.int(v.outcomes)),
              cell("mean", v.mean, fmt.num(v.mean, 4)), cell("difference", v.difference, fmt.num(v.difference, 4)),
              cell("ci95", fixedOf(v) ? fixedOf(v).join(",") : null, span(fixedOf(v))), cell("p_value", v.p_value, fmt.num(v.p_value)),
              cell("sequential_interval", validOf(v) ? validOf(v).join(",") : null, span(validOf(v))),
              cell("sequential_p_value", abs ? abs.p_value : null, abs ? fmt.num(abs.p_value) + (q.significant ? " ✱" : "") : "–"),
              cell("sequential_relative", rel ? rel.difference : null, rel ? `${fmt.pct(rel.difference)} ${span(pair(rel.interval) && pair(rel.interval).map((n) => n * 100), 3)} %` : "–")));
          }
          const st = e.sequential_settings || {};
          const settings = st.method ? ` Always-valid method: ${st.method.replaceAll("_", " ")}, α = ${st.alpha}` + (st.planned_outcomes ? `, planned outcomes ${fmt.int(st.planned_outcomes)}` : "") + "." : "";
          box.replaceChildren(s, el("p", { class: "muted", id: "experiment-note" }, "Thick bar: fixed-sample 95% interval (valid only at a planned end); dashed: always-valid interval (may be read at any time); dot: difference of means; ✱: always-valid interval excludes 0." + settings),
            el("div", { class: "scroll" }, table));
          renderBandit(e.bandit);
        }

        // /variants' `rollouts`: each guarded rollout's phase, step, share and logged decisions (steps, holds,
        // guardrail rollbacks, admin calls).
        function renderRollouts(list) {
          const rollouts = Array.isArray(list) ? list : [];
          $("rollouts-section").classList.toggle("hidden", rollouts.length === 0);
          renderRolloutActions(rollouts);
          if (!rollouts.length) { $("rollouts").replaceChildren(); return; }
          $("rollouts").replaceChildren(...rollouts.map((r) => {
            const bad = r.phase === "rolled_back", warn = r.phase === "holding";
            const dl = el("dl");
            numberRow(dl, "Share", "share", r.share, fmt.pct(r.share));
            numberRow(dl, "Step", "step", r.step, `${r.step} of ${r.steps}`);
            numberRow(dl, "Step began", "step_started_at", r.step_started_at, new Date(r.step_started_at * 1000).toLocaleTimeString());
            numberRow(dl, "Promotes itself", "promote", r.promote, r.promote ? "yes" : "no (holds for an admin)");
            const history = el("table", {}, el("tr", {}, el("th", {}, "Time"), el("th", {}, "Decision"), el("th", { class: "num" }, "Share"), el("th", {}, "Detail")));
            for (const h of (r.history || []).slice(-10).reverse()) {
              history.append(el("tr", { "data-action": h.action }, el("td", {}, new Date(h.time * 1000).toLocaleTimeString()), el("td", {}, h.action), el("td", { class: "num" }, fmt.pct(h.share)), el("td", {}, h.detail)));
            }
            return el("article", { class: "card" + (bad ? " bad" : ""), "data-rollout": r.variant, "data-phase": r.phase, style: `--swatch:${colourOf(r.variant)}` },
              el("h3", {}, r.variant, el("span", { class: "pill " + (bad ? "bad" : warn ? "warn" : "ok"), "data-k": "phase" }, (bad ? "✖ " : "") + r.phase.replaceAll("_", " ")),
                el("span", { class: "muted" }, r.policy + " rollout")),
              r.reason ? el("div", { class: "reason", "data-k": "reason" }, r.reason) : null, dl, el("div", { class: "scroll" }, history));
          }));
        }

        function renderBandit(b) {
          const box = $("bandit");
          if (!b || typeof b !== "object") { box.replaceChildren(); return; }
          const entries = Object.entries(b.shares || {}).filter(([, v]) => typeof v === "number");
          const status = !entries.length ? "no decision yet" : b.burn_in ? "burn-in" : "adaptive";
          box.replaceChildren(el("h3", {}, "Bandit weights ", el("span", { class: "pill " + (b.burn_in || !entries.length ? "warn" : "ok"), "data-k": "bandit_state" }, status)),
            el("p", { class: "muted" }, `${fmt.int(b.updates)} updates` + (b.updated_at ? `, last at ${new Date(b.updated_at * 1000).toLocaleTimeString()}` : "") + "."),
            ...entries.map(([name, w]) =>
              el("div", { class: "row", "data-bandit": name }, el("span", { style: "width:8rem" }, name), el("div", { class: "bartrack", style: "flex:1" }, el("div", { class: "bar", style: `width:${(100 * w).toFixed(1)}%;--swatch:${colourOf(name)}` })),
                el("span", { class: "muted", "data-raw": String(w) }, fmt.pct(w)))),
            b.note ? el("p", { class: "muted" }, b.note) : null);
        }

        // ----- data -----
        function addPoint(name, p) {
          if (!state.history.has(name)) state.history.set(name, []);
          const pts = state.history.get(name);
          if (pts.length && pts[pts.length - 1][F.t_s] >= p[F.t_s]) return;
          pts.push(p);
          while (pts.length > HISTORY) pts.shift();
        }

        async function loadSeries() {
          const r = await fetch("/dashboard/series", { cache: "no-store" });
          const s = await r.json();
          s.fields.forEach((f, i) => { F[f] = i; });
          state.fields = s.fields;
          for (const v of s.variants) { if (!state.order.includes(v.name)) state.order.push(v.name); for (const p of v.points) addPoint(v.name, p); }
        }

        function connect() {
          const source = new EventSource("/dashboard/events");
          source.addEventListener("tick", (ev) => {
            const tick = JSON.parse(ev.data);
            for (const [name, p] of Object.entries(tick.points)) addPoint(name, p);
            const live = new Set(Object.keys(tick.points));
            for (const name of [...state.history.keys()]) if (!live.has(name)) state.history.delete(name);
            state.last = tick;
            render();
            document.body.dataset.ticks = String(Number(document.body.dataset.ticks) + 1);
            document.body.dataset.lastTick = String(tick.t_s);
            $("live").textContent = "live · " + new Date(tick.t_s * 1000).toLocaleTimeString();
          });
          source.onerror = () => { $("live").textContent = "reconnecting…"; };
        }

        // The pushed tick's `variants` carries `rollouts` while any exist (as /variants does); without a tick
        // (the stream reconnecting) /variants is asked.
        async function pollRollouts() {
          if (state.last && "rollouts" in state.last.variants) return;
          try {
            const r = await fetch("/variants", { cache: "no-store" });
            state.rollouts = r.ok ? (await r.json()).rollouts || null : null;
            renderRollouts(state.rollouts);
          } catch (e) { /* the next poll retries */ }
        }

        async function pollExperiment() {
          if (document.visibilityState === "visible") {
            try {
              const r = await fetch("/experiment", { cache: "no-store" });
              state.experiment = r.ok ? await r.json() : null;
              renderExperiment();
            } catch (e) { /* the next poll retries */ }
            await pollRollouts();
          }
          setTimeout(pollExperiment, state.experiment || state.rollouts ? 2000 : 10000);
        }

        // ----- admin: the page only calls the admin API, with the token the user typed -----
        function showAdmin() {
          $("admin-actions").classList.toggle("hidden", !state.token);
          $("token-form").classList.toggle("hidden", !!state.token);
        }
        function renderAdminInputs(variants) {
          if (!state.token) return;
          const box = $("weights-inputs");
          const names = (variants.variants || []).filter((v) => v.role === "production").map((v) => v.name);
          if (box.dataset.names === names.join(",")) {
            // Same variants: show the current weights, except in a field being edited.
            for (const input of box.querySelectorAll("input")) {
              const v = variants.variants.find((x) => x.name === input.name);
              if (v && document.activeElement !== input && !input.dataset.edited) input.value = String(v.weight);
            }
            return;
          }
          box.dataset.names = names.join(",");
          box.replaceChildren(...names.map((n) => {
            const v = variants.variants.find((x) => x.name === n);
            const input = el("input", { type: "number", min: "0", step: "any", name: n, value: String(v.weight), "aria-label": "weight of " + n });
            // A field once focused is the user's until submitted: a tick must not put the weight back between a
            // clear and the typing.
            input.oninput = input.onfocus = input.onchange = () => { input.dataset.edited = "1"; };
            return el("label", {}, n + " ", input);
          }));
        }
        async function adminCall(path, body) {
          const r = await fetch(path, { method: "POST", headers: { "Authorization": "Bearer " + state.token, "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
          const text = await r.text();
          $("admin-result").textContent = `${path} → ${r.status}\n${text}`;
          if (r.status === 401) { state.token = ""; sessionStorage.removeItem("tandem-admin-token"); showAdmin(); }
          return r;
        }
        $("admin-toggle").onclick = () => { $("admin").classList.toggle("hidden"); showAdmin(); };
        $("token-form").onsubmit = async (ev) => {
          ev.preventDefault();
          const token = $("token").value.trim();
          const r = await fetch("/admin/weights", { headers: { "Authorization": "Bearer " + token } });
          if (r.ok) { state.token = token; sessionStorage.setItem("tandem-admin-token", token); $("weights-inputs").dataset.names = ""; render(); }
          $("admin-result").textContent = r.ok ? "" : `/admin/weights → ${r.status}\n${await r.text()}`;
          showAdmin();
        };
        $("weights-form").onsubmit = (ev) => {
          ev.preventDefault();
          const weights = {};
          for (const input of $("weights-inputs").querySelectorAll("input")) { weights[input.name] = Number(input.value); delete input.dataset.edited; }
          adminCall("/admin/weights", { weights });
        };
        $("reload").onclick = () => adminCall("/admin/reload");
        // Rollouts still deciding (running or holding) get Promote and Abort: `POST /admin/rollouts` with
        // {"action": "promote" | "abort", "variant": ...}, what that route accepts (it has no pause). Rebuilt only
        // when the set changes, so a button is not replaced under the pointer every second.
        function renderRolloutActions(rollouts) {
          const box = $("rollout-actions");
          const open = rollouts.filter((r) => r.phase === "running" || r.phase === "holding").map((r) => r.variant);
          if (box.dataset.variants === open.join(",")) return;
          box.dataset.variants = open.join(",");
          box.replaceChildren(...open.flatMap((variant) => {
            const promote = el("button", { type: "button", "data-action": "promote", "data-variant": variant }, `Promote ${variant}`);
            promote.onclick = () => { if (confirm(`Give ${variant} all the traffic now?`)) adminCall("/admin/rollouts", { action: "promote", variant }).then(pollRollouts); };
            const abort = el("button", { type: "button", class: "danger", "data-action": "abort", "data-variant": variant }, `Abort ${variant} rollout`);
            abort.onclick = () => { if (confirm(`Abort the rollout of ${variant} (its share goes back to 0)?`)) adminCall("/admin/rollouts", { action: "abort", variant }).then(pollRollouts); };
            return [promote, abort];
          }));
        }
        $("lock").onclick = () => { state.token = ""; sessionStorage.removeItem("tandem-admin-token"); showAdmin(); };

        loadSeries().catch(() => {}).finally(() => { connect(); pollExperiment(); });
        </script>
        </body>
        </html>

        """#
}
