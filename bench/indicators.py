"""Budgets of the steering issue, over a synthetic history (5 years × 46 sites ≈ 12 M tickets
in the full run): generate_history ≥ 100,000 tickets/s on SQLite; rollup rebuild of 5 years
≤ 5 minutes; indicators API, national level, 12 months, all indicators p95 ≤ 50 ms warm;
national dashboard page p95 ≤ 200 ms; site dashboard p95 ≤ 100 ms; and, in the same run,
DuckDB computing the same national monthly ticket indicators from the raw tickets exported
to Parquet (the API must take at most a quarter of DuckDB's time). And the quality issue's
budget on the same data: pre-scoring a self-assessment campaign for all 46 sites over a
quarter ≤ 2 s in total.

gunicorn with 2 sync workers and production settings on SQLite; the pages are loaded with a
logged-in national administrator's cookie through loadgen (wrk when installed).
"""

import csv
import json
import sqlite3
import statistics
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import loadgen
import reception

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST, PORT = loadgen.HOST, loadgen.PORT
GENERATE_BUDGET = 100_000  # tickets/s
REBUILD_BUDGET_S = 300
API_BUDGET_MS, NATIONAL_BUDGET_MS, SITE_BUDGET_MS = 50, 200, 100
DUCKDB_RATIO_BUDGET = 0.25
PRESCORE_BUDGET_S = 2.0
FLOOR_DAYS = 120  # days of tickets written again into scratch tables (bench/djtasks.py)
# Runs inside `manage.py shell`: launches a campaign at every open site over the last whole
# quarter, timed in the process (the shell's start-up left out), 5 times, each rolled back.
PRESCORE_SCRIPT = """
import json, time
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from teranga.network.models import User
from teranga.quality.campaigns import campaign_launch
from teranga.quality.selectors import last_quarter

admin = User.objects.get(username="admin")
first, last = last_quarter()
runs = []
for n in range(5):
    with transaction.atomic():
        started = time.perf_counter()
        campaign = campaign_launch(
            actor=admin, title=f"bench {n}", period_start=first, period_end=last,
            due_date=timezone.localdate() + timedelta(days=30),
        )
        runs.append(time.perf_counter() - started)
        sites = campaign.assessments.count()
        answers = sum(a.answers.count() for a in campaign.assessments.all())
        transaction.set_rollback(True)
print(json.dumps({"runs": runs, "sites": sites, "answers": answers,
                  "first": str(first), "last": str(last)}))
"""
TICKET_CODES = (
    "tickets,wait_median_min,wait_p90_min,served_within_target_pct,service_median_min,no_show_pct"
)


def _manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def _last_12_months() -> tuple[date, date]:
    """The 12 whole months before the current one."""
    first_of_month = date.today().replace(day=1)
    last = first_of_month - timedelta(days=1)
    first = date(last.year - 1, last.month, 1) + timedelta(days=32)
    return first.replace(day=1), last


def _export_parquet(sqlite_path: Path, parquet: Path) -> dict:
    """The raw tickets (with their site's target wait) to Parquet through CSV and DuckDB."""
    import duckdb

    started = time.perf_counter()
    csv_path = parquet.with_suffix(".csv")
    con = sqlite3.connect(sqlite_path)
    rows = con.execute(
        "SELECT t.site_id, t.day, t.procedure_id, t.status, t.wait_seconds, "
        "t.service_seconds, COALESCE(w.minutes, s.target_wait_minutes) "
        "FROM reception_ticket t JOIN network_site s ON s.id = t.site_id "
        "LEFT JOIN reception_waittarget w "
        "ON w.site_id = t.site_id AND w.procedure_id = t.procedure_id"
    )
    n = 0
    with open(csv_path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["site_id", "day", "procedure_id", "status", "wait_s", "service_s", "target_min"]
        )
        while chunk := rows.fetchmany(100_000):
            writer.writerows(chunk)
            n += len(chunk)
    con.close()
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{csv_path}', header=true, "
        "types={'day': 'DATE', 'wait_s': 'INTEGER', 'service_s': 'INTEGER'})) "
        f"TO '{parquet}' (FORMAT parquet)"
    )
    csv_path.unlink()
    return {"rows": n, "seconds": time.perf_counter() - started, "bytes": parquet.stat().st_size}


DUCKDB_QUERY = """
SELECT date_trunc('month', day) AS month,
       count(*) AS tickets,
       quantile_disc(wait_s // 60, 0.5) FILTER (WHERE wait_s IS NOT NULL) AS wait_median_min,
       quantile_disc(wait_s // 60, 0.9) FILTER (WHERE wait_s IS NOT NULL) AS wait_p90_min,
       100.0 * count(*) FILTER (WHERE wait_s <= 60 * target_min)
         / count(*) FILTER (WHERE wait_s IS NOT NULL OR status = 'expired')
         AS served_within_target_pct,
       quantile_disc(service_s // 60, 0.5) FILTER (WHERE service_s IS NOT NULL)
         AS service_median_min,
       100.0 * count(*) FILTER (WHERE status = 'no_show')
         / count(*) FILTER (WHERE wait_s IS NOT NULL) AS no_show_pct
FROM '{parquet}'
WHERE day BETWEEN DATE '{first}' AND DATE '{last}'
GROUP BY 1 ORDER BY 1
"""


