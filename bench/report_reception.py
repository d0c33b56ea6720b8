"""Markdown for the reception's part of bench/report.md (see bench/reception.py)."""

OK, KO = "✅", "❌"


def _mark(ok: bool) -> str:
    return OK if ok else KO


def _ms(x) -> str:
    return f"{x:.1f} ms"


def _load_ok(r: dict, expected: str) -> str:
    bad = {k: v for k, v in r["statuses"].items() if k != expected}
    extra = f", {r['socket_errors']} socket errors" if r.get("socket_errors") else ""
    return "" if not bad and not extra else f" ⚠️ non-{expected}: {bad}{extra}"


def _phases(backends):
    for b in backends:
        if "error" in b:
            continue
        yield b, "empty", b["empty"]
        yield b, "history", b["history"]


def _cpu_ms(run: dict) -> float:
    """CPU milliseconds per request spent by gunicorn and the database server: unlike req/s,
    it barely moves when other jobs share the machine's cores."""
    return (run["server_cpu_s"] + run.get("db_cpu_s", 0)) * 1000 / run["n"]


def render(backends: list[dict], args, size: dict) -> list[str]:
    n = f"{args.history:,}".replace(",", " ")
    lines = ["## Reception budgets", ""]
    for b in backends:
        if "error" in b:
            lines += [f"❌ {b['backend']}: {b['error']}", ""]
        if b.get("seed_error"):
            lines += [
                f"⚠️ {b['backend']}: `manage.py seed_demo` failed — `{b['seed_error']}` — so "
                "the demo's morning at the pilot sites (open counters, served tickets, 4 past "
                "weeks) is missing there; the network, users, kiosk and the bench's own "
                "tickets are in place and every figure below was measured regardless.",
                "",
            ]
    cols = [(b, phase, data) for b, phase, data in _phases(backends)]
    if not cols:
        return lines
    lines += [
        "Each database is measured twice from scratch: freshly seeded (demo network, a morning "
        f"at the pilot sites: the *empty* history), then with {n} past tickets of synthetic "
        "history (generate_history, through bench/history.py). Ticket issue: POST "
        "`/api/v1/sites/DKR/tickets` with a kiosk's bearer token, a fresh client_id per "
        "request and the site's procedures in turn, "
        f"{size['requests']} requests (at most {size['seconds']} s) over 8 keep-alive "
        "connections (saturation: the p95 and throughput budgets), GET `/api/v1/health` the "
        "same way in the same server run (the ratio), then half as many issues over 2 "
        "connections (one per worker: p95 without queueing). The queue starts at 20 waiting "
        "tickets at DKR and grows with every ticket issued. Display queue and live view: "
        "2 connections. Production settings, gunicorn as deployed (2 sync workers) unless "
        "said below.",
        "",
    ]
    header = (
        "| Budget | "
        + " | ".join(f"{b['backend']} {'empty' if phase == 'empty' else n}" for b, phase, _ in cols)
        + " |"
    )
    lines += [header, "|---|" + "---:|" * len(cols)]

    def row(label, fn):
        cells = []
        for b, phase, data in cols:
            try:
                cells.append(fn(b, phase, data))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row(
        "Ticket issue p95 at 8 connections ≤ 30 ms",
        lambda b, p, d: (
            f"{_ms(d['issue8']['p95_ms'])} {_mark(d['issue8']['p95_ms'] <= 30)}"
            + _load_ok(d["issue8"], "201")
        ),
    )
    row(
        "Ticket issue throughput at 8 ≥ 300/s",
        lambda b, p, d: f"{d['issue8']['rps']:.0f}/s {_mark(d['issue8']['rps'] >= 300)}",
    )
    row(
        "Issue ÷ health throughput (same run) ≥ 0.5",
        lambda b, p, d: (
            lambda r: f"{r:.2f} {_mark(r >= 0.5)} ({d['health8']['rps']:.0f}/s health)"
        )(d["issue8"]["rps"] / d["health8"]["rps"]),
    )
    row(
        "CPU per request, server + database: issue, health, their ratio (info)",
        lambda b, p, d: (lambda i, h: f"{i:.1f} ms, {h:.1f} ms, {h / i:.2f}")(
            _cpu_ms(d["issue8"]), _cpu_ms(d["health8"])
        ),
    )
    row(
        "Ticket issue p95 at 2 connections (info)",
        lambda b, p, d: f"{_ms(d['issue2']['p95_ms'])}, {d['issue2']['rps']:.0f}/s",
    )

    def vs_empty(key, metric, higher_is_better):
        def fn(b, p, d):
            if p == "empty":
                return "—"
            e, h = b["empty"][key][metric], d[key][metric]
            change = h / e - 1
            ok = (change >= -0.2) if higher_is_better else (change <= 0.2)
            return f"{change:+.0%} {_mark(ok)}"

        return fn

    row("History: issue throughput within 20 % of empty", vs_empty("issue8", "rps", True))
    row("History: issue p95 at 8 within 20 % of empty", vs_empty("issue8", "p95_ms", False))
    row("History: issue p95 at 2 within 20 % of empty", vs_empty("issue2", "p95_ms", False))
    row(
        "Display queue p95, 200 waiting ≤ 20 ms",
        lambda b, p, d: (
            f"{_ms(d['queue200']['p95_ms'])} {_mark(d['queue200']['p95_ms'] <= 20)}"
            + _load_ok(d["queue200"], "200")
        ),
    )
    row("Display queue p95, 20 waiting (info)", lambda b, p, d: _ms(d["queue20"]["p95_ms"]))
    row(
        "Display queue queries, 20 → 200 waiting: constant",
        lambda b, p, d: (
            f"{d['queue20']['queries']} → {d['queue200']['queries']} "
            f"{_mark(d['queue20']['queries'] == d['queue200']['queries'])}"
        ),
    )
    row(
        "Live view `/accueil/DKR/direct/` p95 ≤ 100 ms",
        lambda b, p, d: (
            f"{_ms(d['live_http']['p95_ms'])} "
            f"{_mark(d['live_http']['p95_ms'] <= 100)}" + _load_ok(d["live_http"], "200")
        ),
    )
    row(
        "`selectors.live_view(site)` in-process p95 (info)",
        lambda b, p, d: (
            f"{_ms(d['live_inprocess']['live_view']['p95_ms'])} "
            f"({d['live_inprocess']['live_view']['queries']} queries)"
        ),
    )
    row(
        "`selectors.staffing_advice(site)` in-process p95 (info)",
        lambda b, p, d: f"{_ms(d['live_inprocess']['staffing_advice']['p95_ms'])}",
    )
    for label in ("Kiosk", "Display screen", "Ticket on a phone"):

        def weight(b, p, d, label=label):
            page = b["empty"]["pages"][label] if p == "history" else d["pages"][label]
            if p == "history":
                return "(as empty)"
            if page["total"] is None:
                return f"not yet measurable (HTTP {page['status']})"
            return f"{page['total'] / 1024:.1f} KB {_mark(page['total'] <= 60 * 1024)}"

        row(f"{label} page + CSS/JS ≤ 60 KB", weight)

    def plans(b, p, d):
        if p == "empty":
            return "—"
        stmts = [s for sc in b["explain"]["scenarios"].values() for s in sc]
        scans = [s for s in stmts if s["verdict"].startswith(KO)]
        return f"{len(scans)} full scan(s) {KO}" if scans else f"all {len(stmts)} statements {OK}"

    row("Hot queries use an index (EXPLAIN, below)", plans)
    lines.append("")
    lines += _config_section(backends)
    lines += _details(backends, n)
    lines += _profiles(backends, n)
    lines += _explains(backends, n)
    return lines