def _duckdb(parquet: Path, first: date, last: date, runs: int = 7) -> dict:
    """The national monthly ticket indicators with DuckDB (a fresh connection, warm file
    cache): the median of `runs` timings, and the figures to compare with the API."""
    import duckdb

    query = DUCKDB_QUERY.format(parquet=parquet, first=first, last=last)
    timings, result = [], None
    for _ in range(runs):
        con = duckdb.connect()
        started = time.perf_counter()
        result = con.sql(query).fetchall()
        timings.append(time.perf_counter() - started)
        con.close()
    return {
        "version": duckdb.__version__,
        "median_s": statistics.median(timings),
        "min_s": min(timings),
        "months": len(result),
        "first_row": [str(v) for v in result[0]] if result else [],
    }


def _reports(env: dict, tmp: Path, month: str) -> list[dict]:
    """The monthly reports generated by the command (a new process each: imports included)."""
    out = []
    for scope in (["--national"], ["--site", "DKR"]):
        for fmt in ("pdf", "xlsx"):
            path = tmp / f"report.{fmt}"
            started = time.perf_counter()
            _manage(env, "report", *scope, "--month", month, "--format", fmt, "-o", str(path))
            out.append(
                {
                    "report": " ".join(scope).replace("--", ""),
                    "format": fmt,
                    "seconds": time.perf_counter() - started,
                    "bytes": path.stat().st_size,
                }
            )
            path.unlink()
    return out


def bench_indicators(env: dict, tmp: Path, log, *, days: int, requests: int, seconds: float):
    sqlite_path = tmp / "indicators.sqlite3"
    for f in tmp.glob("indicators.sqlite3*"):
        f.unlink()
    env = {**env, "SQLITE_PATH": str(sqlite_path)}
    _manage(env, "migrate", "--no-input", "-v0")
    _manage(env, "seed_demo")
    result: dict = {"days": days}
    log(f"indicators: generate_history --days {days} (46 sites)")
    started = time.perf_counter()
    out = _manage(env, "generate_history", "--days", str(days), "--no-rollups")
    result["generate"] = {
        "seconds": time.perf_counter() - started,
        "output": out.stdout.strip().splitlines()[-5:],
    }
    log(f"indicators: the ticket statement's floor over {FLOOR_DAYS} days")
    result["floor"] = reception.task(env, "history-floor", FLOOR_DAYS)
    con = sqlite3.connect(sqlite_path)
    result["tickets"] = con.execute("SELECT COUNT(*) FROM reception_ticket").fetchone()[0]
    result["responses"] = con.execute("SELECT COUNT(*) FROM listening_response").fetchone()[0]
    result["cases"] = con.execute("SELECT COUNT(*) FROM cases_case").fetchone()[0]
    con.close()
    log("indicators: rollup rebuild")
    started = time.perf_counter()
    _manage(env, "indicators_rebuild", "-v0")
    result["rebuild_s"] = time.perf_counter() - started
    con = sqlite3.connect(sqlite_path)
    result["rollup_rows"] = con.execute("SELECT COUNT(*) FROM indicators_rollup").fetchone()[0]
    con.close()
    log("quality: pre-scoring a campaign at every site over the last quarter")
    out = _manage(env, "shell", "-c", PRESCORE_SCRIPT)
    result["prescore"] = json.loads(out.stdout.strip().splitlines()[-1])
    first, last = _last_12_months()
    log("indicators: monthly reports")
    result["reports"] = _reports(env, tmp, last.strftime("%Y-%m"))
    log("indicators: export to Parquet for DuckDB")
    parquet = tmp / "tickets.parquet"
    result["parquet"] = _export_parquet(sqlite_path, parquet)
    result["duckdb"] = _duckdb(parquet, first, last)
    parquet.unlink()
    server = reception.Server(env, reception.DEFAULT_CONFIG)
    try:
        cookie = reception.login("admin", "teranga-demo-2026")
        span = f"from={first}&to={last}&granularity=month"
        api = f"/api/v1/indicators?level=national&{span}"
        targets = [
            ("API, national, 12 months, all indicators", api, API_BUDGET_MS),
            ("API, national, 12 months, the ticket indicators (as DuckDB)",
             f"{api}&indicator={TICKET_CODES}", API_BUDGET_MS),
            ("national dashboard page", "/espace-pro/pilotage/", NATIONAL_BUDGET_MS),
            ("site dashboard page (Dakar)", "/espace-pro/sites/DKR/pilotage/", SITE_BUDGET_MS),
        ]  # fmt: skip
        result["loads"] = []
        for label, path, budget in targets:
            log(f"indicators: {label}")
            headers = {"Cookie": cookie}
            status, _, body, _, _ = reception.request("GET", path, headers=headers)
            assert status == 200, (path, status, body[:300])
            loadgen.run(path, headers=headers, requests=30, concurrency=1, max_seconds=2)
            figures = loadgen.run(
                path, headers=headers, requests=requests, concurrency=1, max_seconds=seconds
            )
            assert set(figures["statuses"]) == {"200"}, figures["statuses"]
            result["loads"].append(
                {"label": label, "path": path, "budget_ms": budget, "bytes": len(body), **figures}
            )
    finally:
        server.stop()
    return result