def _config_section(backends) -> list[str]:
    lines = ["### gunicorn configuration", ""]
    any_sweep = False
    for b in backends:
        if "sweep" not in b:
            if "config" in b:
                lines.append(f"- {b['backend']}: `{b['config']}` (given, no sweep).")
            continue
        any_sweep = True
        lines += [
            f"{b['backend']}, empty history, ticket issue and health over 8 connections "
            f"(the budgets above are measured with **{b['config']}**, as deployed; "
            "the others for information):",
            "",
            "| configuration | issue/s | issue p95 | health/s | ratio | server CPU | client CPU |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for config, r in b["sweep"].items():
            i, h = r["issue8"], r["health8"]
            lines.append(
                f"| {config} | {i['rps']:.0f} | {_ms(i['p95_ms'])} | {h['rps']:.0f} "
                f"| {i['rps'] / h['rps']:.2f} | {i['server_cpu_s']:.1f} s "
                f"| {i['client_cpu_s']:.1f} s |"
            )
        lines.append("")
    if any_sweep:
        lines += [
            "Server CPU / client CPU: CPU seconds used during the issue run by the gunicorn "
            "processes and by the load generator; the machine has 2 cores, so their sum over "
            "the run's duration shows who had the cores.",
            "",
        ]
    return lines


def _details(backends, n) -> list[str]:
    lines = [
        "### Every load run",
        "",
        "| database | history | URL | conns | n | median | p95 | p99 | max | req/s "
        "| CPU: server | database | client | other | server + database per request "
        "| answers |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    names = {
        "health8": "GET /api/v1/health",
        "issue8": "POST /api/v1/sites/DKR/tickets",
        "issue2": "POST /api/v1/sites/DKR/tickets",
        "queue20": "GET /api/v1/sites/DKR/queue (20 waiting)",
        "queue200": "GET /api/v1/sites/DKR/queue (200 waiting)",
        "queue200_8": "GET /api/v1/sites/DKR/queue (200 waiting)",
        "live_http": "GET /accueil/DKR/direct/ (site manager)",
    }
    for b, phase, d in _phases(backends):
        for key, label in names.items():
            r = d.get(key)
            if not r:
                continue
            lines.append(
                f"| {b['backend']} | {'empty' if phase == 'empty' else n} | {label} "
                f"| {r['concurrency']} | {r['n']} | {_ms(r['median_ms'])} | {_ms(r['p95_ms'])} "
                f"| {_ms(r['p99_ms'])} | {_ms(r['max_ms'])} | {r['rps']:.0f} "
                f"| {r['server_cpu_s']:.1f} s | {r.get('db_cpu_s', 0):.1f} s "
                f"| {r['client_cpu_s']:.1f} s | {r.get('other_cpu_s', 0):.1f} s "
                f"| {_cpu_ms(r):.2f} ms "
                f"| {', '.join(f'{k}×{v}' for k, v in sorted(r['statuses'].items()))} |"
            )
    lines += [
        "",
        "CPU columns: CPU seconds spent during the run by the gunicorn processes, the "
        "PostgreSQL server's processes (SQLite runs inside gunicorn), the load generator, and "
        "everything else on the machine (another user's jobs: the machine is shared) — "
        "out of 2 × the run's duration.",
        "",
    ]
    for b, phase, d in _phases(backends):
        if "waiting_after" in d:
            lines.append(
                f"- {b['backend']} {'empty' if phase == 'empty' else n}: {d['waiting_after']} "
                "tickets waiting at DKR after the issue runs."
            )
    lines.append("")
    lines += ["### Page weights", ""]
    for b in backends:
        pages = b.get("empty", {}).get("pages", {})
        for label, page in pages.items():
            if page["total"] is None:
                lines.append(
                    f"- {b['backend']} — {label} `{page['path']}`: not yet measurable "
                    f"(HTTP {page['status']})."
                )
            else:
                lines.append(
                    f"- {b['backend']} — {label}: "
                    + ", ".join(f"`{p}` {w / 1024:.1f} KB" for p, w in page["parts"])
                )
    lines += ["", "### History load", ""]
    for b in backends:
        h = b.get("history_load")
        if h:
            phases = h.get("phases", {})
            cost = ", ".join(
                f"{name} {p['wall_s']} s (CPU {p['cpu_s']} s)" for name, p in phases.items()
            )
            lines.append(
                f"- {b['backend']}: {h['inserted']:,} tickets written by generate_history "
                f"({h['requested']:,} asked; {h['total_tickets']:,} in all) over {h['sites']} "
                f"sites and {h['days']} days ({h['first_day']} … {h['last_day']}), with "
                f"{h['ratings']:,} ratings and {h['cases']:,} cases, in {h['seconds']} s: "
                f"**{h['tickets_per_s']:,} tickets/s** while writing tickets; {cost}."
            )
    lines.append("")
    return lines


def _profiles(backends, n) -> list[str]:
    lines = [
        "### Where a ticket issue's time goes",
        "",
        "In-process, the real WSGI application (`teranga.wsgi.application`, every middleware) "
        "called with a POST like the kiosk's, one request at a time, after 20 warm-up "
        "requests; wall and SQL time measured without the profiler, then the same number of "
        "requests under cProfile (which inflates Python time).",
        "",
        "| database | history | wall / request | SQL (driver) / request | queries / request |",
        "|---|---|---:|---:|---:|",
    ]
    for b in backends:
        for phase in ("empty", "history"):
            p = b.get(f"{phase}_profile")
            if p:
                lines.append(
                    f"| {b['backend']} | {'empty' if phase == 'empty' else n} "
                    f"| {_ms(p['wall_ms_per_request'])} | {_ms(p['sql_ms_per_request'])} "
                    f"| {p['queries_per_request']:.1f} |"
                )
    lines.append("")
    for b in backends:
        p = b.get("history_profile")
        if not p:
            continue
        lines += [
            f"<details><summary>{b['backend']}, {n} past tickets: statements, CPU by "
            "package, top functions</summary>",
            "",
            "| statement (shape) | per request | ms / request |",
            "|---|---:|---:|",
        ]
        for s in p["statements"]:
            lines.append(
                f"| `{s['sql'].replace('|', '¦')}` | {s['per_request']:.2f} "
                f"| {s['ms_per_request']:.2f} |"
            )
        lines += ["", "Self time by package under cProfile (ms / request):", ""]
        lines += [f"- {k}: {v:.2f}" for k, v in list(p["groups_ms_per_request"].items())[:14]]
        lines += [
            "",
            "Cumulative time of the application's and frameworks' functions "
            "(ms / request, under cProfile):",
            "",
            "```",
        ]
        lines += [
            f"{r['cum_ms_per_request']:7.2f}  {r['calls_per_request']:6.1f}×  {r['func']}"
            for r in p["top_cumulative"][:40]
        ]
        lines += ["```", "", "</details>", ""]
    return lines


def _explains(backends, n) -> list[str]:
    lines = [
        f"### Query plans of the hot requests ({n} past tickets)",
        "",
        "Every statement that the four hot requests run, captured in-process through "
        "`connection.execute_wrapper` under the same settings (django.test.Client: the whole "
        "middleware stack), then `EXPLAIN QUERY PLAN` (SQLite) / `EXPLAIN` (PostgreSQL) with "
        "the same parameters (PostgreSQL: `EXPLAIN (ANALYZE, BUFFERS)` for a SELECT, so the "
        "rows really read show). ❌ marks a full scan of a history-sized table (tickets, their "
        "events, sequences), or an index that does not narrow the rows down: a SELECT on "
        "tickets that still takes over 2 ms warm (SQLite: best of 3 runs; PostgreSQL: the "
        "execution time of EXPLAIN ANALYZE, planning apart) reads history. The plans are taken "
        "on the history database before its load runs, with the demo morning and 200 waiting "
        "at DKR: a realistic day.",
        "",
    ]
    for b in backends:
        ex = b.get("explain")
        if not ex:
            continue
        for scenario, statements in ex["scenarios"].items():
            real = [s for s in statements if s["verdict"] != "transaction control"]
            scans = sum(s["verdict"].startswith(KO) for s in real)
            lines += [
                f"<details><summary>{b['backend']} — {scenario}: {len(real)} statements, "
                f"{'no full scan ✅' if not scans else f'{scans} full scan(s) ❌'}"
                "</summary>",
                "",
            ]
            for i, s in enumerate(real, 1):
                lines += [
                    f"{i}. {s['verdict']} ({s['ms']:.2f} ms in the request"
                    + (f", {s['rerun_ms']:.2f} ms warm)" if s.get("rerun_ms") is not None else ")"),
                    "   ```sql",
                    "   " + s["sql"].replace("\n", " "),
                    "   ```",
                    "   ```",
                    *[f"   {line}" for line in s["plan"]],
                    "   ```",
                ]
            lines += ["", "</details>", ""]
    return lines