def render(result: dict | None) -> list[str]:
    lines = ["## Steering: indicators over years of history", ""]
    if result is None:
        return lines + ["Skipped (`--skip-indicators`).", ""]
    if "error" in result:
        return lines + [f"❌ {result['error']}", ""]
    g = result["generate"]
    rate = result["tickets"] / g["seconds"]
    ok = "✅" if rate >= GENERATE_BUDGET else "❌"
    rebuild_ok = "✅" if result["rebuild_s"] <= REBUILD_BUDGET_S * result["days"] / 1826 else "❌"
    lines += [
        f"SQLite, production settings. `generate_history --days {result['days']}` over the 46 "
        f"sites: {result['tickets']:,} tickets, {result['responses']:,} ratings, "
        f"{result['cases']:,} cases in {g['seconds']:.1f} s (whole command, ratings and cases "
        f"included): **{rate:,.0f} tickets/s** (budget {GENERATE_BUDGET:,}) {ok}. "
        "The command's own account of its phases:",
        "",
        "```",
        *g["output"],
        "```",
        "",
    ]
    floor = result.get("floor")
    if floor:
        lines += [
            f"Where the tickets' time goes: the same statement (same lookups, chunks, "
            f"transactions and connection settings) writing the {floor['tickets']:,} tickets of "
            f"the last {floor['days']} days into a scratch table with the ticket table's "
            f"columns (planning the blocks in Python, {floor['planning_s']:.1f} s, left out):",
            "",
            "| scratch table | seconds | tickets/s |",
            "|---|---:|---:|",
            *(
                f"| {v['label']} | {v['seconds']:.1f} s | {v['rate']:,.0f} |"
                for v in floor["variants"]
            ),
            "",
        ]
    lines += [
        f"Rollup rebuild (`indicators_rebuild`, every day of the history): "
        f"**{result['rebuild_s']:.1f} s**, {result['rollup_rows']:,} rollup rows "
        f"(budget 5 min for 5 years, prorated to {result['days']} days) {rebuild_ok}.",
        "",
        "Requests with one keep-alive connection after a warm-up, gunicorn 2 sync workers:",
        "",
        "| measure | n | median | p95 | max | budget | bytes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for f in result["loads"]:
        ok = "✅" if f["p95_ms"] <= f["budget_ms"] else "❌"
        lines.append(
            f"| {f['label']} | {f['n']} | {f['median_ms']:.1f} ms | {f['p95_ms']:.1f} ms "
            f"| {f['max_ms']:.1f} ms | {f['budget_ms']} ms {ok} | {f['bytes']:,} |"
        )
    lines += [
        "",
        "Monthly reports of the last month by `manage.py report` (whole command, a new process):",
        "",
        "| report | format | seconds | size |",
        "|---|---|---:|---:|",
    ]
    for r in result["reports"]:
        lines.append(
            f"| {r['report']} | {r['format']} | {r['seconds']:.1f} s | {r['bytes'] / 1024:.0f} KB |"
        )
    d, p = result["duckdb"], result["parquet"]
    api = next(f for f in result["loads"] if "as DuckDB" in f["label"])
    ratio = api["median_ms"] / 1000 / d["median_s"]
    ok = "✅" if ratio <= DUCKDB_RATIO_BUDGET else "❌"
    lines += [
        "",
        f"DuckDB {d['version']} on the same machine, the same national monthly ticket "
        f"indicators for the same 12 months from {p['rows']:,} raw tickets in Parquet "
        f"({p['bytes'] / 1e6:.0f} MB, exported in {p['seconds']:.0f} s): median "
        f"**{d['median_s'] * 1000:.0f} ms** (best {d['min_s'] * 1000:.0f} ms, {d['months']} "
        f"months). The API's median for the same figures is {api['median_ms']:.1f} ms: "
        f"**ratio {ratio:.3f}** (budget ≤ {DUCKDB_RATIO_BUDGET}) {ok}.",
        "",
    ]
    if "prescore" in result:
        q = result["prescore"]
        median = statistics.median(q["runs"])
        ok = "✅" if median <= PRESCORE_BUDGET_S else "❌"
        lines += [
            "### Quality: pre-scoring a self-assessment campaign",
            "",
            f"`campaign_launch` at the {q['sites']} open sites over {q['first']} – {q['last']} "
            f"(measured criteria scored from the rollups, {q['answers']:,} answers written), "
            f"timed in the process, 5 runs each rolled back: median **{median:.2f} s** "
            f"(best {min(q['runs']):.2f} s, worst {max(q['runs']):.2f} s; budget ≤ "
            f"{PRESCORE_BUDGET_S:.0f} s in total) {ok}.",
            "",
        ]
    return lines
